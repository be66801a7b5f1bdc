"""EsploraClient: recorded/documented bodies, the simulator, and every error mapping."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from walletscan_contracts.chains import Network
from walletscan_fetcher.providers import (
    AddressReport,
    EsploraClient,
    PermanentProviderError,
    Provider,
    TransientProviderError,
    UnsupportedNetwork,
)
from walletscan_fetcher.providers.esplora import (
    normalise_tx,
    parse_retry_after,
    parse_summary,
    parse_tip_height,
    parse_txs,
    parse_utxos,
    to_summary,
)
from walletscan_testkit.chain import SimChain, default_block_time
from walletscan_testkit.esplora_sim import (
    DocExample,
    FaultPlan,
    FaultRule,
    create_esplora_app,
    load_mempool_doc_examples,
    reference_data_dir,
    run_server,
)

P2PKH = "1wiz18xYmhRX6xStj2b9t1rwWX4GKUgpv"
P2WPKH = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
P2TR = "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"
OTHER = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
TB_ADDR = "tb1qp0we5epypgj4acd2c4au58045ruud2pd6heuee"
BASE = "http://esplora.test/api"


@pytest.fixture(scope="module")
def examples() -> list[DocExample]:
    return load_mempool_doc_examples()


def example(examples: list[DocExample], endpoint: str, network: str = "Mainnet") -> Any:
    (found,) = [e for e in examples if e.endpoint == endpoint and e.network == network]
    return copy.deepcopy(found.body)


def mock_client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> EsploraClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return EsploraClient(
        {Network.BITCOIN: BASE, Network.BITCOIN_TESTNET: BASE + "/testnet"}, http=http, **kwargs
    )


def routes(table: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    """A MockTransport handler: path -> JSON body, str (text/plain) or an httpx.Response."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = table.get(request.url.path)
        if body is None:
            return httpx.Response(404, text=f"no route {request.url.path}")
        if isinstance(body, httpx.Response):
            return body
        if isinstance(body, str):
            return httpx.Response(200, text=body, headers={"content-type": "text/plain"})
        return httpx.Response(200, json=body)

    return handler


def sim_client(chain: SimChain, faults: FaultPlan | None = None, **kwargs: Any) -> EsploraClient:
    app = create_esplora_app(chain, faults=faults)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    client = EsploraClient({chain.network: "http://sim"}, http=http, **kwargs)
    client.app = app  # type: ignore[attr-defined]  # for request counts in tests
    return client


# --------------------------------------------------------------------------- documented bodies


def test_parse_documented_summaries(examples: list[DocExample]) -> None:
    for net in ("Mainnet", "Testnet", "Signet"):
        body = example(examples, "/address/:address", net)
        raw = parse_summary(json.dumps(body))
        summary = to_summary(raw, body["address"])
        assert summary.chain_funded == body["chain_stats"]["funded_txo_sum"]
        assert summary.chain_tx_count == body["chain_stats"]["tx_count"]
    main = to_summary(parse_summary(json.dumps(example(examples, "/address/:address"))), P2PKH)
    assert (main.confirmed_balance, main.balance, main.tx_count) == (0, 0, 7)


def test_parse_recorded_electrum_backed_summary() -> None:
    """A live response of an Esplora clone: extra field ignored, parsed as reported."""
    path = (
        reference_data_dir()
        / "rotki-cassettes/bch_haskoin_blockchaininfo_esplora_melroy_balance.json"
    )
    cassette = json.loads(path.read_text())
    bodies = [
        i["response"]["body"]
        for i in cassette["interactions"]
        if "/api/address/" in i["request"]["uri"]
    ]
    assert bodies
    for body in bodies:
        assert body.get("electrum") is True
        summary = to_summary(parse_summary(json.dumps(body)), "38ty1qB68gHsiyZ8k3RPeCJ1wYQPrUCPPr")
        assert summary.confirmed_balance == 533_798_911
        assert summary.chain_tx_count == 14_487


