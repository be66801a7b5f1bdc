"""An Etherscan V2 simulator (``GET /v2/api``) that serves what a real anvil node holds, so the
Etherscan client and the JSON-RPC client can be compared on the same chain.

Shapes follow the recorded answers in ``reference-data/rotki-cassettes/etherscan_v2_*``
(every value a string; ``status/message/result`` envelope; "No transactions found" with
``status 0`` and ``[]``; ``NOTOK`` with the reason in ``result``). Served:

- ``module=account``: ``balance``, ``txlist``, ``txlistinternal``, ``tokentx``,
  ``tokenbalance`` with ``startblock/endblock/page/offset/sort``; at most
  ``app.state.record_cap`` records per answer (the free tier's 1,000, smaller in tests to
  exercise paging); ``page × offset`` beyond 10,000 is refused as Etherscan does.
- ``module=proxy&action=eth_blockNumber`` (a JSON-RPC shaped answer, as Etherscan's proxy).

Refusals: no or a wrong ``apikey`` → "Invalid API Key"; a ``chainid`` outside
``app.state.chains`` → "Free API access is not supported for this chain…";
``app.state.rate_limited`` > 0 answers that many requests with the rate-limit reason first.

The rows are read from the node with its own code (Otterscan search + receipts, traces, logs),
independent of the fetcher's JSON-RPC client.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
RESULT_WINDOW = 10_000
NO_CHAIN = (
    "Free API access is not supported for this chain. Please upgrade your api plan for full "
    "chain coverage. https://etherscan.io/apis"
)
RATE_LIMIT = "Max rate limit reached"
INVALID_KEY = "Invalid API Key"

Row = dict[str, str]


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"status": "1", "message": "OK", "result": result})


def _notok(reason: str) -> JSONResponse:
    return JSONResponse({"status": "0", "message": "NOTOK", "result": reason})


def _empty() -> JSONResponse:
    return JSONResponse({"status": "0", "message": "No transactions found", "result": []})


class NodeReader:
    """Reads an address's history from an anvil (or Erigon) node, Etherscan-style rows."""

    def __init__(self, rpc_url: str) -> None:
        self.url = rpc_url
        self._http = httpx.Client(timeout=30.0)
        self._ids = 0

    def rpc(self, method: str, *params: Any) -> Any:
        self._ids += 1
        body = {"jsonrpc": "2.0", "id": self._ids, "method": method, "params": list(params)}
        reply = self._http.post(self.url, json=body).json()
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def tip(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)

    def _all_ots(self, address: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
        cursor = self.tip() + 1
        while True:
            page = self.rpc("ots_searchTransactionsBefore", address, cursor, 50)
            receipts = {r["transactionHash"]: r for r in page["receipts"]}
            pairs += [(t, receipts[t["hash"]]) for t in page["txs"]]
            if page["lastPage"] or not page["txs"]:
                return pairs
            cursor = min(int(t["blockNumber"], 16) for t in page["txs"])

    def txlist(self, address: str) -> list[Row]:
        rows = []
        for tx, receipt in self._all_ots(address):
            if address not in (tx["from"].lower(), (tx.get("to") or "").lower()):
                continue  # Otterscan also lists txs that touch it by a trace: not "normal"
            ok = receipt["status"] == "0x1"
            rows.append(
                {
                    "blockNumber": str(int(tx["blockNumber"], 16)),
                    "blockHash": tx["blockHash"],
                    "timeStamp": str(int(receipt["timestamp"], 16)),
                    "hash": tx["hash"],
                    "nonce": str(int(tx["nonce"], 16)),
                    "transactionIndex": str(int(tx["transactionIndex"], 16)),
                    "from": tx["from"].lower(),
                    "to": (tx.get("to") or "").lower(),
                    "value": str(int(tx["value"], 16)),
                    "gas": str(int(tx["gas"], 16)),
                    # Etherscan's gasPrice is what the transaction paid per gas.
                    "gasPrice": str(int(receipt["effectiveGasPrice"], 16)),
                    "isError": "0" if ok else "1",
                    "txreceipt_status": "1" if ok else "0",
                    "input": tx["input"],
                    "contractAddress": (receipt.get("contractAddress") or "").lower(),
                    "cumulativeGasUsed": str(int(receipt["cumulativeGasUsed"], 16)),
                    "gasUsed": str(int(receipt["gasUsed"], 16)),
                    "confirmations": str(self.tip() - int(tx["blockNumber"], 16) + 1),
                    "methodId": tx["input"][:10] if len(tx["input"]) >= 10 else "0x",
                    "functionName": "",
                }
            )
        return rows

    def txlistinternal(self, address: str) -> list[Row]:
        rows = []
        for tx, _ in self._all_ots(address):
            traces = self.rpc("trace_transaction", tx["hash"])
            failed = {tuple(t["traceAddress"]) for t in traces if t.get("error")}
            for t in traces:
                path = tuple(t["traceAddress"])
                action = t["action"]
                if not path or t["type"] != "call" or action.get("callType") != "call":
                    continue
                if address not in (action["from"].lower(), action["to"].lower()):
                    continue
                reverted = any(path[:n] in failed for n in range(len(path) + 1))
                rows.append(
                    {
                        "blockNumber": str(t["blockNumber"]),
                        "timeStamp": str(int(tx.get("blockTimestamp", "0x0"), 16)),
                        "hash": tx["hash"],
                        "from": action["from"].lower(),
                        "to": action["to"].lower(),
                        "value": str(int(action["value"], 16)),
                        "contractAddress": "",
                        "input": "",
                        "type": "call",
                        "gas": str(int(action["gas"], 16)),
                        "gasUsed": str(int((t.get("result") or {}).get("gasUsed", "0x0"), 16)),
                        "traceId": "_".join(str(i) for i in path),
                        "isError": "1" if reverted else "0",
                        "errCode": t.get("error") or "",
                    }
                )
        return rows

    def _call_text(self, token: str, selector: str) -> str:
        raw = bytes.fromhex(self.rpc("eth_call", {"to": token, "data": selector}, "latest")[2:])
        length = int.from_bytes(raw[32:64], "big")
        return raw[64 : 64 + length].decode()

    def tokentx(self, address: str) -> list[Row]:
        topic = "0x" + "0" * 24 + address[2:]
        logs: dict[tuple[str, str], dict[str, Any]] = {}
        for topics in ([TRANSFER_TOPIC, topic], [TRANSFER_TOPIC, None, topic]):
            query = {"fromBlock": "0x0", "toBlock": hex(self.tip()), "topics": topics}
            for log in self.rpc("eth_getLogs", query):
                logs[(log["transactionHash"], log["logIndex"])] = log
        meta: dict[str, tuple[str, str, str]] = {}
        rows = []
        for log in sorted(logs.values(), key=lambda g: (int(g["blockNumber"], 16), g["logIndex"])):
            token = log["address"].lower()
            if token not in meta:
                decimals = int(
                    self.rpc("eth_call", {"to": token, "data": "0x313ce567"}, "latest"), 16
                )
                meta[token] = (
                    self._call_text(token, "0x06fdde03"),
                    self._call_text(token, "0x95d89b41"),
                    str(decimals),
                )
            name, symbol, decimals_text = meta[token]
            rows.append(
                {
                    "blockNumber": str(int(log["blockNumber"], 16)),
                    "timeStamp": str(int(log["blockTimestamp"], 16)),
                    "hash": log["transactionHash"],
                    "nonce": "",
                    "blockHash": log["blockHash"],
                    "from": "0x" + log["topics"][1][-40:],
                    "contractAddress": token,
                    "to": "0x" + log["topics"][2][-40:],
                    "value": str(int(log["data"], 16)),
                    "tokenName": name,
                    "tokenSymbol": symbol,
                    "tokenDecimal": decimals_text,
                    "transactionIndex": str(int(log["transactionIndex"], 16)),
                    "gas": "0",
                    "gasPrice": "0",
                    "gasUsed": "0",
                    "cumulativeGasUsed": "0",
                    "input": "deprecated",
                    "confirmations": "1",
                }
            )
        return rows

    def balance(self, address: str) -> str:
        return str(int(self.rpc("eth_getBalance", address, "latest"), 16))

    def token_balance(self, token: str, address: str) -> str:
        data = "0x70a08231" + "0" * 24 + address[2:]
        return str(int(self.rpc("eth_call", {"to": token, "data": data}, "latest"), 16))


def create_etherscan_app(
    rpc_url: str,
    *,
    api_key: str = "test-key",
    chains: set[int] | None = None,
    record_cap: int = 1000,
) -> FastAPI:
    app = FastAPI(title="Etherscan V2 simulator")
    app.state.reader = NodeReader(rpc_url)
    app.state.api_key = api_key
    app.state.chains = chains if chains is not None else {1}
    app.state.record_cap = record_cap
    app.state.rate_limited = 0
    app.state.stats = Counter()

    @app.get("/v2/api")
    def api(request: Request) -> JSONResponse:
        q = dict(request.query_params)
        action = q.get("action", "")
        app.state.stats[action] += 1
        app.state.stats["total"] += 1
        if app.state.rate_limited > 0:
            app.state.rate_limited -= 1
            return _notok(RATE_LIMIT)
        if q.get("apikey") != app.state.api_key:
            return _notok(INVALID_KEY)
        chain = q.get("chainid", "")
        if not chain.isdigit():
            return _notok("Missing or unsupported chainid parameter (required for v2 api)")
        if int(chain) not in app.state.chains:
            return _notok(NO_CHAIN)
        reader: NodeReader = app.state.reader
        module = q.get("module")
        if module == "proxy" and action == "eth_blockNumber":
            return JSONResponse({"jsonrpc": "2.0", "id": 83, "result": hex(reader.tip())})
        if module != "account":
            return _notok("Error! Missing Or invalid Module name")
        address = q.get("address", "").lower()
        if len(address) != 42 or not address.startswith("0x"):
            return _notok("Error! Invalid address format")
        if action == "balance":
            return _ok(reader.balance(address))
        if action == "tokenbalance":
            return _ok(reader.token_balance(q.get("contractaddress", "").lower(), address))
        lists = {
            "txlist": reader.txlist,
            "txlistinternal": reader.txlistinternal,
            "tokentx": reader.tokentx,
        }
        if action not in lists:
            return _notok("Error! Missing Or invalid Action name")
        return _listing(lists[action](address), q, app.state.record_cap)

    return app


def _listing(rows: list[Row], q: dict[str, str], cap: int) -> JSONResponse:
    start = int(q.get("startblock") or 0)
    end_text = q.get("endblock") or "latest"
    end = None if end_text == "latest" else int(end_text)
    picked = [
        r
        for r in rows
        if int(r["blockNumber"]) >= start and (end is None or int(r["blockNumber"]) <= end)
    ]
    picked.sort(
        key=lambda r: (int(r["blockNumber"]), int(r.get("transactionIndex") or 0)),
        reverse=q.get("sort") == "desc",
    )
    page = max(1, int(q.get("page") or 1))
    offset = int(q.get("offset") or cap)
    if page * offset > RESULT_WINDOW:
        return _notok(
            "Result window is too large, PageNo x Offset size must be less than or equal to 10000"
        )
    size = min(offset, cap)
    chunk = picked[(page - 1) * size : page * size]
    return _ok(chunk) if chunk else _empty()


__all__ = ["INVALID_KEY", "NO_CHAIN", "RATE_LIMIT", "NodeReader", "create_etherscan_app"]
