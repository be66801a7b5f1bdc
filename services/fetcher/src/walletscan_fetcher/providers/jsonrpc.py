"""Ethereum JSON-RPC client (Infura or any node) for the EVM networks.

One `fetch_address` reads a consistent snapshot ending at the tip block read first, so the
history and the balances it is reconciled with describe the same block:

1. ``eth_blockNumber``                               → the snapshot block B
2. batch: ``eth_getBalance(a, B)``, ``eth_getTransactionCount(a, B)``, ``eth_getBalance(a, 0)``
   (a genesis allocation, shown as Etherscan's ``GENESIS_<a>`` pseudo-transaction)
3. native history — plain JSON-RPC cannot list an address's transactions. With the Otterscan
   API (``ots_getApiLevel``; Erigon, anvil): ``ots_searchTransactionsBefore(a, B+1, n)``
   pages, newest first, each transaction with its receipt (fee = gasUsed × effectiveGasPrice,
   plus ``l1Fee`` on OP-stack chains; status 0 = failed). Without it: `HistoryUnavailable`,
   and the fetcher hands the address to the next provider (Etherscan).
4. internal transfers — ``trace_filter`` (from / to the address, block windows) finds the
   transactions where calls moved value to or from it; ``trace_transaction`` of those says
   which calls really happened (a call under a reverted frame moves nothing). No trace API:
   `HistoryUnavailable` too — a history without them would not add up.
5. ERC-20 transfers — ``eth_getLogs`` for the Transfer topic with the address as topic1
   (sender) and as topic2 (receiver), in block windows that shrink when the node says the
   range (or the result) is too large.
6. tokens — one JSON-RPC batch of ``eth_call``: ``decimals()``, ``symbol()``, ``name()``,
   ``balanceOf(a)`` at B for every token seen.

No retries, rate limits or breakers here (the shared resilience wrapper adds them); one
overall deadline around the call. Node errors: rate limits (HTTP 429, -32005) and 5xx are
transient; HTTP 401/402/403 (a refused key, Infura's daily credits) are `QuotaExhausted`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from walletscan_contracts.chains import Network
from walletscan_contracts.events import EvmAccount, EvmTx, TokenBalance, TokenTransfer
from walletscan_keys.evm_abi import (
    TRANSFER_TOPIC,
    address_topic,
    decode_text,
    decode_uint,
    encode_call,
    topic_address,
)

from walletscan_fetcher.providers.base import (
    AddressReport,
    PermanentProviderError,
    ProviderError,
    QuotaExhausted,
    TransientProviderError,
    UnsupportedNetwork,
)
from walletscan_fetcher.providers.deadline import call_deadline
from walletscan_fetcher.providers.evm_records import (
    HistoryUnavailable,
    evm_report,
    genesis_tx,
    hex_quantity,
    merge_same_tx,
    native_tx,
    require_evm_address,
)
from walletscan_fetcher.providers.http import excerpt

OTS_PAGE_SIZE = 25
METHOD_NOT_FOUND = -32601
LIMIT_EXCEEDED = -32005  # EIP-1474: "limit exceeded" (rate or result-size limits)
# How nodes say a log/trace query spans too much (recorded: "eth_getLogs is limited to a 1000
# blocks range"; Infura: "query returned more than 10000 results"; others: "block range is
# too wide", "exceed maximum block range").
_TOO_LARGE = re.compile(r"range|too (large|wide|many|big)|more than|exceed|limit", re.IGNORECASE)
_RANGE_HINT = re.compile(r"(\d+)\s*blocks?", re.IGNORECASE)
_RATE_LIMIT = re.compile(r"rate limit|too many requests|capacity", re.IGNORECASE)
# geth: "the method trace_filter does not exist/is not available"; others: "Method not found",
# "method not supported", "unsupported method". Not "header not found" (a syncing node).
_UNSUPPORTED = re.compile(
    r"method\b.*\b(not (found|supported|available|enabled)|does not exist)|unsupported method",
    re.IGNORECASE,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class RpcErrorBody(_Model):
    code: int
    message: str = ""


class RpcReply(_Model):
    id: int | str | None = None
    result: Any = None
    error: RpcErrorBody | None = None


_REPLY = TypeAdapter(RpcReply)
_BATCH = TypeAdapter(list[RpcReply])


class RpcFailure(Exception):
    """The node answered a call with a JSON-RPC error object."""

    def __init__(self, method: str, code: int, message: str) -> None:
        super().__init__(f"{method}: {message} ({code})")
        self.method = method
        self.code = code
        self.message = message

    @property
    def unsupported(self) -> bool:
        return self.code == METHOD_NOT_FOUND or bool(_UNSUPPORTED.search(self.message))

    @property
    def rate_limited(self) -> bool:
        return self.code == 429 or bool(_RATE_LIMIT.search(self.message))

    @property
    def too_large(self) -> bool:
        # -32005 is both "too many results" and "rate limited" (Infura): the message decides.
        if self.rate_limited:
            return False
        return self.code == LIMIT_EXCEEDED or bool(_TOO_LARGE.search(self.message))


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: Sequence[Any]


# --------------------------------------------------------------------------- pure parsing


def block_windows(start: int, end: int, size: int) -> list[tuple[int, int]]:
    """[start, end] split into inclusive windows of at most `size` blocks."""
    size = max(1, size)
    return [(a, min(a + size - 1, end)) for a in range(start, end + 1, size)]


def smaller_window(size: int, failure: RpcFailure) -> int:
    """The next window size after a "too large" answer: the node's own limit when it names
    one ("limited to a 1000 blocks range"), else half."""
    hint = _RANGE_HINT.search(failure.message)
    if hint is not None and 0 < int(hint.group(1)) < size:
        return int(hint.group(1))
    return max(1, size // 2)


def parse_ots_page(
    address: str, body: Mapping[str, Any], *, tip: int
) -> tuple[list[EvmTx], bool, int | None]:
    """One ``ots_search*`` page → (transactions at or below `tip`, last page?, lowest block).
    Internal value is added later from the traces; here only the transaction's own fields."""
    txs_raw, receipts_raw = body.get("txs"), body.get("receipts")
    if not isinstance(txs_raw, list) or not isinstance(receipts_raw, list):
        raise ValueError("ots page without txs/receipts lists")
    receipts = {str(r.get("transactionHash", "")).lower(): r for r in receipts_raw}
    out: list[EvmTx] = []
    lowest: int | None = None
    for tx in txs_raw:
        txid = str(tx["hash"]).lower()
        receipt = receipts.get(txid)
        if receipt is None:
            raise ValueError(f"no receipt for {txid}")
        height = hex_quantity(tx["blockNumber"])
        lowest = height if lowest is None else min(lowest, height)
        if height > tip:
            continue  # mined after the snapshot block: the next scan sees it
        out.append(
            native_tx(
                address,
                txid=txid,
                block_height=height,
                block_time=_optional_quantity(receipt.get("timestamp") or tx.get("blockTimestamp")),
                position=hex_quantity(tx["transactionIndex"]),
                from_address=str(tx["from"]).lower(),
                to_address=str(tx["to"]).lower() if tx.get("to") else None,
                value=hex_quantity(tx["value"]),
                failed=hex_quantity(receipt["status"]) != 1,
                fee=receipt_fee(receipt, tx),
            )
        )
    return out, bool(body.get("lastPage")), lowest


