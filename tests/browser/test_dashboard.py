"""Runs the Playwright suite (frontend/e2e) in Debian's chromium against the real stack, with
the expected figures computed here from the simulated chain, independently of the app."""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from walletscan_testkit.chain import expected_wallet_totals

from tests.browser.conftest import FRONTEND, ROOT, Dashboard
from tests.e2e.worlds import ZPUB

GAP_LIMIT = 25
DECIMALS = 8


def coins(base_units: int) -> str:
    """Base units as the dashboard should print them: grouped, every decimal, U+2212 minus."""
    text = format(Decimal(base_units).scaleb(-DECIMALS), f",.{DECIMALS}f")
    return text.replace("-", "\u2212")


def expected_figures(dashboard: Dashboard) -> dict[str, object]:
    wallet = dashboard.wallet
    totals = expected_wallet_totals(wallet.chain, wallet.addresses(include_far=True))
    confirmed = {t: d for t, d in totals.deltas.items() if t != wallet.unconfirmed_txid}
    return {
        "zpub": ZPUB,
        "gap_limit": GAP_LIMIT,
        "unit": "BTC",
        "balance": coins(totals.balance),
        "confirmed_balance": coins(totals.confirmed_balance),
        "unconfirmed_balance": coins(totals.unconfirmed_balance),
        "total_received": coins(totals.total_received),
        "total_sent": coins(totals.total_sent),
        "total_fees": coins(totals.total_fees),
        "tx_count": totals.tx_count,
        "used_address_count": len(totals.used_addresses),
        # Receive used up to 26 -> 27 + gap; change used up to 1 -> 2 + gap.
        "scanned_address_count": (26 + 1 + GAP_LIMIT) + (1 + 1 + GAP_LIMIT),
        "confirmed_received": str(sum(d for d in confirmed.values() if d > 0)),
        "confirmed_sent": str(sum(-d for d in confirmed.values() if d < 0)),
        "balance_base_units": str(totals.balance),
        "unconfirmed_txid": wallet.unconfirmed_txid,
        "out_count": payments_out(dashboard),
    }


def payments_out(dashboard: Dashboard) -> int:
    """Transactions paying someone outside the wallet (moves between own addresses are
    "self", not "out")."""
    wallet = dashboard.wallet
    own = frozenset(wallet.addresses(include_far=True))
    count = 0
    for tx in wallet.chain.all_txs():
        spends = any(i.prevout is not None and i.prevout.address in own for i in tx.inputs)
        if spends and any(o.address not in own for o in tx.outputs):
            count += 1
    return count


@pytest.mark.timeout(900)
def test_dashboard_in_a_real_browser(dashboard: Dashboard) -> None:
    artifacts = ROOT / ".artifacts"
    artifacts.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "BASE_URL": dashboard.url,
        "WALLETSCAN_EXPECTED": json.dumps(expected_figures(dashboard)),
        "ARTIFACTS_DIR": str(artifacts),
        "PLAYWRIGHT_OUTPUT_DIR": str(artifacts / "playwright"),
        "NEXT_TELEMETRY_DISABLED": "1",
    }
    result = subprocess.run(
        [str(FRONTEND / "node_modules" / ".bin" / "playwright"), "test"],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    print(result.stdout)
    print(result.stderr)
    if result.returncode != 0:
        tail = "\n".join(Path(dashboard.logs).read_text(errors="replace").splitlines()[-40:])
        pytest.fail(
            f"Playwright failed ({result.returncode}):\n{result.stdout[-6000:]}\n"
            f"{result.stderr[-3000:]}\n--- frontend log ---\n{tail}"
        )
