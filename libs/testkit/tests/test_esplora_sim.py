"""The ledger, and the Esplora simulator's responses checked against the recorded doc examples."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from walletscan_contracts.chains import Network
from walletscan_testkit.chain import (
    ChainError,
    Outpoint,
    SimChain,
    decode_address,
    default_block_time,
    expected_wallet_totals,
)
from walletscan_testkit.esplora_sim import (
    DocExample,
    FaultPlan,
    FaultRule,
    create_esplora_app,
    esplora_tx_format_fields,
    load_mempool_doc_examples,
    run_server,
    serve_async,
)

# Real addresses (from the docs examples and BIP test vectors).
P2PKH = "1wiz18xYmhRX6xStj2b9t1rwWX4GKUgpv"
P2PKH_2 = "1KFHE7w8BhaENAswwryaoccDb6qcT6DbYY"
P2WPKH = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
P2TR = "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
TB_P2WPKH = "tb1qp0we5epypgj4acd2c4au58045ruud2pd6heuee"
TB_P2WPKH_2 = "tb1q4kgratttzjvkxfmgd95z54qcq7y6hekdm3w56u"
OUTSIDER = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def examples() -> list[DocExample]:
    return load_mempool_doc_examples(placeholder={})


def example(examples: list[DocExample], endpoint: str, network: str = "Mainnet") -> Any:
    found = [e for e in examples if e.endpoint == endpoint and e.network == network]
    assert len(found) == 1, (endpoint, network)
    return found[0].body


def shape_errors(actual: Any, expected: Any, where: str = "$") -> list[str]:
    """Differences in JSON types and dict keys (an elided ``{}`` accepts any object)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: {actual!r} is not an object"]
        if not expected:
            return []
        if set(actual) != set(expected):
            return [f"{where}: keys differ by {sorted(set(actual) ^ set(expected))}"]
        return [e for k, v in expected.items() for e in shape_errors(actual[k], v, f"{where}.{k}")]
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: {actual!r} is not a list"]
        if not expected:
            return []
        return [
            e for i, a in enumerate(actual) for e in shape_errors(a, expected[0], f"{where}[{i}]")
        ]
    if expected is not None and type(actual) is not type(expected):
        return [f"{where}: {actual!r} is not a {type(expected).__name__}"]
    return []


def assert_same_shape(actual: Any, expected: Any) -> None:
    errors = shape_errors(actual, expected)
    assert not errors, errors


def assert_items_match_one_of(actual: list[Any], candidates: list[Any]) -> None:
    """Each item has the shape of at least one documented example item."""
    assert candidates
    for i, item in enumerate(actual):
        errors = [shape_errors(item, c, f"$[{i}]") for c in candidates]
        assert any(not e for e in errors), errors


def build_world() -> tuple[SimChain, dict[str, str]]:
    """P2PKH receives, spends to P2WPKH + change, plus a mempool spend to a taproot address."""
    chain = SimChain(Network.BITCOIN)
    a = chain.fund(P2PKH, 100_000, height=100)
    b = chain.fund(P2SH, 50_000, height=101)
    t1 = chain.send([a, b], [(P2WPKH, 120_000), (P2PKH, 29_000)], fee=1_000, height=105)
    t2 = chain.send([Outpoint(t1, 0)], [(P2TR, 100_000), (None, 0), (P2WPKH, 19_500)], fee=500)
    chain.mine(110)  # confirms t2
    t3 = chain.send([Outpoint(t1, 1)], [(P2TR, 28_000)], fee=1_000)  # stays in the mempool
    return chain, {"fund_a": a.txid, "fund_b": b.txid, "t1": t1, "t2": t2, "t3": t3}


@pytest.fixture
async def sim() -> AsyncIterator[tuple[SimChain, dict[str, str], httpx.AsyncClient]]:
    chain, ids = build_world()
    app = create_esplora_app(chain)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim"
    ) as client:
        yield chain, ids, client


# --------------------------------------------------------------------------- the ledger


def test_addresses_decode_to_their_real_scripts() -> None:
    assert decode_address(P2PKH, Network.BITCOIN).type == "p2pkh"  # type: ignore[union-attr]
    assert decode_address(P2SH, Network.BITCOIN).type == "p2sh"  # type: ignore[union-attr]
    wpkh = decode_address(P2WPKH, Network.BITCOIN)
    assert wpkh is not None
    assert wpkh.type == "v0_p2wpkh"
    assert wpkh.hex == "0014e8df018c7e326cc253faac7e46cdc51e68542c42"
    assert decode_address(P2TR, Network.BITCOIN).type == "v1_p2tr"  # type: ignore[union-attr]
    assert decode_address(TB_P2WPKH, Network.BITCOIN_TESTNET) is not None
    assert decode_address(TB_P2WPKH, Network.BITCOIN) is None  # wrong network
    assert decode_address("alice", Network.BITCOIN) is None


