"""Wallet-level accounting (ARCHITECTURE §5): pure functions over normalised provider facts.

The inputs are per-(transaction, address) facts (`AddressTx`) keyed by the wallet address they
were fetched for, and the provider's per-address summaries (`AddressSummary`). Nothing here does
I/O, so the aggregator can recompute everything from stored facts at any time (totals are
recomputed, never incremented — §4) and tests can replay recorded provider responses.

Rules, and why:

* Facts are deduplicated by (address, txid) first: delivery is at-least-once, so the same
  transaction can arrive twice for one address (redelivery, a retried page). When the two copies
  disagree the confirmed one wins (a tx seen in the mempool and later in a block).
* The facts of one txid across all wallet addresses are merged into ONE `WalletTx` whose delta is
  Σ(received − spent). A transfer between two wallet addresses (change, self-transfer,
  consolidation) therefore nets to −fee and the change is never counted as income.
* `fee_paid` is the part of the transaction fee attributed to the wallet:
    - 0 when the wallet spent nothing (a pure receive: the sender paid the fee);
    - the whole fee when the wallet owns every input (Σ spent >= input_total);
    - otherwise (coinjoin, payjoin, any collaborative tx) floor(fee × Σ spent / input_total):
      a share proportional to the input value the wallet contributed. Floor, so the shares of
      all participants never add up to more than the fee. `AddressTx` does not say which of
      the other outputs return to the other input owners, so a share by net contribution
      (what rotki does) cannot be computed here; the share by gross input value can.
  The delta already contains whatever the wallet really paid; `fee_paid` only says how much of
  the outflow to show as "fee".
* Summary totals include unconfirmed transactions; `confirmed_balance` excludes them (§10).
* All amounts are ints in base units (satoshi, wei); floats never appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from walletscan_contracts.events import AddressSummary, AddressTx

Direction = Literal["in", "out", "self"]
Interval = Literal["day", "month"]


@dataclass(frozen=True, slots=True)
class WalletTx:
    """One transaction as seen from the whole wallet (all its addresses together)."""

    txid: str
    delta: int  # Σ received − spent over the wallet's addresses; fees included
    fee: int  # the whole transaction's fee
    fee_paid: int  # the part of `fee` attributed to the wallet (module docstring)
    received: int  # Σ of outputs paying wallet addresses (change included)
    spent: int  # Σ of inputs spending from wallet addresses
    addresses: list[str]  # sorted wallet addresses involved
    block_height: int | None
    block_time: int | None  # unix seconds
    confirmations: int  # 0 while unconfirmed
    direction: Direction

    @property
    def confirmed(self) -> bool:
        return self.block_height is not None


@dataclass(frozen=True, slots=True)
class WalletTotals:
    balance: int  # includes unconfirmed
    confirmed_balance: int
    unconfirmed_balance: int  # balance − confirmed_balance
    total_received: int  # Σ positive wallet deltas
    total_sent: int  # Σ |negative wallet deltas|, fees included
    total_fees: int  # Σ fee_paid
    tx_count: int
    used_address_count: int  # addresses with at least one transaction
    first_seen: int | None  # earliest block time (unix seconds), None if nothing confirmed
    last_seen: int | None


@dataclass(frozen=True, slots=True)
class WalletLedger:
    transactions: list[WalletTx]  # newest first: unconfirmed, then height desc, then txid
    totals: WalletTotals


def dedupe_facts(facts: Iterable[AddressTx]) -> list[AddressTx]:
    """One fact per txid for one address. A confirmed copy beats an unconfirmed one (the tx got
    mined between two fetches); otherwise the copy delivered last wins (identical redelivery)."""
    by_txid: dict[str, AddressTx] = {}
    for fact in facts:
        kept = by_txid.get(fact.txid)
        if kept is None or fact.confirmed or not kept.confirmed:
            by_txid[fact.txid] = fact
    return list(by_txid.values())


def fee_share(*, fee: int, spent: int, input_total: int) -> int:
    """The wallet's part of a transaction fee (rule in the module docstring)."""
    if spent <= 0 or fee <= 0:
        return 0
    if spent >= input_total:  # every input is the wallet's (or the provider gave no total)
        return fee
    return fee * spent // input_total