def receipt_fee(receipt: Mapping[str, Any], tx: Mapping[str, Any]) -> int:
    """gasUsed × effectiveGasPrice (the legacy gasPrice before London), plus the L1 data fee
    OP-stack chains (Optimism, Base) put in the receipt."""
    price = receipt.get("effectiveGasPrice") or tx.get("gasPrice")
    fee = hex_quantity(receipt["gasUsed"]) * hex_quantity(price)
    if receipt.get("l1Fee"):
        fee += hex_quantity(receipt["l1Fee"])
    return fee


def _optional_quantity(value: object) -> int | None:
    return hex_quantity(value) if value is not None else None


def internal_flows(address: str, traces: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(value in, value out) of `address` through calls INSIDE one transaction (trace address
    not empty; the top-level call is the transaction itself). A frame moves value only if it
    and every frame above it succeeded: a revert undoes its sub-calls."""
    failed = {tuple(t.get("traceAddress") or ()) for t in traces if t.get("error")}

    def happened(path: tuple[int, ...]) -> bool:
        return not any(path[:n] in failed for n in range(len(path) + 1))

    received = sent = 0
    for t in traces:
        path = tuple(t.get("traceAddress") or ())
        if not path or not happened(path):
            continue
        action = t.get("action") or {}
        kind = t.get("type")
        if kind == "call" and action.get("callType", "call") == "call":
            source, target, value = action.get("from"), action.get("to"), action.get("value")
        elif kind == "create":
            result = t.get("result") or {}
            source, target, value = action.get("from"), result.get("address"), action.get("value")
        elif kind == "suicide":
            source, target = action.get("address"), action.get("refundAddress")
            value = action.get("balance")
        else:
            continue  # delegatecall/staticcall move no value; rewards are not transactions
        amount = hex_quantity(value or "0x0")
        if str(target).lower() == address:
            received += amount
        if str(source).lower() == address:
            sent += amount
    return received, sent


def parse_transfer_log(log: Mapping[str, Any]) -> TokenTransfer | None:
    """An ERC-20 Transfer log, or None for what only looks like one (ERC-721 puts the token
    id in a 4th topic and has no data; a removed log was reorganised away)."""
    topics = log.get("topics") or []
    data = str(log.get("data") or "0x")
    if log.get("removed") or len(topics) != 3 or len(data) != 66:
        return None
    return TokenTransfer(
        txid=str(log["transactionHash"]).lower(),
        log_index=hex_quantity(log["logIndex"]),
        token=str(log["address"]).lower(),
        from_address=topic_address(topics[1]),
        to_address=topic_address(topics[2]),
        value=str(decode_uint(data)),
        block_height=hex_quantity(log["blockNumber"]),
        block_time=_optional_quantity(log.get("blockTimestamp")),
        position=hex_quantity(log["transactionIndex"]),
    )


TOKEN_READS = ("decimals()", "symbol()", "name()")


def token_balance(token: str, answers: Mapping[str, object]) -> TokenBalance:
    """Metadata and balance from the `eth_call` answers (None where a call reverted or gave
    something unreadable: many tokens lack `name`, old ones return bytes32 symbols)."""

    def read(key: str, decode: Any) -> Any:
        raw = answers.get(key)
        if not isinstance(raw, str) or raw in ("0x", ""):
            return None
        try:
            return decode(raw)
        except ValueError:
            return None

    decimals = read("decimals()", decode_uint)
    return TokenBalance(
        token=token,
        decimals=decimals if decimals is not None and decimals <= 255 else None,
        symbol=read("symbol()", decode_text),
        name=read("name()", decode_text),
        balance=(str(b) if (b := read("balanceOf", decode_uint)) is not None else None),
    )


# --------------------------------------------------------------------------- the client


class JsonRpcClient:
    def __init__(
        self,
        urls: Mapping[Network, str],
        *,
        http: httpx.AsyncClient,
        deadline_seconds: float = 120.0,
        max_block_range: int = 1_000_000,
        ots_page_size: int = OTS_PAGE_SIZE,
        name: str = "jsonrpc",
    ) -> None:
        self.name = name
        self._urls = {n: u for n, u in urls.items() if u}
        self.networks: frozenset[Network] = frozenset(self._urls)
        self._http = http
        self._deadline = deadline_seconds
        self._max_range = max(1, max_block_range)
        self._page = max(1, ots_page_size)
        self._ids = itertools.count(1)
        # Learnt per network while running: the window size the node accepts for logs/traces.
        self._window: dict[tuple[Network, str], int] = {}

    async def aclose(self) -> None:
        return None

    async def fetch_address(self, address: str, network: Network) -> AddressReport:
        if network not in self.networks:
            raise UnsupportedNetwork(f"no RPC URL for {network}", provider=self.name)
        require_evm_address(address, provider=self.name)
        try:
            async with call_deadline(self._deadline, provider=self.name):
                return await self._fetch(address, network)
        except RpcFailure as exc:
            raise self._as_provider_error(exc) from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise TransientProviderError(
                f"malformed answer: {type(exc).__name__}: {exc}", provider=self.name
            ) from exc

    async def _fetch(self, address: str, network: Network) -> AddressReport:
        url = self._urls[network]
        tip = hex_quantity(await self._call(url, "eth_blockNumber", []))
        balance, nonce, genesis = await self._batch(
            url,
            [
                Call("eth_getBalance", [address, hex(tip)]),
                Call("eth_getTransactionCount", [address, hex(tip)]),
                Call("eth_getBalance", [address, "0x0"]),
            ],
        )
        account = EvmAccount(
            address=address,
            balance=str(hex_quantity(_required(balance))),
            nonce=hex_quantity(_required(nonce)),
            block_height=tip,
        )
        txs = await self._native_history(url, address, tip)
        internal = await self._internal_transfers(url, network, address, tip)
        txs = self._with_internal(address, txs, internal)
        if isinstance(genesis, str) and hex_quantity(genesis) > 0:
            # A node that kept no state for block 0 answers with an error instead; then the
            # reconciliation shows what is missing rather than this guessing.
            txs.insert(0, genesis_tx(address, hex_quantity(genesis)))
        transfers = await self._token_transfers(url, network, address, tip)
        txs, transfers = await self._with_block_times(url, txs, transfers)
        tokens = await self._tokens(url, address, sorted({t.token for t in transfers}), tip)
        return evm_report(account, merge_same_tx(txs), transfers, tokens)

    # --- history -----------------------------------------------------------------------

    async def _native_history(self, url: str, address: str, tip: int) -> list[EvmTx]:
        try:
            await self._call(url, "ots_getApiLevel", [])
        except RpcFailure as exc:
            if exc.unsupported:
                raise HistoryUnavailable(
                    "the node has no Otterscan API (ots_*): plain JSON-RPC cannot list an "
                    "address's transactions",
                    provider=self.name,
                ) from exc
            raise
        txs: list[EvmTx] = []
        cursor = tip + 1  # "before" is exclusive
        while True:
            body = await self._call(
                url, "ots_searchTransactionsBefore", [address, cursor, self._page]
            )
            if not isinstance(body, dict):
                raise ValueError("ots_searchTransactionsBefore answered no object")
            page, last, lowest = parse_ots_page(address, body, tip=tip)
            txs += page
            if last or lowest is None:
                return txs
            if lowest >= cursor:
                raise ValueError("ots_searchTransactionsBefore did not move backwards")
            cursor = lowest

    async def _internal_transfers(
        self, url: str, network: Network, address: str, tip: int
    ) -> dict[str, tuple[int, int]]:
        """txid -> (internal value in, out) for the transactions whose calls moved value."""
        candidates: set[str] = set()
        try:
            for side in ("fromAddress", "toAddress"):
                traces = await self._windowed(
                    url,
                    network,
                    "trace_filter",
                    tip,
                    lambda a, b, side=side: [
                        {"fromBlock": hex(a), "toBlock": hex(b), side: [address]}
                    ],
                )
                candidates |= {
                    str(t["transactionHash"]).lower()
                    for t in traces
                    if t.get("traceAddress") and t.get("transactionHash")
                }
        except RpcFailure as exc:
            if exc.unsupported:
                raise HistoryUnavailable(
                    "the node has no trace API (trace_filter): internal transfers would be missing",
                    provider=self.name,
                ) from exc
            raise
        flows: dict[str, tuple[int, int]] = {}
        ordered = sorted(candidates)
        answers = await self._batch(url, [Call("trace_transaction", [h]) for h in ordered])
        for txid, traces in zip(ordered, answers, strict=True):
            if not isinstance(traces, list):
                raise ValueError(f"trace_transaction({txid}) gave no list")
            received, sent = internal_flows(address, traces)
            if received or sent:
                flows[txid] = (received, sent)
        return flows

    @staticmethod
    def _with_internal(
        address: str, txs: list[EvmTx], internal: Mapping[str, tuple[int, int]]
    ) -> list[EvmTx]:
        out = []
        for tx in txs:
            flows = internal.get(tx.txid)
            if flows is None:
                out.append(tx)
                continue
            out.append(
                native_tx(
                    address,
                    txid=tx.txid,
                    block_height=tx.block_height,
                    block_time=tx.block_time,
                    position=tx.position,
                    from_address=tx.from_address,
                    to_address=tx.to_address,
                    value=int(tx.value),
                    failed=tx.failed,
                    fee=int(tx.fee) if tx.from_address == address else 0,
                    internal_in=flows[0],
                    internal_out=flows[1],
                )
            )
        missing = set(internal) - {t.txid for t in txs}
        if missing:
            # The Otterscan index lists every transaction whose traces touch the address;
            # a traced one it lacks means the two APIs disagree: try again later.
            raise ValueError(f"{len(missing)} traced transaction(s) missing from ots history")
        return out

    async def _token_transfers(
        self, url: str, network: Network, address: str, tip: int
    ) -> list[TokenTransfer]:
        topic = address_topic(address)
        found: dict[str, TokenTransfer] = {}
        for topics in ([TRANSFER_TOPIC, topic], [TRANSFER_TOPIC, None, topic]):
            logs = await self._windowed(
                url,
                network,
                "eth_getLogs",
                tip,
                lambda a, b, topics=topics: [
                    {"fromBlock": hex(a), "toBlock": hex(b), "topics": topics}
                ],
            )
            for log in logs:
                transfer = parse_transfer_log(log)
                if transfer is not None:  # a self-transfer matches both queries: once
                    found[transfer.key] = transfer
        return list(found.values())

    async def _windowed(
        self, url: str, network: Network, method: str, tip: int, params: Any
    ) -> list[dict[str, Any]]:
        """Run a block-range query over [0, tip] in windows, shrinking them when the node
        says a range is too large, and remembering the size that worked."""
        key = (network, method)
        size = self._window.get(key, self._max_range)
        out: list[dict[str, Any]] = []
        start = 0
        while start <= tip:
            end = min(start + size - 1, tip)
            try:
                result = await self._call(url, method, params(start, end))
            except RpcFailure as exc:
                if exc.too_large and size > 1 and not exc.unsupported:
                    size = smaller_window(size, exc)
                    self._window[key] = size
                    continue
                raise
            if not isinstance(result, list):
                raise ValueError(f"{method} answered no list")
            out += result
            start = end + 1
        return out

    async def _with_block_times(
        self, url: str, txs: list[EvmTx], transfers: list[TokenTransfer]
    ) -> tuple[list[EvmTx], list[TokenTransfer]]:
        """Nodes that put no `blockTimestamp` on receipts or logs: read the block headers
        (one batch) for the blocks still without a time."""
        records: list[EvmTx | TokenTransfer] = [*txs, *transfers]
        known = {r.block_height: r.block_time for r in records if r.block_time is not None}
        wanted = sorted({r.block_height for r in records if r.block_time is None} - set(known))
        if wanted:
            headers = await self._batch(
                url, [Call("eth_getBlockByNumber", [hex(h), False]) for h in wanted]
            )
            for height, header in zip(wanted, headers, strict=True):
                if isinstance(header, dict):
                    known[height] = hex_quantity(header["timestamp"])

        def timed(record: Any) -> Any:
            if record.block_time is not None or record.block_height not in known:
                return record
            return record.model_copy(update={"block_time": known[record.block_height]})

        return [timed(t) for t in txs], [timed(t) for t in transfers]

    async def _tokens(
        self, url: str, address: str, tokens: Sequence[str], tip: int
    ) -> list[TokenBalance]:
        if not tokens:
            return []
        reads = [*TOKEN_READS, "balanceOf"]
        calls = [
            Call(
                "eth_call",
                [
                    {
                        "to": token,
                        "data": encode_call("balanceOf(address)", address)
                        if what == "balanceOf"
                        else encode_call(what),
                    },
                    hex(tip),
                ],
            )
            for token in tokens
            for what in reads
        ]
        answers = await self._batch(url, calls, tolerate_errors=True)
        per_token = [answers[i : i + len(reads)] for i in range(0, len(answers), len(reads))]
        return [
            token_balance(token, dict(zip(reads, chunk, strict=True)))
            for token, chunk in zip(tokens, per_token, strict=True)
        ]

    # --- transport -----------------------------------------------------------------------

    async def _call(self, url: str, method: str, params: Sequence[Any]) -> Any:
        body = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        raw = await self._post(url, body)
        reply = _validate(_REPLY, raw, self.name)
        if reply.error is not None:
            raise RpcFailure(method, reply.error.code, reply.error.message)
        return reply.result

    async def _batch(
        self, url: str, calls: Sequence[Call], *, tolerate_errors: bool = False
    ) -> list[Any]:
        """One JSON-RPC batch request; answers in the order of `calls` (servers may reorder
        them, so they are matched by id). With `tolerate_errors`, a failed call gives None
        (a token without `name()` reverts); otherwise its error is raised — except for the
        genesis balance, which callers read as "unknown"."""
        if not calls:
            return []
        ids = [next(self._ids) for _ in calls]
        body = [
            {"jsonrpc": "2.0", "id": i, "method": c.method, "params": list(c.params)}
            for i, c in zip(ids, calls, strict=True)
        ]
        raw = await self._post(url, body)
        if raw.lstrip()[:1] == b"{":
            # Nodes without batch support answer one error object for the whole request.
            single = _validate(_REPLY, raw, self.name)
            if single.error is not None:
                return [await self._single(url, c, tolerate_errors) for c in calls]
        replies = {r.id: r for r in _validate(_BATCH, raw, self.name)}
        out: list[Any] = []
        for i, c in zip(ids, calls, strict=True):
            reply = replies.get(i)
            if reply is None:
                raise ValueError(f"the batch answer lacks {c.method} (id {i})")
            if reply.error is not None:
                failure = RpcFailure(c.method, reply.error.code, reply.error.message)
                if tolerate_errors or _is_genesis_read(c):
                    out.append(None)
                    continue
                raise failure
            out.append(reply.result)
        return out

    async def _single(self, url: str, call: Call, tolerate_errors: bool) -> Any:
        try:
            return await self._call(url, call.method, call.params)
        except RpcFailure:
            if tolerate_errors or _is_genesis_read(call):
                return None
            raise

    async def _post(self, url: str, body: object) -> bytes:
        where = httpx.URL(url).host  # never the path: Infura keeps the key there
        try:
            resp = await self._http.post(url, json=body)
        except httpx.TimeoutException as exc:
            raise TransientProviderError(f"timeout on {where}", provider=self.name) from exc
        except httpx.TransportError as exc:
            raise TransientProviderError(
                f"connection error on {where}: {type(exc).__name__}", provider=self.name
            ) from exc
        status = resp.status_code
        if status in (401, 402, 403):
            raise QuotaExhausted(
                f"the node refused the key or the quota is spent (HTTP {status})",
                provider=self.name,
                status_code=status,
                body=excerpt(resp),
            )
        if status in (408, 425, 429) or status >= 500:
            raise TransientProviderError(
                f"HTTP {status} from {where}",
                provider=self.name,
                status_code=status,
                body=excerpt(resp),
            )
        if status >= 400:
            raise PermanentProviderError(
                f"HTTP {status} from {where}",
                provider=self.name,
                status_code=status,
                body=excerpt(resp),
            )
        content = resp.content
        if "html" in resp.headers.get("content-type", "") or content.lstrip()[:1] == b"<":
            raise TransientProviderError(
                f"HTML page instead of JSON from {where}", provider=self.name, status_code=status
            )
        return content

    def _as_provider_error(self, exc: RpcFailure) -> ProviderError:
        if exc.rate_limited or exc.code == LIMIT_EXCEEDED:
            return TransientProviderError(f"rate limited: {exc}", provider=self.name)
        if exc.code == 402:
            return QuotaExhausted(str(exc), provider=self.name)
        if exc.unsupported:
            return HistoryUnavailable(str(exc), provider=self.name)
        # Anything else (a node hiccup, "header not found" while it syncs): worth a retry.
        return TransientProviderError(str(exc), provider=self.name)


def _is_genesis_read(call: Call) -> bool:
    return call.method == "eth_getBalance" and list(call.params)[-1:] == ["0x0"]


def _required(value: object) -> object:
    if value is None:
        raise ValueError("a required call gave no answer")
    return value


def _validate(adapter: TypeAdapter[Any], raw: bytes, provider: str) -> Any:
    try:
        return adapter.validate_json(raw)
    except ValidationError as exc:
        raise TransientProviderError(
            f"malformed JSON-RPC answer: {exc.error_count()} problem(s)", provider=provider
        ) from exc


__all__ = [
    "JsonRpcClient",
    "RpcFailure",
    "block_windows",
    "internal_flows",
    "parse_ots_page",
    "parse_transfer_log",
    "receipt_fee",
    "smaller_window",
    "token_balance",
]