def test_txids_are_deterministic_and_distinct() -> None:
    c1, ids1 = build_world()
    _, ids2 = build_world()
    assert ids1 == ids2
    assert len(set(ids1.values())) == len(ids1)
    assert all(len(t) == 64 for t in ids1.values())
    # two fundings of the same address and value are still different transactions
    assert c1.fund(P2PKH, 1, height=1) != c1.fund(P2PKH, 1, height=1)


def test_send_validates_inputs_and_amounts() -> None:
    chain = SimChain()
    op = chain.fund("alice", 10_000, height=1)
    with pytest.raises(ChainError, match="inputs"):
        chain.send([op], [("bob", 9_000)], fee=500)  # 9_500 != 10_000
    with pytest.raises(ChainError, match="unknown input"):
        chain.send([Outpoint("ab" * 32, 0)], [("bob", 1)], fee=0)
    with pytest.raises(ChainError, match="duplicate"):
        chain.send([op, op], [("bob", 20_000)], fee=0)
    chain.send([op], [("bob", 9_000)], fee=1_000)
    with pytest.raises(ChainError, match="already spent"):
        chain.send([op], [("carol", 9_000)], fee=1_000)  # double spend
    mempool = chain.fund("dave", 5_000)
    with pytest.raises(ChainError, match="not confirmed"):
        chain.send([mempool], [("bob", 5_000)], fee=0, height=2)  # child above its parent
    with pytest.raises(ChainError, match="time needs a height"):
        chain.send([mempool], [("bob", 5_000)], fee=0, time=123)


def test_heights_times_mining_and_ordering() -> None:
    chain = SimChain()
    a = chain.fund("alice", 1_000, height=5, time=1_700_000_000)
    b = chain.fund("alice", 2_000)  # mempool
    tx = chain.send([a], [("alice", 900)], fee=100, height=5)
    assert chain.tip_height == 5
    assert chain.block_time(5) == 1_700_000_000
    assert chain.block_time(6) == default_block_time(6) == 1_600_000_000 + 6 * 600
    # newest first: same block -> reverse insertion order
    assert [t.txid for t in chain.chain_txs("alice")] == [tx, a.txid]
    assert [t.txid for t in chain.mempool_txs("alice")] == [b.txid]
    assert chain.mine(7) == [b.txid]
    assert chain.tip_height == 7
    assert [t.txid for t in chain.chain_txs("alice")] == [b.txid, tx, a.txid]
    assert chain.mempool_txs("alice") == []
    with pytest.raises(ChainError, match="already has time"):
        chain.send([b], [("bob", 2_000)], fee=0, height=7, time=1)


def test_stats_and_utxos() -> None:
    chain, ids = build_world()
    s = chain.stats(P2PKH, confirmed=True)
    assert (s.tx_count, s.funded_txo_count, s.funded_txo_sum) == (2, 2, 129_000)
    assert (s.spent_txo_count, s.spent_txo_sum) == (1, 100_000)
    m = chain.stats(P2PKH, confirmed=False)
    assert (m.tx_count, m.funded_txo_sum, m.spent_txo_sum) == (1, 0, 29_000)
    assert chain.utxos(P2PKH) == []  # change output spent in the mempool
    assert chain.balance(P2WPKH) == 19_500
    assert [(op.txid, op.vout) for op, _, _ in chain.utxos(P2WPKH)] == [(ids["t2"], 2)]
    assert chain.balance(P2TR) == 128_000


