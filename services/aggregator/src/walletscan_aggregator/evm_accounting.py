"""Wallet-level accounting for EVM networks: pure functions over the normalised facts the
providers send (`EvmTx`, `TokenTransfer`, `TokenBalance`, `EvmAccount`).

Rules, and why:

* Native: the wallet delta of a transaction is Σ over the wallet's addresses of
  received − sent − fee (the provider already applied the EVM rules: the sender pays gas
  whether the transaction succeeded or failed; a failed one moves no value; internal
  transfers count like the rest). A transfer between two wallet addresses, or from an
  address to itself, therefore nets to −fee, as a Bitcoin change output does (§5).
* Tokens: each Transfer event is counted once per wallet (two wallet addresses see the same
  event) by its natural key. A transfer within the wallet moves nothing: it is neither
  received nor sent. Per token: received, sent, rebuilt balance = received − sent.
* Reconciliation: per address the native history must add up to the chain's balance at the
  snapshot block, and each token's rebuilt balance to `balanceOf`; a token whose balance the
  provider could not read is unverified, which is a mismatch (shown, never hidden).
* Amounts are Python ints here and decimal strings in every document this module builds:
  wei do not fit MongoDB's int64.
* EVM transactions are final once mined as far as the scan is concerned; a scan reads mined
  blocks only, so there is no unconfirmed part (confirmed_balance == balance).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from walletscan_contracts.chains import NETWORKS, Network
from walletscan_contracts.events import EvmAccount, EvmTx, TokenBalance, TokenTransfer

from walletscan_aggregator.accounting import WalletTx, balance_history

Direction = Literal["in", "out", "self"]


@dataclass(frozen=True, slots=True)
class EvmFacts:
    """Everything stored for one address of the wallet."""

    account: EvmAccount | None
    txs: list[EvmTx] = field(default_factory=list)
    transfers: list[TokenTransfer] = field(default_factory=list)
    tokens: list[TokenBalance] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EvmWalletTx:
    txid: str
    delta: int  # native, fees included
    fee_paid: int
    received: int  # native value into the wallet (internal transfers included)
    sent: int  # native value out of the wallet, without the fee
    token_deltas: dict[str, int]  # token -> net base units for the wallet
    failed: bool
    internal: bool
    addresses: list[str]
    counterparty: str | None
    block_height: int
    block_time: int | None
    position: int | None
    confirmations: int
    direction: Direction


@dataclass(frozen=True, slots=True)
class TokenTotals:
    token: str
    symbol: str | None
    name: str | None
    decimals: int | None
    received: int
    sent: int
    transfer_count: int
    provider_balance: int | None  # Σ balanceOf over the wallet's addresses; None: unknown

    @property
    def balance(self) -> int:
        return self.received - self.sent

    @property
    def reconciled(self) -> bool:
        return self.provider_balance == self.balance


@dataclass(frozen=True, slots=True)
class EvmTotals:
    balance: int
    total_received: int
    total_sent: int
    total_fees: int
    tx_count: int
    used_address_count: int
    first_seen: int | None
    last_seen: int | None


@dataclass(frozen=True, slots=True)
class EvmLedger:
    transactions: list[EvmWalletTx]  # newest first
    tokens: list[TokenTotals]
    totals: EvmTotals


@dataclass(frozen=True, slots=True)
class EvmAddressCheck:
    address: str
    rebuilt_balance: int
    provider_balance: int | None
    token_mismatches: list[TokenTotals]

    @property
    def ok(self) -> bool:
        return self.rebuilt_balance == self.provider_balance and not self.token_mismatches


@dataclass(frozen=True, slots=True)
class EvmReconciliation:
    reconciled: bool
    rebuilt_balance: int
    provider_balance: int
    addresses: list[EvmAddressCheck]
    tokens: list[TokenTotals]  # wallet level, every token

    @property
    def mismatches(self) -> list[EvmAddressCheck]:
        return [a for a in self.addresses if not a.ok]


# --- the fold ------------------------------------------------------------------------------


def _unique_txs(txs: Iterable[EvmTx]) -> list[EvmTx]:
    """One record per txid for one address (redelivered chunks store the same fact twice)."""
    return list({t.txid: t for t in txs}.values())


def _unique_transfers(facts: Mapping[str, EvmFacts]) -> list[TokenTransfer]:
    by_key: dict[str, TokenTransfer] = {}
    for f in facts.values():
        for t in f.transfers:
            by_key.setdefault(t.key, t)
    return list(by_key.values())


def _direction(
    received: int, sent: int, delta: int, token_deltas: Mapping[str, int], moved: bool, failed: bool
) -> Direction:
    if failed:
        return "out"  # only its gas left
    if moved and received == sent and not any(token_deltas.values()):
        return "self"  # value or tokens went round the wallet: only the gas left
    if delta > 0 or any(v > 0 for v in token_deltas.values()):
        return "in" if not any(v < 0 for v in token_deltas.values()) else "out"
    return "out"


def fold_evm_wallet(facts: Mapping[str, EvmFacts], *, tip_height: int) -> EvmLedger:
    wallet = set(facts)
    native: dict[str, list[tuple[str, EvmTx]]] = {}
    for address, f in facts.items():
        for tx in _unique_txs(f.txs):
            native.setdefault(tx.txid, []).append((address, tx))
    transfers = _unique_transfers(facts)
    by_tx: dict[str, list[TokenTransfer]] = {}
    for t in transfers:
        by_tx.setdefault(t.txid, []).append(t)

    rows: list[EvmWalletTx] = []
    for txid in set(native) | set(by_tx):
        parts = native.get(txid, [])
        moves = by_tx.get(txid, [])
        token_deltas: dict[str, int] = {}
        token_moved = False
        for t in moves:
            into, out_of = t.to_address in wallet, t.from_address in wallet
            token_moved |= into or out_of
            change = (int(t.value) if into else 0) - (int(t.value) if out_of else 0)
            token_deltas[t.token] = token_deltas.get(t.token, 0) + change
        received = sum(int(tx.received) for _, tx in parts)
        sent = sum(int(tx.sent) for _, tx in parts)
        fee = sum(int(tx.fee) for _, tx in parts)
        delta = received - sent - fee
        failed = any(tx.failed and int(tx.fee) > 0 for _, tx in parts)
        heights = [tx.block_height for _, tx in parts] + [t.block_height for t in moves]
        times = [tx.block_time for _, tx in parts if tx.block_time is not None] + [
            t.block_time for t in moves if t.block_time is not None
        ]
        positions = [tx.position for _, tx in parts if tx.position is not None] + [
            t.position for t in moves if t.position is not None
        ]
        height = min(heights)
        rows.append(
            EvmWalletTx(
                txid=txid,
                delta=delta,
                fee_paid=fee,
                received=received,
                sent=sent,
                token_deltas=dict(sorted(token_deltas.items())),
                failed=failed,
                internal=any(tx.internal for _, tx in parts),
                addresses=sorted(
                    {a for a, _ in parts}
                    | {t.to_address for t in moves if t.to_address in wallet}
                    | {t.from_address for t in moves if t.from_address in wallet}
                ),
                counterparty=_counterparty(parts, moves, wallet),
                block_height=height,
                block_time=min(times) if times else None,
                position=min(positions) if positions else None,
                confirmations=max(1, tip_height - height + 1),
                direction=_direction(
                    received,
                    sent,
                    delta,
                    token_deltas,
                    bool(received or sent or token_moved),
                    failed,
                ),
            )
        )
    rows.sort(key=lambda r: (-r.block_height, -(r.position or 0), r.txid))
    tokens = _token_totals(facts, transfers, wallet)
    times = [r.block_time for r in rows if r.block_time is not None]
    totals = EvmTotals(
        balance=sum(r.delta for r in rows),
        total_received=sum(r.delta for r in rows if r.delta > 0),
        total_sent=sum(-r.delta for r in rows if r.delta < 0),
        total_fees=sum(r.fee_paid for r in rows),
        tx_count=len(rows),
        used_address_count=sum(1 for a in wallet if any(a in r.addresses for r in rows)),
        first_seen=min(times) if times else None,
        last_seen=max(times) if times else None,
    )
    return EvmLedger(transactions=rows, tokens=tokens, totals=totals)


def _counterparty(
    parts: list[tuple[str, EvmTx]], moves: list[TokenTransfer], wallet: set[str]
) -> str | None:
    """The other side, for display: the sender of what came in, else the receiver."""
    for _, tx in parts:
        for candidate in (tx.from_address, tx.to_address):
            if candidate and candidate not in wallet:
                return candidate
    for t in moves:
        for candidate in (t.from_address, t.to_address):
            if candidate not in wallet:
                return candidate
    return None


def _token_totals(
    facts: Mapping[str, EvmFacts], transfers: list[TokenTransfer], wallet: set[str]
) -> list[TokenTotals]:
    meta: dict[str, TokenBalance] = {}
    held: dict[str, int | None] = {}
    for f in facts.values():
        for b in f.tokens:
            meta.setdefault(b.token, b)
            known = held.get(b.token, 0)
            held[b.token] = None if known is None or b.balance is None else known + int(b.balance)
    received: dict[str, int] = {}
    sent: dict[str, int] = {}
    counts: dict[str, int] = {}
    for t in transfers:
        into, out_of = t.to_address in wallet, t.from_address in wallet
        counts[t.token] = counts.get(t.token, 0) + 1
        if into and not out_of:
            received[t.token] = received.get(t.token, 0) + int(t.value)
        elif out_of and not into:
            sent[t.token] = sent.get(t.token, 0) + int(t.value)
    out = []
    for token in sorted(set(counts) | set(meta)):
        m = meta.get(token)
        out.append(
            TokenTotals(
                token=token,
                symbol=m.symbol if m else None,
                name=m.name if m else None,
                decimals=m.decimals if m else None,
                received=received.get(token, 0),
                sent=sent.get(token, 0),
                transfer_count=counts.get(token, 0),
                provider_balance=held.get(token) if token in held else None,
            )
        )
    return out


def reconcile_evm(facts: Mapping[str, EvmFacts]) -> EvmReconciliation:
    checks = []
    for address in sorted(facts):
        f = facts[address]
        single = {address: f}
        tokens = _token_totals(single, _unique_transfers(single), {address})
        checks.append(
            EvmAddressCheck(
                address=address,
                rebuilt_balance=sum(t.delta for t in _unique_txs(f.txs)),
                provider_balance=int(f.account.balance) if f.account else None,
                token_mismatches=[t for t in tokens if not t.reconciled],
            )
        )
    wallet_tokens = _token_totals(facts, _unique_transfers(facts), set(facts))
    rebuilt = sum(c.rebuilt_balance for c in checks)
    provider = sum(c.provider_balance or 0 for c in checks)
    return EvmReconciliation(
        reconciled=all(c.ok for c in checks) and all(t.reconciled for t in wallet_tokens),
        rebuilt_balance=rebuilt,
        provider_balance=provider,
        addresses=checks,
        tokens=wallet_tokens,
    )


# --- documents for the read model (amounts as decimal strings) -----------------------------


def evm_address_totals(address: str, facts: EvmFacts) -> dict[str, Any]:
    """One address's own numbers for the address table (its history alone, §5)."""
    ledger = fold_evm_wallet({address: facts}, tip_height=0)
    t = ledger.totals
    return {
        "received": str(t.total_received),
        "sent": str(t.total_sent),
        "balance": str(t.balance),
        "confirmed_balance": str(t.balance),
        "tx_count": t.tx_count,
        "used": t.tx_count > 0,
    }


