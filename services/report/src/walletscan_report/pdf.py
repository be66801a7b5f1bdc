"""The PDF report: what an accountant files. A summary with the reconciliation verdict, the
addresses that hold or held funds, and every transaction, with exact amounts (base units turned
into decimals as text, never floats)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from walletscan_contracts.amounts import format_units
from walletscan_contracts.chains import NETWORKS

from walletscan_report.documents import ScanData, confirmations

SUMMARY_ROWS = (
    ("Balance", "balance"),
    ("Confirmed balance", "confirmed_balance"),
    ("Unconfirmed", "unconfirmed_balance"),
    ("Received", "total_received"),
    ("Sent (fees included)", "total_sent"),
    ("Fees paid", "total_fees"),
)

GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f4f6")]),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _date(ts: Any) -> str:
    if not ts:
        return "unconfirmed"
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%d %H:%M")


def scan_pdf(data: ScanData) -> bytes:
    info = NETWORKS[data.network]
    scan, summary = data.scan, data.scan.get("summary") or {}
    styles = getSampleStyleSheet()

    def amount(value: Any) -> str:
        return f"{format_units(int(value or 0), info.decimals)} {info.unit}"

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"walletscan report {scan['_id']}",
        author="walletscan",
        # Uncompressed, so the report's text can be checked (and grepped) as it is.
        pageCompression=0,
    )
    story: list[Any] = [
        Paragraph("walletscan wallet report", styles["Title"]),
        Paragraph(
            f"{info.name} · {scan.get('input_type')} {scan.get('input_display')} · scan "
            f"{scan['_id']} · completed {scan.get('completed_at') or '—'}",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [["", ""]] + [[label, amount(summary.get(key))] for label, key in SUMMARY_ROWS]
    rows += [
        ["Transactions", str(summary.get("tx_count", 0))],
        [
            "Addresses used / scanned",
            f"{summary.get('used_address_count', 0)} / {summary.get('scanned_address_count', 0)}",
        ],
    ]
    story.append(Table(rows, colWidths=[60 * mm, 70 * mm], style=GRID, hAlign="LEFT"))
    story.append(Spacer(1, 4 * mm))
    reconciled = bool(summary.get("reconciled"))
    story.append(
        Paragraph(
            "Reconciled: the balance rebuilt from every transaction equals the balance the "
            "data provider reports."
            if reconciled
            else "NOT reconciled: the balance rebuilt from the transactions differs from the "
            "provider's balance. See the mismatches in the JSON report.",
            styles["Normal"],
        )
    )
    story.append(Spacer(1, 6 * mm))

    used = [a for a in data.addresses if a.get("used")]
    if used:
        story.append(Paragraph("Addresses with activity", styles["Heading2"]))
        table = [["Path", "Address", "Txs", "Balance"]] + [
            [a.get("path") or "", a["address"], str(a.get("tx_count", 0)), amount(a.get("balance"))]
            for a in used
        ]
        story.append(Table(table, colWidths=[32 * mm, 98 * mm, 12 * mm, 40 * mm], style=GRID))
        story.append(Spacer(1, 6 * mm))

    story.append(Paragraph("Transactions (newest first)", styles["Heading2"]))
    table = [["Date (UTC)", "Transaction", "Amount", "Fee paid", "Conf."]] + [
        [
            _date(tx.get("block_time")),
            tx["txid"],
            amount(tx["delta"]),
            amount(tx.get("fee_paid")),
            str(confirmations(tx.get("block_height"), data.tip_height)),
        ]
        for tx in data.transactions
    ]
    story.append(
        Table(
            table, colWidths=[23 * mm, 91 * mm, 34 * mm, 24 * mm, 10 * mm], style=GRID, repeatRows=1
        )
    )
    doc.build(story)
    return buffer.getvalue()
