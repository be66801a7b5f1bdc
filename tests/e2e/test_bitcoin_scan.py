"""A Bitcoin wallet scanned end to end through the gateway, checked against totals computed
independently from the simulated chain."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from walletscan_testkit.chain import expected_wallet_totals
from walletscan_testkit.stack import ServiceStack

from tests.e2e.client import ApiUser
from tests.e2e.worlds import TYPED_ADDRESSES, ZPUB, Wallet


async def scan_to_end(
    user: ApiUser, **body: Any
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    r = await user.start_scan(**body)
    assert r.status_code == 202, r.text
    scan_id = r.json()["id"]
    progress = await user.follow(scan_id)
    return scan_id, progress, await user.scan(scan_id)


def assert_summary_matches(summary: dict[str, Any], expected: Any) -> None:
    assert summary["unit"] == "BTC"
    assert summary["decimals"] == 8
    assert int(summary["balance"]) == expected.balance
    assert int(summary["confirmed_balance"]) == expected.confirmed_balance
    assert int(summary["unconfirmed_balance"]) == expected.unconfirmed_balance
    assert int(summary["total_received"]) == expected.total_received
    assert int(summary["total_sent"]) == expected.total_sent
    assert int(summary["total_fees"]) == expected.total_fees
    assert summary["tx_count"] == expected.tx_count
    assert summary["used_address_count"] == len(expected.used_addresses)
    assert summary["reconciled"] is True


async def test_zpub_scan_with_wide_gap_limit_finds_everything(
    user: ApiUser, wallet: Wallet, stack: ServiceStack
) -> None:
    scan_id, progress, scan = await scan_to_end(user, input=ZPUB, gap_limit=25)
    assert scan["status"] == "completed", (scan, stack.logs())
    expected = expected_wallet_totals(wallet.chain, wallet.addresses(include_far=True))
    assert_summary_matches(scan["summary"], expected)
    assert scan["input_type"] == "zpub"
    assert scan["chain"] == "bitcoin"

    # Live progress: the current value first, then changes, ending with completion.
    assert progress[-1]["status"] == "completed"
    assert progress[-1]["percent"] == 100.0
    assert {m["phase"] for m in progress} & {"deriving", "fetching", "aggregating", "queued"}
    assert progress[-1]["addresses_fetched"] == progress[-1]["addresses_derived"] > 0

    # Gap limit per chain: receive used up to 26 -> 27 + 25 derived; change up to 1 -> 2 + 25.
    assert scan["summary"]["scanned_address_count"] == (26 + 1 + 25) + (1 + 1 + 25)

    # Every transaction, newest first, with the wallet delta computed independently.
    txs = await user.all_transactions(scan_id, page_size=25)
    assert len(txs) == expected.tx_count
    assert {t["txid"]: int(t["delta"]) for t in txs} == expected.deltas
    assert txs[0]["txid"] == wallet.unconfirmed_txid
    assert txs[0]["confirmations"] == 0 and txs[0]["confirmed"] is False
    heights = [t["block_height"] for t in txs[1:]]
    assert heights == sorted(heights, reverse=True)
    self_transfer = next(t for t in txs if t["txid"] == wallet.self_transfer_txid)
    assert self_transfer["direction"] == "self"
    assert int(self_transfer["delta"]) == -500 == -int(self_transfer["fee_paid"])

    # Direction filter.
    r = await user.http.get(f"/api/scans/{scan_id}/transactions", params={"direction": "out"})
    assert r.status_code == 200
    assert all(int(t["delta"]) < 0 for t in r.json()["items"])
    assert r.json()["total"] == sum(1 for t in txs if t["direction"] == "out")

    # Addresses: both chains, derivation paths, the busy address with its 70+ transactions.
    r = await user.http.get(f"/api/scans/{scan_id}/addresses")
    addresses = {a["address"]: a for a in r.json()["items"]}
    busy = addresses[wallet.busy_address]
    assert busy["path"] == "m/84'/0'/0'/0/0" and busy["chain"] == 0
    assert busy["tx_count"] == len(wallet.chain.address_txs(wallet.busy_address)) > 60
    change0 = addresses[wallet.change[0]]
    assert change0["chain"] == 1 and change0["path"] == "m/84'/0'/0'/1/0" and change0["used"]
    assert int(addresses[wallet.far_address]["balance"]) == 123_456
    assert sum(int(a["balance"]) for a in addresses.values()) == expected.balance

    # UTXOs add up to the balance.
    r = await user.http.get(f"/api/scans/{scan_id}/utxos")
    assert sum(int(u["value"]) for u in r.json()["items"]) == expected.balance

    # Balance history: the last monthly point is the confirmed balance.
    for interval in ("day", "month"):
        r = await user.http.get(f"/api/scans/{scan_id}/history", params={"interval": interval})
        points = r.json()["points"]
        assert points and int(points[-1]["balance"]) == expected.confirmed_balance
        assert sum(p["tx_count"] for p in points) == expected.confirmed_tx_count

    # Reports.
    r = await user.http.get(f"/api/scans/{scan_id}/report.csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == expected.tx_count
    assert sum(int(row["amount_base_units"]) for row in rows) == expected.balance
    r = await user.http.get(f"/api/scans/{scan_id}/report.json")
    assert r.status_code == 200
    report = json.loads(r.content)
    assert int(report["summary"]["balance"]) == expected.balance
    assert len(report["transactions"]) == expected.tx_count

    r = await user.http.get(f"/api/scans/{scan_id}/report.pdf")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    balance_text = f"{expected.balance // 10**8}.{expected.balance % 10**8:08d} BTC".encode()
    assert balance_text in r.content

    # History of scans, newest first.
    r = await user.http.get("/api/scans")
    assert r.json()["items"][0]["id"] == scan_id


async def test_default_gap_limit_stops_before_the_far_address(
    user: ApiUser, wallet: Wallet
) -> None:
    _, _, scan = await scan_to_end(user, input=ZPUB)
    assert scan["status"] == "completed"
    expected = expected_wallet_totals(wallet.chain, wallet.addresses(include_far=False))
    assert_summary_matches(scan["summary"], expected)
    assert scan["summary"]["scanned_address_count"] == (5 + 1 + 20) + (1 + 1 + 20)


async def test_single_address_scan(user: ApiUser, wallet: Wallet) -> None:
    _, _, scan = await scan_to_end(user, input=wallet.busy_address)
    assert scan["status"] == "completed"
    assert scan["input_type"] == "address"
    expected = expected_wallet_totals(wallet.chain, [wallet.busy_address])
    assert_summary_matches(scan["summary"], expected)


@pytest.mark.parametrize("kind", sorted(TYPED_ADDRESSES))
async def test_every_address_type_scans(user: ApiUser, wallet: Wallet, kind: str) -> None:
    address = TYPED_ADDRESSES[kind]
    _, _, scan = await scan_to_end(user, input=address)
    assert scan["status"] == "completed", scan
    assert scan["chain"] == ("bitcoin-testnet" if kind.startswith("testnet") else "bitcoin")
    expected = expected_wallet_totals(wallet.chain, [address])
    summary = scan["summary"]
    assert int(summary["balance"]) == expected.balance > 0
    assert int(summary["total_fees"]) == expected.total_fees == 1_000
    assert summary["tx_count"] == expected.tx_count == 2


async def test_address_list_scan_counts_internal_transfers_once(
    user: ApiUser, wallet: Wallet
) -> None:
    pair = [wallet.receive[2], wallet.receive[3]]
    _, _, scan = await scan_to_end(user, input="\n".join(pair))
    assert scan["status"] == "completed"
    assert scan["input_type"] == "addresses"
    expected = expected_wallet_totals(wallet.chain, pair)
    assert_summary_matches(scan["summary"], expected)
    assert int(scan["summary"]["total_fees"]) == 500


async def test_another_user_sees_nothing(
    user: ApiUser, stack: ServiceStack, wallet: Wallet
) -> None:
    scan_id, _, _ = await scan_to_end(user, input=wallet.receive[1])
    intruder = ApiUser(stack.gateway_url)
    await intruder.sign_up_and_in()
    try:
        for path in (
            "",
            "/addresses",
            "/transactions",
            "/utxos",
            "/history",
            "/report.csv",
            "/report.json",
        ):
            r = await intruder.http.get(f"/api/scans/{scan_id}{path}")
            assert r.status_code == 404, (path, r.text)
            assert r.json() == {"detail": "scan not found"}
        with pytest.raises(Exception, match="404"):
            await intruder.follow(scan_id, timeout=5)
        assert (await intruder.http.get("/api/scans")).json()["items"] == []
    finally:
        await intruder.aclose()


@pytest.mark.parametrize(
    ("text", "status", "fragment"),
    [
        (
            "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
            422,
            "private",
        ),
        (
            " ".join(["abandon"] * 11 + ["about"]),
            422,
            "seed",
        ),
        (ZPUB[:-1] + ("A" if ZPUB[-1] != "A" else "B"), 400, "checksum"),
        ("hello world", 400, ""),
    ],
)
async def test_bad_input_is_refused_with_a_reason(
    user: ApiUser, text: str, status: int, fragment: str
) -> None:
    r = await user.start_scan(input=text)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail
    assert fragment in detail.lower()
    assert (await user.http.get("/api/scans")).json()["total"] == 0


async def test_scans_need_a_session_and_a_csrf_token(stack: ServiceStack, wallet: Wallet) -> None:
    anonymous = ApiUser(stack.gateway_url)
    try:
        r = await anonymous.start_scan(input=wallet.receive[0])
        assert r.status_code in (401, 403)
        await anonymous.sign_up_and_in()
        r = await anonymous.http.post("/api/scans", json={"input": wallet.receive[0]})
        assert r.status_code == 403
        assert "csrf" in r.json()["detail"].lower()
    finally:
        await anonymous.aclose()


async def test_health(stack: ServiceStack) -> None:
    user = ApiUser(stack.gateway_url)
    try:
        r = await user.http.get("/api/health")
        assert r.status_code == 200
        assert r.json() == {"status": "ok", "nats": "ok", "database": "ok"}
    finally:
        await user.aclose()
