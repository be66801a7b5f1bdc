"""The Etherscan V2 client on the recorded real answers (rotki's cassettes): row shapes,
GENESIS rows, "No transactions found", NOTOK reasons, and paging by block windows."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from walletscan_contracts.chains import Network
from walletscan_fetcher.providers.base import (
    PermanentProviderError,
    QuotaExhausted,
    TransientProviderError,
    UnsupportedNetwork,
)
from walletscan_fetcher.providers.etherscan import (
    Envelope,
    EtherscanClient,
    InternalTx,
    NormalTx,
    TokenTx,
    envelope_result,
    internal_txs,
    normal_txs,
    token_transfers,
)
from walletscan_fetcher.providers.evm_records import HistoryUnavailable

from services.fetcher.tests.cassettes import cassette

GENESIS_ADDRESS = "0xc951900c341abbb3bafbf7ee2029377071dbc36a"


def bodies(name: str, action: str) -> list[dict[str, Any]]:
    return [
        i["response"]["body"]
        for i in cassette(name)["interactions"]
        if f"action={action}&" in i["request"]["uri"]
    ]


def test_recorded_txlist_with_a_genesis_row() -> None:
    (body,) = bodies("etherscan_v2_txlist_internal_tokentx_genesis.json", "txlist")
    rows = [NormalTx.model_validate(r) for r in envelope_result(Envelope.model_validate(body))]
    txs = normal_txs(GENESIS_ADDRESS, rows)
    genesis, spend = txs
    assert genesis.txid == "GENESIS_c951900c341abbb3bafbf7ee2029377071dbc36a"
    assert genesis.block_height == 0 and genesis.delta == 327_600_000_000_000_000_000
    assert spend.from_address == GENESIS_ADDRESS and not spend.failed
    assert int(spend.fee) == 21_612 * 1_171_602_790_622
    assert spend.delta == -327_400_000_000_000_000_000 - 21_612 * 1_171_602_790_622


def test_no_transactions_found_is_an_empty_list_not_an_error() -> None:
    for action in ("txlistinternal", "tokentx"):
        (body,) = bodies("etherscan_v2_txlist_internal_tokentx_genesis.json", action)
        assert body["status"] == "0"
        assert envelope_result(Envelope.model_validate(body)) == []


def test_recorded_internal_rows_by_address_and_by_txhash() -> None:
    data = cassette("etherscan_v2_txlistinternal_example.json")
    rows = [InternalTx.model_validate(r) for r in data["body"]["result"]]
    receiver = rows[0].to
    # Rows asked for by txhash carry no hash: they cannot be attributed and are skipped.
    assert internal_txs(receiver, rows) == []
    with_hash = [r.model_copy(update={"hash": "0x" + "ab" * 32}) for r in rows]
    (got,) = internal_txs(receiver, with_hash)
    assert int(got.received) == 4_921_550_321_882_571 and got.internal and got.fee == "0"
    failed = [r.model_copy(update={"isError": "1"}) for r in with_hash]
    assert internal_txs(receiver, failed) == []


def test_recorded_tokentx_and_txlist_rows_validate() -> None:
    name = "etherscan_v2_has_activity_txlist_tokentx_balance.json"
    token_rows = [r for b in bodies(name, "tokentx") if b["status"] == "1" for r in b["result"]]
    normal_rows = [r for b in bodies(name, "txlist") if b["status"] == "1" for r in b["result"]]
    assert token_rows and normal_rows
    transfers = token_transfers([TokenTx.model_validate(r) for r in token_rows])
    assert all(t.token.startswith("0x") and int(t.value) >= 0 for t in transfers)
    txs = normal_txs(normal_rows[0]["from"], [NormalTx.model_validate(r) for r in normal_rows])
    assert txs[0].fee == str(21_000 * 4_835_293_352)


def recorded_notok(fragment: str) -> Envelope:
    for e in cassette("error_responses_etherscan_and_jsonrpc.json")["examples"]:
        if isinstance(e["body"], str) and fragment in e["body"] and '"NOTOK"' in e["body"]:
            return Envelope.model_validate_json(e["body"])
    pytest.fail(f"no recorded NOTOK answer with {fragment!r}")


def test_recorded_notok_reasons_route_or_retry() -> None:
    with pytest.raises(HistoryUnavailable):  # -> the next provider of the chain
        envelope_result(recorded_notok("not supported for this chain"))
    with pytest.raises(TransientProviderError) as busy:
        envelope_result(recorded_notok("temporarily unavailable"))
    assert busy.value.retry_after
    with pytest.raises(PermanentProviderError):
        envelope_result(recorded_notok("Contract source code not verified"))


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        (
            "Max rate limit reached, please use API Key for higher rate limit",
            TransientProviderError,
        ),
        ("Invalid API Key", QuotaExhausted),
        ("Too many invalid api key attempts, please try again later", QuotaExhausted),
        ("Missing or unsupported chainid parameter (required for v2 api)", HistoryUnavailable),
        ("Error! Invalid address format", PermanentProviderError),
    ],
)
def test_documented_notok_reasons(reason: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        envelope_result(Envelope(status="0", message="NOTOK", result=reason))
    assert issubclass(HistoryUnavailable, UnsupportedNetwork)


def paging_server(
    rows: list[dict[str, str]], cap: int, seen: list[dict[str, str]]
) -> httpx.MockTransport:
    """A tiny Etherscan that honours startblock/endblock/offset for txlist only."""

    def handle(request: httpx.Request) -> httpx.Response:
        q = {k: v[0] for k, v in parse_qs(urlparse(str(request.url)).query).items()}
        seen.append(q)
        if q.get("module") == "proxy":
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": hex(100)})
        if q["action"] == "balance":
            return httpx.Response(200, json={"status": "1", "message": "OK", "result": "0"})
        if q["action"] != "txlist":
            return httpx.Response(
                200, json={"status": "0", "message": "No transactions found", "result": []}
            )
        start, end = int(q["startblock"]), int(q["endblock"])
        page = [r for r in rows if start <= int(r["blockNumber"]) <= end][
            : min(cap, int(q["offset"]))
        ]
        if not page:
            return httpx.Response(
                200, json={"status": "0", "message": "No transactions found", "result": []}
            )
        return httpx.Response(200, json={"status": "1", "message": "OK", "result": page})

    return httpx.MockTransport(handle)


def row(block: int, n: int, me: str) -> dict[str, str]:
    return {
        "blockNumber": str(block),
        "timeStamp": str(1_700_000_000 + block),
        "hash": "0x" + f"{block:030x}{n:034x}",
        "transactionIndex": str(n),
        "from": "0x" + "11" * 20,
        "to": me,
        "value": "1",
        "gasPrice": "1",
        "gasUsed": "21000",
        "isError": "0",
        "txreceipt_status": "1",
    }


async def test_full_pages_restart_at_their_last_block_without_duplicates() -> None:
    me = "0x" + "22" * 20
    # 3 rows in block 5 straddle the page boundary (cap 4): the restart must neither lose
    # nor double them.
    rows = [
        row(1, 0, me),
        row(2, 0, me),
        row(5, 0, me),
        row(5, 1, me),
        row(5, 2, me),
        row(9, 0, me),
    ]
    seen: list[dict[str, str]] = []
    async with httpx.AsyncClient(transport=paging_server(rows, 4, seen)) as http:
        client = EtherscanClient("https://etherscan.test/v2/api", "k", http=http, record_cap=4)
        report = await client.fetch_address(me, Network.ETHEREUM)
    assert report.evm is not None
    assert sorted(t.txid for t in report.evm.txs) == sorted(r["hash"] for r in rows)
    starts = [q["startblock"] for q in seen if q.get("action") == "txlist"]
    assert starts == ["0", "5", "9"]  # a full page always asks once more
    assert all(
        q["endblock"] == "100" and q["apikey"] == "k" for q in seen if q.get("action") == "txlist"
    )


async def test_a_block_with_more_rows_than_a_page_is_refused_not_looped() -> None:
    me = "0x" + "22" * 20
    rows = [row(7, n, me) for n in range(5)]
    async with httpx.AsyncClient(transport=paging_server(rows, 4, [])) as http:
        client = EtherscanClient("https://etherscan.test/v2/api", "k", http=http, record_cap=4)
        with pytest.raises(PermanentProviderError, match="more than 4 records in block 7"):
            await client.fetch_address(me, Network.ETHEREUM)


async def test_networks_and_addresses_are_checked_before_any_request() -> None:
    async with httpx.AsyncClient() as http:
        client = EtherscanClient("https://etherscan.test/v2/api", "k", http=http)
        with pytest.raises(UnsupportedNetwork):
            await client.fetch_address("0x" + "22" * 20, Network.BITCOIN)
        with pytest.raises(PermanentProviderError):
            await client.fetch_address("0x" + "2G" * 20, Network.ETHEREUM)