def test_parse_documented_tx_lists(examples: list[DocExample]) -> None:
    chain = parse_txs(json.dumps(example(examples, "/address/:address/txs/chain")))
    assert [t.txid for t in chain] == [
        "c4e53c2e37f4fac759fdb0d8380e4d49e6c7211233ae276a44ce7074a1d6d168"
    ]
    tx = normalise_tx(chain[0], P2PKH)
    assert (tx.fee, tx.block_height, tx.block_time) == (331, 697_782, 1_630_040_570)
    assert (tx.received, tx.spent, tx.input_total) == (0, 0, 0)  # vin/vout elided by the docs

    mempool = parse_txs(json.dumps(example(examples, "/address/:address/txs/mempool")))
    m = normalise_tx(mempool[0], P2PKH)
    assert m.fee == 6_720
    assert m.block_height is None
    assert m.block_time is None
    assert not m.confirmed

    for net in ("Mainnet", "Testnet"):
        mixed = parse_txs(json.dumps(example(examples, "/address/:address/txs", net)))
        assert mixed[0].status.confirmed
        single = parse_txs(json.dumps([example(examples, "/tx/:txid", net)]))
        assert single[0].fee > 0


def test_parse_documented_utxos_and_tip(examples: list[DocExample]) -> None:
    utxos = parse_utxos(json.dumps(example(examples, "/address/:address/utxo")))
    assert [(u.txid[:8], u.vout, u.value, u.status.block_height) for u in utxos] == [
        ("12f96289", 0, 644_951_084, 698_642)
    ]
    for net, height in (("Mainnet", 698_767), ("Testnet", 2_091_168), ("Signet", 53_763)):
        assert parse_tip_height(str(example(examples, "/blocks/tip/height", net))) == height


async def test_fetch_through_the_client_with_documented_bodies(
    examples: list[DocExample],
) -> None:
    """Every endpoint answered with the docs' example bodies. The docs abridge lists ("..."),
    so the summary's counts and sums are set to what the abridged lists hold."""
    summary = example(examples, "/address/:address", "Testnet")
    chain_page = example(examples, "/address/:address/txs/chain", "Testnet")
    mempool = example(examples, "/address/:address/txs/mempool", "Testnet")
    utxos = example(examples, "/address/:address/utxo", "Testnet")
    summary["chain_stats"].update(tx_count=len(chain_page), funded_txo_sum=utxos[0]["value"])
    summary["mempool_stats"]["tx_count"] = len(mempool)
    root = f"/api/testnet/address/{TB_ADDR}"
    client = mock_client(
        routes(
            {
                root: summary,
                f"{root}/txs/chain": chain_page,
                f"{root}/txs/mempool": mempool,
                f"{root}/utxo": utxos,
                "/api/testnet/blocks/tip/height": str(
                    example(examples, "/blocks/tip/height", "Testnet")
                ),
            }
        )
    )
    report = await client.fetch_address(TB_ADDR, Network.BITCOIN_TESTNET)
    assert report.tip_height == 2_091_168
    assert report.summary.address == TB_ADDR
    assert report.summary.confirmed_balance == 1_973_787
    assert report.summary.mempool_tx_count == 1
    assert [(t.txid[:8], t.fee, t.block_height, t.block_time) for t in report.txs] == [
        ("16cd9bbc", 6_720, None, None),
        ("3e6afd67", 0, 2_091_086, 1_630_607_773),
    ]
    assert [(u.txid[:8], u.vout, u.value, u.block_height) for u in report.utxos] == [
        ("c404bc4b", 1, 1_973_787, 2_086_944)
    ]
    await client.aclose()


# --------------------------------------------------------------------------- against the sim


