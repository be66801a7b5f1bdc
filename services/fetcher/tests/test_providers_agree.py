"""Every provider client, against its simulator over one ledger, yields the very same records
(ARCHITECTURE §5): whichever provider answers, the scan's numbers are identical."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from walletscan_contracts.chains import Network
from walletscan_fetcher.providers import AddressReport
from walletscan_fetcher.providers.blockchair import BlockchairClient
from walletscan_fetcher.providers.electrum import ElectrumClient
from walletscan_fetcher.providers.esplora import EsploraClient
from walletscan_fetcher.providers.tatum import TatumClient
from walletscan_testkit.blockchair_sim import create_blockchair_app
from walletscan_testkit.chain import expected_wallet_totals
from walletscan_testkit.electrum_sim import ElectrumSim
from walletscan_testkit.esplora_sim import create_esplora_app, serve_async
from walletscan_testkit.tatum_sim import create_tatum_app

from services.fetcher.tests.worlds import World, build_world

BTC = Network.BITCOIN


@dataclass
class Sims:
    world: World
    esplora: str
    blockchair: str
    tatum: str
    electrum: str
    electrum_verbose: str
    blockchair_app: object


@pytest.fixture(scope="module")
async def sims() -> AsyncIterator[Sims]:
    world = build_world()
    chain = world.chain
    blockchair_app = create_blockchair_app(chain, api_key="bc-key")
    async with (
        serve_async(create_esplora_app(chain)) as esplora,
        serve_async(blockchair_app) as blockchair,
        serve_async(create_tatum_app(chain, api_key="t-key")) as tatum,
        ElectrumSim(chain).serve() as electrum,
        ElectrumSim(chain, verbose=True).serve() as electrum_verbose,
    ):
        yield Sims(world, esplora, blockchair, tatum, electrum, electrum_verbose, blockchair_app)


def canonical(report: AddressReport) -> tuple[object, ...]:
    return (
        report.summary,
        sorted(report.txs, key=lambda t: t.txid),
        sorted(report.utxos, key=lambda u: (u.txid, u.vout)),
        report.tip_height,
    )


async def fetch_all(sims: Sims) -> dict[str, dict[str, AddressReport]]:
    addresses = sims.world.addresses
    async with httpx.AsyncClient() as http:
        esplora = EsploraClient({BTC: sims.esplora}, http=http)
        blockchair = BlockchairClient(sims.blockchair, http=http, api_key="bc-key")
        tatum = TatumClient(sims.tatum, {BTC: "t-key"}, http=http)
        electrum = ElectrumClient({BTC: sims.electrum})
        verbose = ElectrumClient({BTC: sims.electrum_verbose})
        try:
            results: dict[str, dict[str, AddressReport]] = {
                "esplora": {a: await esplora.fetch_address(a, BTC) for a in addresses},
                "blockchair": await blockchair.fetch_addresses(addresses, BTC),
                "blockchair-single": {a: await blockchair.fetch_address(a, BTC) for a in addresses},
                "tatum": {a: await tatum.fetch_address(a, BTC) for a in addresses},
                "electrum": {a: await electrum.fetch_address(a, BTC) for a in addresses},
                "electrum-verbose": {a: await verbose.fetch_address(a, BTC) for a in addresses},
            }
        finally:
            await electrum.aclose()
            await verbose.aclose()
    return results


@pytest.fixture(scope="module")
async def results(sims: Sims) -> dict[str, dict[str, AddressReport]]:
    return await fetch_all(sims)


async def test_every_provider_gives_identical_records(
    sims: Sims, results: dict[str, dict[str, AddressReport]]
) -> None:
    reference = {a: canonical(r) for a, r in results["esplora"].items()}
    # The world exercises paging, mempool, multi-input, change, self-transfer and OP_RETURN.
    assert len(results["esplora"][sims.world.addresses[0]].txs) > 60
    assert any(not t.confirmed for r in results["esplora"].values() for t in r.txs)
    for provider, reports in results.items():
        assert set(reports) == set(sims.world.addresses), provider
        for address, report in reports.items():
            assert canonical(report) == reference[address], (provider, address)


async def test_records_match_the_ledger(
    sims: Sims, results: dict[str, dict[str, AddressReport]]
) -> None:
    """Independent of any client: the facts add up to the ledger's own wallet totals."""
    chain = sims.world.chain
    for address, report in results["blockchair"].items():
        expected = expected_wallet_totals(chain, [address])
        assert report.summary.balance == expected.balance == chain.balance(address)
        assert sum(t.delta for t in report.txs) == expected.balance
        assert sum(u.value for u in report.utxos) == expected.balance
        assert len(report.txs) == expected.tx_count


async def test_blockchair_batches_need_far_fewer_requests(sims: Sims) -> None:
    app = sims.blockchair_app
    stats = app.state.stats  # type: ignore[attr-defined]
    async with httpx.AsyncClient() as http:
        client = BlockchairClient(sims.blockchair, http=http, api_key="bc-key")
        stats.reset()
        await client.fetch_addresses(sims.world.addresses, BTC)
        batched = stats.by_route["/{chain_name:path}/dashboards/addresses/{addresses}"]
        stats.reset()
        for a in sims.world.addresses:
            await client.fetch_address(a, BTC)
        single = stats.by_route["/{chain_name:path}/dashboards/addresses/{addresses}"]
    assert batched == 1
    assert single == len(sims.world.addresses)
