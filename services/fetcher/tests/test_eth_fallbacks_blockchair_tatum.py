"""Blockchair (ethereum/dashboards/address) and Tatum (v3 ethereum/account) as Ethereum
fallbacks: on the docs' example, and against simulators serving a real anvil chain, where
what they give must equal the JSON-RPC provider's records and what they cannot give exactly
must hand the address over (`HistoryUnavailable`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from walletscan_contracts.chains import Network
from walletscan_contracts.providers import fallback_order
from walletscan_fetcher.providers.base import AddressReport, QuotaExhausted
from walletscan_fetcher.providers.blockchair import BlockchairClient, parse_time
from walletscan_fetcher.providers.blockchair_eth import ETH_DATA, eth_report
from walletscan_fetcher.providers.evm_records import HistoryUnavailable
from walletscan_fetcher.providers.jsonrpc import JsonRpcClient
from walletscan_fetcher.providers.tatum import TatumClient
from walletscan_keys.evm_abi import encode_call
from walletscan_testkit.anvil import AnvilUnavailable, anvil_node
from walletscan_testkit.blockchair_sim import create_blockchair_eth_app
from walletscan_testkit.esplora_sim import serve_async
from walletscan_testkit.evm_scenario import ETHER, UNUSED, EvmScenario, play_scenario
from walletscan_testkit.tatum_sim import create_tatum_eth_app

ETH = Network.ETHEREUM
RECEIVER = "0x1111111111111111111111111111111111111111"  # plain + internal in, nothing out
SENDER = "0x2222222222222222222222222222222222222222"  # in, out, self, failed; no tokens

DOCS_EXAMPLE = {
    "0x3282791d6fd713f1e94f4bfd565eaa78b3a0599d": {
        "address": {
            "type": "account",
            "balance": "1337000000000000001337",
            "received_approximate": "1337000000000000000000",
            "receiving_call_count": 2,
            "spending_call_count": 0,
            "call_count": 2,
            "transaction_count": 2,
        },
        "calls": [
            {
                "block_id": 6712155,
                "transaction_hash": "0x0357352473d64df14fb987f33bbc9c3cd317fafe"
                "7c9498139c6a0529b551a017",
                "index": "0",
                "time": "2018-11-16 00:52:45",
                "sender": "0x0f4b92e13cc618bb9ff2120aec2ccd19f0d97b68",
                "recipient": "0x3282791d6fd713f1e94f4bfd565eaa78b3a0599d",
                "value": 1337,
                "value_usd": 0,
                "transferred": True,
            },
            {
                "block_id": 0,
                "transaction_hash": None,
                "index": "0",
                "time": "2015-07-30 00:00:00",
                "sender": None,
                "recipient": "0x3282791d6fd713f1e94f4bfd565eaa78b3a0599d",
                "value": 1.337e21,
                "value_usd": 1337,
                "transferred": True,
            },
        ],
        "layer_2": {
            "erc_20": [
                {
                    "token_address": "0x68e14bb5a45b9681327e16e528084b9d962c1a39",
                    "token_name": "en",
                    "token_symbol": "CAT",
                    "token_decimals": 18,
                    "balance_approximate": 5,
                    "balance": "5000000000000000000",
                }
            ]
        },
    }
}
DOCS_ADDRESS = "0x3282791d6fd713f1e94f4bfd565eaa78b3a0599d"


def test_docs_example_parses_and_hands_over_what_it_cannot_give_exactly() -> None:
    data = ETH_DATA.validate_python(DOCS_EXAMPLE)[DOCS_ADDRESS]
    assert data.address.balance == "1337000000000000001337"
    # Token balances but no transfer list: hand over.
    with pytest.raises(HistoryUnavailable, match="ERC-20"):
        eth_report(DOCS_ADDRESS, data, 8805160, parse_time=parse_time)
    # Without the token: the genesis value is a float (1.337e+21), not exact wei.
    no_tokens = data.model_copy(update={"layer_2": data.layer_2.model_copy(update={"erc_20": []})})
    with pytest.raises(HistoryUnavailable, match="not exact wei"):
        eth_report(DOCS_ADDRESS, no_tokens, 8805160, parse_time=parse_time)
    # With exact values the calls (genesis + one plain in) rebuild the balance.
    exact = no_tokens.model_copy(
        update={
            "calls": [
                no_tokens.calls[0],
                no_tokens.calls[1].model_copy(update={"value": 1337 * 10**18}),
            ]
        }
    )
    report = eth_report(DOCS_ADDRESS, exact, 8805160, parse_time=parse_time)
    assert report.evm is not None and report.evm.account is not None
    assert sum(t.delta for t in report.evm.txs) == int(report.evm.account.balance)
    assert report.evm.txs[0].txid == "GENESIS_3282791d6fd713f1e94f4bfd565eaa78b3a0599d"
    assert report.evm.txs[1].block_time == parse_time("2018-11-16 00:52:45")


def test_ethereum_order_ends_with_the_new_fallbacks() -> None:
    assert fallback_order(ETH, None) == ["jsonrpc", "etherscan", "blockchair", "tatum"]
    assert fallback_order(Network.POLYGON, None) == ["jsonrpc", "etherscan"]


@dataclass
class Chain:
    s: EvmScenario
    blockchair: str
    tatum: str
    blockchair_app: object


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EvmScenario]:
    try:
        with anvil_node(tmp_path_factory.mktemp("anvil"), chain_id=1) as node:
            s = play_scenario(node)
            f = s.funder

            def send(sender: str, to: str, value: int, data: str = "0x", gas: int = 0) -> None:
                tx = {"from": sender, "to": to, "value": hex(value), "data": data}
                if gas:
                    tx["gas"] = hex(gas)
                node.receipt(str(node.rpc("eth_sendTransaction", tx)))

            send(f, RECEIVER, ETHER)
            send(f, s.forwarder, ETHER // 3, encode_call("forward(address)", RECEIVER))
            node.rpc("anvil_impersonateAccount", SENDER)
            send(f, SENDER, 2 * ETHER)
            send(SENDER, s.other, ETHER // 2)
            send(SENDER, SENDER, ETHER // 10)
            send(SENDER, s.forwarder, ETHER // 5, encode_call("refuse()"), gas=100_000)
            yield s
    except AnvilUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
async def chain(scenario: EvmScenario) -> AsyncIterator[Chain]:
    bc_app = create_blockchair_eth_app(scenario.node.url)
    async with (
        serve_async(bc_app) as bc,
        serve_async(create_tatum_eth_app(scenario.node.url, api_key="t-key")) as tatum,
    ):
        yield Chain(scenario, bc, tatum, bc_app)


def records(report: AddressReport) -> tuple[object, ...]:
    """What must agree between providers (Blockchair gives no position, Tatum no time)."""
    evm = report.evm
    assert evm is not None and evm.account is not None
    return (
        evm.account.balance,
        [(t.txid, t.block_height, t.received, t.sent, t.fee, t.failed) for t in evm.txs],
        evm.token_transfers,
        evm.tokens,
    )


async def test_blockchair_equals_jsonrpc_for_a_receiving_account(chain: Chain) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        direct = await JsonRpcClient({ETH: chain.s.node.url}, http=http).fetch_address(
            RECEIVER, ETH
        )
        client = BlockchairClient(chain.blockchair, http=http, page_size=1)  # page every call
        got = (await client.fetch_addresses([RECEIVER], ETH))[RECEIVER]
    assert records(got) == records(direct)
    assert got.evm is not None and direct.evm is not None
    assert (
        [t.internal for t in got.evm.txs]
        == [t.internal for t in direct.evm.txs]
        == [
            False,
            True,
        ]
    )
    assert [t.block_time for t in got.evm.txs] == [t.block_time for t in direct.evm.txs]
    assert got.summary.tx_count == direct.summary.tx_count == 2


async def test_tatum_equals_jsonrpc_for_a_plain_account(chain: Chain) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        direct = await JsonRpcClient({ETH: chain.s.node.url}, http=http).fetch_address(SENDER, ETH)
        got = await TatumClient(chain.tatum, {ETH: "t-key"}, http=http).fetch_address(SENDER, ETH)
    assert records(got) == records(direct)
    assert got.evm is not None and direct.evm is not None
    assert [t.position for t in got.evm.txs] == [t.position for t in direct.evm.txs]
    assert [t.failed for t in got.evm.txs] == [False, False, False, True]
    assert int(got.evm.txs[-1].fee) > 0  # the failed transaction's gas is charged


async def test_what_they_cannot_give_is_handed_over(chain: Chain) -> None:
    s = chain.s
    async with httpx.AsyncClient(timeout=30) as http:
        bc = BlockchairClient(chain.blockchair, http=http)
        tatum = TatumClient(chain.tatum, {ETH: "t-key"}, http=http)
        # The scenario wallet: tokens, fees of its own transactions, internal transfers.
        with pytest.raises(HistoryUnavailable, match="ERC-20"):
            await bc.fetch_address(s.wallet, ETH)
        with pytest.raises(HistoryUnavailable, match="ERC-20"):
            await tatum.fetch_address(s.wallet, ETH)
        # A sender without tokens: Blockchair has no per-transaction fee.
        with pytest.raises(HistoryUnavailable, match="fee"):
            await bc.fetch_address(SENDER, ETH)
        # A receiver of an internal transfer: Tatum v3 does not list it.
        with pytest.raises(HistoryUnavailable, match="internal"):
            await tatum.fetch_address(RECEIVER, ETH)
        # A pre-funded dev account: a genesis balance Tatum cannot explain.
        with pytest.raises(HistoryUnavailable):
            await tatum.fetch_address(s.other, ETH)
        # No history at all: both give an empty, exact answer.
        for client in (bc, tatum):
            empty = await client.fetch_address(UNUSED, ETH)
            assert empty.evm is not None and empty.evm.txs == [] and empty.summary.tx_count == 0
        # Refusals map as for Bitcoin: a blocked IP / bad key → another provider.
        chain.blockchair_app.state.fail_with = 430  # type: ignore[attr-defined]
        with pytest.raises(QuotaExhausted):
            await bc.fetch_address(RECEIVER, ETH)
        chain.blockchair_app.state.fail_with = None  # type: ignore[attr-defined]
        with pytest.raises(QuotaExhausted):
            await TatumClient(chain.tatum, {ETH: "wrong"}, http=http).fetch_address(SENDER, ETH)
