"""Tatum v3 REST client (Bitcoin, testnet, Litecoin, Dogecoin, Bitcoin Cash); the key goes in
the ``x-api-key`` header, one key per network kind (Tatum keys are mainnet or testnet).

One `fetch_address` call:

1. ``GET /v3/{chain}/address/balance/{a}`` → ``{incoming, outgoing, incomingPending,
   outgoingPending}`` as decimal strings in coins (confirmed + pending), for the cross-check.
2. ``GET /v3/{chain}/transaction/address/{a}?pageSize=50&offset=n`` → transactions (bcoin
   JSON: values in satoshi, each input with its spent ``coin``), paged until a short page.
3. ``GET /v3/{chain}/info`` → ``blocks`` (tip height).

Tatum has no address UTXO list in v3: the UTXOs are the address's outputs no transaction of
its history spends (complete, because a spend of its output is part of its history). Shapes
from Tatum's OpenAPI (tatum-js generated models BtcTx/BtcTxInput/BtcTxOutput/BtcBasedBalance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Annotated
from urllib.parse import quote

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
from walletscan_fetcher.providers.deadline import call_deadline
from walletscan_fetcher.providers.evm_records import require_evm_address
from walletscan_fetcher.providers.http import JsonGetter, require_plain_address
from walletscan_fetcher.providers.tatum_evm import (
    BLOCK_NUMBER,
    ETH_BALANCE,
    ETH_TXS,
    EVM_CHAIN_PATHS,
    TatumEthTx,
    eth_report,
)
from walletscan_fetcher.providers.utxo_records import summary_from_txs, tip_covering

PAGE_SIZE = 50  # Tatum's maximum pageSize for address transactions
COINBASE_PREV = "0" * 64

CHAIN_PATHS: dict[Network, str] = {
    Network.BITCOIN: "bitcoin",
    Network.BITCOIN_TESTNET: "bitcoin",  # same path; a testnet key selects the network
    Network.LITECOIN: "litecoin",
    Network.DOGECOIN: "dogecoin",
    Network.BITCOIN_CASH: "bcash",
}

NonNegInt = Annotated[int, Field(ge=0)]
TxId = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]
SATOSHI = Decimal(100_000_000)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def coins_to_base_units(text: str) -> int:
    """``"0.00012345"`` -> 12345, exactly; more than 8 decimals or junk is an error."""
    try:
        value = Decimal(text) * SATOSHI
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"not an amount in satoshi: {text!r}")
    return int(value)


Amount = Annotated[str, Field(pattern=r"^\d+(\.\d{1,8})?$")]


class TatumBalance(_Model):
    incoming: Amount
    outgoing: Amount
    incomingPending: Amount = "0"
    outgoingPending: Amount = "0"

    def sats(self) -> tuple[int, int, int, int]:
        return (
            coins_to_base_units(self.incoming),
            coins_to_base_units(self.outgoing),
            coins_to_base_units(self.incomingPending),
            coins_to_base_units(self.outgoingPending),
        )


class TatumPrevout(_Model):
    hash: str
    index: NonNegInt


class TatumCoin(_Model):
    value: NonNegInt
    address: str | None = None
    coinbase: bool = False


class TatumInput(_Model):
    prevout: TatumPrevout
    coin: TatumCoin | None = None

    @property
    def is_coinbase(self) -> bool:
        # `coin.coinbase` says the *spent coin* came from a coinbase, not that this input is one.
        return self.prevout.hash == COINBASE_PREV


class TatumOutput(_Model):
    value: NonNegInt
    address: str | None = None


class TatumTx(_Model):
    hash: TxId
    fee: NonNegInt
    blockNumber: NonNegInt | None = None
    time: NonNegInt | None = None
    inputs: list[TatumInput]
    outputs: list[TatumOutput]

    @field_validator("inputs")
    @classmethod
    def _coins_unless_coinbase(cls, inputs: list[TatumInput]) -> list[TatumInput]:
        for i in inputs:
            if i.coin is None and not i.is_coinbase:
                raise ValueError("a non-coinbase input needs its coin")
        return inputs


class TatumInfo(_Model):
    blocks: NonNegInt


class TatumErrorBody(_Model):
    statusCode: int | None = None
    errorCode: str | None = None
    message: str | None = None


_BALANCE = TypeAdapter(TatumBalance)
_TXS = TypeAdapter(list[TatumTx])
_INFO = TypeAdapter(TatumInfo)

# --------------------------------------------------------------------------- pure parsing


def normalise_tx(tx: TatumTx, address: str) -> AddressTx:
    coinbase = any(i.is_coinbase for i in tx.inputs)
    received = sum(o.value for o in tx.outputs if o.address == address)
    spent = sum(i.coin.value for i in tx.inputs if i.coin is not None and i.coin.address == address)
    input_total = 0 if coinbase else sum(i.coin.value for i in tx.inputs if i.coin is not None)
    confirmed = tx.blockNumber is not None
    return AddressTx(
        txid=tx.hash,
        received=received,
        spent=spent,
        fee=0 if coinbase else tx.fee,
        input_total=input_total,
        block_height=tx.blockNumber if confirmed else None,
        block_time=tx.time if confirmed else None,
    )


def unspent_outputs(txs: Sequence[TatumTx], address: str) -> list[Utxo]:
    spent = {(i.prevout.hash, i.prevout.index) for t in txs for i in t.inputs}
    return [
        Utxo(txid=t.hash, vout=n, value=o.value, block_height=t.blockNumber)
        for t in txs
        for n, o in enumerate(t.outputs)
        if o.address == address and (t.hash, n) not in spent
    ]


def build_report(
    address: str, balance: TatumBalance, raw_txs: Sequence[TatumTx], tip_height: int
) -> AddressReport:
    """Raises ValueError when the history does not add up to Tatum's own balance."""
    by_id = {t.hash: t for t in raw_txs}  # pages may overlap when a tx arrives meanwhile
    txs = [normalise_tx(t, address) for t in by_id.values()]
    summary = summary_from_txs(address, txs)
    incoming, outgoing, incoming_pending, outgoing_pending = balance.sats()
    rebuilt = (
        summary.chain_funded + summary.mempool_funded,
        summary.chain_spent + summary.mempool_spent,
        summary.mempool_funded,
        summary.mempool_spent,
    )
    if rebuilt != (incoming, outgoing, incoming_pending, outgoing_pending):
        msg = f"history adds up to {rebuilt}, balance says {balance.sats()}"
        raise ValueError(msg)
    utxos = unspent_outputs(list(by_id.values()), address)
    return AddressReport(
        summary=summary, txs=txs, utxos=utxos, tip_height=tip_covering(tip_height, txs)
    )


