"""An Esplora REST simulator (Blockstream esplora / mempool.space shapes) over a `SimChain`.

Routes (JSON unless noted), following esplora's API.md and electrs' REST behaviour:

- ``GET /address/:a`` → ``{address, chain_stats, mempool_stats}``
- ``GET /address/:a/txs`` → up to 50 mempool txs plus the first 25 confirmed, newest first
- ``GET /address/:a/txs/chain[/:last_seen_txid]`` → 25 confirmed txs per page, newest first
  (an unknown ``last_seen_txid`` gives ``[]``, as electrs does)
- ``GET /address/:a/txs/mempool`` → up to 50 unconfirmed txs
- ``GET /address/:a/utxo`` → ``[{txid, vout, status, value}]``
- ``GET /tx/:txid``, ``GET /tx/:txid/status``
- ``GET /blocks/tip/height``, ``GET /blocks/tip/hash`` → text/plain

Invalid addresses get ``400 Invalid Bitcoin address`` (text/plain) like electrs; addresses the
chain knows are always accepted, so tests may use labels instead of real addresses.

`FaultPlan` injects provider misbehaviour (429 with Retry-After, 5xx, HTML pages, garbage JSON,
hangs, a server that ignores ``last_seen_txid``, or a hook that mutates the chain mid-scan).
``app.state.stats`` counts requests in total and per route template.

`run_server` / `serve_async` serve an app with uvicorn on 127.0.0.1 on a free port.
`load_mempool_doc_examples` parses the recorded mempool.space documentation examples.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import socket
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from walletscan_testkit.chain import (
    COINBASE_TXID,
    COINBASE_VOUT,
    SEQUENCE_FINAL,
    SEQUENCE_RBF,
    SimChain,
    SimOutput,
    SimTx,
    block_hash,
    decode_address,
)

CHAIN_TXS_PER_PAGE = 25
MAX_MEMPOOL_TXS = 50

JSONObj = dict[str, Any]

# --------------------------------------------------------------------------- JSON rendering


def _output_json(out: SimOutput) -> JSONObj:
    body: JSONObj = {
        "scriptpubkey": out.script.hex,
        "scriptpubkey_asm": out.script.asm,
        "scriptpubkey_type": out.script.type,
    }
    if out.address is not None:
        body["scriptpubkey_address"] = out.address
    body["value"] = out.value
    return body


def _fake_push(seed: str, n: int) -> str:
    """Deterministic hex of n bytes (signatures / pubkeys that look the part)."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return out[:n].hex()


def _input_json(tx: SimTx, index: int) -> JSONObj:
    inp = tx.inputs[index]
    if inp.outpoint is None or inp.prevout is None:
        data = f"03{inp.coinbase_data}"
        return {
            "txid": COINBASE_TXID,
            "vout": COINBASE_VOUT,
            "prevout": None,
            "scriptsig": data,
            "scriptsig_asm": f"OP_PUSHBYTES_3 {inp.coinbase_data}",
            "is_coinbase": True,
            "sequence": SEQUENCE_FINAL,
        }
    seed = f"{tx.txid}:{index}"
    sig = "30440220" + _fake_push(seed + ":r", 32) + "0220" + _fake_push(seed + ":s", 32) + "01"
    pubkey = "02" + _fake_push(seed + ":pk", 32)
    body: JSONObj = {
        "txid": inp.outpoint.txid,
        "vout": inp.outpoint.vout,
        "prevout": _output_json(inp.prevout),
    }
    kind = inp.prevout.script.type
    if kind in {"p2pkh", "unknown"}:
        body["scriptsig"] = f"47{sig}21{pubkey}"
        body["scriptsig_asm"] = f"OP_PUSHBYTES_71 {sig} OP_PUSHBYTES_33 {pubkey}"
    elif kind == "p2sh":  # nested segwit (p2sh-p2wpkh)
        redeem = "0014" + _fake_push(seed + ":rs", 20)
        body["scriptsig"] = f"16{redeem}"
        body["scriptsig_asm"] = f"OP_PUSHBYTES_22 {redeem}"
        body["witness"] = [sig, pubkey]
        body["inner_redeemscript_asm"] = f"OP_0 OP_PUSHBYTES_20 {redeem[4:]}"
    elif kind == "v0_p2wsh":
        witness_script = "51"
        body["scriptsig"] = ""
        body["scriptsig_asm"] = ""
        body["witness"] = [sig, witness_script]
        body["inner_witnessscript_asm"] = "OP_PUSHNUM_1"
    elif kind == "v1_p2tr":
        body["scriptsig"] = ""
        body["scriptsig_asm"] = ""
        body["witness"] = [_fake_push(seed + ":schnorr", 64)]
    else:  # v0_p2wpkh
        body["scriptsig"] = ""
        body["scriptsig_asm"] = ""
        body["witness"] = [sig, pubkey]
    body["is_coinbase"] = False
    body["sequence"] = SEQUENCE_RBF
    return body


