"""Provider responses: Blockchair's documented examples and error codes, Tatum's amounts and
refusals, the Electrum transaction decoder and protocol errors; each simulator checked against
the same documented shapes the clients parse."""

from __future__ import annotations

import httpx
import pytest
from pydantic import TypeAdapter
from walletscan_contracts.chains import Network
from walletscan_fetcher.providers import (
    PermanentProviderError,
    QuotaExhausted,
    TransientProviderError,
    UnsupportedNetwork,
)
from walletscan_fetcher.providers.blockchair import (
    BlockchairClient,
    BlockchairSetResponse,
    BlockchairTxsResponse,
    classify,
    parse_time,
    to_utxo,
)
from walletscan_fetcher.providers.electrum import (
    ElectrumClient,
    decode_raw_tx,
    header_time,
    output_script,
    script_hash,
)
from walletscan_fetcher.providers.tatum import TatumClient, coins_to_base_units
from walletscan_testkit.blockchair_sim import create_blockchair_app, load_blockchair_doc_examples
from walletscan_testkit.chain import SimChain
from walletscan_testkit.electrum_sim import ElectrumSim, block_header, serialize_tx
from walletscan_testkit.esplora_sim import FaultRule, serve_async
from walletscan_testkit.tatum_sim import create_tatum_app

from services.fetcher.tests.worlds import A, B, C, D, build_world

BTC = Network.BITCOIN
SET = TypeAdapter(BlockchairSetResponse)
DOC_ADDRESSES = (
    "https://api.blockchair.com/bitcoin/dashboards/addresses/"
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa,12c6DSiU4Rq3P4ZxziKxzrL5LmMBrzjrJX?limit=1"
)


# --------------------------------------------------------------------------- Blockchair


def test_blockchair_documented_address_set_parses() -> None:
    body = load_blockchair_doc_examples()[DOC_ADDRESSES]
    parsed = SET.validate_python(body)
    assert parsed.context.code == 200 and parsed.context.state == 600898
    assert parsed.data.set.transaction_count == 1912
    assert parsed.data.set.balance == 11846862777
    genesis = parsed.data.addresses["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"]
    assert genesis.spent == 0 and genesis.received == genesis.balance
    (utxo,) = [to_utxo(u) for u in parsed.data.utxo]
    assert utxo.value == 558 and utxo.vout == 0
    assert utxo.block_height is None  # block_id -1: still in the mempool


async def test_blockchair_simulator_speaks_the_documented_shape() -> None:
    """Same keys at every level as the documented example (the simulator adds none the
    client would rely on that Blockchair does not send)."""
    doc = load_blockchair_doc_examples()[DOC_ADDRESSES]
    world = build_world()
    app = create_blockchair_app(world.chain)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bc") as http:
        r = await http.get(f"/bitcoin/dashboards/addresses/{A},{B}", params={"limit": "1"})
    sim = r.json()
    assert set(sim) == set(doc)
    assert set(sim["data"]) == set(doc["data"])  # type: ignore[call-overload]
    assert set(doc["data"]["set"]) <= set(sim["data"]["set"])  # type: ignore[index]
    doc_stats = next(iter(doc["data"]["addresses"].values()))
    sim_stats = next(iter(sim["data"]["addresses"].values()))  # type: ignore[index]
    assert set(doc_stats) == set(sim_stats)
    assert set(doc["data"]["utxo"][0]) == set(sim["data"]["utxo"][0])  # type: ignore[index]
    SET.validate_python(sim)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (402, '{"data":null,"context":{"code":402,"error":"Limit exceeded"}}', QuotaExhausted),
        (430, '{"data":null,"context":{"code":430}}', QuotaExhausted),
        (434, "", QuotaExhausted),
        (436, "", QuotaExhausted),
        (437, "", QuotaExhausted),
        (429, '{"data":null,"context":{"code":429}}', TransientProviderError),
        (435, "", TransientProviderError),
    ],
)
def test_blockchair_documented_error_codes(status: int, body: str, kind: type[Exception]) -> None:
    error = classify(status, body, 3.0)
    assert isinstance(error, kind)
    if isinstance(error, TransientProviderError):
        assert error.retry_after == 3.0