def busy_chain() -> tuple[SimChain, list[str]]:
    """P2WPKH: 60 fundings, 5 spends (to OTHER with change), 2 mempool txs: 67 confirmed."""
    chain = SimChain(Network.BITCOIN)
    ops = [chain.fund(P2WPKH, 10_000 + i, height=100 + i // 3) for i in range(60)]
    spends = []
    for i in range(5):
        a, b = ops[2 * i], ops[2 * i + 1]
        value = 20_001 + 4 * i
        spends.append(
            chain.send([a, b], [(OTHER, 15_000), (P2WPKH, value - 15_000 - 300)], 300, height=130)
        )
    # two senders pay P2WPKH in a coinbase-free block 131
    src = chain.fund(OTHER, 50_000, height=120)
    spends.append(chain.send([src], [(P2WPKH, 49_000)], fee=1_000, height=131))
    src2 = chain.fund(P2TR, 7_000, height=121)
    spends.append(chain.send([src2], [(P2WPKH, 6_500)], fee=500, height=131))
    # mempool: one incoming, one spending a confirmed output
    chain.send([chain.fund(OTHER, 3_000)], [(P2WPKH, 2_800)], fee=200)
    chain.send([ops[20]], [(OTHER, 9_000), (P2WPKH, 10_020 - 9_000 - 150)], fee=150)
    return chain, spends


async def test_pages_through_more_than_60_txs_with_mempool() -> None:
    chain, _ = busy_chain()
    expected_chain = chain.chain_txs(P2WPKH)
    assert len(expected_chain) == 67
    client = sim_client(chain)
    report = await client.fetch_address(P2WPKH, Network.BITCOIN)
    stats = client.app.state.stats.by_route  # type: ignore[attr-defined]
    assert stats["/address/{address}/txs/chain"] == 1
    assert stats["/address/{address}/txs/chain/{last_seen_txid}"] == 2  # 25 + 25 + 17
    assert stats["/address/{address}/txs/mempool"] == 1
    assert stats["/address/{address}/utxo"] == 1
    assert stats["/blocks/tip/height"] == 1

    assert len(report.txs) == 69
    assert len({t.txid for t in report.txs}) == 69
    by_id = {t.txid: t for t in report.txs}
    for sim_tx in [*expected_chain, *chain.mempool_txs(P2WPKH)]:
        got = by_id[sim_tx.txid]
        assert got.received == sim_tx.received_by({P2WPKH})
        assert got.spent == sim_tx.spent_by({P2WPKH})
        assert got.fee == sim_tx.fee
        assert got.input_total == sim_tx.input_total
        assert got.block_height == sim_tx.height
        expected_time = None if sim_tx.height is None else default_block_time(sim_tx.height)
        assert got.block_time == expected_time
    # coinbase-like fundings: prevout null counts 0
    funding = by_id[expected_chain[-1].txid]
    assert (funding.input_total, funding.fee, funding.received) == (0, 0, 10_000)

    s = report.summary
    assert s.chain_tx_count == 67
    assert s.mempool_tx_count == 2
    assert s.balance == chain.balance(P2WPKH)
    assert s.balance == sum(t.delta for t in report.txs)
    assert s.confirmed_balance == sum(t.delta for t in report.txs if t.confirmed)
    assert sum(u.value for u in report.utxos) == s.balance
    assert {(u.txid, u.vout) for u in report.utxos} == {
        (op.txid, op.vout) for op, _, _ in chain.utxos(P2WPKH)
    }
    assert report.tip_height == chain.tip_height == 131
    await client.aclose()


async def test_exactly_50_confirmed_needs_an_empty_last_page() -> None:
    chain = SimChain()
    for i in range(50):
        chain.fund(P2TR, 1_000 + i, height=10 + i)
    client = sim_client(chain)
    report = await client.fetch_address(P2TR, Network.BITCOIN)
    assert len(report.txs) == 50
    stats = client.app.state.stats.by_route  # type: ignore[attr-defined]
    assert stats["/address/{address}/txs/chain/{last_seen_txid}"] == 2  # 25, then []
    assert stats["/address/{address}/txs/mempool"] == 0  # summary says none
    await client.aclose()


async def test_more_than_50_mempool_txs_are_capped_not_an_error() -> None:
    """/txs/mempool has no paging: past 50 the history is knowingly incomplete."""
    chain = SimChain()
    for _ in range(55):
        chain.fund(P2TR, 1_000)
    client = sim_client(chain)
    report = await client.fetch_address(P2TR, Network.BITCOIN)
    assert report.summary.mempool_tx_count == 55
    assert len(report.txs) == 50
    assert len(report.utxos) == 55
    await client.aclose()


async def test_unused_address_costs_two_requests_and_tip_is_cached() -> None:
    chain = SimChain()
    chain.fund(P2TR, 1_000, height=5)
    client = sim_client(chain)
    report = await client.fetch_address(OTHER, Network.BITCOIN)
    assert report.txs == []
    assert report.utxos == []
    assert report.summary.tx_count == 0
    assert report.tip_height == 5
    await client.fetch_address(P2WPKH, Network.BITCOIN)
    stats = client.app.state.stats  # type: ignore[attr-defined]
    assert stats.total == 3  # two summaries, one tip height
    await client.aclose()


async def test_invalid_address_is_permanent() -> None:
    client = sim_client(SimChain())
    with pytest.raises(PermanentProviderError) as info:
        await client.fetch_address("bc1-not-an-address", Network.BITCOIN)
    assert info.value.status_code == 400
    assert info.value.body == "Invalid Bitcoin address"
    assert "Invalid Bitcoin address" in str(info.value)
    assert not info.value.transient
    await client.aclose()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (FaultRule.garbage_json(), "malformed response"),
        (FaultRule.html_page(status=200), "HTML page"),
        (FaultRule.html_page(status=502), "HTTP 502"),
        (FaultRule.html_page(status=403), "HTTP 403"),  # a proxy's page, not esplora's answer
        (FaultRule.server_error(status=503), "HTTP 503"),
        (FaultRule.garbage_json(path="/txs/chain/"), "malformed response"),
    ],
)
async def test_garbage_html_and_5xx_are_transient(rule: FaultRule, message: str) -> None:
    chain, _ = busy_chain()
    client = sim_client(chain, FaultPlan([rule]))
    with pytest.raises(TransientProviderError, match=message) as info:
        await client.fetch_address(P2WPKH, Network.BITCOIN)
    assert info.value.transient
    assert info.value.provider == "esplora"
    # the fault is spent: the next call succeeds
    assert len((await client.fetch_address(P2WPKH, Network.BITCOIN)).txs) == 69
    await client.aclose()