def _confirmations(block_height: int | None, tip_height: int) -> int:
    if block_height is None:
        return 0
    # A mined tx has at least one confirmation even if our tip is a little stale.
    return max(1, tip_height - block_height + 1)


def _newest_first(tx: WalletTx) -> tuple[int, int, str]:
    if tx.block_height is None:
        return (0, 0, tx.txid)
    return (1, -tx.block_height, tx.txid)


def fold_wallet(
    facts_by_address: Mapping[str, Iterable[AddressTx]], *, tip_height: int
) -> WalletLedger:
    """Merge the per-address facts into wallet transactions and totals."""
    # txid -> [(address, fact)] after the per-address dedupe.
    by_txid: dict[str, list[tuple[str, AddressTx]]] = {}
    used_addresses: set[str] = set()
    for address, facts in facts_by_address.items():
        for fact in dedupe_facts(facts):
            by_txid.setdefault(fact.txid, []).append((address, fact))
            used_addresses.add(address)

    transactions = [_merge(txid, rows, tip_height) for txid, rows in by_txid.items()]
    transactions.sort(key=_newest_first)
    return WalletLedger(
        transactions=transactions, totals=_totals(transactions, len(used_addresses))
    )


def _merge(txid: str, rows: list[tuple[str, AddressTx]], tip_height: int) -> WalletTx:
    facts = [fact for _, fact in rows]
    received = sum(f.received for f in facts)
    spent = sum(f.spent for f in facts)
    # Whole-transaction fields are repeated on every address's fact; providers may disagree
    # slightly (or one copy may predate confirmation). Take the most informative value so the
    # result does not depend on the order the facts arrived in.
    fee = max(f.fee for f in facts)
    input_total = max(f.input_total for f in facts)
    heights = [f.block_height for f in facts if f.block_height is not None]
    block_height = min(heights) if heights else None
    times = [f.block_time for f in facts if f.block_time is not None]
    block_time = min(times) if times else None

    delta = received - spent
    fee_paid = fee_share(fee=fee, spent=spent, input_total=input_total)
    direction: Direction
    # "self": the wallet paid the whole fee and nothing else left it — change, self-transfer,
    # consolidation, or an OP_RETURN-only spend whose only outflow is the fee.
    if spent > 0 and fee_paid == fee and delta == -fee:
        direction = "self"
    elif delta >= 0:
        direction = "in"
    else:
        direction = "out"
    return WalletTx(
        txid=txid,
        delta=delta,
        fee=fee,
        fee_paid=fee_paid,
        received=received,
        spent=spent,
        addresses=sorted({address for address, _ in rows}),
        block_height=block_height,
        block_time=block_time if block_height is not None else None,
        confirmations=_confirmations(block_height, tip_height),
        direction=direction,
    )


def _totals(transactions: list[WalletTx], used_address_count: int) -> WalletTotals:
    balance = sum(tx.delta for tx in transactions)
    confirmed_balance = sum(tx.delta for tx in transactions if tx.confirmed)
    times = [tx.block_time for tx in transactions if tx.block_time is not None]
    return WalletTotals(
        balance=balance,
        confirmed_balance=confirmed_balance,
        unconfirmed_balance=balance - confirmed_balance,
        total_received=sum(tx.delta for tx in transactions if tx.delta > 0),
        total_sent=sum(-tx.delta for tx in transactions if tx.delta < 0),
        total_fees=sum(tx.fee_paid for tx in transactions),
        tx_count=len(transactions),
        used_address_count=used_address_count,
        first_seen=min(times) if times else None,
        last_seen=max(times) if times else None,
    )


# --- reconciliation -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddressCheck:
    """Rebuilt-from-history vs provider-reported numbers for one address. Provider values are
    None when no summary was received for the address (then it cannot be verified: not ok)."""

    address: str
    rebuilt_balance: int
    provider_balance: int | None
    rebuilt_confirmed_balance: int
    provider_confirmed_balance: int | None
    rebuilt_tx_count: int
    provider_tx_count: int | None

    @property
    def balance_ok(self) -> bool:
        return self.rebuilt_balance == self.provider_balance

    @property
    def confirmed_ok(self) -> bool:
        return self.rebuilt_confirmed_balance == self.provider_confirmed_balance

    @property
    def tx_count_ok(self) -> bool:
        return self.rebuilt_tx_count == self.provider_tx_count

    @property
    def ok(self) -> bool:
        return self.balance_ok and self.confirmed_ok and self.tx_count_ok


