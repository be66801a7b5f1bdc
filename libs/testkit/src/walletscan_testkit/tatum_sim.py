"""A Tatum v3 REST simulator over a `SimChain` (shapes of Tatum's OpenAPI: BtcTx, BtcTxInput
with its spent `coin`, BtcTxOutput, BtcBasedBalance, BtcInfo).

- ``GET /v3/bitcoin/address/balance/{a}`` → ``{incoming, outgoing, incomingPending,
  outgoingPending}`` (decimal strings in BTC)
- ``GET /v3/bitcoin/transaction/address/{a}?pageSize=1..50&offset=n`` → txs, newest first
- ``GET /v3/bitcoin/info`` → ``{chain, blocks, headers, bestblockhash}``

Every request needs ``x-api-key: <api_key>`` (401 otherwise, Tatum's error body). After
`credits` requests the simulator answers 403 with a credit error, as an exhausted plan does.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from walletscan_contracts.chains import Network

from walletscan_testkit.chain import COINBASE_TXID, SimChain, SimTx, block_hash, decode_address
from walletscan_testkit.esplora_sim import FaultPlan, SimStats, instrument

MAX_PAGE_SIZE = 50


def btc(sats: int) -> str:
    return format(Decimal(sats) / Decimal(100_000_000), "f").rstrip("0").rstrip(".") or "0"


def tatum_error(status: int, code: str, message: str) -> Response:
    body = {"statusCode": status, "errorCode": code, "message": message}
    return JSONResponse(body, status)


def tx_json(chain: SimChain, tx: SimTx) -> dict[str, object]:
    inputs: list[dict[str, object]] = []
    for i in tx.inputs:
        if i.outpoint is None or i.prevout is None:
            inputs.append(
                {
                    "prevout": {"hash": COINBASE_TXID, "index": 4294967295},
                    "script": "03" + i.coinbase_data,
                    "sequence": 4294967295,
                }
            )
            continue
        parent = chain.tx(i.outpoint.txid)
        inputs.append(
            {
                "prevout": {"hash": i.outpoint.txid, "index": i.outpoint.vout},
                "script": "",
                "sequence": 4294967293,
                "coin": {
                    "version": 2,
                    "height": parent.height if parent and parent.height is not None else -1,
                    "value": i.prevout.value,
                    "script": i.prevout.script.hex,
                    "address": i.prevout.address,
                    "coinbase": bool(parent and parent.is_coinbase),
                },
            }
        )
    body: dict[str, object] = {
        "hash": tx.txid,
        "witnessHash": tx.txid,
        "fee": tx.fee,
        "rate": 0,
        "mtime": chain.block_time(tx.height if tx.height is not None else chain.tip_height),
        "index": tx.seq,
        "version": tx.version,
        "inputs": inputs,
        "outputs": [
            {"value": o.value, "script": o.script.hex, "address": o.address} for o in tx.outputs
        ],
        "locktime": tx.locktime,
    }
    if tx.height is not None:
        body |= {
            "blockNumber": tx.height,
            "block": block_hash(tx.height),
            "time": chain.block_time(tx.height),
        }
    return body


def create_tatum_app(
    chain: SimChain,
    *,
    api_key: str = "sim-key",
    latency_seconds: float = 0.0,
    faults: FaultPlan | None = None,
    credits: int | None = None,
) -> FastAPI:
    app = FastAPI(title="tatum simulator", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.chain = chain
    instrument(app, latency_seconds=latency_seconds, faults=faults)
    chain_path = {Network.BITCOIN: "bitcoin", Network.BITCOIN_TESTNET: "bitcoin"}[chain.network]

    def refuse(request: Request) -> Response | None:
        if request.headers.get("x-api-key") != api_key:
            return tatum_error(401, "subscription.not.active", "API key is not valid")
        stats: SimStats = app.state.stats
        if credits is not None and stats.cost >= credits:
            return tatum_error(403, "credit.insufficient", "Insufficient credits for your plan")
        stats.cost += 1
        return None

    def known(address: str) -> bool:
        return chain.knows(address) or decode_address(address, chain.network) is not None

    @app.get(f"/v3/{chain_path}/address/balance/{{address}}")
    def balance(address: str, request: Request) -> Response:
        refused = refuse(request)
        if refused is not None:
            return refused
        if not known(address):
            return tatum_error(400, "validation.failed", "address is invalid")
        pool = chain.stats(address, confirmed=False)
        return JSONResponse(
            {
                "incoming": btc(chain.funded_sum(address)),
                "outgoing": btc(chain.spent_sum(address)),
                "incomingPending": btc(pool.funded_txo_sum),
                "outgoingPending": btc(pool.spent_txo_sum),
            }
        )

    @app.get(f"/v3/{chain_path}/transaction/address/{{address}}")
    def transactions(address: str, request: Request) -> Response:
        refused = refuse(request)
        if refused is not None:
            return refused
        if not known(address):
            return tatum_error(400, "validation.failed", "address is invalid")
        try:
            size = int(request.query_params["pageSize"])
            offset = int(request.query_params.get("offset", "0"))
        except (KeyError, ValueError):
            return tatum_error(400, "validation.failed", "pageSize must be a number 1-50")
        if not 1 <= size <= MAX_PAGE_SIZE or offset < 0:
            return tatum_error(400, "validation.failed", "pageSize must be a number 1-50")
        txs = chain.mempool_txs(address) + chain.chain_txs(address)
        return JSONResponse([tx_json(chain, t) for t in txs[offset : offset + size]])

    @app.get(f"/v3/{chain_path}/info")
    def info(request: Request) -> Response:
        refused = refuse(request)
        if refused is not None:
            return refused
        tip = chain.tip_height
        return JSONResponse(
            {
                "chain": "main" if chain.network is Network.BITCOIN else "test3",
                "blocks": tip,
                "headers": tip,
                "bestblockhash": block_hash(tip),
                "difficulty": 1,
            }
        )

    return app


__all__ = ["MAX_PAGE_SIZE", "btc", "create_tatum_app", "tx_json"]


# --------------------------------------------------------------------------- Ethereum (issue 5)


def create_tatum_eth_app(rpc_url: str, *, api_key: str = "t-key") -> FastAPI:
    """Tatum v3 Ethereum endpoints served from a real node (via the Etherscan simulator's
    `NodeReader`), shapes of Tatum's OpenAPI `EthTx` / balance:

    - ``GET /v3/ethereum/block/current`` → the tip (a JSON number)
    - ``GET /v3/ethereum/account/transaction/{a}?pageSize&offset&from&to&sort`` → the
      transactions the address sent or received (as ``from``/``to``), with receipt data
      (``gasUsed``, ``status``, ``logs``); internal transfers are not listed, as in v3
    - ``GET /v3/ethereum/account/balance/{a}`` → ``{"balance": "<ETH decimal>"}``
    """
    from walletscan_testkit.etherscan_sim import NodeReader

    app = FastAPI(title="tatum eth simulator", openapi_url=None, docs_url=None)
    reader = NodeReader(rpc_url)
    app.state.requests = 0

    def authorised(request: Request) -> bool:
        app.state.requests += 1
        return request.headers.get("x-api-key") == api_key

    def refused() -> Response:
        return tatum_error(401, "subscription.not.active", "invalid api key")

    @app.get("/v3/ethereum/block/current")
    def current(request: Request) -> Response:
        return JSONResponse(reader.tip()) if authorised(request) else refused()

    @app.get("/v3/ethereum/account/balance/{address}")
    def balance(address: str, request: Request) -> Response:
        if not authorised(request):
            return refused()
        wei = Decimal(reader.balance(address.lower()))
        text = format(wei / Decimal(10**18), "f")
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return JSONResponse({"balance": text or "0"})

    @app.get("/v3/ethereum/account/transaction/{address}")
    def txs(address: str, request: Request) -> Response:
        if not authorised(request):
            return refused()
        q = request.query_params
        size = int(q.get("pageSize", "0"))
        if not 1 <= size <= MAX_PAGE_SIZE:
            return tatum_error(400, "validation.failed", "pageSize must be 1..50")
        offset = int(q.get("offset", "0"))
        low, high = int(q.get("from", "0")), int(q.get("to", str(reader.tip())))
        rows = [r for r in reader.txlist(address.lower()) if low <= int(r["blockNumber"]) <= high]
        rows.sort(key=lambda r: (int(r["blockNumber"]), int(r["transactionIndex"])))
        if q.get("sort", "DESC").upper() == "DESC":
            rows.reverse()
        out = []
        for r in rows[offset : offset + size]:
            receipt = reader.rpc("eth_getTransactionReceipt", r["hash"])
            out.append(
                {
                    "blockHash": r["blockHash"],
                    "status": receipt["status"] == "0x1",
                    "blockNumber": int(r["blockNumber"]),
                    "from": r["from"],
                    "gas": int(r["gas"]),
                    "gasPrice": r["gasPrice"],
                    "transactionHash": r["hash"],
                    "input": r["input"],
                    "nonce": int(r["nonce"]),
                    "to": r["to"] or None,
                    "transactionIndex": int(r["transactionIndex"]),
                    "value": r["value"],
                    "gasUsed": int(r["gasUsed"]),
                    "cumulativeGasUsed": int(r["cumulativeGasUsed"]),
                    "contractAddress": r["contractAddress"] or None,
                    "logs": [
                        {
                            "address": log["address"],
                            "topics": log["topics"],
                            "data": log["data"],
                            "logIndex": int(log["logIndex"], 16),
                            "transactionIndex": int(log["transactionIndex"], 16),
                            "transactionHash": log["transactionHash"],
                        }
                        for log in receipt["logs"]
                    ],
                }
            )
        return JSONResponse(out)

    return app
