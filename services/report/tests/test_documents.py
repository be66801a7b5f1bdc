"""Report builders on a small completed scan: every format carries the exact figures."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from walletscan_report.documents import ScanData, scan_json, transactions_csv
from walletscan_report.pdf import scan_pdf

TXS = [
    {"txid": "c" * 64, "direction": "in", "delta": 42_000, "fee": 0, "fee_paid": 0,
     "received": 42_000, "spent": 0, "block_height": None, "block_time": None,
     "addresses": ["bc1qa"]},
    {"txid": "b" * 64, "direction": "out", "delta": -150_700, "fee": 700, "fee_paid": 700,
     "received": 0, "spent": 150_700, "block_height": 101, "block_time": 1_700_000_600,
     "addresses": ["bc1qa"]},
    {"txid": "a" * 64, "direction": "in", "delta": 1_000_000, "fee": 300, "fee_paid": 0,
     "received": 1_000_000, "spent": 0, "block_height": 100, "block_time": 1_700_000_000,
     "addresses": ["bc1qa"]},
]  # fmt: skip


def scan_data() -> ScanData:
    balance = sum(int(t["delta"]) for t in TXS)
    return ScanData(
        scan={
            "_id": "s1",
            "network": "bitcoin",
            "status": "completed",
            "input_type": "zpub",
            "input_display": "zpub6rFR…GutZYs",
            "tip_height": 110,
            "requested_at": datetime(2026, 1, 1, tzinfo=UTC),
            "completed_at": datetime(2026, 1, 1, 0, 1, tzinfo=UTC),
            "summary": {
                "balance": balance,
                "confirmed_balance": balance - 42_000,
                "unconfirmed_balance": 42_000,
                "total_received": 1_042_000,
                "total_sent": 150_700,
                "total_fees": 700,
                "tx_count": 3,
                "used_address_count": 1,
                "scanned_address_count": 21,
                "reconciled": True,
            },
        },
        addresses=[
            {
                "address": "bc1qa",
                "path": "m/84'/0'/0'/0/0",
                "used": True,
                "tx_count": 3,
                "balance": balance,
                "received": 1_042_000,
                "sent": 150_700,
            },
        ],
        transactions=TXS,
        utxos=[{"txid": "c" * 64, "vout": 0, "value": 42_000, "block_height": None}],
    )


def test_csv_rows_add_up_to_the_balance() -> None:
    rows = list(csv.DictReader(io.StringIO(transactions_csv(scan_data()).decode())))
    assert [r["txid"] for r in rows] == [t["txid"] for t in TXS]
    assert sum(int(r["amount_base_units"]) for r in rows) == 891_300
    assert rows[1]["amount"] == "-0.00150700"
    assert rows[0]["confirmations"] == "0"
    assert rows[2]["confirmations"] == "11"


def test_json_amounts_are_exact_strings() -> None:
    report = json.loads(scan_json(scan_data()))
    assert report["summary"]["balance"] == "891300"
    assert [t["delta"] for t in report["transactions"]] == ["42000", "-150700", "1000000"]
    assert report["utxos"][0]["value"] == "42000"


def test_pdf_carries_the_summary_and_every_transaction() -> None:
    pdf = scan_pdf(scan_data())
    assert pdf.startswith(b"%PDF")
    # Uncompressed page streams: the drawn text can be found as it is.
    assert b"0.00891300 BTC" in pdf
    assert b"-0.00150700 BTC" in pdf
    assert b"Reconciled" in pdf
    for tx in TXS:
        assert str(tx["txid"]).encode() in pdf
