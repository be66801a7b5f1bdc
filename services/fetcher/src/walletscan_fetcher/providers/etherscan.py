"""Etherscan V2 client (one API for 60+ EVM chains, picked by `chainid`).

One `fetch_address` call, every list ending at the block read first:

1. ``module=proxy&action=eth_blockNumber``          → the snapshot block B
2. ``action=balance&tag=latest``                    → native balance (Etherscan has no
   balance at a block: a transaction mined between 1 and 2 shows as a reconciliation
   mismatch, never as a silently wrong number)
3. ``action=txlist``          → normal transactions (fee = gasUsed × gasPrice, which Etherscan
   reports as the effective price; ``isError=1`` = failed), plus ``GENESIS_<a>`` rows
4. ``action=txlistinternal``  → internal transfers (failed ones, ``isError=1``, skipped)
5. ``action=tokentx``         → ERC-20 transfers with the token's name, symbol and decimals
6. ``action=tokenbalance``    → each token's balance, for the reconciliation

Paging (the docs' full-history recipe): ``sort=asc&page=1&offset=<cap>`` from
``startblock``; a full page means there may be more, so the next request starts again at the
last block of the page, whose rows are replaced by the new answer (that block may have been
cut off in the middle). The free tier caps a request at 1,000 records.

The envelope is always HTTP 200 ``{status, message, result}``. ``status 0`` with "No
transactions found" is an empty list, not an error; ``NOTOK`` reasons are classified: a rate
limit or "temporarily unavailable" is transient (with a backoff), an invalid key is
`QuotaExhausted`, a chain not on the plan is `HistoryUnavailable`: both hand the address to
the next provider.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from walletscan_contracts.chains import NETWORKS, Family, Network
from walletscan_contracts.events import EvmAccount, EvmTx, TokenBalance, TokenTransfer

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
    GENESIS_PREFIX,
    HistoryUnavailable,
    evm_report,
    genesis_tx,
    hex_quantity,
    merge_same_tx,
    native_tx,
    require_evm_address,
)
from walletscan_fetcher.providers.http import JsonGetter

FREE_TIER_RECORD_CAP = 1_000
RATE_LIMIT_BACKOFF_SECONDS = 1.0  # the free tier allows 3 calls/s: wait a beat, then retry
BUSY_BACKOFF_SECONDS = 5.0

Digits = Annotated[str, Field(pattern=r"^[0-9]+$")]
OptionalDigits = Annotated[str, Field(pattern=r"^[0-9]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Envelope(_Model):
    status: str
    message: str = ""
    result: Any = None


class NormalTx(_Model):
    blockNumber: Digits
    timeStamp: Digits
    hash: str
    transactionIndex: OptionalDigits = ""
    from_: str = Field(alias="from")
    to: str = ""
    value: Digits
    gasPrice: OptionalDigits = "0"
    gasUsed: OptionalDigits = "0"
    isError: str = "0"
    txreceipt_status: str = ""
    contractAddress: str = ""

    @property
    def failed(self) -> bool:
        return self.isError == "1" or self.txreceipt_status == "0"


class InternalTx(_Model):
    blockNumber: Digits
    timeStamp: Digits
    hash: str = ""
    from_: str = Field(alias="from")
    to: str = ""
    value: Digits
    contractAddress: str = ""
    type: str = "call"
    traceId: str = ""
    isError: str = "0"


class TokenTx(_Model):
    blockNumber: Digits
    timeStamp: Digits
    hash: str
    transactionIndex: OptionalDigits = ""
    logIndex: OptionalDigits = ""  # not in every recorded answer
    from_: str = Field(alias="from")
    to: str
    contractAddress: str
    value: Digits
    tokenName: str = ""
    tokenSymbol: str = ""
    tokenDecimal: OptionalDigits = ""


_ENVELOPE = TypeAdapter(Envelope)
_NORMAL = TypeAdapter(list[NormalTx])
_INTERNAL = TypeAdapter(list[InternalTx])
_TOKEN = TypeAdapter(list[TokenTx])
_DIGITS = re.compile(r"^[0-9]+$")

# --------------------------------------------------------------------------- pure parsing

_NO_RECORDS = re.compile(r"^no (transactions|records) found", re.IGNORECASE)
_RATE = re.compile(r"rate limit", re.IGNORECASE)
_BUSY = re.compile(r"temporarily unavailable|busy|timeout|try again", re.IGNORECASE)
_BAD_KEY = re.compile(r"invalid api ?key|missing.*api ?key|invalid api ?key attempts", re.I)
_NO_CHAIN = re.compile(
    r"not supported for this chain|unsupported chainid|missing or unsupported chain", re.I
)
_BAD_ADDRESS = re.compile(r"invalid address", re.IGNORECASE)


def _optional_int(digits: str) -> int | None:
    """Etherscan leaves out an index it does not have as "" (OptionalDigits)."""
    return int(digits) if digits else None


def envelope_result(body: Envelope, *, provider: str = "etherscan") -> Any:
    """The `result` of an OK answer; [] for "No transactions found"; otherwise the error
    its NOTOK reason stands for."""
    if body.status == "1":
        return body.result
    reason = body.result if isinstance(body.result, str) else ""
    if _NO_RECORDS.match(body.message) or (body.result == [] and body.message != "NOTOK"):
        return []
    text = f"{body.message}: {reason}" if reason else body.message
    if _BAD_KEY.search(reason):
        raise QuotaExhausted(f"key refused: {reason}", provider=provider)
    if _RATE.search(reason):
        raise TransientProviderError(
            text, provider=provider, retry_after=RATE_LIMIT_BACKOFF_SECONDS
        )
    if _NO_CHAIN.search(reason):
        raise HistoryUnavailable(f"chain not served: {reason}", provider=provider)
    if _BUSY.search(reason):
        raise TransientProviderError(text, provider=provider, retry_after=BUSY_BACKOFF_SECONDS)
    if _BAD_ADDRESS.search(reason):
        raise PermanentProviderError(text, provider=provider)
    raise PermanentProviderError(f"refused: {text}", provider=provider)


def normal_txs(address: str, rows: Sequence[NormalTx]) -> list[EvmTx]:
    out = []
    for r in rows:
        if r.hash.startswith(GENESIS_PREFIX) or r.from_ == "GENESIS":
            # A genesis allocation: funds that no transaction brought in.
            out.append(genesis_tx(address, int(r.value), int(r.timeStamp)))
            continue
        out.append(
            native_tx(
                address,
                txid=r.hash.lower(),
                block_height=int(r.blockNumber),
                block_time=int(r.timeStamp),
                position=_optional_int(r.transactionIndex),
                from_address=r.from_.lower(),
                to_address=(r.to or r.contractAddress).lower() or None,
                value=int(r.value),
                failed=r.failed,
                fee=int(r.gasUsed or 0) * int(r.gasPrice or 0),
            )
        )
    return out


def internal_txs(address: str, rows: Sequence[InternalTx]) -> list[EvmTx]:
    """Internal transfers as records of their own (merged with the normal transaction of the
    same hash later). A failed internal call moved nothing; one row per call."""
    out = []
    for r in rows:
        if r.isError == "1" or not r.hash:
            continue
        source = r.from_.lower()
        target = (r.to or r.contractAddress).lower()
        value = int(r.value)
        received = value if target == address else 0
        sent = value if source == address else 0
        if not received and not sent:
            continue
        out.append(
            native_tx(
                address,
                txid=r.hash.lower(),
                block_height=int(r.blockNumber),
                block_time=int(r.timeStamp),
                position=None,
                from_address=None,  # the transaction's sender is not in the row
                to_address=None,
                value=0,
                failed=False,
                fee=0,
                internal_in=received,
                internal_out=sent,
            )
        )
    return out


def token_transfers(rows: Sequence[TokenTx]) -> list[TokenTransfer]:
    return [
        TokenTransfer(
            txid=r.hash.lower(),
            log_index=_optional_int(r.logIndex),
            token=r.contractAddress.lower(),
            from_address=r.from_.lower(),
            to_address=r.to.lower(),
            value=r.value,
            block_height=int(r.blockNumber),
            block_time=int(r.timeStamp),
            position=_optional_int(r.transactionIndex),
        )
        for r in rows
    ]


def token_metadata(rows: Sequence[TokenTx]) -> dict[str, TokenBalance]:
    out: dict[str, TokenBalance] = {}
    for r in rows:
        token = r.contractAddress.lower()
        out[token] = TokenBalance(
            token=token,
            symbol=r.tokenSymbol or None,
            name=r.tokenName or None,
            decimals=int(r.tokenDecimal) if r.tokenDecimal and int(r.tokenDecimal) <= 255 else None,
        )
    return out


def next_window(
    rows: Sequence[Any], start: int, cap: int, block_of: Callable[[Any], int]
) -> int | None:
    """Where the next request starts: None when the page was not full (the end); else the
    last block of the page, whose rows the next answer repeats in full. A page entirely in
    one block cannot move on: more than `cap` rows in one block of one address."""
    if len(rows) < cap:
        return None
    last = block_of(rows[-1])
    if last <= start:
        msg = f"more than {cap} records in block {last}: cannot page past it"
        raise PermanentProviderError(msg, provider="etherscan")
    return last


# --------------------------------------------------------------------------- the client


class EtherscanClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        http: httpx.AsyncClient,
        deadline_seconds: float = 120.0,
        record_cap: int = FREE_TIER_RECORD_CAP,
        networks: Sequence[Network] | None = None,
        name: str = "etherscan",
    ) -> None:
        self.name = name
        self._url = base_url.rstrip("/")
        self._key = api_key
        chosen = networks if networks is not None else list(NETWORKS)
        self.networks: frozenset[Network] = frozenset(
            n for n in chosen if NETWORKS[n].family is Family.EVM and NETWORKS[n].chain_id
        )
        self._deadline = deadline_seconds
        self._cap = max(1, record_cap)
        self._get = JsonGetter(http, provider=name)

    async def aclose(self) -> None:
        return None

    async def fetch_address(self, address: str, network: Network) -> AddressReport:
        if network not in self.networks:
            raise UnsupportedNetwork(f"{network} is not an Etherscan chain", provider=self.name)
        require_evm_address(address, provider=self.name)
        async with call_deadline(self._deadline, provider=self.name):
            return await self._fetch(address, network)

    async def _fetch(self, address: str, network: Network) -> AddressReport:
        chain = str(NETWORKS[network].chain_id)
        tip = await self._tip(chain)
        balance = await self._result(
            chain, {"module": "account", "action": "balance", "address": address, "tag": "latest"}
        )
        if not isinstance(balance, str) or not _DIGITS.match(balance):
            raise TransientProviderError(f"odd balance {balance!r}", provider=self.name)
        normal = await self._paged(chain, "txlist", address, tip, _NORMAL)
        internal = await self._paged(chain, "txlistinternal", address, tip, _INTERNAL)
        tokens_raw = await self._paged(chain, "tokentx", address, tip, _TOKEN)
        txs = merge_same_tx([*normal_txs(address, normal), *internal_txs(address, internal)])
        tokens = token_metadata(tokens_raw)
        for token in sorted(tokens):
            held = await self._result(
                chain,
                {
                    "module": "account",
                    "action": "tokenbalance",
                    "contractaddress": token,
                    "address": address,
                    "tag": "latest",
                },
            )
            if isinstance(held, str) and _DIGITS.match(held):
                tokens[token] = tokens[token].model_copy(update={"balance": str(int(held))})
        account = EvmAccount(address=address, balance=str(int(balance)), block_height=tip)
        return evm_report(account, txs, token_transfers(tokens_raw), list(tokens.values()))

    async def _tip(self, chain: str) -> int:
        params = {"chainid": chain, "module": "proxy", "action": "eth_blockNumber"}
        body = await self._get.get(self._url, _ANY, params=self._with_key(params))
        # The proxy module answers in JSON-RPC form; its errors come in the usual envelope.
        if isinstance(body, dict) and "jsonrpc" in body and isinstance(body.get("result"), str):
            try:
                return hex_quantity(body["result"])
            except ValueError as exc:
                raise TransientProviderError(
                    f"odd block number {body['result']!r}", provider=self.name
                ) from exc
        envelope_result(_ENVELOPE.validate_python(body), provider=self.name)
        raise TransientProviderError("eth_blockNumber gave no block", provider=self.name)

    async def _result(self, chain: str, params: Mapping[str, str]) -> Any:
        body = await self._get.get(
            self._url, _ENVELOPE, params=self._with_key({"chainid": chain, **params})
        )
        return envelope_result(body, provider=self.name)

    async def _paged(
        self, chain: str, action: str, address: str, tip: int, adapter: TypeAdapter[list[Any]]
    ) -> list[Any]:
        rows: list[Any] = []
        start = 0
        while True:
            result = await self._result(
                chain,
                {
                    "module": "account",
                    "action": action,
                    "address": address,
                    "startblock": str(start),
                    "endblock": str(tip),
                    "page": "1",
                    "offset": str(self._cap),
                    "sort": "asc",
                },
            )
            try:
                page = adapter.validate_python(result)
            except ValueError as exc:
                raise TransientProviderError(
                    f"malformed {action} rows: {exc}", provider=self.name
                ) from exc
            # Rows of the block this page restarted at replace the ones already held.
            rows = [r for r in rows if int(r.blockNumber) < start] + page
            following = next_window(page, start, self._cap, lambda r: int(r.blockNumber))
            if following is None:
                return rows
            start = following

    def _with_key(self, params: Mapping[str, str]) -> dict[str, str]:
        return {**params, "apikey": self._key} if self._key else dict(params)


_ANY: TypeAdapter[Any] = TypeAdapter(Any)

__all__ = [
    "FREE_TIER_RECORD_CAP",
    "Envelope",
    "EtherscanClient",
    "InternalTx",
    "NormalTx",
    "ProviderError",
    "TokenTx",
    "envelope_result",
    "internal_txs",
    "next_window",
    "normal_txs",
    "token_metadata",
    "token_transfers",
]