async def test_429_carries_retry_after() -> None:
    chain, _ = busy_chain()
    plan = FaultPlan([FaultRule.rate_limited(retry_after=7, path="/utxo")])
    client = sim_client(chain, plan)
    with pytest.raises(TransientProviderError) as info:
        await client.fetch_address(P2WPKH, Network.BITCOIN)
    assert info.value.status_code == 429
    assert info.value.retry_after == 7.0
    plan.add(FaultRule.rate_limited(retry_after=None))
    with pytest.raises(TransientProviderError) as info:
        await client.fetch_address(P2WPKH, Network.BITCOIN)
    assert info.value.retry_after is None
    await client.aclose()


async def test_history_changing_while_paging_is_transient() -> None:
    chain, _ = busy_chain()
    # a new confirmed tx lands right after the summary was read
    hook = FaultRule("hook", path=r"/txs/chain$", hook=lambda: chain.fund(P2WPKH, 5, height=132))
    client = sim_client(chain, FaultPlan([hook]))
    with pytest.raises(TransientProviderError, match="history changed while paging: 68"):
        await client.fetch_address(P2WPKH, Network.BITCOIN)
    report = await client.fetch_address(P2WPKH, Network.BITCOIN)  # a retry sees it all
    assert report.summary.chain_tx_count == 68
    await client.aclose()


async def test_mempool_changing_is_transient() -> None:
    chain, _ = busy_chain()
    hook = FaultRule("hook", path=r"/txs/mempool$", hook=lambda: chain.fund(P2WPKH, 5))
    client = sim_client(chain, FaultPlan([hook]))
    with pytest.raises(TransientProviderError, match="mempool changed"):
        await client.fetch_address(P2WPKH, Network.BITCOIN)
    await client.aclose()