def test_expected_wallet_totals_counts_self_transfers_once() -> None:
    chain = SimChain()
    a = chain.fund("w1", 100_000, height=1)
    # self-transfer w1 -> w2 (+change to w1): delta = -fee
    t1 = chain.send([a], [("w2", 60_000), ("w1", 39_000)], fee=1_000, height=2)
    # pay someone: delta = -(30_000 + 500)
    t2 = chain.send([Outpoint(t1, 0)], [("bob", 30_000), ("w2", 29_500)], fee=500, height=3)
    # external payment in, unconfirmed
    ext = chain.fund("eve", 10_000, height=3)
    t3 = chain.send([ext], [("w1", 9_000)], fee=1_000)
    # a coinjoin-like tx with a foreign input: the wallet pays its share of the fee
    ext2 = chain.fund("eve", 5_000, height=3)
    t4 = chain.send([Outpoint(t1, 1), ext2], [("w2", 39_000), ("eve", 4_000)], fee=1_000, height=4)
    totals = expected_wallet_totals(chain, ["w1", "w2", "unused"])
    assert totals.deltas == {
        a.txid: 100_000,
        t1: -1_000,
        t2: -30_500,
        t3: 9_000,
        t4: 0,
    }
    assert totals.total_received == 109_000
    assert totals.total_sent == 31_500
    # t1 + t2 in full; t4 in proportion to the wallet's 39_000 of 44_000 input; funds: none
    assert totals.total_fees == 1_000 + 500 + 1_000 * 39_000 // 44_000
    assert totals.balance == 77_500 == chain.balance("w1") + chain.balance("w2")
    assert totals.confirmed_balance == 68_500
    assert totals.unconfirmed_balance == 9_000
    assert totals.tx_count == 5
    assert totals.confirmed_tx_count == 4
    assert totals.used_addresses == {"w1", "w2"}
    assert totals.first_seen == default_block_time(1)
    assert totals.last_seen == default_block_time(4)


# --------------------------------------------------------------------------- response shapes


async def test_address_matches_documented_shape(sim: Any, examples: list[DocExample]) -> None:
    _, _, client = sim
    for address in (P2PKH, P2WPKH, OUTSIDER):
        r = await client.get(f"/address/{address}")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert_same_shape(r.json(), example(examples, "/address/:address"))
    body = (await client.get(f"/address/{P2PKH}")).json()
    assert body == {
        "address": P2PKH,
        "chain_stats": {
            "funded_txo_count": 2,
            "funded_txo_sum": 129_000,
            "spent_txo_count": 1,
            "spent_txo_sum": 100_000,
            "tx_count": 2,
        },
        "mempool_stats": {
            "funded_txo_count": 0,
            "funded_txo_sum": 0,
            "spent_txo_count": 1,
            "spent_txo_sum": 29_000,
            "tx_count": 1,
        },
    }
    unused = (await client.get(f"/address/{OUTSIDER}")).json()
    assert unused["chain_stats"]["tx_count"] == 0
    assert_same_shape(unused, example(examples, "/address/:address"))


def check_tx_fields(tx: dict[str, Any], documented: dict[str, set[str]]) -> None:
    assert set(tx) == documented["tx"]
    assert set(tx["status"]) <= documented["status"]
    for vin in tx["vin"]:
        assert set(vin) <= documented["vin"], set(vin) - documented["vin"]
        assert {"txid", "vout", "prevout", "scriptsig", "scriptsig_asm", "is_coinbase"} <= set(vin)
        assert "sequence" in vin
        if vin["prevout"] is not None:
            assert set(vin["prevout"]) <= documented["vout"]
    for vout in tx["vout"]:
        assert set(vout) <= documented["vout"]
        optional = {"scriptpubkey_address"} if vout["scriptpubkey_type"] == "op_return" else set()
        assert documented["vout"] - optional <= set(vout)


