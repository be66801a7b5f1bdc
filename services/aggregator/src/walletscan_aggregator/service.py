"""Pure decisions of the aggregator: when to derive more, when a scan is done, what its
progress and summary are. No broker, no database: replayable and unit-tested."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from walletscan_contracts.chains import NETWORKS, Network
from walletscan_contracts.events import ADDRESS_TRACK, AddressTx, ScanPhase, ScanStatus

from walletscan_aggregator.accounting import Reconciliation, WalletLedger, balance_history
from walletscan_aggregator.gap_limit import required_derived, track_complete


@dataclass(frozen=True, slots=True)
class TrackState:
    track_id: str
    derived: int
    fetched: int
    highest_used: int | None


def derive_target(state: TrackState, *, gap_limit: int) -> int:
    """How many addresses of a track must exist: `gap_limit` unused after the highest used
    one (BIP44). Exactly that many, so a wider gap is the only way to see further."""
    return required_derived(state.highest_used, gap_limit)


def missing_ranges(fetched: set[int], target: int, batch_size: int) -> list[tuple[int, int]]:
    """(start, count) runs of the indexes below `target` that were never fetched, at most
    `batch_size` long: what a resumed scan asks to derive and fetch again."""
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for index in range(target + 1):
        missing = index < target and index not in fetched
        if missing and start is None:
            start = index
        if start is not None and (not missing or index - start == batch_size):
            ranges.append((start, index - start))
            start = index if missing else None
    return ranges


def derive_ranges(already: int, target: int, batch_size: int) -> list[tuple[int, int]]:
    """(start, count) commands covering [already, target) in batches of `batch_size`."""
    return [
        (start, min(batch_size, target - start)) for start in range(already, target, batch_size)
    ]


def is_track_done(state: TrackState, *, gap_limit: int, given_addresses: int) -> bool:
    if state.track_id == ADDRESS_TRACK:
        # Addresses given directly: done once each of them has been fetched.
        return state.derived >= given_addresses and state.fetched >= given_addresses
    return track_complete(state.derived, state.fetched, state.highest_used, gap_limit)


def progress_percent(derived: int, fetched: int, *, minimum_expected: int) -> float:
    """Share of addresses fetched among those known so far. The total is unknown until the gap
    limit closes every track, so the figure stays below 100 until the scan completes."""
    total = max(derived, minimum_expected, 1)
    return round(min(99.0, 100.0 * fetched / total), 1)


def minimum_expected_addresses(scan: Mapping[str, Any]) -> int:
    tracks = scan.get("tracks") or []
    if tracks:
        return int(scan["gap_limit"]) * len(tracks)
    return int(scan.get("address_count_given") or 0)


def phase_of(derived: int, fetched: int) -> ScanPhase:
    return ScanPhase.DERIVING if derived == 0 else ScanPhase.FETCHING


def address_totals(facts: list[AddressTx]) -> dict[str, int]:
    unique = {tx.txid: tx for tx in facts}.values()
    received = sum(tx.received for tx in unique)
    sent = sum(tx.spent for tx in unique)
    confirmed = sum(tx.received - tx.spent for tx in unique if tx.block_height is not None)
    return {
        "received": received,
        "sent": sent,
        "balance": received - sent,
        "confirmed_balance": confirmed,
        "tx_count": len(unique),
    }


def build_summary(
    ledger: WalletLedger,
    reconciliation: Reconciliation,
    *,
    network: Network,
    used_addresses: int,
    scanned_addresses: int,
    by_script_type: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The summary of ARCHITECTURE §10, amounts as integers in base units (the API turns them
    into strings). `by_script_type` says which script types hold history (probed xpubs)."""
    info = NETWORKS[network]
    totals = ledger.totals
    extra = {"by_script_type": by_script_type} if by_script_type is not None else {}
    return {
        **extra,
        "unit": info.unit,
        "decimals": info.decimals,
        "balance": totals.balance,
        "confirmed_balance": totals.confirmed_balance,
        "unconfirmed_balance": totals.unconfirmed_balance,
        "total_received": totals.total_received,
        "total_sent": totals.total_sent,
        "total_fees": totals.total_fees,
        "tx_count": totals.tx_count,
        "used_address_count": used_addresses,
        "scanned_address_count": scanned_addresses,
        "first_seen": _iso(totals.first_seen),
        "last_seen": _iso(totals.last_seen),
        "reconciled": reconciliation.reconciled,
    }


def script_type_results(
    addresses: Iterable[Mapping[str, Any]], script_types: Iterable[str]
) -> list[dict[str, Any]]:
    """Per scanned script type: how many of its addresses were scanned and used, and their
    balance. A bare xpub is probed as legacy, nested and native segwit (ARCHITECTURE §5);
    this is how the user learns which of them the wallet really uses."""
    order = list(dict.fromkeys(script_types))
    scanned = dict.fromkeys(order, 0)
    used = dict.fromkeys(order, 0)
    balance = dict.fromkeys(order, 0)
    for doc in addresses:
        kind = doc.get("script_type") or ""
        if kind not in scanned:
            continue
        scanned[kind] += 1
        used[kind] += 1 if doc.get("used") else 0
        balance[kind] += int(doc.get("balance") or 0)
    return [
        {
            "script_type": kind,
            "scanned": scanned[kind],
            "used": used[kind],
            "balance": balance[kind],
            "has_history": used[kind] > 0,
        }
        for kind in order
    ]


def reconciliation_document(reconciliation: Reconciliation) -> dict[str, Any]:
    return {
        "reconciled": reconciliation.reconciled,
        "rebuilt_balance": reconciliation.rebuilt_balance,
        "provider_balance": reconciliation.provider_balance,
        "mismatches": [
            {
                "address": m.address,
                "rebuilt_balance": m.rebuilt_balance,
                "provider_balance": m.provider_balance,
                "rebuilt_confirmed_balance": m.rebuilt_confirmed_balance,
                "provider_confirmed_balance": m.provider_confirmed_balance,
                "rebuilt_tx_count": m.rebuilt_tx_count,
                "provider_tx_count": m.provider_tx_count,
            }
            for m in reconciliation.mismatches
        ],
    }


def history_document(ledger: WalletLedger) -> dict[str, list[dict[str, Any]]]:
    """Balance series per day and per month, stored with the scan for the charts."""
    return {
        interval: [
            {
                "period": p.period,
                "balance": p.balance,
                "received": p.received,
                "sent": p.sent,
                "tx_count": p.tx_count,
            }
            for p in balance_history(ledger.transactions, interval)
        ]
        for interval in ("day", "month")
    }


def transaction_rows(ledger: WalletLedger) -> list[dict[str, Any]]:
    rows = []
    for tx in ledger.transactions:
        height = tx.block_height
        rows.append(
            {
                "txid": tx.txid,
                "delta": tx.delta,
                "fee": tx.fee,
                "fee_paid": tx.fee_paid,
                "received": tx.received,
                "spent": tx.spent,
                "direction": tx.direction,
                "addresses": list(tx.addresses),
                "block_height": height,
                "block_time": tx.block_time,
                # Newest first with unconfirmed on top: one sortable key for the API's pages.
                "sort_key": f"{(height if height is not None else 99_999_999):09d}:{tx.txid}",
            }
        )
    return rows


def _iso(ts: int | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat() if ts is not None else None


TERMINAL = (ScanStatus.COMPLETED.value, ScanStatus.FAILED.value)
