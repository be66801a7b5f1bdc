"""Electrum protocol client (electrs, Fulcrum, ElectrumX) over TCP or TLS.

`tcp://host:50001` or `ssl://host:50002` per network. JSON-RPC 2.0, one request per line,
pipelined on one connection per network (answers are matched by id). One `fetch_address` call:

1. ``blockchain.scripthash.get_history`` / ``get_balance`` / ``listunspent`` of the address's
   script hash (sha256 of its output script, byte-reversed, hex);
2. ``blockchain.transaction.get`` of every history transaction and of every transaction they
   spend from (input values live in the spent outputs). Verbose first; servers without
   verbose support (electrs) answer with an error, and from then on raw hex is asked for.
   Either way the amounts come from decoding the raw transaction, so both paths agree;
3. ``blockchain.headers.subscribe`` (tip) and ``blockchain.block.header`` for block times
   (unless a verbose answer carried ``blocktime``).

Heights follow the protocol: > 0 confirmed, 0 or -1 in the mempool. The facts are
cross-checked with ``get_balance`` and ``listunspent``. Every call waits for the process's rate
limiter, like HTTP requests do.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from aiolimiter import AsyncLimiter
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from walletscan_contracts.chains import Network
from walletscan_contracts.events import AddressTx, Utxo
from walletscan_keys.encoding import EncodingError, b58check_decode, segwit_decode

from walletscan_fetcher.providers.base import (
    AddressReport,
    PermanentProviderError,
    TransientProviderError,
    UnsupportedNetwork,
)
from walletscan_fetcher.providers.utxo_records import summary_from_txs, tip_covering

COINBASE_PREV = "0" * 64
MAX_LINE = 16 * 1024 * 1024  # a large transaction in hex plus JSON framing

# --------------------------------------------------------------------------- addresses


@dataclass(frozen=True, slots=True)
class _AddressFormat:
    p2pkh: int
    p2sh: frozenset[int]
    hrp: str | None


_FORMATS: dict[Network, _AddressFormat] = {
    Network.BITCOIN: _AddressFormat(0x00, frozenset({0x05}), "bc"),
    Network.BITCOIN_TESTNET: _AddressFormat(0x6F, frozenset({0xC4}), "tb"),
    Network.LITECOIN: _AddressFormat(0x30, frozenset({0x32, 0x05}), "ltc"),
    Network.DOGECOIN: _AddressFormat(0x1E, frozenset({0x16}), None),
    Network.BITCOIN_CASH: _AddressFormat(0x00, frozenset({0x05}), None),  # legacy form only
}


def output_script(address: str, network: Network) -> bytes:
    """The output script an address stands for; ValueError if it is not one of `network`."""
    fmt = _FORMATS[network]
    if fmt.hrp is not None and address.lower().startswith(fmt.hrp + "1"):
        try:
            hrp, version, program = segwit_decode(address)
        except EncodingError as exc:
            raise ValueError(f"not a valid address: {exc}") from exc
        if hrp != fmt.hrp:
            raise ValueError(f"not a {network} address")
        op = 0 if version == 0 else 0x50 + version
        return bytes((op, len(program))) + program
    try:
        payload = b58check_decode(address)
    except EncodingError as exc:
        raise ValueError(f"not a valid address: {exc}") from exc
    if len(payload) != 21:
        raise ValueError("not a valid address: wrong length")
    version, h = payload[0], payload[1:]
    if version == fmt.p2pkh:
        return b"\x76\xa9\x14" + h + b"\x88\xac"
    if version in fmt.p2sh:
        return b"\xa9\x14" + h + b"\x87"
    raise ValueError(f"not a {network} address (version 0x{version:02x})")


def script_hash(script: bytes) -> str:
    """The Electrum protocol's key for a script: sha256, byte-reversed, hex."""
    return hashlib.sha256(script).digest()[::-1].hex()


# --------------------------------------------------------------------------- raw transactions


@dataclass(frozen=True, slots=True)
class RawInput:
    prev_txid: str
    prev_vout: int

    @property
    def is_coinbase(self) -> bool:
        return self.prev_txid == COINBASE_PREV and self.prev_vout == 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class RawOutput:
    value: int
    script: bytes


