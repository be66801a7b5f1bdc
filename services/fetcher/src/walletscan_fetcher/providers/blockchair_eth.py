"""Blockchair's Ethereum address dashboard, normalised to the EVM records (issue 5).

``GET /ethereum/dashboards/address/{0x..}?erc_20=precise&nonce=true&limit=N&offset=n``
(docs v2.0.80, `blockchair_docs_eth_address.md`) gives:

* ``address``: the exact balance in wei (a string), call counts, ``nonce``;
* ``calls[]``: every call the address took part in as sender or recipient — top-level and
  internal ones — with ``block_id, transaction_hash, index, time, sender, recipient, value,
  transferred``; paged by ``limit/offset`` up to ``address.call_count``;
* ``layer_2.erc_20[]``: token balances read from Blockchair's node (``precise``).

What it cannot give, and what the client then does (hand over = `HistoryUnavailable`, the
address goes to the next provider of the network's order; never partial data):

* no per-transaction fee or gas (only ``fees_approximate``, rounded): an address that ever
  sent a transaction (``nonce`` > 0, or a call with the address as sender) → hand over;
* no ERC-20 transfer list, only balances: an address holding any token → hand over;
* ``calls[].value`` is a JSON number; a value that is not an exact integer (the docs' own
  example has ``1.337e+21``) cannot be trusted to the wei → hand over;
* the calls must add up to the exact ``balance`` (whatever Blockchair does not list as a call
  — e.g. validator withdrawals — shows up here) → hand over otherwise;
* a failed incoming call with zero value cannot be told from a successful one (no amount
  depends on it); the transaction's position in its block is not given.

So Blockchair serves receive-only Ethereum accounts without tokens — incoming plain and
internal transfers and the genesis allocation — exactly; anything else goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter, field_validator
from walletscan_contracts.events import EvmAccount, EvmTx, TokenBalance

from walletscan_fetcher.providers.base import AddressReport
from walletscan_fetcher.providers.evm_records import (
    HistoryUnavailable,
    evm_report,
    genesis_tx,
    merge_same_tx,
    native_tx,
)

ETH_CHAIN_PATH = "ethereum"
CALL_PAGE_SIZE = 1000  # the docs allow up to 10000 calls per request

WeiText = Annotated[str, Field(pattern=r"^[0-9]+$")]
NonNegInt = Annotated[int, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class EthAddressInfo(_Model):
    type: str | None = None
    balance: WeiText
    call_count: NonNegInt = 0
    receiving_call_count: NonNegInt = 0
    spending_call_count: NonNegInt = 0
    transaction_count: NonNegInt = 0
    nonce: NonNegInt | None = None


class EthCall(_Model):
    block_id: int
    transaction_hash: str | None = None  # None: the genesis allocation (docs example)
    index: str = "0"
    time: str | None = None
    sender: str | None = None
    recipient: str | None = None
    value: StrictInt | float  # wei, a JSON number: exact only when it is an integer
    transferred: bool = True

    @field_validator("sender", "recipient", "transaction_hash")
    @classmethod
    def _lower(cls, v: str | None) -> str | None:
        return v.lower() if v else v


class EthErc20(_Model):
    token_address: str
    token_name: str | None = None
    token_symbol: str | None = None
    token_decimals: int | None = None
    balance: WeiText


class EthLayer2(_Model):
    erc_20: list[EthErc20] = Field(default_factory=list)


class EthAddressData(_Model):
    address: EthAddressInfo
    calls: list[EthCall] = Field(default_factory=list)
    layer_2: EthLayer2 = Field(default_factory=EthLayer2)

    @field_validator("layer_2", mode="before")
    @classmethod
    def _empty(cls, v: Any) -> Any:
        return {} if v in ([], None) else v


ETH_DATA = TypeAdapter(dict[str, EthAddressData])


def _exact_wei(call: EthCall) -> int:
    if isinstance(call.value, int):
        return call.value
    if call.value.is_integer() and abs(call.value) < 2**53:
        return int(call.value)
    raise HistoryUnavailable(
        f"call value {call.value!r} in {call.transaction_hash} is rounded, not exact wei",
        provider="blockchair",
    )


def eth_report(
    address: str, data: EthAddressData | None, tip_height: int, *, parse_time: Any
) -> AddressReport:
    """The records of a receive-only, token-free address, or `HistoryUnavailable` for what the
    dashboard cannot tell exactly (module docstring). `data` None: the address is unknown."""
    provider = "blockchair"
    if data is None:
        account = EvmAccount(address=address, balance="0", nonce=0, block_height=tip_height)
        return evm_report(account, [], [], [])
    info = data.address
    held = data.layer_2.erc_20  # zero balances too: the token was touched
    if held:
        raise HistoryUnavailable(
            f"{len(held)} ERC-20 token(s): the dashboard lists balances, not transfers",
            provider=provider,
        )
    if (
        (info.nonce or 0) > 0
        or info.spending_call_count
        or any(c.sender == address for c in data.calls)
    ):
        raise HistoryUnavailable(
            "the address sent transactions: the dashboard gives no per-transaction fee",
            provider=provider,
        )
    txs: list[EvmTx] = []
    for call in data.calls:
        value = _exact_wei(call)
        if call.recipient != address:
            continue
        block_time = parse_time(call.time) if call.time else None
        if call.transaction_hash is None:
            if call.block_id != 0:
                raise HistoryUnavailable(
                    f"a call without a transaction in block {call.block_id}", provider=provider
                )
            txs.append(genesis_tx(address, value if call.transferred else 0, block_time))
            continue
        top = call.index in ("0", "")
        moved = value if call.transferred else 0
        txs.append(
            native_tx(
                address,
                txid=call.transaction_hash,
                block_height=call.block_id,
                block_time=block_time,
                position=None,
                from_address=call.sender if top else None,
                to_address=call.recipient if top else None,
                value=value if top else 0,
                # value offered but not transferred: the call reverted
                failed=top and not call.transferred and value > 0,
                fee=0,
                internal_in=0 if top else moved,
            )
        )
    merged = merge_same_tx(txs)
    rebuilt = sum(t.delta for t in merged)
    if rebuilt != int(info.balance):
        raise HistoryUnavailable(
            f"calls add up to {rebuilt} wei, the balance is {info.balance}: history incomplete",
            provider=provider,
        )
    tip = max([tip_height, *(t.block_height for t in merged)])
    account = EvmAccount(address=address, balance=info.balance, nonce=info.nonce, block_height=tip)
    tokens: Sequence[TokenBalance] = []
    return evm_report(account, merged, [], tokens)


__all__ = [
    "CALL_PAGE_SIZE",
    "ETH_CHAIN_PATH",
    "ETH_DATA",
    "EthAddressData",
    "EthCall",
    "eth_report",
]