async def test_tx_lists_match_documented_shapes(sim: Any, examples: list[DocExample]) -> None:
    _, ids, client = sim
    documented = esplora_tx_format_fields()
    for endpoint, path in [
        ("/address/:address/txs", f"/address/{P2PKH}/txs"),
        ("/address/:address/txs/chain", f"/address/{P2PKH}/txs/chain"),
        ("/address/:address/txs/mempool", f"/address/{P2PKH}/txs/mempool"),
    ]:
        r = await client.get(path)
        assert r.status_code == 200
        body = r.json()
        assert body, path
        assert isinstance(example(examples, endpoint), list)
        # /txs mixes mempool and confirmed txs: each matches the confirmed or the mempool example
        candidates = [
            example(examples, e, net)[0]
            for e in ("/address/:address/txs/chain", "/address/:address/txs/mempool")
            for net in ("Mainnet", "Testnet")
        ]
        assert_items_match_one_of(body, candidates)
        if endpoint != "/address/:address/txs":
            assert_same_shape(body, example(examples, endpoint))
            assert_same_shape(body, example(examples, endpoint, "Testnet"))
        for tx in body:
            check_tx_fields(tx, documented)

    txs = (await client.get(f"/address/{P2PKH}/txs")).json()
    assert [t["txid"] for t in txs] == [ids["t3"], ids["t1"], ids["fund_a"]]  # mempool first
    t1 = txs[1]
    assert t1["fee"] == 1_000
    assert t1["status"]["block_height"] == 105
    assert t1["status"]["block_time"] == default_block_time(105)
    assert [v["prevout"]["scriptpubkey_address"] for v in t1["vin"]] == [P2PKH, P2SH]
    assert [v["prevout"]["value"] for v in t1["vin"]] == [100_000, 50_000]
    assert "witness" not in t1["vin"][0]  # legacy input
    assert t1["vin"][1]["witness"]  # nested segwit
    assert [(o["scriptpubkey_address"], o["value"]) for o in t1["vout"]] == [
        (P2WPKH, 120_000),
        (P2PKH, 29_000),
    ]
    coinbase = txs[2]["vin"][0]
    assert coinbase["is_coinbase"] is True
    assert coinbase["prevout"] is None
    assert txs[0]["status"] == {"confirmed": False}

    t2 = (await client.get(f"/tx/{ids['t2']}")).json()
    assert_same_shape(t2, example(examples, "/tx/:txid"))
    check_tx_fields(t2, documented)
    op_return = t2["vout"][1]
    assert op_return["scriptpubkey_type"] == "op_return"
    assert "scriptpubkey_address" not in op_return
    assert t2["vout"][0]["scriptpubkey_type"] == "v1_p2tr"


async def test_utxo_tip_and_status_shapes(sim: Any, examples: list[DocExample]) -> None:
    _, ids, client = sim
    utxos = (await client.get(f"/address/{P2WPKH}/utxo")).json()
    assert_same_shape(utxos, example(examples, "/address/:address/utxo"))
    assert utxos[0]["txid"] == ids["t2"]
    assert utxos[0]["vout"] == 2
    assert utxos[0]["value"] == 19_500
    mempool_utxo = (await client.get(f"/address/{P2TR}/utxo")).json()
    assert {u["status"]["confirmed"] for u in mempool_utxo} == {True, False}

    r = await client.get("/blocks/tip/height")
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == "110"
    assert type(example(examples, "/blocks/tip/height")) is int

    status = (await client.get(f"/tx/{ids['t1']}/status")).json()
    assert_same_shape(status, example(examples, "/tx/:txid/status"))
    unconfirmed = (await client.get(f"/tx/{ids['t3']}/status")).json()
    assert_same_shape(unconfirmed, example(examples, "/tx/:txid/status", "Testnet"))
    assert (await client.get(f"/tx/{'00' * 32}")).status_code == 404


async def test_testnet_world_matches_testnet_examples(examples: list[DocExample]) -> None:
    chain = SimChain(Network.BITCOIN_TESTNET)
    op = chain.fund(TB_P2WPKH, 84_313_783_821, height=2_091_086)
    chain.send([op], [(TB_P2WPKH_2, 84_313_700_000)], fee=83_821, height=2_091_100)
    app = create_esplora_app(chain)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        summary = (await c.get(f"/address/{TB_P2WPKH}")).json()
        assert_same_shape(summary, example(examples, "/address/:address", "Testnet"))
        txs = (await c.get(f"/address/{TB_P2WPKH}/txs/chain")).json()
        assert_same_shape(txs, example(examples, "/address/:address/txs/chain", "Testnet"))
        utxo = (await c.get(f"/address/{TB_P2WPKH_2}/utxo")).json()
        assert_same_shape(utxo, example(examples, "/address/:address/utxo", "Testnet"))
        # a mainnet address is not valid on testnet
        bad = await c.get(f"/address/{P2WPKH}")
        assert bad.status_code == 400
        assert bad.text == "Invalid Bitcoin address"


async def test_invalid_address_is_a_plain_400(sim: Any) -> None:
    _, _, client = sim
    for path in ("/address/nonsense", "/address/nonsense/txs/chain", "/address/xyz/utxo"):
        r = await client.get(path)
        assert r.status_code == 400
        assert r.headers["content-type"].startswith("text/plain")
        assert r.text == "Invalid Bitcoin address"


# --------------------------------------------------------------------------- paging