@dataclass(frozen=True, slots=True)
class RawTx:
    inputs: tuple[RawInput, ...]
    outputs: tuple[RawOutput, ...]

    @property
    def is_coinbase(self) -> bool:
        return len(self.inputs) == 1 and self.inputs[0].is_coinbase


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("truncated transaction")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "little")

    def varint(self) -> int:
        first = self.take(1)[0]
        if first < 0xFD:
            return first
        size = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
        return int.from_bytes(self.take(size), "little")


def decode_raw_tx(raw: bytes) -> RawTx:
    """Inputs (outpoints) and outputs (value, script) of a serialized transaction, with or
    without segwit data. Raises ValueError on malformed data."""
    r = _Reader(raw)
    r.u32()  # version
    segwit = r.data[r.pos : r.pos + 2] == b"\x00\x01"
    if segwit:
        r.take(2)
    inputs = []
    for _ in range(r.varint()):
        prev = r.take(32)[::-1].hex()
        vout = r.u32()
        r.take(r.varint())  # scriptSig
        r.u32()  # sequence
        inputs.append(RawInput(prev, vout))
    outputs = []
    for _ in range(r.varint()):
        value = r.u64()
        outputs.append(RawOutput(value, r.take(r.varint())))
    if segwit:
        for _ in inputs:
            for _ in range(r.varint()):
                r.take(r.varint())
    r.u32()  # locktime
    if r.pos != len(raw):
        raise ValueError("trailing bytes after the transaction")
    if not inputs or not outputs:
        raise ValueError("a transaction needs inputs and outputs")
    return RawTx(tuple(inputs), tuple(outputs))


def header_time(header_hex: str) -> int:
    raw = bytes.fromhex(header_hex)
    if len(raw) != 80:
        raise ValueError("a block header is 80 bytes")
    return int.from_bytes(raw[68:72], "little")


# --------------------------------------------------------------------------- response models


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class HistoryItem(_Model):
    tx_hash: str
    height: int


class Balance(_Model):
    confirmed: int
    unconfirmed: int


class Unspent(_Model):
    tx_hash: str
    tx_pos: int
    height: int
    value: int


class Tip(_Model):
    height: int