def status_json(chain: SimChain, height: int | None) -> JSONObj:
    if height is None:
        return {"confirmed": False}
    return {
        "confirmed": True,
        "block_height": height,
        "block_hash": block_hash(height),
        "block_time": chain.block_time(height),
    }


def tx_json(chain: SimChain, tx: SimTx) -> JSONObj:
    """One transaction exactly as esplora renders it (same key order as the docs)."""
    return {
        "txid": tx.txid,
        "version": tx.version,
        "locktime": tx.locktime,
        "vin": [_input_json(tx, i) for i in range(len(tx.inputs))],
        "vout": [_output_json(o) for o in tx.outputs],
        "size": tx.size,
        "weight": tx.weight,
        "fee": tx.fee,
        "status": status_json(chain, tx.height),
    }


def address_json(chain: SimChain, address: str) -> JSONObj:
    def stats(confirmed: bool) -> JSONObj:
        s = chain.stats(address, confirmed=confirmed)
        return {
            "funded_txo_count": s.funded_txo_count,
            "funded_txo_sum": s.funded_txo_sum,
            "spent_txo_count": s.spent_txo_count,
            "spent_txo_sum": s.spent_txo_sum,
            "tx_count": s.tx_count,
        }

    return {"address": address, "chain_stats": stats(True), "mempool_stats": stats(False)}


def utxo_json(chain: SimChain, address: str) -> list[JSONObj]:
    return [
        {
            "txid": op.txid,
            "vout": op.vout,
            "status": status_json(chain, tx.height),
            "value": out.value,
        }
        for op, out, tx in chain.utxos(address)
    ]


# --------------------------------------------------------------------------- faults and stats

FaultKind = Literal["status", "html", "garbage", "hang", "drip", "ignore_last_seen", "hook"]


@dataclass
class FaultRule:
    """Misbehave on the next `count` requests whose path matches `path` (a regex, searched).

    kinds: ``status`` (reply `status` with `body`, plus ``Retry-After`` if `retry_after` is
    set), ``html`` (an HTML error page with `status`), ``garbage`` (200 with a truncated JSON
    body), ``hang`` (sleep `seconds`, then answer normally), ``ignore_last_seen`` (a chain page
    request is answered as the first page), ``hook`` (call `hook()` then answer normally),
    ``drip`` (a 200 whose body trickles out one byte every `seconds`: per-read timeouts never
    fire, only an overall deadline does).
    `skip` lets that many matching requests through first."""

    kind: FaultKind
    count: int = 1
    path: str | None = None
    status: int = 500
    body: str = "Internal Server Error"
    retry_after: str | None = None
    seconds: float = 0.0
    skip: int = 0
    hook: Callable[[], None] | None = None
    fired: int = 0

    @classmethod
    def rate_limited(
        cls, count: int = 1, *, retry_after: float | None = 1.0, path: str | None = None
    ) -> FaultRule:
        ra = None if retry_after is None else f"{retry_after:g}"
        return cls(
            "status",
            count,
            path,
            status=429,
            body='{"error":"Too Many Requests"}',
            retry_after=ra,
        )

    @classmethod
    def server_error(
        cls, count: int = 1, *, status: int = 500, path: str | None = None
    ) -> FaultRule:
        return cls("status", count, path, status=status)

    @classmethod
    def html_page(cls, count: int = 1, *, status: int = 502, path: str | None = None) -> FaultRule:
        return cls("html", count, path, status=status)

    @classmethod
    def garbage_json(cls, count: int = 1, *, path: str | None = None) -> FaultRule:
        return cls("garbage", count, path)

    @classmethod
    def hang_for(cls, seconds: float, count: int = 1, *, path: str | None = None) -> FaultRule:
        return cls("hang", count, path, seconds=seconds)

    @classmethod
    def slow_drip(
        cls, seconds_per_byte: float = 0.5, count: int = 1, *, path: str | None = None
    ) -> FaultRule:
        return cls("drip", count, path, seconds=seconds_per_byte)

    @classmethod
    def down(cls, count: int = 1_000_000, *, path: str | None = None) -> FaultRule:
        """A provider that is gone: 503 on every matching request from now on."""
        return cls("status", count, path, status=503, body="Service Unavailable")

    def matches(self, path: str) -> bool:
        return self.path is None or re.search(self.path, path) is not None


