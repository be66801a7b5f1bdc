"""What the EVM provider clients (JSON-RPC, Etherscan) share: address checks, hex quantities,
the one rule that turns a transaction into an address's native received/sent/fee, and the
report they hand to the fetcher.

One rule for both providers so they cannot disagree on what a failed transaction or a
self-transfer means:

* the sender pays the fee, whether the transaction succeeded or failed;
* a failed (reverted) transaction moves no value: neither its own nor any internal call's;
* a self-transfer (from == to) is received and sent at once: only the fee leaves;
* internal transfers (value moved by calls inside a transaction) count like the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from walletscan_contracts.events import (
    AddressSummary,
    EvmAccount,
    EvmActivity,
    EvmTx,
    TokenBalance,
    TokenTransfer,
)

from walletscan_fetcher.providers.base import (
    AddressReport,
    PermanentProviderError,
    UnsupportedNetwork,
)

_ADDRESS = re.compile(r"^0x[0-9a-f]{40}$")
_QUANTITY = re.compile(r"^0x[0-9a-fA-F]{1,64}$")
GENESIS_PREFIX = "GENESIS_"


class HistoryUnavailable(UnsupportedNetwork):
    """This provider, as configured, cannot list the address's history (a plain JSON-RPC node
    without the Otterscan or trace APIs, an Etherscan plan without the chain): the fetcher
    hands the address to the next provider of the network's order."""


def is_evm_address(address: str) -> bool:
    """Lower-case 0x + 40 hex: the one spelling addresses travel in (see walletscan_keys.evm)."""
    return bool(_ADDRESS.match(address))


def require_evm_address(address: str, *, provider: str) -> None:
    """Refuse anything else before a request is made: no EVM provider can answer for it."""
    if not is_evm_address(address):
        raise PermanentProviderError(f"invalid EVM address {address!r}", provider=provider)


def hex_quantity(value: object) -> int:
    """A JSON-RPC QUANTITY ("0x1a") as an int; anything else is a malformed answer."""
    if isinstance(value, str) and _QUANTITY.match(value):
        return int(value, 16)
    raise ValueError(f"not a hex quantity: {value!r}")


def native_tx(
    address: str,
    *,
    txid: str,
    block_height: int,
    block_time: int | None,
    position: int | None,
    from_address: str | None,
    to_address: str | None,
    value: int,
    failed: bool,
    fee: int,
    internal_in: int = 0,
    internal_out: int = 0,
) -> EvmTx:
    """One transaction's native effect on `address` (rules in the module docstring). `fee` is
    the whole transaction's fee; it is charged only when `address` sent the transaction."""
    sender = from_address == address
    moved = not failed
    received = (value if moved and to_address == address else 0) + (internal_in if moved else 0)
    sent = (value if moved and sender else 0) + (internal_out if moved else 0)
    return EvmTx(
        txid=txid,
        block_height=block_height,
        block_time=block_time,
        position=position,
        from_address=from_address,
        to_address=to_address,
        value=str(value),
        failed=failed,
        received=str(received),
        sent=str(sent),
        fee=str(fee if sender else 0),
        internal=bool(internal_in or internal_out),
    )


def genesis_txid(address: str) -> str:
    """Etherscan's spelling: ``GENESIS_`` and the address's hex digits, without 0x."""
    return f"{GENESIS_PREFIX}{address.removeprefix('0x')}"


def genesis_tx(address: str, amount: int, block_time: int | None = None) -> EvmTx:
    """A genesis allocation as the pseudo-transaction Etherscan lists (`GENESIS_<address>`):
    without it, the history of a pre-funded account cannot add up to its balance."""
    return EvmTx(
        txid=genesis_txid(address),
        block_height=0,
        block_time=block_time,
        position=0,
        from_address=None,
        to_address=address,
        value=str(amount),
        received=str(amount),
        sent="0",
        fee="0",
    )


def merge_same_tx(txs: Iterable[EvmTx]) -> list[EvmTx]:
    """One record per transaction: a provider may see the same hash as a normal transaction
    and again in its internal-transfer list (W sends to a contract that pays W back)."""
    by_id: dict[str, EvmTx] = {}
    for tx in txs:
        kept = by_id.get(tx.txid)
        if kept is None:
            by_id[tx.txid] = tx
            continue
        by_id[tx.txid] = kept.model_copy(
            update={
                "received": str(int(kept.received) + int(tx.received)),
                "sent": str(int(kept.sent) + int(tx.sent)),
                "fee": str(max(int(kept.fee), int(tx.fee))),
                "internal": kept.internal or tx.internal,
                "failed": kept.failed or tx.failed,
                "from_address": kept.from_address or tx.from_address,
                "to_address": kept.to_address or tx.to_address,
                "position": kept.position if kept.position is not None else tx.position,
                "block_time": kept.block_time if kept.block_time is not None else tx.block_time,
            }
        )
    return sorted(by_id.values(), key=lambda t: (t.block_height, t.position or 0, t.txid))


def evm_report(
    account: EvmAccount,
    txs: Sequence[EvmTx],
    transfers: Sequence[TokenTransfer],
    tokens: Sequence[TokenBalance],
) -> AddressReport:
    """The fetcher's report. The Bitcoin-shaped `summary` only counts transactions (every
    amount is in `evm`, as decimal strings); there are no UTXOs on an account chain."""
    tx_ids = {t.txid for t in txs} | {t.txid for t in transfers}
    summary = AddressSummary(
        address=account.address,
        chain_funded=0,
        chain_spent=0,
        mempool_funded=0,
        mempool_spent=0,
        chain_tx_count=len(tx_ids),
        mempool_tx_count=0,
    )
    return AddressReport(
        summary=summary,
        txs=[],
        utxos=[],
        tip_height=account.block_height,
        evm=EvmActivity(
            account=account,
            txs=list(txs),
            token_transfers=sorted(
                transfers, key=lambda t: (t.block_height, t.position or 0, t.log_index or 0)
            ),
            tokens=sorted(tokens, key=lambda t: t.token),
        ),
    )


__all__ = [
    "GENESIS_PREFIX",
    "HistoryUnavailable",
    "evm_report",
    "genesis_tx",
    "genesis_txid",
    "hex_quantity",
    "is_evm_address",
    "merge_same_tx",
    "native_tx",
    "require_evm_address",
]
