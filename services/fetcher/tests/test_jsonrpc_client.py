"""The JSON-RPC client's pure parts and its transport rules, on recorded answers and a fake
node: revert-aware internal transfers, Transfer logs, shrinking block windows, batches."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from walletscan_contracts.chains import Network
from walletscan_fetcher.providers.base import QuotaExhausted, TransientProviderError
from walletscan_fetcher.providers.evm_records import HistoryUnavailable
from walletscan_fetcher.providers.jsonrpc import (
    JsonRpcClient,
    RpcFailure,
    internal_flows,
    parse_transfer_log,
    receipt_fee,
    smaller_window,
    token_balance,
)
from walletscan_keys.evm_abi import TRANSFER_TOPIC, address_topic

from services.fetcher.tests.cassettes import CASSETTES

W = "0x" + "aa" * 20
C = "0x" + "cc" * 20
OTHER = "0x" + "bb" * 20


def call(
    path: list[int], frm: str, to: str, value: int, *, error: str | None = None
) -> dict[str, Any]:
    trace: dict[str, Any] = {
        "type": "call",
        "traceAddress": path,
        "action": {"callType": "call", "from": frm, "to": to, "value": hex(value)},
    }
    if error:
        trace["error"] = error
    return trace


def test_internal_transfers_skip_the_top_call_and_anything_under_a_revert() -> None:
    traces = [
        call([], OTHER, C, 10),  # the transaction itself: not internal
        call([0], C, W, 3),  # paid to W
        call([1], C, OTHER, 2, error="Reverted"),  # reverted frame ...
        call([1, 0], OTHER, W, 5),  # ... undoes its sub-call though it has no error of its own
        call([2], W, OTHER, 1),  # W (a contract) paid out
        {
            "type": "call",
            "traceAddress": [3],
            "action": {"callType": "delegatecall", "from": C, "to": W, "value": "0x9"},
        },
    ]
    assert internal_flows(W, traces) == (3, 1)


def test_transfer_logs_erc20_only() -> None:
    log = {
        "address": C.upper().replace("0X", "0x"),
        "topics": [TRANSFER_TOPIC, address_topic(OTHER), address_topic(W)],
        "data": "0x" + f"{1234:064x}",
        "blockNumber": "0x10",
        "transactionHash": "0x" + "ab" * 32,
        "transactionIndex": "0x1",
        "logIndex": "0x3",
        "removed": False,
    }
    t = parse_transfer_log(log)
    assert t is not None
    assert (t.token, t.from_address, t.to_address, t.value, t.log_index) == (C, OTHER, W, "1234", 3)
    erc721 = {**log, "topics": [*log["topics"], "0x" + "00" * 31 + "01"], "data": "0x"}
    assert parse_transfer_log(erc721) is None
    assert parse_transfer_log({**log, "removed": True}) is None


def test_fee_is_gas_used_times_effective_price_plus_l1_fee() -> None:
    assert (
        receipt_fee({"gasUsed": "0x5208", "effectiveGasPrice": "0x3b9aca00"}, {}) == 21_000 * 10**9
    )
    assert receipt_fee({"gasUsed": "0x5208"}, {"gasPrice": "0x2"}) == 42_000  # pre-London
    assert receipt_fee({"gasUsed": "0x1", "effectiveGasPrice": "0x1", "l1Fee": "0x10"}, {}) == 17


def test_window_shrinks_to_the_limit_the_node_names() -> None:
    errors = json.loads((CASSETTES / "error_responses_etherscan_and_jsonrpc.json").read_text())
    recorded = next(
        json.loads(e["body"])["error"]
        for e in errors["examples"]
        if isinstance(e["body"], str) and "blocks range" in e["body"]
    )
    failure = RpcFailure("eth_getLogs", recorded["code"], recorded["message"])
    assert failure.too_large and not failure.unsupported
    assert smaller_window(1_000_000, failure) == 1000
    infura = RpcFailure("eth_getLogs", -32005, "query returned more than 10000 results")
    assert infura.too_large and smaller_window(4096, infura) == 2048
    rate = RpcFailure("eth_getLogs", -32005, "daily request count exceeded, request rate limited")
    assert rate.rate_limited and not rate.too_large
    syncing = RpcFailure("eth_getBalance", -32000, "header not found")
    assert not syncing.unsupported
    assert RpcFailure(
        "ots_getApiLevel", -32601, "the method ots_getApiLevel does not exist/is not available"
    ).unsupported


def test_token_metadata_tolerates_missing_and_bytes32_answers() -> None:
    symbol32 = "0x" + b"MKR".hex().ljust(64, "0")
    got = token_balance(
        C,
        {
            "decimals()": "0x" + f"{18:064x}",
            "symbol()": symbol32,
            "name()": None,
            "balanceOf": "0x" + f"{5:064x}",
        },
    )
    assert (got.symbol, got.name, got.decimals, got.balance) == ("MKR", None, 18, "5")
    assert token_balance(C, {"decimals()": "0x"}).decimals is None


class FakeNode:
    """Answers single and batch JSON-RPC requests from a method -> handler table."""

    def __init__(self, handlers: dict[str, Any]) -> None:
        self.handlers = handlers
        self.calls: list[tuple[str, list[Any]]] = []

    def answer(self, req: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((req["method"], req["params"]))
        handler = self.handlers.get(req["method"])
        if handler is None:
            return {
                "jsonrpc": "2.0",
                "id": req["id"],
                "error": {"code": -32601, "message": "Method not found"},
            }
        result = handler(*req["params"])
        if isinstance(result, RpcFailure):
            return {
                "jsonrpc": "2.0",
                "id": req["id"],
                "error": {"code": result.code, "message": result.message},
            }
        return {"jsonrpc": "2.0", "id": req["id"], "result": result}

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            if isinstance(body, list):
                # Reversed on purpose: answers of a batch may come in any order.
                return httpx.Response(200, json=[self.answer(b) for b in reversed(body)])
            return httpx.Response(200, json=self.answer(body))

        return httpx.MockTransport(handle)


def basic_handlers(tip: int = 3000) -> dict[str, Any]:
    return {
        "eth_blockNumber": lambda: hex(tip),
        "eth_getBalance": lambda a, tag: "0x0",
        "eth_getTransactionCount": lambda a, tag: "0x0",
    }


async def test_without_otterscan_history_goes_to_the_next_provider() -> None:
    node = FakeNode(basic_handlers())
    async with httpx.AsyncClient(transport=node.transport()) as http:
        client = JsonRpcClient({Network.POLYGON: "https://rpc.test/"}, http=http)
        with pytest.raises(HistoryUnavailable, match="Otterscan"):
            await client.fetch_address(W, Network.POLYGON)


async def test_log_windows_shrink_and_stay_small() -> None:
    queried: list[tuple[int, int]] = []

    def logs(query: dict[str, Any]) -> Any:
        a, b = int(query["fromBlock"], 16), int(query["toBlock"], 16)
        if b - a + 1 > 1000:
            return RpcFailure(
                "eth_getLogs", -32000, "eth_getLogs is limited to a 1000 blocks range"
            )
        queried.append((a, b))
        return []

    handlers = {
        **basic_handlers(tip=2500),
        "ots_getApiLevel": lambda: 8,
        "ots_searchTransactionsBefore": lambda a, b, n: {
            "txs": [],
            "receipts": [],
            "firstPage": True,
            "lastPage": True,
        },
        "trace_filter": lambda q: [],
        "eth_getLogs": logs,
    }
    node = FakeNode(handlers)
    async with httpx.AsyncClient(transport=node.transport()) as http:
        client = JsonRpcClient({Network.ETHEREUM: "https://rpc.test/"}, http=http)
        report = await client.fetch_address(W, Network.ETHEREUM)
    assert report.evm is not None and report.evm.token_transfers == []
    # Both queries (W as sender, as receiver) cover [0, 2500] in windows of 1000; the second
    # starts at the size the first one learnt.
    assert queried == [(0, 999), (1000, 1999), (2000, 2500)] * 2


async def test_http_refusals_are_classified() -> None:
    for status, error in (
        (402, QuotaExhausted),
        (401, QuotaExhausted),
        (429, TransientProviderError),
        (503, TransientProviderError),
    ):
        transport = httpx.MockTransport(lambda r, s=status: httpx.Response(s, text="no"))
        async with httpx.AsyncClient(transport=transport) as http:
            client = JsonRpcClient(
                {Network.ETHEREUM: "https://mainnet.infura.test/v3/secret"}, http=http
            )
            with pytest.raises(error) as raised:
                await client.fetch_address(W, Network.ETHEREUM)
            assert "secret" not in str(raised.value)


async def test_recorded_infura_answers_parse() -> None:
    data = json.loads(
        (CASSETTES / "infura_jsonrpc_eth_getBalance_getTransactionByHash.json").read_text()
    )
    answers = {
        i["request"]["body"]["method"]: i["response"]["body"]
        for i in data["interactions"]
        if isinstance(i["request"]["body"], dict)
    }
    assert "eth_getBalance" in answers and "eth_blockNumber" in answers

    def replay(method: str) -> Any:
        return lambda *params: answers[method]["result"]

    handlers = {m: replay(m) for m in ("eth_blockNumber", "eth_getBalance")}
    handlers["eth_getTransactionCount"] = lambda *p: "0x1"
    node = FakeNode(handlers)
    async with httpx.AsyncClient(transport=node.transport()) as http:
        client = JsonRpcClient({Network.ETHEREUM: "https://mainnet.infura.test/v3/k"}, http=http)
        # Infura has no ots_*: history is handed on, after the balance reads worked.
        with pytest.raises(HistoryUnavailable):
            await client.fetch_address(W, Network.ETHEREUM)
    methods = [m for m, _ in node.calls]
    assert methods[:2] == ["eth_blockNumber", "eth_getBalance"]
