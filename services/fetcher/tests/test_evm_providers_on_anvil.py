"""Both EVM providers against a real anvil node playing the scenario of
`walletscan_testkit.evm_scenario`: every native, internal, failed, self and token case must
come out exactly as the node's receipts and balances say — through JSON-RPC directly, and
through the Etherscan client reading the Etherscan simulator that serves the same chain."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from walletscan_contracts.chains import Network
from walletscan_fetcher.providers.base import AddressReport, QuotaExhausted, TransientProviderError
from walletscan_fetcher.providers.etherscan import EtherscanClient
from walletscan_fetcher.providers.evm_records import HistoryUnavailable
from walletscan_fetcher.providers.jsonrpc import JsonRpcClient
from walletscan_fetcher.resilience import ResiliencePolicy, ResilientProvider
from walletscan_testkit.anvil import AnvilUnavailable, anvil_node
from walletscan_testkit.esplora_sim import serve_async
from walletscan_testkit.etherscan_sim import create_etherscan_app
from walletscan_testkit.evm_scenario import UNUSED, EvmScenario, play_scenario

ETH = Network.ETHEREUM


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EvmScenario]:
    try:
        with anvil_node(tmp_path_factory.mktemp("anvil"), chain_id=1) as node:
            yield play_scenario(node)
    except AnvilUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


def assert_matches_the_chain(report: AddressReport, s: EvmScenario) -> None:
    evm = report.evm
    assert evm is not None and evm.account is not None
    expected = s.expected
    assert int(evm.account.balance) == expected.balance == s.node.balance(s.wallet)
    native = {t.txid: t for t in evm.txs}
    token_txids = {t.txid for t in evm.token_transfers}
    assert set(native) | token_txids == {t.txid for t in expected.txs}
    assert report.summary.tx_count == len(expected.txs)
    for want in expected.txs:
        got = native.get(want.txid)
        delta = got.delta if got else 0
        assert delta == want.delta, want.label
        assert (int(got.fee) if got else 0) == want.fee, want.label
        assert (got.failed if got else False) == want.failed, want.label
        assert got is None or got.block_height == want.block_height
    assert sum(t.delta for t in evm.txs) == expected.balance
    assert native[s.labels["internal_in"]].internal
    assert int(native[s.labels["failed"]].received) == int(native[s.labels["failed"]].sent) == 0
    tokens = {t.token: t for t in evm.tokens}
    for token, meta in expected.tokens.items():
        got_token = tokens[token]
        assert (got_token.symbol, got_token.name, got_token.decimals) == (
            meta["symbol"],
            meta["name"],
            meta["decimals"],
        )
        assert int(got_token.balance or -1) == expected.token_balance(token)
        net = sum(
            (int(t.value) if t.to_address == s.wallet else 0)
            - (int(t.value) if t.from_address == s.wallet else 0)
            for t in evm.token_transfers
            if t.token == token
        )
        assert net == expected.token_balance(token)


async def test_jsonrpc_gives_exactly_what_the_node_says(
    scenario: EvmScenario, http: httpx.AsyncClient
) -> None:
    # Tiny windows and pages: the paging and window code runs many times over 20 blocks.
    client = JsonRpcClient({ETH: scenario.node.url}, http=http, ots_page_size=2, max_block_range=3)
    report = await client.fetch_address(scenario.wallet, ETH)
    assert_matches_the_chain(report, scenario)
    assert report.evm is not None and report.evm.account is not None
    assert report.evm.account.nonce == scenario.expected.sent_count


async def test_etherscan_through_the_simulator_gives_the_same(
    scenario: EvmScenario, http: httpx.AsyncClient
) -> None:
    app = create_etherscan_app(scenario.node.url, record_cap=3)
    async with serve_async(app) as url:
        client = EtherscanClient(f"{url}/v2/api", "test-key", http=http, record_cap=3)
        report = await client.fetch_address(scenario.wallet, ETH)
        direct = await JsonRpcClient({ETH: scenario.node.url}, http=http).fetch_address(
            scenario.wallet, ETH
        )
    assert_matches_the_chain(report, scenario)
    assert app.state.stats["txlist"] > 1  # the record cap forced paging
    assert report.evm is not None and direct.evm is not None
    assert [(t.txid, t.delta) for t in report.evm.txs] == [
        (t.txid, t.delta) for t in direct.evm.txs
    ]


async def test_an_address_without_history(scenario: EvmScenario, http: httpx.AsyncClient) -> None:
    report = await JsonRpcClient({ETH: scenario.node.url}, http=http).fetch_address(UNUSED, ETH)
    assert report.evm is not None and report.evm.txs == [] and report.evm.tokens == []
    assert report.summary.tx_count == 0


async def test_etherscan_refusals_route_or_retry(
    scenario: EvmScenario, http: httpx.AsyncClient
) -> None:
    app = create_etherscan_app(scenario.node.url, chains={1})
    async with serve_async(app) as url:
        base = f"{url}/v2/api"
        with pytest.raises(HistoryUnavailable, match="not supported for this chain"):
            await EtherscanClient(base, "test-key", http=http).fetch_address(
                scenario.wallet, Network.BSC
            )
        with pytest.raises(QuotaExhausted):
            await EtherscanClient(base, "wrong", http=http).fetch_address(scenario.wallet, ETH)
        app.state.rate_limited = 2
        with pytest.raises(TransientProviderError) as limited:
            await EtherscanClient(base, "test-key", http=http).fetch_address(scenario.wallet, ETH)
        assert limited.value.retry_after
        # Behind the shared resilience wrapper, the rate limit is waited out.
        wrapped = ResilientProvider(
            EtherscanClient(base, "test-key", http=http),
            ResiliencePolicy(retry_wait_initial_seconds=0.01, retry_wait_max_seconds=0.05),
        )
        wrapped_report = await wrapped.fetch_address(scenario.wallet, ETH)
        assert wrapped_report.evm is not None and app.state.rate_limited == 0
