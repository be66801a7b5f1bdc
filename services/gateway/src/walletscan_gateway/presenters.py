"""Read-model documents turned into the HTTP API's shapes (ARCHITECTURE §10): amounts as
strings of integers in base units, with `unit` and `decimals` beside them."""

from __future__ import annotations

from typing import Any

from walletscan_contracts.chains import NETWORKS, Network
from walletscan_contracts.events import ScanProgress
from walletscan_platform.database import iso_utc

Document = dict[str, Any]

SUMMARY_AMOUNTS = (
    "balance",
    "confirmed_balance",
    "unconfirmed_balance",
    "total_received",
    "total_sent",
    "total_fees",
)


def _text(value: Any) -> str | None:
    return None if value is None else str(int(value))


def network_info(scan: Document) -> tuple[str, int]:
    info = NETWORKS[Network(scan["network"])]
    return info.unit, info.decimals


def progress_view(
    scan: Document, progress: ScanProgress | None, counts: tuple[int, int]
) -> Document:
    derived, fetched = counts
    status = scan["status"]
    percent = 100.0 if status == "completed" else (progress.percent if progress else 0.0)
    return {
        "phase": scan.get("phase", status),
        "addresses_derived": derived,
        "addresses_fetched": fetched,
        "percent": percent,
    }


def summary_view(scan: Document) -> Document | None:
    summary = scan.get("summary")
    if not summary:
        return None
    view = {
        **summary,
        **{key: _text(summary.get(key)) for key in SUMMARY_AMOUNTS},
    }
    if summary.get("by_script_type") is not None:
        # Which script types hold history (a probed bare xpub): amounts as strings too.
        view["by_script_type"] = [
            {**row, "balance": _text(row.get("balance"))} for row in summary["by_script_type"]
        ]
    return view


def scan_view(scan: Document, progress: ScanProgress | None, counts: tuple[int, int]) -> Document:
    unit, decimals = network_info(scan)
    return {
        "id": scan["_id"],
        "group_id": scan.get("group_id"),
        "status": scan["status"],
        "input": scan.get("input_display"),
        "input_type": scan.get("input_type"),
        "chain": scan["network"],
        "unit": unit,
        "decimals": decimals,
        "gap_limit": scan.get("gap_limit"),
        "script_types": sorted({t["script_type"] for t in scan.get("tracks") or []}),
        "progress": progress_view(scan, progress, counts),
        "summary": summary_view(scan),
        "reconciliation": _reconciliation_view(scan.get("reconciliation")),
        "error": scan.get("error"),
        "requested_at": iso_utc(scan.get("requested_at")),
        "completed_at": iso_utc(scan.get("completed_at")),
    }


def group_status(statuses: list[str]) -> str:
    """Queued until a chain starts, running while any chain runs, completed when every chain
    completed, else failed (the sections say which chain failed and why)."""
    if all(s == "queued" for s in statuses):
        return "queued"
    if any(s in ("queued", "running") for s in statuses):
        return "running"
    return "completed" if all(s == "completed" for s in statuses) else "failed"


def group_view(group_id: str, sections: list[Document]) -> Document:
    first = sections[0]
    finished = [s["completed_at"] for s in sections if s.get("completed_at")]
    status = group_status([s["status"] for s in sections])
    return {
        "id": group_id,
        "group": True,
        "status": status,
        "input": first.get("input"),
        "input_type": first.get("input_type"),
        "chain": "multiple",
        "chains": [s["chain"] for s in sections],
        "requested_at": first.get("requested_at"),
        "completed_at": max(finished) if status in ("completed", "failed") and finished else None,
        "sections": sections,
    }


def scan_list_item(scan: Document) -> Document:
    unit, decimals = network_info(scan)
    summary = scan.get("summary") or {}
    return {
        "id": scan["_id"],
        "group_id": scan.get("group_id"),
        "status": scan["status"],
        "input": scan.get("input_display"),
        "input_type": scan.get("input_type"),
        "chain": scan["network"],
        "unit": unit,
        "decimals": decimals,
        "balance": _text(summary.get("balance")),
        "tx_count": summary.get("tx_count"),
        "requested_at": iso_utc(scan.get("requested_at")),
        "completed_at": iso_utc(scan.get("completed_at")),
    }