def _iso(ts: int | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat() if ts is not None else None


def evm_summary(
    ledger: EvmLedger,
    reconciliation: EvmReconciliation,
    *,
    network: Network,
    scanned_addresses: int,
) -> dict[str, Any]:
    info = NETWORKS[network]
    t = ledger.totals
    return {
        "unit": info.unit,
        "decimals": info.decimals,
        "balance": str(t.balance),
        "confirmed_balance": str(t.balance),
        "unconfirmed_balance": "0",
        "total_received": str(t.total_received),
        "total_sent": str(t.total_sent),
        "total_fees": str(t.total_fees),
        "tx_count": t.tx_count,
        "used_address_count": t.used_address_count,
        "scanned_address_count": scanned_addresses,
        "first_seen": _iso(t.first_seen),
        "last_seen": _iso(t.last_seen),
        "reconciled": reconciliation.reconciled,
        "token_count": len(ledger.tokens),
    }


def evm_transaction_rows(ledger: EvmLedger) -> list[dict[str, Any]]:
    return [
        {
            "txid": r.txid,
            "delta": str(r.delta),
            "fee": str(r.fee_paid),
            "fee_paid": str(r.fee_paid),
            "received": str(r.received),
            "spent": str(r.sent),
            "direction": r.direction,
            "failed": r.failed,
            "internal": r.internal,
            "counterparty": r.counterparty,
            "token_deltas": [{"token": k, "delta": str(v)} for k, v in r.token_deltas.items()],
            "addresses": r.addresses,
            "block_height": r.block_height,
            "block_time": r.block_time,
            # Newest first: block, then position in the block (sorts as text).
            "sort_key": f"{r.block_height:09d}:{(r.position or 0):06d}:{r.txid}",
        }
        for r in ledger.transactions
    ]


def token_documents(reconciliation: EvmReconciliation) -> list[dict[str, Any]]:
    return [
        {
            "token": t.token,
            "symbol": t.symbol,
            "name": t.name,
            "decimals": t.decimals,
            "received": str(t.received),
            "sent": str(t.sent),
            "balance": str(t.balance),
            "provider_balance": str(t.provider_balance) if t.provider_balance is not None else None,
            "transfer_count": t.transfer_count,
            "reconciled": t.reconciled,
        }
        for t in reconciliation.tokens
    ]


def evm_reconciliation_document(reconciliation: EvmReconciliation) -> dict[str, Any]:
    return {
        "reconciled": reconciliation.reconciled,
        "rebuilt_balance": str(reconciliation.rebuilt_balance),
        "provider_balance": str(reconciliation.provider_balance),
        "mismatches": [
            {
                "address": c.address,
                "rebuilt_balance": str(c.rebuilt_balance),
                "provider_balance": str(c.provider_balance)
                if c.provider_balance is not None
                else None,
                "tokens": [
                    {
                        "token": t.token,
                        "rebuilt_balance": str(t.balance),
                        "provider_balance": str(t.provider_balance)
                        if t.provider_balance is not None
                        else None,
                    }
                    for t in c.token_mismatches
                ],
            }
            for c in reconciliation.mismatches
        ],
        "tokens": [{"token": t.token, "reconciled": t.reconciled} for t in reconciliation.tokens],
    }


def evm_history_document(ledger: EvmLedger) -> dict[str, list[dict[str, Any]]]:
    """Native balance per day and month (the Bitcoin series rules, amounts as strings)."""
    as_wallet_txs = [
        WalletTx(
            txid=r.txid,
            delta=r.delta,
            fee=r.fee_paid,
            fee_paid=r.fee_paid,
            received=r.received,
            spent=r.sent,
            addresses=r.addresses,
            block_height=r.block_height,
            block_time=r.block_time,
            confirmations=r.confirmations,
            direction=r.direction,
        )
        for r in ledger.transactions
    ]
    return {
        interval: [
            {
                "period": p.period,
                "balance": str(p.balance),
                "received": str(p.received),
                "sent": str(p.sent),
                "tx_count": p.tx_count,
            }
            for p in balance_history(as_wallet_txs, interval)
        ]
        for interval in ("day", "month")
    }


__all__ = [
    "EvmFacts",
    "EvmLedger",
    "EvmReconciliation",
    "EvmWalletTx",
    "TokenTotals",
    "evm_address_totals",
    "evm_history_document",
    "evm_reconciliation_document",
    "evm_summary",
    "evm_transaction_rows",
    "fold_evm_wallet",
    "reconcile_evm",
    "token_documents",
]