async def test_chain_paging_25_per_page_and_mempool_cap() -> None:
    chain = SimChain()
    for i in range(60):
        chain.fund(P2WPKH, 1_000 + i, height=10 + i // 4)
    for _ in range(55):
        chain.fund(P2WPKH, 1)  # mempool
    app = create_esplora_app(chain)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        seen: list[str] = []
        url = f"/address/{P2WPKH}/txs/chain"
        sizes = []
        while True:
            page = (await c.get(url)).json()
            sizes.append(len(page))
            seen += [t["txid"] for t in page]
            if len(page) < 25:
                break
            url = f"/address/{P2WPKH}/txs/chain/{page[-1]['txid']}"
        assert sizes == [25, 25, 10]
        assert seen == [t.txid for t in chain.chain_txs(P2WPKH)]
        assert len(set(seen)) == 60
        heights = [t.height for t in chain.chain_txs(P2WPKH)]
        assert heights == sorted(heights, reverse=True)
        # unknown last_seen_txid: electrs answers with an empty page
        assert (await c.get(f"/address/{P2WPKH}/txs/chain/{'ab' * 32}")).json() == []
        assert len((await c.get(f"/address/{P2WPKH}/txs/mempool")).json()) == 50
        both = (await c.get(f"/address/{P2WPKH}/txs")).json()
        assert len(both) == 75
        assert app.state.stats.by_route["/address/{address}/txs/chain/{last_seen_txid}"] == 3
        assert app.state.stats.by_route["/address/{address}/txs/chain"] == 1
        assert app.state.stats.total == 6


# --------------------------------------------------------------------------- faults


async def test_fault_plan_rules() -> None:
    chain, ids = build_world()
    plan = FaultPlan()
    app = create_esplora_app(chain, faults=plan)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        plan.add(FaultRule.rate_limited(2, retry_after=3))
        for _ in range(2):
            r = await c.get(f"/address/{P2PKH}")
            assert r.status_code == 429
            assert r.headers["retry-after"] == "3"
        assert (await c.get(f"/address/{P2PKH}")).status_code == 200

        plan.add(FaultRule.server_error(status=503, path=r"/utxo$"))
        assert (await c.get(f"/address/{P2PKH}")).status_code == 200  # path filter
        assert (await c.get(f"/address/{P2PKH}/utxo")).status_code == 503

        plan.add(FaultRule.html_page())
        r = await c.get("/blocks/tip/height")
        assert r.status_code == 502
        assert r.headers["content-type"].startswith("text/html")
        assert r.text.lstrip().startswith("<!DOCTYPE html>")

        plan.add(FaultRule.garbage_json())
        r = await c.get(f"/address/{P2PKH}/txs")
        assert r.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            r.json()

        plan.add(FaultRule("ignore_last_seen", path="/txs/chain/"))
        r = await c.get(f"/address/{P2PKH}/txs/chain/{ids['t1']}")
        assert [t["txid"] for t in r.json()] == [ids["t1"], ids["fund_a"]]
        r = await c.get(f"/address/{P2PKH}/txs/chain/{ids['t1']}")
        assert [t["txid"] for t in r.json()] == [ids["fund_a"]]

        calls: list[int] = []
        plan.add(FaultRule("hook", hook=lambda: calls.append(1), skip=1))
        await c.get("/blocks/tip/height")
        await c.get("/blocks/tip/height")
        await c.get("/blocks/tip/height")
        assert calls == [1]

        plan.add(FaultRule.hang_for(5))
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await c.get("/blocks/tip/height")
        assert app.state.stats.faults["status"] == 3
        assert app.state.stats.faults["hang"] == 1


async def test_latency_is_applied() -> None:
    chain, _ = build_world()
    app = create_esplora_app(chain, latency_seconds=0.05)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await c.get("/blocks/tip/height")
        assert loop.time() - start >= 0.05


# --------------------------------------------------------------------------- real servers


def test_run_server_in_a_thread() -> None:
    chain, _ = build_world()
    app = create_esplora_app(chain)
    with run_server(app) as url:
        assert url.startswith("http://127.0.0.1:")
        r = httpx.get(f"{url}/address/{P2WPKH}", timeout=5)
        assert r.status_code == 200
        assert r.json()["chain_stats"]["funded_txo_sum"] == 139_500
        assert httpx.get(f"{url}/blocks/tip/height", timeout=5).text == "110"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/blocks/tip/height", timeout=2)
    assert app.state.stats.total == 2


async def test_serve_async_in_the_running_loop() -> None:
    chain, _ = build_world()
    app = create_esplora_app(chain)
    async with serve_async(app) as url, httpx.AsyncClient(base_url=url, timeout=5) as c:
        assert (await c.get("/blocks/tip/height")).text == "110"
        assert (await c.get(f"/address/{P2TR}/utxo")).status_code == 200
