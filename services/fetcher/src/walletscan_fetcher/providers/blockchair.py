"""Blockchair REST client (Bitcoin, testnet, Litecoin, Dogecoin, Bitcoin Cash), up to 100
addresses per request.

One `fetch_addresses` call reads a batch of addresses:

1. ``GET /{chain}/dashboards/addresses/{a1},…,{an}?limit=T,U&offset=t,u`` → per-address stats,
   and the transaction hashes and UTXOs of the whole set, paged until the set's
   ``transaction_count`` and ``unspent_output_count`` are reached; ``context.state`` is the tip.
2. ``GET /{chain}/dashboards/transactions/{h1},…,{h10}`` → each transaction's inputs and
   outputs with their recipients and values, its fee and input total: what the per-address
   facts of ARCHITECTURE §5 need (the address dashboards only give a net balance change).

The facts are rebuilt from the transactions exactly as Esplora's are (received = outputs paying
the address, spent = inputs from it, fee and input_total of the whole transaction), and checked
against Blockchair's own per-address `received`/`spent` and UTXO sums; a mismatch means the
data moved while we read it (a transient error). The key, if any, goes in ``?key=`` and never
into messages. Error codes (docs): 402/436/437 quota, 430/434 IP blocked → `QuotaExhausted`;
429/435 rate limits, 500/503 → transient; 400 → permanent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator
from walletscan_contracts.chains import Network
from walletscan_contracts.events import AddressTx, Utxo

from walletscan_fetcher.providers.base import (
    AddressReport,
    ProviderError,
    QuotaExhausted,
    TransientProviderError,
    UnsupportedNetwork,
)
from walletscan_fetcher.providers.blockchair_eth import (
    CALL_PAGE_SIZE,
    ETH_CHAIN_PATH,
    ETH_DATA,
    EthAddressData,
    eth_report,
)
from walletscan_fetcher.providers.deadline import call_deadline
from walletscan_fetcher.providers.evm_records import require_evm_address
from walletscan_fetcher.providers.http import JsonGetter, require_plain_address
from walletscan_fetcher.providers.utxo_records import summary_from_txs, tip_covering

MAX_ADDRESSES = 100  # per dashboards/addresses call (docs)
MAX_TRANSACTIONS = 10  # per dashboards/transactions call (docs)
PAGE_SIZE = 1000  # hashes / UTXOs per page; the docs allow up to 10000

CHAIN_PATHS: dict[Network, str] = {
    Network.BITCOIN: "bitcoin",
    Network.BITCOIN_TESTNET: "bitcoin/testnet",
    Network.LITECOIN: "litecoin",
    Network.DOGECOIN: "dogecoin",
    Network.BITCOIN_CASH: "bitcoin-cash",
}

# Ethereum (issue 5): only `ethereum` and `ethereum/testnet` are in the docs, and which testnet
# the latter is was not pinned down, so only mainnet is served. See `blockchair_eth`.
EVM_CHAIN_PATHS: dict[Network, str] = {Network.ETHEREUM: ETH_CHAIN_PATH}

QUOTA_CODES = frozenset({402, 430, 434, 436, 437})
RATE_LIMIT_CODES = frozenset({429, 435})

NonNegInt = Annotated[int, Field(ge=0)]
TxId = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]

# --------------------------------------------------------------------------- response models


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class BlockchairContext(_Model):
    code: int
    error: str | None = None
    state: NonNegInt | None = None


class BlockchairAddressStats(_Model):
    balance: int
    received: NonNegInt
    spent: NonNegInt
    output_count: NonNegInt
    unspent_output_count: NonNegInt


class BlockchairSetStats(_Model):
    address_count: NonNegInt | None = None
    balance: int
    received: NonNegInt
    spent: NonNegInt
    output_count: NonNegInt
    unspent_output_count: NonNegInt
    transaction_count: NonNegInt


class BlockchairTxRef(_Model):
    """A `transactions` element with `?transaction_details=true`."""

    block_id: int
    hash: TxId
    time: str | None = None
    balance_change: int | None = None


class BlockchairUtxo(_Model):
    block_id: int
    transaction_hash: TxId
    index: NonNegInt
    value: NonNegInt
    address: str | None = None


class BlockchairSetData(_Model):
    set: BlockchairSetStats
    # Addresses without transactions are left out (docs); an empty set comes back as [].
    addresses: dict[str, BlockchairAddressStats]
    transactions: list[TxId | BlockchairTxRef]
    utxo: list[BlockchairUtxo]

    @field_validator("addresses", mode="before")
    @classmethod
    def _empty_list_is_empty_map(cls, value: Any) -> Any:
        return {} if value == [] else value


class BlockchairSetResponse(_Model):
    data: BlockchairSetData
    context: BlockchairContext


class BlockchairTxInfo(_Model):
    block_id: int
    hash: TxId
    time: str
    fee: NonNegInt
    input_total: NonNegInt
    output_total: NonNegInt
    is_coinbase: bool = False


class BlockchairIo(_Model):
    recipient: str
    value: NonNegInt


class BlockchairTxDetail(_Model):
    transaction: BlockchairTxInfo
    inputs: list[BlockchairIo]
    outputs: list[BlockchairIo]


class BlockchairTxsResponse(_Model):
    data: dict[str, BlockchairTxDetail]
    context: BlockchairContext

    @field_validator("data", mode="before")
    @classmethod
    def _empty_list_is_empty_map(cls, value: Any) -> Any:
        return {} if value == [] else value


class BlockchairErrorBody(_Model):
    data: Any = None
    context: BlockchairContext


class BlockchairEthResponse(_Model):
    data: Any = None  # {address: EthAddressData}, or [] when the address is unknown
    context: BlockchairContext


_ETH = TypeAdapter(BlockchairEthResponse)
_SET = TypeAdapter(BlockchairSetResponse)
_TXS = TypeAdapter(BlockchairTxsResponse)
_ERROR = TypeAdapter(BlockchairErrorBody)

# --------------------------------------------------------------------------- pure parsing


def parse_time(text: str) -> int:
    """Blockchair's ``YYYY-MM-DD hh:ii:ss`` (UTC) as unix seconds."""
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp())