@dataclass(frozen=True, slots=True)
class Reconciliation:
    reconciled: bool
    rebuilt_balance: int  # Σ over addresses of the balance rebuilt from facts
    provider_balance: int  # Σ over addresses of the provider's balance
    addresses: list[AddressCheck]  # every address, sorted
    mismatches: list[AddressCheck]  # the ones not ok, with both numbers


def reconcile(
    facts_by_address: Mapping[str, Iterable[AddressTx]],
    summaries_by_address: Mapping[str, AddressSummary],
) -> Reconciliation:
    """Check, per address and for the wallet, that the history adds up to the provider's
    balance (§5). Per-address balances are address-level on purpose: an address's own history
    (change included) must add up to what the provider reports for it."""
    checks: list[AddressCheck] = []
    for address in sorted(set(facts_by_address) | set(summaries_by_address)):
        facts = dedupe_facts(facts_by_address.get(address, ()))
        summary = summaries_by_address.get(address)
        checks.append(
            AddressCheck(
                address=address,
                rebuilt_balance=sum(f.delta for f in facts),
                provider_balance=summary.balance if summary else None,
                rebuilt_confirmed_balance=sum(f.delta for f in facts if f.confirmed),
                provider_confirmed_balance=summary.confirmed_balance if summary else None,
                rebuilt_tx_count=len(facts),
                provider_tx_count=summary.tx_count if summary else None,
            )
        )
    rebuilt = sum(c.rebuilt_balance for c in checks)
    provider = sum(c.provider_balance or 0 for c in checks)
    mismatches = [c for c in checks if not c.ok]
    return Reconciliation(
        reconciled=not mismatches and rebuilt == provider,
        rebuilt_balance=rebuilt,
        provider_balance=provider,
        addresses=checks,
        mismatches=mismatches,
    )


# --- balance history ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    period: str  # ISO date of the period start (UTC): "2024-05-01"
    balance: int  # wallet balance at the end of the period
    received: int  # Σ positive deltas in the period
    sent: int  # Σ |negative deltas| in the period
    tx_count: int


def _period_start(block_time: int, interval: Interval) -> date:
    day = datetime.fromtimestamp(block_time, tz=UTC).date()
    return day.replace(day=1) if interval == "month" else day


def balance_history(transactions: Iterable[WalletTx], interval: Interval) -> list[HistoryPoint]:
    """Running balance over CONFIRMED transactions in chain order (height, then txid), one point
    per UTC day or month with activity. Unconfirmed transactions are left to the caller.

    Block times are not strictly monotonic along the chain (a block may carry a timestamp a bit
    earlier than its parent's), so a transaction's period is never allowed to go back before the
    previous one's: the series stays in chain order with one point per period. A confirmed
    transaction without a block time joins the period of its neighbour in chain order.
    """
    confirmed = sorted(
        (tx for tx in transactions if tx.block_height is not None),
        key=lambda tx: (tx.block_height, tx.txid),
    )
    # Assign each tx a period, monotonic in chain order.
    periods: list[date | None] = []
    last: date | None = None
    for tx in confirmed:
        if tx.block_time is not None:
            start = _period_start(tx.block_time, interval)
            last = start if last is None else max(last, start)
        periods.append(last)
    # Leading txs without a time join the first dated period.
    first_dated = next((p for p in periods if p is not None), None)
    if first_dated is None:
        return []

    points: list[HistoryPoint] = []
    balance = received = sent = count = 0
    current: date = first_dated
    for tx, maybe_period in zip(confirmed, periods, strict=True):
        period = maybe_period or first_dated
        if period != current and count:
            points.append(HistoryPoint(current.isoformat(), balance, received, sent, count))
            received = sent = count = 0
        current = period
        balance += tx.delta
        received += max(tx.delta, 0)
        sent += max(-tx.delta, 0)
        count += 1
    points.append(HistoryPoint(current.isoformat(), balance, received, sent, count))
    return points