def test_blockchair_other_statuses_follow_the_common_rules() -> None:
    assert classify(500, "", None) is None
    assert classify(400, '{"data":null,"context":{"code":400,"error":"Invalid"}}', None) is None


def test_blockchair_time_is_utc() -> None:
    assert parse_time("2009-01-03 18:15:05") == 1231006505


async def test_blockchair_errors_reach_the_caller_as_provider_errors() -> None:
    world = build_world()
    app = create_blockchair_app(world.chain, api_key="secret-key", quota=2.5)
    async with serve_async(app) as url, httpx.AsyncClient() as http:
        client = BlockchairClient(url, http=http, api_key="secret-key")
        with pytest.raises(PermanentProviderError) as refused:
            await client.fetch_addresses(["not-an-address"], BTC)
        assert refused.value.status_code == 400
        with pytest.raises(UnsupportedNetwork):
            await client.fetch_addresses([A], Network.POLYGON)  # Ethereum: served (issue 5)
        app.state.faults.add(FaultRule.html_page(1, status=503))
        with pytest.raises(TransientProviderError, match="HTTP 503"):
            await client.fetch_addresses([A], BTC)
        app.state.faults.add(FaultRule.garbage_json(1))
        with pytest.raises(TransientProviderError, match="malformed"):
            await client.fetch_addresses([A], BTC)
        app.state.faults.add(
            FaultRule("status", 1, None, status=200, body='{"data": {"set": "odd"}}')
        )
        with pytest.raises(TransientProviderError, match="malformed"):
            await client.fetch_addresses([A], BTC)
        # The key goes in ?key= and a spent quota is a QuotaExhausted without the key in it.
        app.state.stats.reset()
        await client.fetch_addresses([B], BTC)  # 2 of the 2.5 request points
        with pytest.raises(QuotaExhausted) as quota:
            await client.fetch_addresses([B], BTC)
        assert "secret-key" not in str(quota.value)
        wrong = BlockchairClient(url, http=http, api_key="wrong")
        with pytest.raises(QuotaExhausted):
            await wrong.fetch_addresses([B], BTC)


def test_blockchair_transactions_dashboard_shape() -> None:
    world = build_world()
    txid = world.chain.address_txs(B)[0].txid
    from walletscan_testkit.blockchair_sim import tx_detail

    body = {"data": {txid: tx_detail(world.chain, world.chain.tx(txid))}, "context": {"code": 200}}  # type: ignore[arg-type]
    parsed = TypeAdapter(BlockchairTxsResponse).validate_python(body)
    assert parsed.data[txid].transaction.input_total == 0  # a coinbase-like funding


# --------------------------------------------------------------------------- Tatum


def test_tatum_amounts_are_exact() -> None:
    assert coins_to_base_units("0.00012345") == 12345
    assert coins_to_base_units("21000000") == 2_100_000_000_000_000
    assert coins_to_base_units("0") == 0
    with pytest.raises(ValueError, match="satoshi"):
        coins_to_base_units("0.000000001")


async def test_tatum_key_header_and_refusals() -> None:
    world = build_world()
    app = create_tatum_app(world.chain, api_key="t-key", credits=3)
    async with serve_async(app) as url, httpx.AsyncClient() as http:
        with pytest.raises(QuotaExhausted, match="401"):
            await TatumClient(url, {BTC: "bad"}, http=http).fetch_address(B, BTC)
        client = TatumClient(url, {BTC: "t-key"}, http=http)
        assert (await client.fetch_address(B, BTC)).summary.address == B  # 3 requests
        with pytest.raises(QuotaExhausted, match="403"):
            await client.fetch_address(B, BTC)
        with pytest.raises(UnsupportedNetwork):
            await client.fetch_address(B, Network.BITCOIN_TESTNET)