def _reconciliation_view(rec: Document | None) -> Document | None:
    if not rec:
        return None
    return {
        "reconciled": rec["reconciled"],
        "rebuilt_balance": _text(rec.get("rebuilt_balance")),
        "provider_balance": _text(rec.get("provider_balance")),
        "mismatches": [
            {key: (_text(v) if isinstance(v, int) else v) for key, v in m.items()}
            for m in rec.get("mismatches") or []
        ],
    }


def address_view(doc: Document) -> Document:
    return {
        "address": doc["address"],
        "chain": doc.get("branch"),
        "index": doc.get("index"),
        "path": doc.get("path"),
        "script_type": doc.get("script_type"),
        "used": bool(doc.get("used")),
        "fetched": bool(doc.get("fetched")),
        "tx_count": int(doc.get("tx_count") or 0),
        "balance": _text(doc.get("balance") or 0),
        "confirmed_balance": _text(doc.get("confirmed_balance") or 0),
        "received": _text(doc.get("received") or 0),
        "sent": _text(doc.get("sent") or 0),
    }


def confirmations(height: int | None, tip: int) -> int:
    return 0 if height is None else max(1, tip - height + 1)


def transaction_view(doc: Document, *, tip_height: int, network: Network) -> Document:
    info = NETWORKS[network]
    return {
        "txid": doc["txid"],
        "direction": doc["direction"],
        "delta": _text(doc["delta"]),
        "fee": _text(doc["fee"]),
        "fee_paid": _text(doc["fee_paid"]),
        "received": _text(doc.get("received", 0)),
        "sent": _text(doc.get("spent", 0)),
        "block_height": doc.get("block_height"),
        "block_time": iso_utc(doc.get("block_time")),
        "confirmed": doc.get("block_height") is not None,
        "confirmations": confirmations(doc.get("block_height"), tip_height),
        "addresses": doc.get("addresses") or [],
        "explorer_url": info.explorer_tx_url.format(txid=doc["txid"]),
        **_evm_transaction_fields(doc),
    }


def _evm_transaction_fields(doc: Document) -> Document:
    """EVM rows also say whether the transaction failed (its gas was still paid), whether
    value moved by internal calls, who the other side was, and each token's net change."""
    if "token_deltas" not in doc:
        return {}
    return {
        "failed": bool(doc.get("failed")),
        "internal": bool(doc.get("internal")),
        "counterparty": doc.get("counterparty"),
        "token_deltas": [
            {"token": t["token"], "delta": _text(t["delta"])} for t in doc["token_deltas"]
        ],
    }


def token_view(doc: Document, *, network: Network) -> Document:
    """One ERC-20 token of an EVM scan: amounts as strings in the token's base units, with
    its own `decimals` (tokens differ: 6 for USDC, 18 for most)."""
    info = NETWORKS[network]
    return {
        "token": doc["token"],
        "symbol": doc.get("symbol"),
        "name": doc.get("name"),
        "decimals": doc.get("decimals"),
        "received": _text(doc.get("received") or 0),
        "sent": _text(doc.get("sent") or 0),
        "balance": _text(doc.get("balance") or 0),
        "provider_balance": _text(doc.get("provider_balance")),
        "transfer_count": int(doc.get("transfer_count") or 0),
        "reconciled": bool(doc.get("reconciled")),
        "explorer_url": info.explorer_address_url.format(address=doc["token"]),
    }


def utxo_view(doc: Document, *, tip_height: int) -> Document:
    return {
        "txid": doc["txid"],
        "vout": doc["vout"],
        "address": doc.get("address"),
        "value": _text(doc["value"]),
        "block_height": doc.get("block_height"),
        "confirmations": confirmations(doc.get("block_height"), tip_height),
    }


def history_view(points: list[Document]) -> list[Document]:
    return [
        {
            "period": p["period"],
            "balance": _text(p["balance"]),
            "received": _text(p["received"]),
            "sent": _text(p["sent"]),
            "tx_count": p["tx_count"],
        }
        for p in points
    ]


def progress_message(progress: ScanProgress) -> Document:
    return {
        "scan_id": progress.scan_id,
        "status": progress.status.value,
        "phase": progress.phase.value,
        "addresses_derived": progress.addresses_derived,
        "addresses_fetched": progress.addresses_fetched,
        "percent": progress.percent,
        "error": progress.error,
        "updated_at": progress.updated_at.isoformat(),
    }