async def test_a_server_repeating_pages_is_caught() -> None:
    chain, _ = busy_chain()
    rule = FaultRule("ignore_last_seen", count=100, path="/txs/chain/")
    client = sim_client(chain, FaultPlan([rule]))
    with pytest.raises(TransientProviderError, match="repeated a history page"):
        await client.fetch_address(P2WPKH, Network.BITCOIN)
    assert rule.fired == 1
    await client.aclose()


async def test_deadline_bounds_the_whole_call() -> None:
    chain, _ = busy_chain()
    plan = FaultPlan([FaultRule.hang_for(5, path="/txs/chain/")])
    client = sim_client(chain, plan, deadline_seconds=0.3)
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(TransientProviderError, match="deadline"):
        await client.fetch_address(P2WPKH, Network.BITCOIN)
    assert loop.time() - start < 2
    await client.aclose()


async def test_over_real_http_with_a_threaded_server() -> None:
    chain, _ = busy_chain()
    app = create_esplora_app(chain)
    with run_server(app) as url:
        client = EsploraClient({Network.BITCOIN: url + "/"}, name="mempool")
        report = await client.fetch_address(P2WPKH, Network.BITCOIN)
        await client.aclose()
    assert len(report.txs) == 69
    assert report.summary.balance == chain.balance(P2WPKH)


# --------------------------------------------------------------------------- mapped errors