def tx_ids(refs: Sequence[str | BlockchairTxRef]) -> list[str]:
    return [r if isinstance(r, str) else r.hash for r in refs]


def normalise_tx(detail: BlockchairTxDetail, address: str) -> AddressTx | None:
    """The transaction as seen from `address`, or None if it does not touch it."""
    received = sum(o.value for o in detail.outputs if o.recipient == address)
    spent = sum(i.value for i in detail.inputs if i.recipient == address)
    touches = any(o.recipient == address for o in detail.outputs) or any(
        i.recipient == address for i in detail.inputs
    )
    if not touches:
        return None
    tx = detail.transaction
    confirmed = tx.block_id >= 0  # Blockchair gives -1 to mempool transactions
    return AddressTx(
        txid=tx.hash,
        received=received,
        spent=spent,
        fee=0 if tx.is_coinbase else tx.fee,
        input_total=0 if tx.is_coinbase else tx.input_total,
        block_height=tx.block_id if confirmed else None,
        block_time=parse_time(tx.time) if confirmed else None,
    )


def to_utxo(u: BlockchairUtxo) -> Utxo:
    return Utxo(
        txid=u.transaction_hash,
        vout=u.index,
        value=u.value,
        block_height=u.block_id if u.block_id >= 0 else None,
    )


def build_reports(
    addresses: Sequence[str],
    stats: Mapping[str, BlockchairAddressStats],
    details: Mapping[str, BlockchairTxDetail],
    utxos: Sequence[BlockchairUtxo],
    tip_height: int,
) -> dict[str, AddressReport]:
    """Per-address reports of one batch, cross-checked against Blockchair's own totals.
    Raises ValueError on a mismatch (the data changed between pages)."""
    reports: dict[str, AddressReport] = {}
    for address in addresses:
        txs = [t for d in details.values() if (t := normalise_tx(d, address)) is not None]
        summary = summary_from_txs(address, txs)
        own = [to_utxo(u) for u in utxos if u.address == address]
        st = stats.get(address)
        received = st.received if st else 0
        spent = st.spent if st else 0
        if (received, spent) != (
            summary.chain_funded + summary.mempool_funded,
            summary.chain_spent + summary.mempool_spent,
        ):
            msg = f"{address}: transactions do not add up to received {received} / spent {spent}"
            raise ValueError(msg)
        if sum(u.value for u in own) != summary.balance:
            msg = f"{address}: UTXOs do not add up to the balance {summary.balance}"
            raise ValueError(msg)
        reports[address] = AddressReport(
            summary=summary, txs=txs, utxos=own, tip_height=tip_covering(tip_height, txs)
        )
    return reports


