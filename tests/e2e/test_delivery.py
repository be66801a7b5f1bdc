"""At-least-once delivery through the real stack: duplicated events, a killed aggregator, a
restarted NATS server. The totals must be exactly those of a clean run."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import nats
from fastapi import FastAPI
from walletscan_contracts import subjects
from walletscan_contracts.chains import Network
from walletscan_contracts.envelope import MSG_ID_HEADER
from walletscan_contracts.events import EventType, ScanFailed, ScanRequested, WatchedAddress
from walletscan_contracts.streams import FETCH_JOBS, SCAN_EVENTS
from walletscan_platform.bus import jetstream_publisher
from walletscan_testkit.chain import expected_wallet_totals
from walletscan_testkit.stack import ServiceStack

from tests.e2e.client import ApiUser
from tests.e2e.worlds import ZPUB, Wallet

DUPLICATE = "X-Walletscan-Test-Duplicate"


@asynccontextmanager
async def duplicating(nats_url: str, *patterns: str) -> AsyncIterator[list[str]]:
    """Publish every event matching `patterns` a second time under a fresh message id, as a
    producer that retried after the dedup window would. Yields the subjects duplicated."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    duplicated: list[str] = []

    async def again(msg: Any) -> None:
        if msg.headers and msg.headers.get(DUPLICATE):
            return
        headers = {**(msg.headers or {}), MSG_ID_HEADER: uuid.uuid4().hex, DUPLICATE: "1"}
        await js.publish(msg.subject, msg.data, stream=SCAN_EVENTS.name, headers=headers)
        duplicated.append(msg.subject)

    subs = [await nc.subscribe(p, cb=again) for p in patterns]
    try:
        yield duplicated
    finally:
        for sub in subs:
            await sub.unsubscribe()
        await nc.drain()


@asynccontextmanager
async def slow_provider(app: FastAPI, seconds: float) -> AsyncIterator[None]:
    before = app.state.latency_seconds
    app.state.latency_seconds = seconds
    try:
        yield
    finally:
        app.state.latency_seconds = before


async def wait_for_fetched(user: ApiUser, scan_id: str, at_least: int) -> None:
    progress = await user.follow(scan_id, until=lambda m: m["addresses_fetched"] >= at_least)
    assert progress[-1]["status"] == "running", "the scan ended before the fault was injected"


def assert_exact(scan: dict[str, Any], wallet: Wallet) -> None:
    expected = expected_wallet_totals(wallet.chain, wallet.addresses(include_far=True))
    summary = scan["summary"]
    assert scan["status"] == "completed", scan
    assert int(summary["balance"]) == expected.balance
    assert int(summary["total_received"]) == expected.total_received
    assert int(summary["total_sent"]) == expected.total_sent
    assert int(summary["total_fees"]) == expected.total_fees
    assert summary["tx_count"] == expected.tx_count
    assert summary["reconciled"] is True


async def test_duplicated_events_change_nothing(
    user: ApiUser, wallet: Wallet, stack: ServiceStack
) -> None:
    async with duplicating(
        stack.infra.nats_url, "scan.*.derived", "scan.*.fetched.*", "scan.*.derive"
    ) as duplicated:
        r = await user.start_scan(input=ZPUB, gap_limit=25)
        scan_id = r.json()["id"]
        await user.follow(scan_id)
    assert any(".fetched." in s for s in duplicated)
    assert any(s.endswith(".derived") for s in duplicated)
    scan = await user.scan(scan_id)
    assert_exact(scan, wallet)
    txs = await user.all_transactions(scan_id, page_size=200)
    assert len({t["txid"] for t in txs}) == len(txs) == scan["summary"]["tx_count"]


async def test_aggregator_killed_mid_scan_resumes_exactly(
    user: ApiUser, wallet: Wallet, stack: ServiceStack, esplora_app: FastAPI
) -> None:
    async with slow_provider(esplora_app, 0.03):
        r = await user.start_scan(input=ZPUB, gap_limit=25)
        scan_id = r.json()["id"]
        await wait_for_fetched(user, scan_id, 10)
        stack.kill("aggregator")
        stack.restart("aggregator")
        await user.follow(scan_id)
    assert_exact(await user.scan(scan_id), wallet)


async def test_nats_restart_mid_scan(
    user: ApiUser, wallet: Wallet, stack: ServiceStack, esplora_app: FastAPI
) -> None:
    async with slow_provider(esplora_app, 0.03):
        r = await user.start_scan(input=ZPUB, gap_limit=25)
        scan_id = r.json()["id"]
        await wait_for_fetched(user, scan_id, 10)
        stack.infra.restart_nats()
        # Every service reconnects on its own; the scan carries on from the stored streams.
        await user.follow(scan_id)
    assert_exact(await user.scan(scan_id), wallet)


async def test_lost_fetch_commands_are_asked_for_again(
    user: ApiUser, wallet: Wallet, stack: ServiceStack, esplora_app: FastAPI
) -> None:
    """Commands that vanish from the work queue (purged, dead-lettered) stall a scan; the
    aggregator notices the silence and asks again for what the read model lacks."""
    async with slow_provider(esplora_app, 0.05):
        r = await user.start_scan(input=ZPUB, gap_limit=25)
        scan_id = r.json()["id"]
        await wait_for_fetched(user, scan_id, 5)
        # The fetcher holds the commands it has pulled; with it stopped, purging the queue
        # loses every command not yet done.
        stack.kill("fetcher-esplora")
        nc = await nats.connect(stack.infra.nats_url)
        try:
            await nc.jetstream().purge_stream(FETCH_JOBS.name)
        finally:
            await nc.close()
        stack.restart("fetcher-esplora")
        await user.follow(scan_id)
    assert_exact(await user.scan(scan_id), wallet)
    log = stack.processes["aggregator"].log_path.read_text()
    assert "resuming stalled scan" in log
    assert scan_id in log


async def test_a_failure_that_overtakes_its_request_is_not_lost(
    user: ApiUser, wallet: Wallet, stack: ServiceStack, esplora_app: FastAPI
) -> None:
    """An open breaker re-routes at once, so `scan.<id>.failed` can reach the aggregator
    before `scan.<id>.requested` is recorded. It must come back later, not be dropped."""
    me = (await user.http.get("/api/auth/me")).json()
    scan_id = uuid.uuid4().hex
    requested = ScanRequested(
        scan_id=scan_id,
        owner_id=me["id"],
        input_type="address",
        input_display=wallet.receive[2],
        network=Network.BITCOIN,
        addresses=[WatchedAddress(address=wallet.receive[2])],
        requested_at=datetime.now(UTC),
    )
    failed = ScanFailed(
        scan_id=scan_id, reason="every provider refused", failed_at=datetime.now(UTC)
    )
    nc = await nats.connect(stack.infra.nats_url)
    try:
        progress = await nc.subscribe(subjects.scan_progress(scan_id))
        publisher = jetstream_publisher(nc.jetstream(), "test")
        # The provider answers slowly, so the fetch cannot finish the scan first.
        async with slow_provider(esplora_app, 3.0):
            await publisher.publish(
                subjects.scan_failed(scan_id), failed, event_type=EventType.SCAN_FAILED
            )
            await publisher.publish(
                subjects.scan_requested(scan_id), requested, event_type=EventType.SCAN_REQUESTED
            )
            async with asyncio.timeout(30):
                async for msg in progress.messages:
                    if json.loads(msg.data)["data"]["status"] in ("completed", "failed"):
                        break
    finally:
        await nc.close()
    scan = await user.scan(scan_id)
    assert (scan["status"], scan["error"]) == ("failed", "every provider refused")