async def test_mempool_and_chain_race_prefers_the_confirmed_copy() -> None:
    chain, _ = busy_chain()
    confirmed = chain.chain_txs(P2WPKH)
    app = create_esplora_app(chain)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    first = (await http.get(f"http://sim/address/{P2WPKH}/txs/chain")).json()[0]
    stale = dict(first, status={"confirmed": False})  # a lagging node still has it unconfirmed
    mempool = (await http.get(f"http://sim/address/{P2WPKH}/txs/mempool")).json()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/txs/mempool"):
            return httpx.Response(200, json=[stale, *mempool])
        return await httpx.ASGITransport(app=app).handle_async_request(request)

    client = EsploraClient(
        {Network.BITCOIN: "http://sim"},
        http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    report = await client.fetch_address(P2WPKH, Network.BITCOIN)
    by_id = {t.txid: t for t in report.txs}
    assert len(report.txs) == 69
    assert by_id[confirmed[0].txid].block_height == confirmed[0].height
    await http.aclose()
    await client.aclose()


async def test_transport_errors_are_transient() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    for handler, message in ((refuse, "connection error"), (slow, "timeout")):
        client = mock_client(handler)
        with pytest.raises(TransientProviderError, match=message):
            await client.fetch_address(P2PKH, Network.BITCOIN)


@pytest.mark.parametrize(
    ("response", "error", "transient"),
    [
        (httpx.Response(404, text="Address not found"), PermanentProviderError, False),
        (httpx.Response(400, text="Too many history entries"), PermanentProviderError, False),
        (httpx.Response(401, text="Unauthorized"), PermanentProviderError, False),
        (httpx.Response(500, text="oops"), TransientProviderError, True),
        (httpx.Response(429, text="slow down"), TransientProviderError, True),
        (httpx.Response(302, headers={"location": "/x"}), TransientProviderError, True),
        (httpx.Response(200, text=""), TransientProviderError, True),
        (httpx.Response(200, json={"address": P2PKH}), TransientProviderError, True),
        (httpx.Response(200, json=[]), TransientProviderError, True),
    ],
)
async def test_status_and_body_mapping(
    response: httpx.Response, error: type[Exception], transient: bool
) -> None:
    client = mock_client(lambda request: response)
    with pytest.raises(error) as info:
        await client.fetch_address(P2PKH, Network.BITCOIN)
    assert isinstance(info.value, TransientProviderError | PermanentProviderError)
    assert info.value.transient is transient


async def test_bad_shapes_are_transient() -> None:
    ok_summary = {
        "address": P2PKH,
        "chain_stats": {
            "funded_txo_count": 1,
            "funded_txo_sum": 10,
            "spent_txo_count": 0,
            "spent_txo_sum": 0,
            "tx_count": 1,
        },
        "mempool_stats": {
            "funded_txo_count": 0,
            "funded_txo_sum": 0,
            "spent_txo_count": 0,
            "spent_txo_sum": 0,
            "tx_count": 0,
        },
    }
    good_tx = {
        "txid": "ab" * 32,
        "fee": 0,
        "vin": [{"is_coinbase": True, "prevout": None}],
        "vout": [{"scriptpubkey_address": P2PKH, "value": 10}],
        "status": {"confirmed": True, "block_height": 1, "block_time": 2},
    }
    root = f"/api/address/{P2PKH}"
    bad_variants: list[tuple[str, Any]] = [
        ("string amount", dict(good_tx, fee="0")),
        ("negative value", dict(good_tx, vout=[{"scriptpubkey_address": P2PKH, "value": -1}])),
        ("no block height", dict(good_tx, status={"confirmed": True})),
        ("prevout missing", dict(good_tx, vin=[{"txid": "cd" * 32, "vout": 0}])),
        ("short txid", dict(good_tx, txid="abc")),
        ("unconfirmed in chain", dict(good_tx, status={"confirmed": False})),
    ]
    for _label, tx in bad_variants:
        table = {
            root: ok_summary,
            f"{root}/txs/chain": [tx],
            f"{root}/utxo": [{"txid": "ab" * 32, "vout": 0, "value": 10, "status": tx["status"]}],
            "/api/blocks/tip/height": "5",
        }
        client = mock_client(routes(table))
        with pytest.raises(TransientProviderError):
            await client.fetch_address(P2PKH, Network.BITCOIN)
    # and the good one passes
    client = mock_client(
        routes(
            {
                root: ok_summary,
                f"{root}/txs/chain": [good_tx],
                f"{root}/utxo": [
                    {"txid": "ab" * 32, "vout": 0, "value": 10, "status": good_tx["status"]}
                ],
                "/api/blocks/tip/height": "5\n",
            }
        )
    )
    report = await client.fetch_address(P2PKH, Network.BITCOIN)
    assert report.txs[0].received == 10
    assert report.tip_height == 5
    # a tip that is not an integer
    client = mock_client(
        routes(
            {
                root: dict(ok_summary, chain_stats=ok_summary["mempool_stats"]),
                "/api/blocks/tip/height": "<html>",
            }
        )
    )
    with pytest.raises(TransientProviderError, match="tip height"):
        await client.fetch_address(P2PKH, Network.BITCOIN)
    # negative balance in the stats
    neg = copy.deepcopy(ok_summary)
    neg["chain_stats"]["spent_txo_sum"] = 11
    client = mock_client(routes({root: neg}))
    with pytest.raises(TransientProviderError, match="negative balance"):
        await client.fetch_address(P2PKH, Network.BITCOIN)


async def test_unsupported_network_and_protocol() -> None:
    client = EsploraClient({Network.BITCOIN: BASE})
    assert isinstance(client, Provider)
    assert client.networks == frozenset({Network.BITCOIN})
    with pytest.raises(UnsupportedNetwork) as info:
        await client.fetch_address(TB_ADDR, Network.BITCOIN_TESTNET)
    assert not info.value.transient
    await client.aclose()


def test_retry_after_parsing() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7", now=now) == 7.0
    assert parse_retry_after("1.5", now=now) == 1.5
    assert parse_retry_after("-3", now=now) == 0.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("yesterday", now=now) is None
    assert parse_retry_after("nan", now=now) is None
    assert parse_retry_after(None) is None


def test_address_report_holds_the_records() -> None:
    zero = dict.fromkeys(
        ("funded_txo_count", "funded_txo_sum", "spent_txo_count", "spent_txo_sum", "tx_count"), 0
    )
    raw = parse_summary(json.dumps({"address": P2PKH, "chain_stats": zero, "mempool_stats": zero}))
    report = AddressReport(summary=to_summary(raw, P2PKH), txs=[], utxos=[], tip_height=1)
    assert report.summary.balance == 0
    assert report.tip_height == 1