def classify(status: int, body: str, retry_after: float | None) -> ProviderError | None:
    """Blockchair's documented codes (HTTP status and ``context.code`` agree)."""
    code = status
    with contextlib.suppress(ValueError):
        code = _ERROR.validate_json(body).context.code
    if code in QUOTA_CODES or status in QUOTA_CODES:
        return QuotaExhausted(
            f"limit reached (code {code})", provider="blockchair", status_code=status, body=body
        )
    if code in RATE_LIMIT_CODES or status in RATE_LIMIT_CODES:
        return TransientProviderError(
            f"rate limited (code {code})",
            provider="blockchair",
            status_code=status,
            body=body,
            retry_after=retry_after,
        )
    return None


# --------------------------------------------------------------------------- the client


class BlockchairClient:
    max_batch = MAX_ADDRESSES

    def __init__(
        self,
        base_url: str,
        *,
        http: httpx.AsyncClient,
        api_key: str | None = None,
        deadline_seconds: float = 60,
        networks: frozenset[Network] | None = None,
        name: str = "blockchair",
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.name = name
        self.networks: frozenset[Network] = networks or frozenset({*CHAIN_PATHS, *EVM_CHAIN_PATHS})
        self._base = base_url.rstrip("/")
        self._key = api_key
        self._deadline = deadline_seconds
        self._page = page_size
        self._eth_page = min(page_size, CALL_PAGE_SIZE)
        self._get = JsonGetter(http, provider=name, classify=classify)

    async def aclose(self) -> None:
        return None

    async def fetch_address(self, address: str, network: Network) -> AddressReport:
        return (await self.fetch_addresses([address], network))[address]

    async def fetch_addresses(
        self, addresses: Sequence[str], network: Network
    ) -> dict[str, AddressReport]:
        if network in EVM_CHAIN_PATHS and network in self.networks:
            async with call_deadline(self._deadline, provider=self.name):
                out: dict[str, AddressReport] = {}
                for address in dict.fromkeys(addresses):
                    require_evm_address(address, provider=self.name)
                    out[address] = await self._fetch_eth(EVM_CHAIN_PATHS[network], address)
                return out
        chain = CHAIN_PATHS.get(network)
        if chain is None or network not in self.networks:
            raise UnsupportedNetwork(f"{network} is not served", provider=self.name)
        unique = list(dict.fromkeys(addresses))
        for address in unique:
            # The batch goes into the URL path as a comma-separated list.
            require_plain_address(address, provider=self.name, separators=",/")
        async with call_deadline(self._deadline, provider=self.name):
            reports: dict[str, AddressReport] = {}
            for start in range(0, len(unique), MAX_ADDRESSES):
                part = unique[start : start + MAX_ADDRESSES]
                reports.update(await self._fetch_set(chain, part))
            return reports

    async def _fetch_set(self, chain: str, addresses: list[str]) -> dict[str, AddressReport]:
        url = f"{self._base}/{chain}/dashboards/addresses/{','.join(addresses)}"
        hashes: list[str] = []
        utxos: list[BlockchairUtxo] = []
        stats: dict[str, BlockchairAddressStats] = {}
        tip = 0
        tx_offset = utxo_offset = 0
        while True:
            page = await self._get.get(
                url,
                _SET,
                params=self._params(
                    limit=f"{self._page},{self._page}", offset=f"{tx_offset},{utxo_offset}"
                ),
            )
            self._check(page.context)
            data = page.data
            if tx_offset == 0 and utxo_offset == 0:
                stats, tip = dict(data.addresses), page.context.state or 0
            hashes += tx_ids(data.transactions)
            utxos += data.utxo
            tx_offset += len(data.transactions)
            utxo_offset += len(data.utxo)
            tx_done = tx_offset >= data.set.transaction_count or not data.transactions
            utxo_done = utxo_offset >= data.set.unspent_output_count or not data.utxo
            if tx_done and utxo_done:
                if (tx_offset, utxo_offset) != (
                    data.set.transaction_count,
                    data.set.unspent_output_count,
                ):
                    raise TransientProviderError(
                        f"history changed while paging: {tx_offset} txs / {utxo_offset} utxos "
                        f"of {data.set.transaction_count} / {data.set.unspent_output_count}",
                        provider=self.name,
                    )
                break
        unique_hashes = list(dict.fromkeys(hashes))
        details: dict[str, BlockchairTxDetail] = {}
        for start in range(0, len(unique_hashes), MAX_TRANSACTIONS):
            part = unique_hashes[start : start + MAX_TRANSACTIONS]
            resp = await self._get.get(
                f"{self._base}/{chain}/dashboards/transactions/{','.join(part)}",
                _TXS,
                params=self._params(),
            )
            self._check(resp.context)
            missing = set(part) - set(resp.data)
            if missing:
                raise TransientProviderError(
                    f"{len(missing)} transactions missing from the answer", provider=self.name
                )
            details.update({h: resp.data[h] for h in part})
        try:
            return build_reports(addresses, stats, details, utxos, tip)
        except ValueError as exc:
            raise TransientProviderError(f"inconsistent data: {exc}", provider=self.name) from exc

    async def _fetch_eth(self, chain: str, address: str) -> AddressReport:
        """Pages `calls` until `address.call_count`; token balances and nonce once."""
        url = f"{self._base}/{chain}/dashboards/address/{address}"
        first: EthAddressData | None = None
        calls: list[Any] = []
        tip = 0
        while True:
            extra = {"erc_20": "precise", "nonce": "true"} if first is None else {}
            page = await self._get.get(
                url,
                _ETH,
                params=self._params(limit=str(self._eth_page), offset=str(len(calls)), **extra),
            )
            self._check(page.context)
            try:
                found = ETH_DATA.validate_python(page.data or {})
            except ValueError as exc:
                raise TransientProviderError(
                    f"malformed address dashboard: {exc}", provider=self.name
                ) from exc
            data = found.get(address)
            if data is None:
                if first is None:  # unknown to Blockchair: no history at all
                    return eth_report(address, None, page.context.state or 0, parse_time=parse_time)
                raise TransientProviderError(
                    "the address vanished while paging", provider=self.name
                )
            if first is None:
                first, tip = data, page.context.state or 0
            calls += data.calls
            if len(calls) >= first.address.call_count or not data.calls:
                break
        if len(calls) != first.address.call_count:
            raise TransientProviderError(
                f"history changed while paging: {len(calls)} of {first.address.call_count} calls",
                provider=self.name,
            )
        whole = first.model_copy(update={"calls": calls})
        return eth_report(address, whole, tip, parse_time=parse_time)

    def _params(self, **params: str) -> dict[str, str]:
        if self._key:
            params["key"] = self._key
        return params

    def _check(self, context: BlockchairContext) -> None:
        """A 200 whose ``context.code`` says otherwise is the error it names."""
        if context.code == 200:
            return
        error = classify(context.code, "", None)
        if error is not None:
            raise error
        raise TransientProviderError(
            f"context code {context.code}: {context.error or ''}".strip(),
            provider=self.name,
            status_code=context.code,
        )


__all__ = [
    "CHAIN_PATHS",
    "EVM_CHAIN_PATHS",
    "MAX_ADDRESSES",
    "MAX_TRANSACTIONS",
    "BlockchairClient",
    "BlockchairSetResponse",
    "BlockchairTxsResponse",
    "build_reports",
    "classify",
    "normalise_tx",
    "parse_time",
]
