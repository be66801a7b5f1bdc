"""A Blockchair REST simulator over a `SimChain` (shapes of Blockchair's API docs v2).

Routes (``{chain}`` is the chain's path: ``bitcoin``, ``bitcoin/testnet``, ...):

- ``GET /{chain}/dashboards/address/{a}`` → ``data.{a}.{address, transactions, utxo}``
- ``GET /{chain}/dashboards/addresses/{a1},…`` (≤ 100) → ``data.{set, addresses,
  transactions, utxo}``; ``data.addresses`` leaves out addresses without transactions;
  ``?limit=T,U`` / ``?offset=t,u`` page the set's transactions (newest first) and UTXOs;
  ``?transaction_details=true`` gives ``{block_id, hash, time, balance_change}`` elements
- ``GET /{chain}/dashboards/transactions/{h1},…`` (≤ 10) → ``data.{h}.{transaction, inputs,
  outputs}``

Every answer carries ``context`` with ``code``, ``state`` (tip), ``request_cost`` (the docs'
formulas), ``limit``/``offset``. Errors use the documented envelope and codes: 400 for a bad
request, 402 once `quota` request points are spent (as Blockchair does when a key's or the
free daily limit is used up). With `api_key` set, requests without ``?key=`` get 402 too.
Mempool transactions have ``block_id`` -1. Faults, latency and stats come from
`esplora_sim.instrument` (``app.state.stats.cost`` sums the request points).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from walletscan_contracts.chains import Network

from walletscan_testkit.chain import SimChain, SimTx, decode_address
from walletscan_testkit.esplora_sim import FaultPlan, SimStats, instrument, reference_data_dir

MAX_ADDRESSES = 100
MAX_TRANSACTIONS = 10
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000

CHAIN_PATHS = {
    Network.BITCOIN: "bitcoin",
    Network.BITCOIN_TESTNET: "bitcoin/testnet",
}

JSONObj = dict[str, Any]


def blockchair_time(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _context(code: int, **extra: Any) -> JSONObj:
    return {"code": code, "source": "D", "results": extra.pop("results", 0), **extra}


def error(code: int, message: str) -> Response:
    return JSONResponse({"data": None, "context": _context(code, error=message)}, code)


def _address_type(chain: SimChain, address: str) -> str:
    script = decode_address(address, chain.network)
    kinds = {
        "p2pkh": "pubkeyhash",
        "p2sh": "scripthash",
        "v0_p2wpkh": "witness_v0_keyhash",
        "v0_p2wsh": "witness_v0_scripthash",
        "v1_p2tr": "witness_v1_taproot",
    }
    return kinds.get(script.type, "nonstandard") if script else "nonstandard"


def _seen(chain: SimChain, txs: list[SimTx]) -> tuple[str | None, str | None]:
    times = sorted(chain.block_time(t.height) for t in txs if t.height is not None)
    if not times:
        return None, None
    return blockchair_time(times[0]), blockchair_time(times[-1])


def address_stats(chain: SimChain, address: str) -> JSONObj:
    txs = chain.address_txs(address)
    receiving = [t for t in txs if any(o.address == address for o in t.outputs)]
    spending = [t for t in txs if any(i.prevout and i.prevout.address == address for i in t.inputs)]
    first_r, last_r = _seen(chain, receiving)
    first_s, last_s = _seen(chain, spending)
    outputs = sum(1 for t in txs for o in t.outputs if o.address == address)
    unspent = len(chain.utxos(address))
    return {
        "type": _address_type(chain, address),
        "script_hex": (decode_address(address, chain.network) or _NO_SCRIPT).hex,
        "balance": chain.balance(address),
        "balance_usd": 0,
        "received": chain.funded_sum(address),
        "received_usd": 0,
        "spent": chain.spent_sum(address),
        "spent_usd": 0,
        "output_count": outputs,
        "unspent_output_count": unspent,
        "first_seen_receiving": first_r,
        "last_seen_receiving": last_r,
        "first_seen_spending": first_s,
        "last_seen_spending": last_s,
    }


class _NoScript:
    hex = ""


_NO_SCRIPT = _NoScript()


def _order(txs: list[SimTx]) -> list[SimTx]:
    """Newest first: mempool, then by height and block order, descending."""
    return sorted(txs, key=lambda t: (t.height is None, t.height or 0, t.seq), reverse=True)


def _block_id(tx: SimTx) -> int:
    return tx.height if tx.height is not None else -1


def _time(chain: SimChain, tx: SimTx) -> str:
    # Mempool: Blockchair shows when it saw the tx; the simulator uses the tip's next block.
    height = tx.height if tx.height is not None else chain.tip_height + 1
    return blockchair_time(chain.block_time(height))


def _ref(chain: SimChain, tx: SimTx, addresses: set[str]) -> JSONObj:
    return {
        "block_id": _block_id(tx),
        "hash": tx.txid,
        "time": _time(chain, tx),
        "balance_change": tx.received_by(addresses) - tx.spent_by(addresses),
    }


def tx_detail(chain: SimChain, tx: SimTx) -> JSONObj:
    inputs = [
        {
            "block_id": _block_id(chain.tx(i.outpoint.txid) or tx),
            "transaction_hash": i.outpoint.txid,
            "index": i.outpoint.vout,
            "value": i.prevout.value,
            "recipient": i.prevout.address,
            "type": _address_type(chain, i.prevout.address or ""),
            "spending_transaction_hash": tx.txid,
            "is_from_coinbase": False,
        }
        for i in tx.inputs
        if i.outpoint is not None and i.prevout is not None
    ]
    outputs = [
        {
            "block_id": _block_id(tx),
            "transaction_hash": tx.txid,
            "index": n,
            "value": o.value,
            "recipient": o.address if o.address is not None else f"d-{tx.txid[:32]}",
            "type": _address_type(chain, o.address) if o.address else "nulldata",
            "script_hex": o.script.hex,
            "is_spent": False,
        }
        for n, o in enumerate(tx.outputs)
    ]
    return {
        "transaction": {
            "block_id": _block_id(tx),
            "id": tx.seq,
            "hash": tx.txid,
            "time": _time(chain, tx),
            "size": tx.size,
            "weight": tx.weight,
            "version": tx.version,
            "lock_time": tx.locktime,
            "is_coinbase": tx.is_coinbase,
            "input_count": len(inputs),
            "output_count": len(outputs),
            "input_total": tx.input_total,
            "output_total": tx.output_total,
            "fee": tx.fee,
        },
        "inputs": inputs,
        "outputs": outputs,
    }


def _pair(text: str | None, default: int) -> tuple[int, int]:
    if not text:
        return default, default
    parts = text.split(",")
    if len(parts) > 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(text)
    first = int(parts[0])
    return first, int(parts[1]) if len(parts) == 2 else first


def create_blockchair_app(  # noqa: PLR0915 - the routes share the app's closures
    chain: SimChain,
    *,
    latency_seconds: float = 0.0,
    faults: FaultPlan | None = None,
    api_key: str | None = None,
    quota: float | None = None,
) -> FastAPI:
    app = FastAPI(title="blockchair simulator", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.chain = chain
    instrument(app, latency_seconds=latency_seconds, faults=faults)
    chain_path = CHAIN_PATHS[chain.network]

    def known(address: str) -> bool:
        return chain.knows(address) or decode_address(address, chain.network) is not None

    def charge(request: Request, cost: float) -> Response | None:
        if api_key is not None and request.query_params.get("key") != api_key:
            return error(402, "Invalid or missing API key")
        stats: SimStats = app.state.stats
        if quota is not None and stats.cost + cost > quota:
            return error(402, "Limit exceeded")
        stats.cost += cost
        return None

    def done(data: Any, cost: float, **ctx: Any) -> Response:
        context = _context(200, state=chain.tip_height, request_cost=round(cost, 4), **ctx)
        return JSONResponse({"data": data, "context": context})

    @app.get("/{chain_name:path}/dashboards/addresses/{addresses}")
    def get_addresses(chain_name: str, addresses: str, request: Request) -> Response:
        if chain_name != chain_path:
            return error(404, "Unknown chain")
        items = list(dict.fromkeys(a for a in addresses.split(",") if a))
        if not items or len(items) > MAX_ADDRESSES:
            return error(400, f"Between 1 and {MAX_ADDRESSES} addresses are allowed")
        bad = [a for a in items if not known(a)]
        if bad:
            return error(400, f"Invalid address: {bad[0]}")
        try:
            tx_limit, utxo_limit = _pair(request.query_params.get("limit"), DEFAULT_LIMIT)
            tx_offset, utxo_offset = _pair(request.query_params.get("offset"), 0)
        except ValueError:
            return error(400, "Invalid limit or offset")
        if max(tx_limit, utxo_limit) > MAX_LIMIT:
            return error(400, f"Maximum limit is {MAX_LIMIT}")
        details = request.query_params.get("transaction_details") == "true"
        cost = 1 + 0.1 * (len(items) - 1) + (1 if details else 0)
        refused = charge(request, cost)
        if refused is not None:
            return refused
        wanted = set(items)
        txs = _order(list({t.txid: t for a in items for t in chain.address_txs(a)}.values()))
        utxos = [(a, op, out, tx) for a in items for op, out, tx in chain.utxos(a)]
        utxos.sort(key=lambda u: (u[3].height is None, u[3].height or 0, u[3].seq), reverse=True)
        used = [a for a in items if chain.address_txs(a)]
        balance = sum(chain.balance(a) for a in items)
        page = txs[tx_offset : tx_offset + tx_limit]
        data = {
            "set": {
                "address_count": len(items),
                "balance": balance,
                "balance_usd": 0,
                "received": sum(chain.funded_sum(a) for a in items),
                "spent": sum(chain.spent_sum(a) for a in items),
                "output_count": sum(1 for t in txs for o in t.outputs if o.address in wanted),
                "unspent_output_count": len(utxos),
                "first_seen_receiving": None,
                "last_seen_receiving": None,
                "first_seen_spending": None,
                "last_seen_spending": None,
                "transaction_count": len(txs),
            },
            "addresses": {a: address_stats(chain, a) for a in used} or [],
            "transactions": [_ref(chain, t, wanted) if details else t.txid for t in page],
            "utxo": [
                {
                    "block_id": _block_id(tx),
                    "transaction_hash": op.txid,
                    "index": op.vout,
                    "value": out.value,
                    "address": a,
                }
                for a, op, out, tx in utxos[utxo_offset : utxo_offset + utxo_limit]
            ],
        }
        return done(
            data,
            cost,
            results=len(used),
            limit=f"{tx_limit},{utxo_limit}",
            offset=f"{tx_offset},{utxo_offset}",
        )

    @app.get("/{chain_name:path}/dashboards/address/{address}")
    def get_address(chain_name: str, address: str, request: Request) -> Response:
        if chain_name != chain_path:
            return error(404, "Unknown chain")
        if not known(address):
            return error(400, f"Invalid address: {address}")
        refused = charge(request, 1)
        if refused is not None:
            return refused
        tx_limit, utxo_limit = _pair(request.query_params.get("limit"), DEFAULT_LIMIT)
        tx_offset, utxo_offset = _pair(request.query_params.get("offset"), 0)
        details = request.query_params.get("transaction_details") == "true"
        txs = _order(chain.address_txs(address))[tx_offset : tx_offset + tx_limit]
        stats = address_stats(chain, address)
        stats["transaction_count"] = len(chain.address_txs(address))
        stats["scripthash_type"] = None
        body = {
            address: {
                "address": stats,
                "transactions": [_ref(chain, t, {address}) if details else t.txid for t in txs],
                "utxo": [
                    {
                        "block_id": _block_id(tx),
                        "transaction_hash": op.txid,
                        "index": op.vout,
                        "value": out.value,
                    }
                    for op, out, tx in chain.utxos(address)[utxo_offset : utxo_offset + utxo_limit]
                ],
            }
        }
        return done(body, 1, results=1)

    @app.get("/{chain_name:path}/dashboards/transactions/{hashes}")
    def get_transactions(chain_name: str, hashes: str, request: Request) -> Response:
        if chain_name != chain_path:
            return error(404, "Unknown chain")
        items = list(dict.fromkeys(h for h in hashes.split(",") if h))
        if not items or len(items) > MAX_TRANSACTIONS:
            return error(400, f"Between 1 and {MAX_TRANSACTIONS} transactions are allowed")
        if any(re.fullmatch(r"[0-9a-f]{64}", h) is None for h in items):
            return error(400, "Invalid transaction hash")
        cost = 1 + 0.1 * (len(items) - 1)
        refused = charge(request, cost)
        if refused is not None:
            return refused
        found = {h: tx_detail(chain, tx) for h in items if (tx := chain.tx(h)) is not None}
        return done(found or [], cost, results=len(found))

    return app


# --------------------------------------------------------------------------- doc examples

BLOCKCHAIR_DOC = "provider-examples/blockchair_docs_btc_address_addresses_xpub.md"


def load_blockchair_doc_examples(path: Any = None) -> dict[str, Any]:
    """The documented example responses, by request URL. The docs elide with ``...`` lines and
    have one stray comma (``null\n,      },``); both are repaired, nothing else is changed."""
    path = path or reference_data_dir() / BLOCKCHAIR_DOC
    text = path.read_text()
    examples: dict[str, Any] = {}
    for url, body in re.findall(
        r"`(https://api\.blockchair\.com/[^`]+)`:\s*```json\n(.*?)```", text, re.S
    ):
        cleaned = re.sub(r"(?m)^\s*\.\.\.\s*$\n?", "", body)
        cleaned = re.sub(r"\n\s*,(\s*[}\]])", r"\1", cleaned)
        cleaned = re.sub(r",(\s*[}\]])", r"\1", cleaned)
        examples[url] = json.loads(cleaned)
    return examples


__all__ = [
    "CHAIN_PATHS",
    "MAX_ADDRESSES",
    "MAX_TRANSACTIONS",
    "address_stats",
    "blockchair_time",
    "create_blockchair_app",
    "load_blockchair_doc_examples",
    "tx_detail",
]


# --------------------------------------------------------------------------- Ethereum (issue 5)


def create_blockchair_eth_app(rpc_url: str, *, api_key: str | None = None) -> FastAPI:
    """``GET /ethereum/dashboards/address/{a}`` served from a real node (via the Etherscan
    simulator's `NodeReader`), shaped as Blockchair's docs v2.0.80 example: ``address`` with
    the balance as a wei string, ``calls[]`` newest first (top-level ``index "0"``, internal
    ones by trace id; ``value`` a JSON number; ``transferred`` false for failed calls),
    ``layer_2.erc_20[]`` with ``erc_20=precise``; ``limit/offset`` page the calls. An unknown
    address gets ``data: []``. ``app.state.fail_with`` = a code answers every request with it.
    """
    from walletscan_testkit.etherscan_sim import NodeReader

    app = FastAPI(title="blockchair eth simulator", openapi_url=None, docs_url=None)
    reader = NodeReader(rpc_url)
    app.state.fail_with = None
    app.state.requests = 0

    def calls_of(address: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for r in reader.txlist(address):
            out.append({**_eth_call(r, "0"), "_pos": (int(r["blockNumber"]), 0)})
        for r in reader.txlistinternal(address):
            out.append(
                {**_eth_call(r, f"0.{r.get('traceId') or 0}"), "_pos": (int(r["blockNumber"]), 1)}
            )
        out.sort(key=lambda c: c.pop("_pos"), reverse=True)
        return out

    @app.get("/ethereum/dashboards/address/{address}")
    def eth_address(address: str, request: Request) -> Response:
        app.state.requests += 1
        q = request.query_params
        if app.state.fail_with:
            return JSONResponse(
                {"data": None, "context": {"code": app.state.fail_with, "error": "limit"}},
                app.state.fail_with,
            )
        if api_key is not None and q.get("key") != api_key:
            return JSONResponse({"data": None, "context": {"code": 402, "error": "key"}}, 402)
        a = address.lower()
        tip = reader.tip()
        limit, offset = int(q.get("limit", "100")), int(q.get("offset", "0"))
        calls = calls_of(a)
        context = {"code": 200, "limit": limit, "offset": offset, "state": tip}
        if not calls:
            return JSONResponse({"data": [], "context": {**context, "results": 0}})
        tokens = []
        if q.get("erc_20") in ("precise", "true", "approximate"):
            seen: dict[str, dict[str, str]] = {}
            for t in reader.tokentx(a):
                seen[t["contractAddress"]] = t
            for token, t in sorted(seen.items()):
                tokens.append(
                    {
                        "token_address": token,
                        "token_name": t["tokenName"],
                        "token_symbol": t["tokenSymbol"],
                        "token_decimals": int(t["tokenDecimal"]),
                        "balance": reader.token_balance(token, a),
                    }
                )
        nonce = int(reader.rpc("eth_getTransactionCount", a, "latest"), 16)
        info = {
            "type": "account",
            "balance": reader.balance(a),
            "call_count": len(calls),
            "receiving_call_count": sum(
                1 for c in calls if c["recipient"] == a and c["transferred"]
            ),
            "spending_call_count": sum(1 for c in calls if c["sender"] == a and c["transferred"]),
            "transaction_count": len({c["transaction_hash"] for c in calls}),
            "nonce": nonce if q.get("nonce") == "true" else None,
        }
        data = {
            a: {
                "address": info,
                "calls": calls[offset : offset + limit],
                "layer_2": {"erc_20": tokens},
            }
        }
        return JSONResponse({"data": data, "context": {**context, "results": 1}})

    return app


def _eth_call(row: dict[str, str], index: str) -> dict[str, Any]:
    return {
        "block_id": int(row["blockNumber"]),
        "transaction_hash": row["hash"],
        "index": index,
        "time": datetime.fromtimestamp(int(row["timeStamp"]), UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "sender": row["from"],
        "recipient": row["to"] or row.get("contractAddress") or None,
        "value": int(row["value"]),
        "value_usd": 0,
        "transferred": row.get("isError", "0") == "0",
    }