def classify(status: int, body: str, retry_after: float | None) -> ProviderError | None:
    # 401: key invalid or inactive; 402/403 with a credit error: out of credits. Another
    # provider can serve; retrying cannot.
    if status in (401, 402) or (status == 403 and "credit" in body.lower()):
        return QuotaExhausted(
            f"key refused or out of credits (HTTP {status})", provider="tatum", status_code=status
        )
    return None


# --------------------------------------------------------------------------- the client


class TatumClient:
    def __init__(
        self,
        base_url: str,
        keys: Mapping[Network, str],
        *,
        http: httpx.AsyncClient,
        deadline_seconds: float = 60,
        name: str = "tatum",
    ) -> None:
        self.name = name
        self._keys = dict(keys)
        self.networks: frozenset[Network] = frozenset(
            n for n in keys if n in CHAIN_PATHS or n in EVM_CHAIN_PATHS
        )
        self._base = base_url.rstrip("/")
        self._deadline = deadline_seconds
        self._get = JsonGetter(http, provider=name, classify=classify)

    async def aclose(self) -> None:
        return None

    async def fetch_address(self, address: str, network: Network) -> AddressReport:
        if network not in self.networks:
            raise UnsupportedNetwork(f"{network} is not configured", provider=self.name)
        if network in EVM_CHAIN_PATHS:
            require_evm_address(address, provider=self.name)
            async with call_deadline(self._deadline, provider=self.name):
                return await self._fetch_evm(address, network)
        require_plain_address(address, provider=self.name, separators="/")
        async with call_deadline(self._deadline, provider=self.name):
            return await self._fetch(address, network)

    async def _fetch_evm(self, address: str, network: Network) -> AddressReport:
        root = f"{self._base}/v3/{EVM_CHAIN_PATHS[network]}"
        headers = {"x-api-key": self._keys[network]}
        tip = await self._get.get(f"{root}/block/current", BLOCK_NUMBER, headers=headers)
        rows: list[TatumEthTx] = []
        while True:
            page = await self._get.get(
                f"{root}/account/transaction/{address}",
                ETH_TXS,
                params={
                    "pageSize": str(PAGE_SIZE),
                    "offset": str(len(rows)),
                    "from": "0",
                    "to": str(tip),
                    "sort": "ASC",
                },
                headers=headers,
            )
            rows += page
            if len(page) < PAGE_SIZE:
                break
        balance = await self._get.get(
            f"{root}/account/balance/{address}", ETH_BALANCE, headers=headers
        )
        return eth_report(address, balance, rows, tip)

    async def _fetch(self, address: str, network: Network) -> AddressReport:
        root = f"{self._base}/v3/{CHAIN_PATHS[network]}"
        headers = {"x-api-key": self._keys[network]}
        a = quote(address, safe="")
        balance = await self._get.get(f"{root}/address/balance/{a}", _BALANCE, headers=headers)
        txs: list[TatumTx] = []
        offset = 0
        while True:
            page = await self._get.get(
                f"{root}/transaction/address/{a}",
                _TXS,
                params={"pageSize": str(PAGE_SIZE), "offset": str(offset)},
                headers=headers,
            )
            txs += page
            offset += len(page)
            if len(page) < PAGE_SIZE:
                break
        info = await self._get.get(f"{root}/info", _INFO, headers=headers)
        try:
            return build_report(address, balance, txs, info.blocks)
        except ValueError as exc:
            raise TransientProviderError(f"inconsistent data: {exc}", provider=self.name) from exc


__all__ = [
    "CHAIN_PATHS",
    "EVM_CHAIN_PATHS",
    "PAGE_SIZE",
    "TatumBalance",
    "TatumClient",
    "TatumTx",
    "build_report",
    "classify",
    "coins_to_base_units",
    "normalise_tx",
    "unspent_outputs",
]
