"""Tatum v3 Ethereum endpoints, normalised to the EVM records (issue 5).

Endpoints (Tatum's OpenAPI as generated into tatum-js `EthereumService`, PROVIDERS.md §5):

1. ``GET /v3/ethereum/block/current`` → the tip block number B (a bare JSON number);
2. ``GET /v3/ethereum/account/transaction/{a}?pageSize=50&offset=n&from=0&to=B&sort=ASC`` →
   ``EthTx[]`` (``transactionHash, blockNumber, transactionIndex, from, to, value`` in wei,
   ``gasPrice, gasUsed, status, logs[]``), paged until a short page;
3. ``GET /v3/ethereum/account/balance/{a}`` → ``{balance}`` in ETH (a decimal string), which
   "does not display the balance of ERC20 or ERC721 tokens".

The v4 data API was not grounded in an official document, so it is not used.

What v3 cannot give, and what the client then does (hand over = `HistoryUnavailable`):

* internal transfers and genesis allocations are not listed: the transactions must add up
  to the balance exactly, else hand over;
* ERC-20: no token balances and no token-transfer list; a listed transaction whose logs carry
  an ERC-20 ``Transfer`` naming the address → hand over. An address only ever touched by
  token transfers others sent (an airdrop) shows no sign of it here and comes back with no
  tokens — the one gap the client cannot detect;
* no block timestamps: ``block_time`` is None;
* the fee is ``gasUsed × gasPrice`` as given (the OpenAPI describes ``gasPrice`` as the price
  the transaction paid); failed transactions (``status: false``) are charged their fee and
  move no value.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator
from walletscan_contracts.chains import Network
from walletscan_contracts.events import EvmAccount, EvmTx

from walletscan_fetcher.providers.base import AddressReport
from walletscan_fetcher.providers.evm_records import (
    HistoryUnavailable,
    evm_report,
    merge_same_tx,
    native_tx,
)

EVM_CHAIN_PATHS: dict[Network, str] = {Network.ETHEREUM: "ethereum"}
TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
WEI = Decimal(10**18)

Digits = Annotated[str, Field(pattern=r"^[0-9]+$")]
NonNegInt = Annotated[int, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TatumEthLog(_Model):
    address: str
    topics: list[str] = Field(default_factory=list)
    data: str = "0x"
    logIndex: NonNegInt | None = None


class TatumEthTx(_Model):
    transactionHash: str
    blockNumber: NonNegInt | None = None
    transactionIndex: NonNegInt | None = None
    from_: str = Field(alias="from")
    to: str | None = None
    value: Digits
    gasPrice: Digits
    gasUsed: NonNegInt | None = None
    status: bool | None = None
    contractAddress: str | None = None
    logs: list[TatumEthLog] = Field(default_factory=list)

    @field_validator("from_", "to", "transactionHash", "contractAddress")
    @classmethod
    def _lower(cls, v: str | None) -> str | None:
        return v.lower() if v else v


class TatumEthBalance(_Model):
    balance: Annotated[str, Field(pattern=r"^\d+(\.\d{1,18})?$")]

    def wei(self) -> int:
        try:
            value = Decimal(self.balance) * WEI
        except InvalidOperation as exc:  # pragma: no cover - the pattern rules it out
            raise ValueError(f"not an amount: {self.balance!r}") from exc
        return int(value)


ETH_TXS = TypeAdapter(list[TatumEthTx])
ETH_BALANCE = TypeAdapter(TatumEthBalance)
BLOCK_NUMBER = TypeAdapter(NonNegInt)


def _topic_address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def touches_tokens(tx: TatumEthTx, address: str) -> bool:
    return any(
        len(log.topics) == 3
        and log.topics[0].lower() == TRANSFER_TOPIC
        and address in (_topic_address(log.topics[1]), _topic_address(log.topics[2]))
        for log in tx.logs
    )


def eth_report(
    address: str, balance: TatumEthBalance, rows: Sequence[TatumEthTx], tip_height: int
) -> AddressReport:
    provider = "tatum"
    txs: list[EvmTx] = []
    for r in rows:
        if r.blockNumber is None:
            continue  # pending: not part of the history up to the tip
        if touches_tokens(r, address):
            raise HistoryUnavailable(
                "ERC-20 activity: Tatum v3 gives neither token transfers nor token balances",
                provider=provider,
            )
        if r.from_ == address and r.gasUsed is None:
            raise HistoryUnavailable(f"no gasUsed for {r.transactionHash}", provider=provider)
        txs.append(
            native_tx(
                address,
                txid=r.transactionHash,
                block_height=r.blockNumber,
                block_time=None,
                position=r.transactionIndex,
                from_address=r.from_,
                to_address=r.to or r.contractAddress or None,
                value=int(r.value),
                failed=r.status is False,
                fee=(r.gasUsed or 0) * int(r.gasPrice),
            )
        )
    merged = merge_same_tx(txs)
    rebuilt = sum(t.delta for t in merged)
    if rebuilt != balance.wei():
        raise HistoryUnavailable(
            f"transactions add up to {rebuilt} wei, the balance is {balance.wei()}: internal "
            "transfers or a genesis allocation, which Tatum v3 does not list",
            provider=provider,
        )
    tip = max([tip_height, *(t.block_height for t in merged)])
    account = EvmAccount(address=address, balance=str(balance.wei()), block_height=tip)
    return evm_report(account, merged, [], [])


__all__ = [
    "BLOCK_NUMBER",
    "ETH_BALANCE",
    "ETH_TXS",
    "EVM_CHAIN_PATHS",
    "TatumEthBalance",
    "TatumEthTx",
    "eth_report",
    "touches_tokens",
]
