"""An Electrum protocol server simulator (electrs / Fulcrum / ElectrumX behaviour) over a
`SimChain`, on plain TCP: JSON-RPC 2.0, one message per line, answers in any order.

Methods: ``server.version``, ``server.ping``, ``blockchain.headers.subscribe``,
``blockchain.block.header``, ``blockchain.scripthash.get_history`` (confirmed by height, then
mempool with height 0, or -1 when a parent is unconfirmed), ``get_balance``, ``listunspent``,
``blockchain.transaction.get`` (raw hex; verbose only with ``verbose=True``, as Fulcrum and
ElectrumX do; electrs answers verbose requests with an error).

Transactions are serialized for real (segwit marker and witnesses for segwit inputs) from the
ledger; their txids remain the ledger's (the serialization is not what they hash), which the
client does not rely on. ``stats`` counts calls per method; ``fail_next`` makes the next n
calls answer with a server error; ``close_after`` drops a connection after n calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from walletscan_testkit.chain import SimChain, SimTx, decode_address

VERBOSE_UNSUPPORTED = "verbose transactions are currently unsupported"


def _varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes((n,))
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


def _push(data: bytes) -> bytes:
    return _varint(len(data)) + data


def serialize_tx(tx: SimTx) -> bytes:
    """A consensus-format serialization of a ledger transaction (fake signatures)."""
    segwit = any(i.prevout is not None and i.prevout.script.is_segwit for i in tx.inputs)
    out = bytearray(tx.version.to_bytes(4, "little"))
    if segwit:
        out += b"\x00\x01"
    out += _varint(len(tx.inputs))
    witnesses: list[list[bytes]] = []
    for n, i in enumerate(tx.inputs):
        seed = hashlib.sha256(f"{tx.txid}:{n}".encode()).digest()
        if i.outpoint is None:
            out += bytes(32) + b"\xff\xff\xff\xff"
            out += _push(bytes.fromhex("03" + i.coinbase_data.rjust(8, "0")))
            witnesses.append([])
        else:
            out += bytes.fromhex(i.outpoint.txid)[::-1] + i.outpoint.vout.to_bytes(4, "little")
            is_segwit = i.prevout is not None and i.prevout.script.is_segwit
            out += _push(b"" if is_segwit else b"\x47" + seed * 2 + b"\x01")
            witnesses.append([seed * 2 + b"\x01", b"\x02" + seed] if is_segwit else [])
        out += (0xFFFFFFFD).to_bytes(4, "little")
    out += _varint(len(tx.outputs))
    for o in tx.outputs:
        out += o.value.to_bytes(8, "little") + _push(bytes.fromhex(o.script.hex))
    if segwit:
        for items in witnesses:
            out += _varint(len(items)) + b"".join(_push(w) for w in items)
    out += tx.locktime.to_bytes(4, "little")
    return bytes(out)


def block_header(chain: SimChain, height: int) -> bytes:
    prev = hashlib.sha256(f"prev:{height}".encode()).digest()
    merkle = hashlib.sha256(f"merkle:{height}".encode()).digest()
    return (
        (0x20000000).to_bytes(4, "little")
        + prev
        + merkle
        + chain.block_time(height).to_bytes(4, "little")
        + (0x1D00FFFF).to_bytes(4, "little")
        + height.to_bytes(4, "little")
    )


def script_hash_of(script_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(script_hex)).digest()[::-1].hex()


@dataclass
class ElectrumStats:
    calls: Counter[str] = field(default_factory=Counter)
    connections: int = 0


class ElectrumSim:
    def __init__(
        self,
        chain: SimChain,
        *,
        verbose: bool = False,
        latency_seconds: float = 0.0,
    ) -> None:
        self.chain = chain
        self.verbose = verbose
        self.latency_seconds = latency_seconds
        self.stats = ElectrumStats()
        self.fail_next = 0
        self.close_after: int | None = None
        self._script_map: tuple[int, dict[str, str]] = (-1, {})

    # ---- protocol

    def _scripts(self) -> dict[str, str]:
        """script hash -> address, over every address the ledger knows (rebuilt when the
        ledger grows)."""
        if self._script_map[0] == self.chain.tx_count:
            return self._script_map[1]
        found: dict[str, str] = {}
        for tx in self.chain.all_txs():
            for o in tx.outputs:
                if o.address is not None:
                    found[script_hash_of(o.script.hex)] = o.address
        self._script_map = (self.chain.tx_count, found)
        return found

    def _address(self, sh: str) -> str | None:
        return self._scripts().get(sh)

    def _history(self, sh: str) -> list[dict[str, Any]]:
        address = self._address(sh)
        if address is None:
            return []
        txs = self.chain.address_txs(address)
        confirmed = sorted(
            (t for t in txs if t.height is not None), key=lambda t: (t.height, t.seq)
        )
        pool = sorted((t for t in txs if t.height is None), key=lambda t: t.seq)

        def pool_height(t: SimTx) -> int:
            parents = [self.chain.tx(i.outpoint.txid) for i in t.inputs if i.outpoint]
            return -1 if any(p is not None and p.height is None for p in parents) else 0

        items = [{"tx_hash": t.txid, "height": t.height} for t in confirmed]
        items += [{"tx_hash": t.txid, "height": pool_height(t), "fee": t.fee} for t in pool]
        return items

    def handle(self, method: str, params: list[Any]) -> Any:
        chain = self.chain
        if method == "server.version":
            return ["walletscan-electrum-sim 0.1", "1.4"]
        if method == "server.ping":
            return None
        if method == "blockchain.headers.subscribe":
            tip = chain.tip_height
            return {"height": tip, "hex": block_header(chain, tip).hex()}
        if method == "blockchain.block.header":
            return block_header(chain, int(params[0])).hex()
        if method == "blockchain.scripthash.get_history":
            return self._history(str(params[0]))
        if method == "blockchain.scripthash.get_balance":
            address = self._address(str(params[0]))
            if address is None:
                return {"confirmed": 0, "unconfirmed": 0}
            stats = chain.stats(address, confirmed=True)
            confirmed = stats.funded_txo_sum - stats.spent_txo_sum
            return {"confirmed": confirmed, "unconfirmed": chain.balance(address) - confirmed}
        if method == "blockchain.scripthash.listunspent":
            address = self._address(str(params[0]))
            if address is None:
                return []
            return [
                {
                    "tx_hash": op.txid,
                    "tx_pos": op.vout,
                    "height": tx.height if tx.height is not None else 0,
                    "value": out.value,
                }
                for op, out, tx in chain.utxos(address)
            ]
        if method == "blockchain.transaction.get":
            tx = chain.tx(str(params[0]))
            if tx is None:
                raise LookupError("No such mempool or blockchain transaction")
            raw = serialize_tx(tx).hex()
            if len(params) > 1 and params[1]:
                if not self.verbose:
                    raise ValueError(VERBOSE_UNSUPPORTED)
                verbose: dict[str, Any] = {"txid": tx.txid, "hex": raw}
                if tx.height is not None:
                    verbose["blocktime"] = chain.block_time(tx.height)
                    verbose["confirmations"] = chain.tip_height - tx.height + 1
                return verbose
            return raw
        raise KeyError(f"unknown method {method}")

    # ---- serving

    async def _serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.stats.connections += 1
        calls = 0
        lock = asyncio.Lock()
        tasks: set[asyncio.Task[None]] = set()

        async def answer(request: dict[str, Any]) -> None:
            if self.latency_seconds:
                await asyncio.sleep(self.latency_seconds)
            method = str(request.get("method"))
            self.stats.calls[method] += 1
            reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request.get("id")}
            if self.fail_next > 0:
                self.fail_next -= 1
                reply["error"] = {"code": -32603, "message": "internal error"}
            else:
                try:
                    reply["result"] = self.handle(method, list(request.get("params") or []))
                except KeyError as exc:
                    reply["error"] = {"code": -32601, "message": str(exc)}
                except (LookupError, ValueError) as exc:
                    reply["error"] = {"code": 1, "message": str(exc)}
            async with lock:
                writer.write(json.dumps(reply).encode() + b"\n")
                await writer.drain()

        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                calls += 1
                if self.close_after is not None and calls > self.close_after:
                    break
                task = asyncio.create_task(answer(json.loads(line)))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        except (ConnectionError, ValueError):
            pass
        finally:
            for task in tasks:
                task.cancel()
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    @contextlib.asynccontextmanager
    async def serve(self) -> AsyncIterator[str]:
        """Serve on 127.0.0.1:<free port> in the running loop; yields ``tcp://host:port``."""
        server = await asyncio.start_server(self._serve_client, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            yield f"tcp://127.0.0.1:{port}"
        finally:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)


@contextlib.contextmanager
def run_electrum_server(sim: ElectrumSim) -> Iterator[str]:
    """Serve `sim` from a background thread (for fixtures of process-based stacks)."""
    ready = threading.Event()
    stop: asyncio.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None
    url: list[str] = []

    async def main() -> None:
        nonlocal stop, loop
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        async with sim.serve() as served:
            url.append(served)
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("electrum simulator did not start")
    try:
        yield url[0]
    finally:
        if loop is not None and stop is not None:
            loop.call_soon_threadsafe(stop.set)
        thread.join(5)


def address_script_hash(chain: SimChain, address: str) -> str:
    script = decode_address(address, chain.network)
    if script is None:
        raise ValueError(f"{address} is not an address of {chain.network}")
    return script_hash_of(script.hex)


__all__ = [
    "VERBOSE_UNSUPPORTED",
    "ElectrumSim",
    "ElectrumStats",
    "address_script_hash",
    "block_header",
    "run_electrum_server",
    "serialize_tx",
]