@dataclass
class FaultPlan:
    rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def take(self, path: str) -> FaultRule | None:
        """The first active rule for `path`, consuming one of its uses."""
        with self._lock:
            for rule in self.rules:
                if rule.fired >= rule.count or not rule.matches(path):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                rule.fired += 1
                return rule
        return None


@dataclass
class SimStats:
    total: int = 0
    by_route: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    by_path: Counter[str] = field(default_factory=Counter)  # concrete paths, e.g. per address
    by_port: Counter[int] = field(default_factory=Counter)  # which listening socket was asked
    cost: float = 0.0  # provider-specific request cost (Blockchair's request points)

    def reset(self) -> None:
        self.total = 0
        self.by_route.clear()
        self.faults.clear()
        self.by_path.clear()
        self.by_port.clear()
        self.cost = 0.0


_HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>{status} Bad Gateway</title></head>\n"
    "<body><center><h1>{status} Bad Gateway</h1></center><hr><center>nginx</center>"
    "</body></html>\n"
)


class _FaultMiddleware:
    """Counts requests and applies the fault plan before the request reaches the routes."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner

    def _route_of(self, scope: Scope) -> str:
        for route in self.owner.router.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return str(getattr(route, "path", "?"))
        return "<unmatched>"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.owner.state
        stats: SimStats = state.stats
        stats.total += 1
        stats.by_route[self._route_of(scope)] += 1
        stats.by_path[scope["path"]] += 1
        server = scope.get("server")
        if server and server[1] is not None:  # in-process transports have no port
            stats.by_port[int(server[1])] += 1
        if state.latency_seconds > 0:
            await asyncio.sleep(state.latency_seconds)
        plan: FaultPlan | None = state.faults
        rule = plan.take(scope["path"]) if plan is not None else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        stats.faults[rule.kind] += 1
        response: Response | None = None
        if rule.kind == "status":
            headers = {"Retry-After": rule.retry_after} if rule.retry_after is not None else None
            media = "application/json" if rule.body.startswith("{") else "text/plain"
            response = Response(rule.body, rule.status, headers=headers, media_type=media)
        elif rule.kind == "html":
            response = Response(
                _HTML_PAGE.format(status=rule.status), rule.status, media_type="text/html"
            )
        elif rule.kind == "garbage":
            response = Response('[{"txid": "ab', 200, media_type="application/json")
        elif rule.kind == "hang":
            await asyncio.sleep(rule.seconds)
        elif rule.kind == "drip":
            await _drip(send, rule.seconds)
            return
        elif rule.kind == "ignore_last_seen":
            scope = dict(scope)
            scope["path"] = re.sub(r"(/txs/chain)/[^/]+$", r"\1", scope["path"])
            scope["raw_path"] = scope["path"].encode()
        elif rule.kind == "hook" and rule.hook is not None:
            rule.hook()
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _drip(send: Send, seconds_per_byte: float) -> None:
    body = b'{"address": "dripping slowly", "chain_stats": {}}'
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    for i in range(len(body)):
        await send({"type": "http.response.body", "body": body[i : i + 1], "more_body": True})
        await asyncio.sleep(seconds_per_byte)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def instrument(
    app: FastAPI, *, latency_seconds: float = 0.0, faults: FaultPlan | None = None
) -> FastAPI:
    """Give a simulator app request stats (``app.state.stats``), a latency per request and a
    fault plan (``app.state.faults``). Every provider simulator uses it."""
    app.state.stats = SimStats()
    app.state.faults = faults if faults is not None else FaultPlan()
    app.state.latency_seconds = latency_seconds
    app.add_middleware(_FaultMiddleware, owner=app)
    return app


# --------------------------------------------------------------------------- the app


def _invalid_address() -> PlainTextResponse:
    return PlainTextResponse("Invalid Bitcoin address", status_code=400)


def create_esplora_app(
    chain: SimChain, *, latency_seconds: float = 0.0, faults: FaultPlan | None = None
) -> FastAPI:
    app = FastAPI(title="esplora simulator", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.chain = chain
    instrument(app, latency_seconds=latency_seconds, faults=faults)

    def known(address: str) -> bool:
        return chain.knows(address) or decode_address(address, chain.network) is not None

    @app.get("/address/{address}")
    def get_address(address: str) -> Response:
        if not known(address):
            return _invalid_address()
        return JSONResponse(address_json(chain, address))

    @app.get("/address/{address}/txs")
    def get_address_txs(address: str) -> Response:
        if not known(address):
            return _invalid_address()
        txs = chain.mempool_txs(address)[:MAX_MEMPOOL_TXS]
        txs += chain.chain_txs(address)[:CHAIN_TXS_PER_PAGE]
        return JSONResponse([tx_json(chain, t) for t in txs])

    def chain_page(address: str, last_seen: str | None) -> Response:
        if not known(address):
            return _invalid_address()
        txs = chain.chain_txs(address)
        if last_seen is not None:
            ids = [t.txid for t in txs]
            txs = txs[ids.index(last_seen) + 1 :] if last_seen in ids else []
        return JSONResponse([tx_json(chain, t) for t in txs[:CHAIN_TXS_PER_PAGE]])

    @app.get("/address/{address}/txs/chain")
    def get_chain_first(address: str) -> Response:
        return chain_page(address, None)

    @app.get("/address/{address}/txs/chain/{last_seen_txid}")
    def get_chain_after(address: str, last_seen_txid: str) -> Response:
        return chain_page(address, last_seen_txid)

    @app.get("/address/{address}/txs/mempool")
    def get_mempool(address: str) -> Response:
        if not known(address):
            return _invalid_address()
        txs = chain.mempool_txs(address)[:MAX_MEMPOOL_TXS]
        return JSONResponse([tx_json(chain, t) for t in txs])

    @app.get("/address/{address}/utxo")
    def get_utxo(address: str) -> Response:
        if not known(address):
            return _invalid_address()
        return JSONResponse(utxo_json(chain, address))

    @app.get("/tx/{txid}")
    def get_tx(txid: str) -> Response:
        tx = chain.tx(txid)
        if tx is None:
            return PlainTextResponse("Transaction not found", status_code=404)
        return JSONResponse(tx_json(chain, tx))

    @app.get("/tx/{txid}/status")
    def get_tx_status(txid: str) -> Response:
        tx = chain.tx(txid)
        if tx is None:
            return PlainTextResponse("Transaction not found", status_code=404)
        return JSONResponse(status_json(chain, tx.height))

    @app.get("/blocks/tip/height")
    def get_tip_height() -> Response:
        return PlainTextResponse(str(chain.tip_height))

    @app.get("/blocks/tip/hash")
    def get_tip_hash() -> Response:
        return PlainTextResponse(block_hash(chain.tip_height))

    return app


# --------------------------------------------------------------------------- serving


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class _Server(uvicorn.Server):
    """uvicorn without signal capture: the test process keeps its own handlers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _server(app: FastAPI) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    return _Server(config)