# --------------------------------------------------------------------------- Electrum


def test_electrum_script_hash_matches_the_protocol_docs() -> None:
    # The protocol documentation's example: P2PKH 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.
    script = output_script("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", BTC)
    assert script.hex() == "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac"
    assert script_hash(script) == (
        "8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161"
    )
    assert output_script(A, BTC)[:2] == b"\x00\x14"
    assert output_script(C, BTC)[:2] == b"\x51\x20"
    assert output_script(D, BTC)[:2] == b"\xa9\x14"
    with pytest.raises(ValueError, match="not a"):
        output_script("tb1qp0we5epypgj4acd2c4au58045ruud2pd6heuee", BTC)


def test_electrum_decoder_reads_legacy_and_segwit_serializations() -> None:
    world = build_world()
    chain: SimChain = world.chain
    for tx in chain.all_txs():
        decoded = decode_raw_tx(serialize_tx(tx))
        assert [o.value for o in decoded.outputs] == [o.value for o in tx.outputs]
        assert [o.script.hex() for o in decoded.outputs] == [o.script.hex for o in tx.outputs]
        assert decoded.is_coinbase == tx.is_coinbase
        if not tx.is_coinbase:
            assert [(i.prev_txid, i.prev_vout) for i in decoded.inputs] == [
                (i.outpoint.txid, i.outpoint.vout) for i in tx.inputs if i.outpoint
            ]
    raw = serialize_tx(chain.all_txs()[-1])
    with pytest.raises(ValueError, match="truncated"):
        decode_raw_tx(raw[:-5])
    with pytest.raises(ValueError, match="trailing"):
        decode_raw_tx(raw + b"\x00")
    assert header_time(block_header(chain, 250).hex()) == chain.block_time(250)


async def test_electrum_server_errors_are_transient_and_the_client_reconnects() -> None:
    world = build_world()
    sim = ElectrumSim(world.chain)
    async with sim.serve() as url:
        client = ElectrumClient({BTC: url})
        try:
            sim.fail_next = 1
            with pytest.raises(TransientProviderError, match="server error"):
                await client.fetch_address(B, BTC)
            sim.close_after = 2
            with pytest.raises(TransientProviderError):
                await client.fetch_address(A, BTC)
            sim.close_after = None
            assert (await client.fetch_address(B, BTC)).summary.address == B
            assert sim.stats.connections >= 2
            with pytest.raises(PermanentProviderError):
                await client.fetch_address("junk", BTC)
        finally:
            await client.aclose()


async def test_electrum_down_is_transient() -> None:
    client = ElectrumClient({BTC: "tcp://127.0.0.1:1"}, request_timeout=1)
    with pytest.raises(TransientProviderError):
        await client.fetch_address(B, BTC)


def test_tatum_simulator_uses_only_documented_fields() -> None:
    """Field names of Tatum's OpenAPI models (tatum-js BtcTx, BtcTxInput, BtcTxOutput,
    BtcTxInputCoin): the simulator invents none."""
    from walletscan_testkit.tatum_sim import tx_json

    btc_tx = {"hash", "hex", "witnessHash", "fee", "rate", "mtime", "blockNumber", "block"}
    btc_tx |= {"time", "index", "version", "inputs", "outputs", "locktime"}
    world = build_world()
    for tx in world.chain.all_txs():
        body = tx_json(world.chain, tx)
        assert set(body) <= btc_tx
        for i in body["inputs"]:  # type: ignore[attr-defined]
            assert set(i) <= {"prevout", "script", "witness", "sequence", "coin"}
            assert set(i.get("coin", {})) <= {
                "version",
                "height",
                "blockNumber",
                "value",
                "script",
                "address",
                "coinbase",
            }
        for o in body["outputs"]:  # type: ignore[attr-defined]
            assert set(o) <= {"value", "script", "address"}
