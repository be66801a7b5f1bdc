"""Esplora REST client (Blockstream esplora, mempool.space, self-hosted electrs).

One `fetch_address` call reads a consistent snapshot of one address:

1. ``GET /address/:a``                     → `AddressSummary` (chain_stats / mempool_stats)
2. ``GET /address/:a/txs/chain[/:last]``   → every confirmed tx, 25 per page (skipped when the
                                              summary says the address has no confirmed tx)
3. ``GET /address/:a/txs/mempool``         → unconfirmed txs (skipped when there are none)
4. ``GET /address/:a/utxo``                → `Utxo` list (skipped when the balance is zero)
5. ``GET /blocks/tip/height``              → tip height (cached per network for a few seconds)

The pieces are cross-checked against the summary (confirmed tx count, mempool tx count, UTXO
sum == balance); a mismatch means the address changed while we read it, and is raised as a
`TransientProviderError` so the caller retries. Responses are untrusted: they are validated
with pydantic models; non-JSON, HTML pages and wrong shapes are transient errors too.

No retries, rate limits or breakers here (the resilience wrapper adds them); only an overall
deadline around the whole call, since httpx timeouts are per read.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from functools import partial
from typing import Annotated
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from walletscan_contracts.chains import Network
from walletscan_contracts.events import AddressSummary, AddressTx, Utxo

from walletscan_fetcher.providers.base import (
    AddressReport,
    ProviderError,
    TransientProviderError,
    UnsupportedNetwork,
)
from walletscan_fetcher.providers.deadline import call_deadline
from walletscan_fetcher.providers.http import JsonGetter, parse_retry_after, require_plain_address
from walletscan_fetcher.providers.utxo_records import tip_covering

CHAIN_PAGE_SIZE = 25  # esplora's CHAIN_TXS_PER_PAGE, fixed server-side
MEMPOOL_CAP = 50  # /txs/mempool returns at most this many, without paging

NonNegInt = Annotated[int, Field(ge=0)]
TxId = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]

# --------------------------------------------------------------------------- response models


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class EsploraStats(_Model):
    tx_count: NonNegInt
    funded_txo_count: NonNegInt
    funded_txo_sum: NonNegInt
    spent_txo_count: NonNegInt
    spent_txo_sum: NonNegInt


class EsploraAddress(_Model):
    address: str
    chain_stats: EsploraStats
    mempool_stats: EsploraStats

    @model_validator(mode="after")
    def _balances_not_negative(self) -> EsploraAddress:
        c, m = self.chain_stats, self.mempool_stats
        confirmed = c.funded_txo_sum - c.spent_txo_sum
        if confirmed < 0 or confirmed + m.funded_txo_sum - m.spent_txo_sum < 0:
            raise ValueError("stats give a negative balance")
        return self


class EsploraStatus(_Model):
    confirmed: bool
    block_height: NonNegInt | None = None
    block_hash: str | None = None
    block_time: NonNegInt | None = None

    @model_validator(mode="after")
    def _confirmed_has_block(self) -> EsploraStatus:
        if self.confirmed and (self.block_height is None or self.block_time is None):
            raise ValueError("a confirmed status needs block_height and block_time")
        return self


class EsploraOutput(_Model):
    scriptpubkey_address: str | None = None  # absent for OP_RETURN and bare scripts
    scriptpubkey_type: str | None = None
    value: NonNegInt


class EsploraInput(_Model):
    txid: str | None = None
    vout: int | None = None
    is_coinbase: bool = False
    prevout: EsploraOutput | None = None

    @model_validator(mode="after")
    def _prevout_unless_coinbase(self) -> EsploraInput:
        if self.prevout is None and not self.is_coinbase:
            raise ValueError("a non-coinbase input needs its prevout")
        return self


class EsploraTx(_Model):
    txid: TxId
    fee: NonNegInt
    vin: list[EsploraInput]
    vout: list[EsploraOutput]
    status: EsploraStatus


class EsploraUtxo(_Model):
    txid: TxId
    vout: NonNegInt
    value: NonNegInt
    status: EsploraStatus


_ADDRESS = TypeAdapter(EsploraAddress)
_TXS = TypeAdapter(list[EsploraTx])
_UTXOS = TypeAdapter(list[EsploraUtxo])
_TIP = re.compile(r"^\s*(\d{1,10})\s*$")

# --------------------------------------------------------------------------- pure parsing


def parse_summary(body: bytes | str) -> EsploraAddress:
    """Validate a ``/address/:a`` body (raises pydantic's ValidationError)."""
    return _ADDRESS.validate_json(body)


def parse_txs(body: bytes | str) -> list[EsploraTx]:
    """Validate a ``/txs``, ``/txs/chain…`` or ``/txs/mempool`` body."""
    return _TXS.validate_json(body)


def parse_utxos(body: bytes | str) -> list[EsploraUtxo]:
    return _UTXOS.validate_json(body)


def parse_tip_height(body: str) -> int:
    m = _TIP.match(body)
    if m is None:
        raise ValueError(f"not a block height: {body[:40]!r}")
    return int(m.group(1))


def to_summary(raw: EsploraAddress, address: str) -> AddressSummary:
    return AddressSummary(
        address=address,
        chain_funded=raw.chain_stats.funded_txo_sum,
        chain_spent=raw.chain_stats.spent_txo_sum,
        mempool_funded=raw.mempool_stats.funded_txo_sum,
        mempool_spent=raw.mempool_stats.spent_txo_sum,
        chain_tx_count=raw.chain_stats.tx_count,
        mempool_tx_count=raw.mempool_stats.tx_count,
    )


def normalise_tx(tx: EsploraTx, address: str) -> AddressTx:
    """One Esplora transaction as seen from `address` (ARCHITECTURE §5)."""
    received = sum(o.value for o in tx.vout if o.scriptpubkey_address == address)
    spent = sum(
        i.prevout.value
        for i in tx.vin
        if i.prevout is not None and i.prevout.scriptpubkey_address == address
    )
    input_total = sum(i.prevout.value for i in tx.vin if i.prevout is not None)
    confirmed = tx.status.confirmed
    return AddressTx(
        txid=tx.txid,
        received=received,
        spent=spent,
        fee=tx.fee,
        input_total=input_total,
        block_height=tx.status.block_height if confirmed else None,
        block_time=tx.status.block_time if confirmed else None,
    )


def to_utxo(u: EsploraUtxo) -> Utxo:
    height = u.status.block_height if u.status.confirmed else None
    return Utxo(txid=u.txid, vout=u.vout, value=u.value, block_height=height)


def classify(
    status: int, body: str, retry_after: float | None, *, provider: str = "esplora"
) -> ProviderError | None:
    # Esplora never redirects: a 3xx (or 1xx) comes from a proxy or load balancer in the way,
    # which may be gone on the next attempt.
    if status < 400:
        return TransientProviderError(
            f"unexpected HTTP {status}", provider=provider, status_code=status, body=body
        )
    return None


# --------------------------------------------------------------------------- the client


class EsploraClient:
    """An Esplora-compatible provider (see the module docstring for the calls it makes)."""

    def __init__(
        self,
        base_urls: Mapping[Network, str],
        *,
        http: httpx.AsyncClient | None = None,
        deadline_seconds: float = 60,
        name: str = "esplora",
        tip_cache_seconds: float = 10.0,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        self.name = name
        self.networks: frozenset[Network] = frozenset(base_urls)
        self._base = {n: url.rstrip("/") for n, url in base_urls.items()}
        self._deadline = deadline_seconds
        self._tip_ttl = tip_cache_seconds
        self._tips: dict[Network, tuple[float, int]] = {}
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=timeout or httpx.Timeout(15.0, connect=5.0),
            headers={"User-Agent": "walletscan/0.1", "Accept": "application/json"},
            follow_redirects=False,
        )
        self._get = JsonGetter(self._http, provider=name, classify=partial(classify, provider=name))

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> EsploraClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def fetch_address(self, address: str, network: Network) -> AddressReport:
        base = self._base.get(network)
        if base is None:
            raise UnsupportedNetwork(f"{network} is not configured", provider=self.name)
        require_plain_address(address, provider=self.name)
        async with call_deadline(self._deadline, provider=self.name):
            return await self._fetch(base, address, network)

    # ---- one snapshot

    async def _fetch(self, base: str, address: str, network: Network) -> AddressReport:
        root = f"{base}/address/{quote(address, safe='')}"
        raw_summary = await self._get.get(root, _ADDRESS)
        summary = to_summary(raw_summary, address)

        confirmed: dict[str, EsploraTx] = {}
        if summary.chain_tx_count > 0:
            confirmed = await self._chain_history(root)
        if len(confirmed) != summary.chain_tx_count:
            raise TransientProviderError(
                f"history changed while paging: {len(confirmed)} confirmed txs fetched, "
                f"summary says {summary.chain_tx_count}",
                provider=self.name,
            )

        unconfirmed: list[EsploraTx] = []
        if summary.mempool_tx_count > 0:
            raw_mempool = await self._get.get(f"{root}/txs/mempool", _TXS)
            seen: set[str] = set()
            for tx in raw_mempool:
                if tx.txid in confirmed or tx.txid in seen:
                    continue  # confirmed meanwhile (prefer the confirmed copy) or repeated
                if tx.status.confirmed:
                    raise TransientProviderError(
                        "history changed while fetching: a confirmed tx missing from the "
                        "confirmed history",
                        provider=self.name,
                    )
                seen.add(tx.txid)
                unconfirmed.append(tx)
            capped = len(raw_mempool) >= MEMPOOL_CAP and summary.mempool_tx_count > MEMPOOL_CAP
            if len(unconfirmed) != summary.mempool_tx_count and not capped:
                raise TransientProviderError(
                    f"mempool changed while fetching: {len(unconfirmed)} unconfirmed txs, "
                    f"summary says {summary.mempool_tx_count}",
                    provider=self.name,
                )

        utxos: list[Utxo] = []
        if summary.balance > 0 or summary.mempool_funded > 0:
            utxos = [to_utxo(u) for u in await self._get.get(f"{root}/utxo", _UTXOS)]
            if sum(u.value for u in utxos) != summary.balance:
                raise TransientProviderError(
                    f"utxo set changed while fetching: utxos sum to "
                    f"{sum(u.value for u in utxos)}, summary balance is {summary.balance}",
                    provider=self.name,
                )

        txs = [normalise_tx(tx, address) for tx in unconfirmed]
        txs += [normalise_tx(tx, address) for tx in confirmed.values()]
        tip = tip_covering(await self._tip_height(base, network), [*txs, *utxos])
        return AddressReport(summary=summary, txs=txs, utxos=utxos, tip_height=tip)

    async def _chain_history(self, root: str) -> dict[str, EsploraTx]:
        """Every confirmed tx, newest first, paging with the last txid seen."""
        txs: dict[str, EsploraTx] = {}
        url = f"{root}/txs/chain"
        last_seen: str | None = None
        while True:
            page = await self._get.get(url, _TXS)
            new = 0
            for tx in page:
                if not tx.status.confirmed:
                    raise TransientProviderError(
                        f"unconfirmed tx {tx.txid} in the confirmed history", provider=self.name
                    )
                if tx.txid not in txs:
                    txs[tx.txid] = tx
                    new += 1
            if len(page) < CHAIN_PAGE_SIZE:
                return txs
            last = page[-1].txid
            if last == last_seen or new == 0:
                raise TransientProviderError(
                    f"server repeated a history page after {last_seen}", provider=self.name
                )
            last_seen = last
            url = f"{root}/txs/chain/{last}"

    async def _tip_height(self, base: str, network: Network) -> int:
        cached = self._tips.get(network)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self._tip_ttl:
            return cached[1]
        resp = await self._get.response(f"{base}/blocks/tip/height")
        try:
            height = parse_tip_height(resp.text)
        except ValueError as exc:
            raise TransientProviderError(
                f"malformed tip height: {resp.text[:40]!r}", provider=self.name
            ) from exc
        self._tips[network] = (now, height)
        return height


__all__ = [
    "CHAIN_PAGE_SIZE",
    "MEMPOOL_CAP",
    "EsploraAddress",
    "EsploraClient",
    "EsploraInput",
    "EsploraOutput",
    "EsploraStats",
    "EsploraStatus",
    "EsploraTx",
    "EsploraUtxo",
    "classify",
    "normalise_tx",
    "parse_retry_after",
    "parse_summary",
    "parse_tip_height",
    "parse_txs",
    "parse_utxos",
    "to_summary",
    "to_utxo",
]