@contextlib.contextmanager
def run_server(app: FastAPI, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """Serve `app` on 127.0.0.1:<free port> in a background thread; yields the base URL."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = _server(app)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"esplora-sim-{port}", daemon=True
    )
    thread.start()
    try:
        waited = 0.0
        while not server.started:
            if not thread.is_alive() or waited > startup_timeout:
                raise RuntimeError("simulator server did not start")
            threading.Event().wait(0.01)
            waited += 0.01
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()


@contextlib.asynccontextmanager
async def serve_async(app: FastAPI, *, startup_timeout: float = 10.0) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1:<free port> as a task of the running loop; yields the base URL."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = _server(app)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(startup_timeout):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("simulator server did not start")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=startup_timeout)
        sock.close()


# --------------------------------------------------------------------------- doc examples


def reference_data_dir() -> Path:
    """``$WALLETSCAN_REFERENCE_DATA`` or ``<repo>/../shared/reference-data``."""
    env = os.environ.get("WALLETSCAN_REFERENCE_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4].parent / "shared" / "reference-data"


MEMPOOL_DOC_EXAMPLES = "provider-examples/mempool_space_api_docs_address_examples.txt"
ESPLORA_API_EXCERPT = "provider-examples/esplora_API_md_excerpt.md"


@dataclass(frozen=True)
class DocExample:
    endpoint: str  # e.g. "/address/:address/txs/chain"
    network: str  # "Mainnet", "Testnet", "Signet"
    argument: str
    body: Any


def _js_literal_to_json(text: str, placeholder: Any) -> Any:
    """The docs print JS object literals: unquoted keys, ``...`` and ``[Object]`` elisions."""
    text = text.strip().rstrip(",")
    # elided list tails: "  ...\n" lines (after a trailing comma)
    text = re.sub(r",\s*\.\.\.\s*(?=[\]}])", "", text)
    text = re.sub(r"^\s*\.\.\.\s*$", "", text, flags=re.MULTILINE)
    marker = '"__walletscan_placeholder__"'
    text = text.replace("[Object]", marker)
    text = re.sub(r"(?m)^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:", r'\1"\2":', text)
    text = re.sub(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:", r'\1"\2":', text)
    data = json.loads(text)

    def fix(node: Any) -> Any:
        if isinstance(node, list):
            items = [fix(n) for n in node]
            if placeholder is _DROP:
                return [n for n in items if n is not _DROP]
            return items
        if isinstance(node, dict):
            return {k: fix(v) for k, v in node.items()}
        if node == "__walletscan_placeholder__":
            return _DROP if placeholder is _DROP else placeholder
        return node

    return fix(data)


_DROP: Any = object()


def load_mempool_doc_examples(
    path: Path | None = None, *, placeholder: Any = _DROP
) -> list[DocExample]:
    """Parse mempool.space's documented example responses into JSON values.

    ``[Object]`` elisions are dropped from their lists by default, or replaced by `placeholder`
    (e.g. ``{}``) when given."""
    path = path or reference_data_dir() / MEMPOOL_DOC_EXAMPLES
    text = path.read_text()
    examples: list[DocExample] = []
    for section in re.split(r"\n=+\n", text):
        head = re.search(r"^ENDPOINT: GET (\S+)", section, flags=re.MULTILINE)
        if head is None:
            continue
        parts = re.split(r"^--- (\w+) example, argument (.*)$", section, flags=re.MULTILINE)
        # parts: [preamble, net1, arg1, body1, net2, arg2, body2, ...]
        for i in range(1, len(parts) - 2, 3):
            network, argument, body = parts[i], parts[i + 1].strip().strip("'"), parts[i + 2]
            examples.append(
                DocExample(head.group(1), network, argument, _js_literal_to_json(body, placeholder))
            )
    return examples


def esplora_tx_format_fields(path: Path | None = None) -> dict[str, set[str]]:
    """The documented fields of esplora's "Transaction format" section:
    ``{"tx": {...}, "vin": {...}, "vout": {...}, "status": {...}}``."""
    path = path or reference_data_dir() / ESPLORA_API_EXCERPT
    text = path.read_text().split("## Transaction format", 1)[1]
    fields: dict[str, set[str]] = {"tx": set()}
    current = "tx"
    for line in text.splitlines():
        m = re.match(r"^(\s*)- `([a-z_]+)(\[\])?`", line)
        if m is None:
            continue
        indent, name = len(m.group(1)), m.group(2)
        if indent == 0:
            fields["tx"].add(name)
            current = name
            fields.setdefault(name, set())
        else:
            fields[current].add(name)
    return {k: v for k, v in fields.items() if k == "tx" or v}


__all__ = [
    "CHAIN_TXS_PER_PAGE",
    "MAX_MEMPOOL_TXS",
    "DocExample",
    "FaultPlan",
    "FaultRule",
    "SimStats",
    "address_json",
    "create_esplora_app",
    "esplora_tx_format_fields",
    "instrument",
    "load_mempool_doc_examples",
    "reference_data_dir",
    "run_server",
    "serve_async",
    "status_json",
    "tx_json",
    "utxo_json",
]
