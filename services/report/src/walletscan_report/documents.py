"""Pure report builders: read-model documents in, file bytes out."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from walletscan_contracts.amounts import format_units
from walletscan_contracts.chains import NETWORKS, Network
from walletscan_platform.database import iso_utc

Document = dict[str, Any]

CSV_COLUMNS = (
    "date_utc",
    "txid",
    "direction",
    "amount",
    "amount_base_units",
    "fee_paid",
    "fee_paid_base_units",
    "block_height",
    "confirmations",
    "unit",
    "addresses",
)


@dataclass(frozen=True, slots=True)
class ScanData:
    scan: Document
    addresses: list[Document]
    transactions: list[Document]
    utxos: list[Document]

    @property
    def network(self) -> Network:
        return Network(self.scan["network"])

    @property
    def tip_height(self) -> int:
        return int(self.scan.get("tip_height") or 0)


def confirmations(block_height: int | None, tip_height: int) -> int:
    if block_height is None:
        return 0
    return max(0, tip_height - block_height + 1)


def _date(ts: int | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S") if ts else "unconfirmed"


def transactions_csv(data: ScanData) -> bytes:
    info = NETWORKS[data.network]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for tx in data.transactions:
        writer.writerow(
            (
                _date(tx.get("block_time")),
                tx["txid"],
                tx["direction"],
                format_units(int(tx["delta"]), info.decimals),
                int(tx["delta"]),
                format_units(int(tx["fee_paid"]), info.decimals),
                int(tx["fee_paid"]),
                tx.get("block_height") if tx.get("block_height") is not None else "",
                confirmations(tx.get("block_height"), data.tip_height),
                info.unit,
                " ".join(tx.get("addresses") or []),
            )
        )
    return out.getvalue().encode()


def _amounts(doc: Document, keys: tuple[str, ...]) -> dict[str, str | None]:
    return {k: (str(doc[k]) if doc.get(k) is not None else None) for k in keys}


def scan_json(data: ScanData) -> bytes:
    """The whole scan as JSON; amounts as strings of base units, as in the HTTP API."""
    scan = data.scan
    summary = scan.get("summary") or {}
    amount_keys = (
        "balance",
        "confirmed_balance",
        "unconfirmed_balance",
        "total_received",
        "total_sent",
        "total_fees",
    )
    document = {
        "scan": {
            "id": scan["_id"],
            "input": scan.get("input_display"),
            "input_type": scan.get("input_type"),
            "network": scan["network"],
            "status": scan["status"],
            "requested_at": iso_utc(scan.get("requested_at")),
            "completed_at": iso_utc(scan.get("completed_at")),
            "gap_limit": scan.get("gap_limit"),
        },
        "summary": {**summary, **_amounts(summary, amount_keys)},
        "reconciliation": scan.get("reconciliation"),
        "addresses": [
            {
                "address": a["address"],
                "path": a.get("path"),
                "branch": a.get("branch"),
                "index": a.get("index"),
                "script_type": a.get("script_type"),
                "tx_count": a.get("tx_count", 0),
                **_amounts(a, ("balance", "received", "sent")),
            }
            for a in data.addresses
        ],
        "transactions": [
            {
                "txid": tx["txid"],
                "direction": tx["direction"],
                "block_height": tx.get("block_height"),
                "block_time": tx.get("block_time"),
                "confirmations": confirmations(tx.get("block_height"), data.tip_height),
                "addresses": tx.get("addresses") or [],
                **_amounts(tx, ("delta", "fee", "fee_paid", "received", "spent")),
            }
            for tx in data.transactions
        ],
        "utxos": [
            {
                "txid": u["txid"],
                "vout": u["vout"],
                "address": u.get("address"),
                "value": str(u["value"]),
                "block_height": u.get("block_height"),
            }
            for u in data.utxos
        ],
    }
    return json.dumps(document, indent=2).encode()