class VerboseTx(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    hex: str
    blocktime: int | None = None


_HISTORY = TypeAdapter(list[HistoryItem])
_BALANCE = TypeAdapter(Balance)
_UNSPENT = TypeAdapter(list[Unspent])
_TIP = TypeAdapter(Tip)
_VERBOSE = TypeAdapter(VerboseTx)
_STR = TypeAdapter(str)


def normalise(
    txid: str,
    tx: RawTx,
    prevouts: Mapping[tuple[str, int], RawOutput],
    script: bytes,
    height: int | None,
    block_time: int | None,
) -> AddressTx:
    """One decoded transaction as seen from the address whose output script is `script`."""
    coinbase = tx.is_coinbase
    spent_outputs = [] if coinbase else [prevouts[(i.prev_txid, i.prev_vout)] for i in tx.inputs]
    input_total = sum(o.value for o in spent_outputs)
    output_total = sum(o.value for o in tx.outputs)
    if not coinbase and input_total < output_total:
        raise ValueError(f"{txid}: outputs exceed inputs")
    return AddressTx(
        txid=txid,
        received=sum(o.value for o in tx.outputs if o.script == script),
        spent=sum(o.value for o in spent_outputs if o.script == script),
        fee=0 if coinbase else input_total - output_total,
        input_total=input_total,
        block_height=height,
        block_time=block_time if height is not None else None,
    )


# --------------------------------------------------------------------------- connection


class ElectrumRpcError(Exception):
    def __init__(self, error: Any) -> None:
        message = error.get("message") if isinstance(error, dict) else error
        super().__init__(str(message))
        self.error = error


class _Connection:
    """One pipelined JSON-RPC connection; a reader task resolves answers by id."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._task = asyncio.get_running_loop().create_task(self._read())
        self.closed = False

    async def _read(self) -> None:
        error: Exception = ConnectionError("connection closed by the server")
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                try:
                    message = json.loads(line)
                except ValueError:
                    error = ValueError(f"not JSON: {line[:60]!r}")
                    break
                if not isinstance(message, dict) or "id" not in message:
                    continue  # a notification (subscriptions): not used here
                future = self._waiting.pop(message["id"], None)
                if future is None or future.done():
                    continue
                if message.get("error") is not None:
                    future.set_exception(ElectrumRpcError(message["error"]))
                else:
                    future.set_result(message.get("result"))
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            error = exc
        finally:
            self.closed = True
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(error)
            self._waiting.clear()

    async def call(self, method: str, params: Sequence[Any]) -> Any:
        if self.closed:
            raise ConnectionError("connection closed")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}
        try:
            self._writer.write(json.dumps(body).encode() + b"\n")
            await self._writer.drain()
            return await future
        finally:
            # Answered, failed or abandoned (deadline): either way nobody waits for it now.
            self._waiting.pop(request_id, None)

    async def close(self) -> None:
        self.closed = True
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()


# --------------------------------------------------------------------------- the client


class ElectrumClient:
    def __init__(
        self,
        urls: Mapping[Network, str],
        *,
        limiter: AsyncLimiter | None = None,
        deadline_seconds: float = 60,
        request_timeout: float = 20,
        tls_insecure: bool = False,
        name: str = "electrum",
    ) -> None:
        self.name = name
        self.networks: frozenset[Network] = frozenset(n for n in urls if n in _FORMATS)
        self._urls = dict(urls)
        self._limiter = limiter
        self._deadline = deadline_seconds
        self._timeout = request_timeout
        self._tls_insecure = tls_insecure
        self._connections: dict[Network, _Connection] = {}
        self._connecting: dict[Network, asyncio.Lock] = {}
        self._verbose: dict[Network, bool] = {}
        self._raw_cache: dict[tuple[Network, str], tuple[bytes, int | None]] = {}
        self._header_times: dict[tuple[Network, int], int] = {}

    async def aclose(self) -> None:
        for conn in self._connections.values():
            await conn.close()
        self._connections.clear()

    async def fetch_address(self, address: str, network: Network) -> AddressReport:
        if network not in self.networks:
            raise UnsupportedNetwork(f"{network} is not configured", provider=self.name)
        try:
            script = output_script(address, network)
        except ValueError as exc:
            raise PermanentProviderError(f"{address!r}: {exc}", provider=self.name) from exc
        try:
            async with asyncio.timeout(self._deadline):
                return await self._fetch(network, script, address)
        except TimeoutError as exc:
            await self._drop(network)
            raise TransientProviderError(
                f"deadline of {self._deadline:g}s exceeded", provider=self.name
            ) from exc
        except (OSError, ConnectionError, ValueError, ValidationError) as exc:
            await self._drop(network)
            raise TransientProviderError(
                f"{type(exc).__name__}: {exc}"[:300], provider=self.name
            ) from exc
        except ElectrumRpcError as exc:
            raise TransientProviderError(f"server error: {exc}", provider=self.name) from exc

    async def _fetch(self, network: Network, script: bytes, address: str) -> AddressReport:
        sh = script_hash(script)
        history, balance, unspent, tip = await asyncio.gather(
            self._rpc(network, "blockchain.scripthash.get_history", [sh], _HISTORY),
            self._rpc(network, "blockchain.scripthash.get_balance", [sh], _BALANCE),
            self._rpc(network, "blockchain.scripthash.listunspent", [sh], _UNSPENT),
            self._rpc(network, "blockchain.headers.subscribe", [], _TIP),
        )
        heights = {h.tx_hash: (h.height if h.height > 0 else None) for h in history}
        decoded = await self._txs(network, heights)
        prev_ids = {
            i.prev_txid for tx, _ in decoded.values() if not tx.is_coinbase for i in tx.inputs
        }
        prev_txs = await self._txs(network, prev_ids)
        prevouts: dict[tuple[str, int], RawOutput] = {}
        for txid, (tx, _) in prev_txs.items():
            for n, out in enumerate(tx.outputs):
                prevouts[(txid, n)] = out
        txs: list[AddressTx] = []
        for txid, (tx, verbose_time) in decoded.items():
            height = heights[txid]
            block_time = None
            if height is not None:
                block_time = verbose_time or await self._block_time(network, height)
            txs.append(normalise(txid, tx, prevouts, script, height, block_time))
        summary = summary_from_txs(address, txs)
        utxos = [
            Utxo(
                txid=u.tx_hash,
                vout=u.tx_pos,
                value=u.value,
                block_height=u.height if u.height > 0 else None,
            )
            for u in unspent
        ]
        if (balance.confirmed, balance.confirmed + balance.unconfirmed) != (
            summary.confirmed_balance,
            summary.balance,
        ) or sum(u.value for u in utxos) != summary.balance:
            msg = "history, balance and unspent outputs disagree (changed while reading)"
            raise ValueError(msg)
        return AddressReport(
            summary=summary, txs=txs, utxos=utxos, tip_height=tip_covering(tip.height, txs)
        )

    async def _txs(
        self, network: Network, txids: Iterable[str]
    ) -> dict[str, tuple[RawTx, int | None]]:
        """The decoded transactions (and verbose block times) of `txids`, asked for at once:
        the connection pipelines the requests."""
        ordered = list(txids)
        found = await asyncio.gather(*(self._tx(network, t) for t in ordered))
        return dict(zip(ordered, found, strict=True))

    async def _tx(self, network: Network, txid: str) -> tuple[RawTx, int | None]:
        cached = self._raw_cache.get((network, txid))
        if cached is None:
            cached = await self._fetch_tx(network, txid)
            # Transactions never change; only their confirmation does, which the history
            # gives. Keep a bounded cache of recent ones (inputs repeat across addresses).
            if len(self._raw_cache) > 50_000:
                self._raw_cache.clear()
            self._raw_cache[(network, txid)] = cached
        raw, blocktime = cached
        return decode_raw_tx(raw), blocktime

    async def _fetch_tx(self, network: Network, txid: str) -> tuple[bytes, int | None]:
        if self._verbose.get(network, True):
            try:
                verbose = await self._rpc(
                    network, "blockchain.transaction.get", [txid, True], _VERBOSE
                )
            except ElectrumRpcError:
                # electrs: "verbose transactions are currently unsupported". Remember it.
                self._verbose[network] = False
            else:
                return bytes.fromhex(verbose.hex), verbose.blocktime
        raw_hex = await self._rpc(network, "blockchain.transaction.get", [txid, False], _STR)
        return bytes.fromhex(raw_hex), None

    async def _block_time(self, network: Network, height: int) -> int:
        key = (network, height)
        if key not in self._header_times:
            header = await self._rpc(network, "blockchain.block.header", [height], _STR)
            self._header_times[key] = header_time(header)
        return self._header_times[key]

    async def _rpc(
        self, network: Network, method: str, params: Sequence[Any], adapter: TypeAdapter[Any]
    ) -> Any:
        if self._limiter is not None:
            await self._limiter.acquire()
        conn = await self._connection(network)
        async with asyncio.timeout(self._timeout):
            result = await conn.call(method, params)
        return adapter.validate_python(result)

    async def _connection(self, network: Network) -> _Connection:
        conn = self._connections.get(network)
        if conn is not None and not conn.closed:
            return conn
        lock = self._connecting.setdefault(network, asyncio.Lock())
        async with lock:
            conn = self._connections.get(network)
            if conn is not None and not conn.closed:
                return conn
            url = urlparse(self._urls[network])
            tls: ssl.SSLContext | None = None
            if url.scheme in ("ssl", "tls"):
                tls = ssl.create_default_context()
                if self._tls_insecure:
                    tls.check_hostname = False
                    tls.verify_mode = ssl.CERT_NONE
            elif url.scheme != "tcp":
                raise UnsupportedNetwork(
                    f"electrum URL scheme {url.scheme!r}; use tcp:// or ssl://",
                    provider=self.name,
                )
            async with asyncio.timeout(self._timeout):
                reader, writer = await asyncio.open_connection(
                    url.hostname, url.port or (50002 if tls else 50001), ssl=tls, limit=MAX_LINE
                )
            conn = _Connection(reader, writer)
            await conn.call("server.version", ["walletscan/0.1", "1.4"])
            self._connections[network] = conn
            return conn

    async def _drop(self, network: Network) -> None:
        conn = self._connections.pop(network, None)
        if conn is not None:
            await conn.close()


__all__ = [
    "ElectrumClient",
    "RawTx",
    "decode_raw_tx",
    "header_time",
    "normalise",
    "output_script",
    "script_hash",
]
