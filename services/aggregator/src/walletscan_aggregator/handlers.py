"""Broker handlers of the aggregator: a thin layer between events, the read model and the pure
decisions in `service.py`."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from faststream.nats import NatsMessage
from walletscan_contracts import subjects
from walletscan_contracts.chains import Family, Network, ScriptType, family_of
from walletscan_contracts.envelope import CloudEvent
from walletscan_contracts.events import (
    ADDRESS_TRACK,
    AddressesDerived,
    AddressFetched,
    DeriveBatch,
    EventType,
    ScanCompleted,
    ScanFailed,
    ScanPhase,
    ScanProgress,
    ScanRequested,
    ScanStatus,
    Track,
)
from walletscan_platform.delivery import publish_scan_failed
from walletscan_platform.logs import get_logger
from walletscan_platform.runtime import ServiceRuntime
from walletscan_platform.telemetry import SCANS_FINISHED

from walletscan_aggregator import service
from walletscan_aggregator.accounting import fold_wallet, reconcile
from walletscan_aggregator.evm_accounting import (
    evm_address_totals,
    evm_history_document,
    evm_reconciliation_document,
    evm_summary,
    evm_transaction_rows,
    fold_evm_wallet,
    reconcile_evm,
    token_documents,
)
from walletscan_aggregator.repository import ReadModel
from walletscan_aggregator.settings import AggregatorSettings

log = get_logger(__name__)


@dataclass
class Runtime(ServiceRuntime[AggregatorSettings]):
    repo: ReadModel | None = None
    # When each running scan's progress was last published (monotonic seconds).
    progress_published: dict[str, float] = field(default_factory=dict)

    @property
    def read_model(self) -> ReadModel:
        if self.repo is None:
            msg = "the read model is not connected yet"
            raise RuntimeError(msg)
        return self.repo


def register(rt: Runtime) -> None:
    settings = rt.settings

    @rt.consumer(subjects.ALL_SCAN_REQUESTED, "aggregator-requested")
    async def on_requested(event: CloudEvent[ScanRequested], msg: NatsMessage) -> None:
        req = event.data
        async with rt.settle(
            msg, scan_id=req.scan_id, what="recording the scan request", causationid=event.id
        ):
            await rt.read_model.create_scan(req)
            await rt.read_model.mark_running(req.scan_id, ScanPhase.DERIVING)
            scan = await rt.read_model.get_scan(req.scan_id)
            if scan is not None:
                # The aggregator alone decides how far each track is derived (gap limit).
                for track in scan["tracks"]:
                    await request_more_addresses(rt, scan, track["id"], causationid=event.id)
            await publish_progress(rt, req.scan_id, force=True)

    @rt.consumer(subjects.ALL_SCAN_DERIVED, "aggregator-derived")
    async def on_derived(event: CloudEvent[AddressesDerived], msg: NatsMessage) -> None:
        data = event.data
        async with rt.settle(
            msg, scan_id=data.scan_id, what="recording derived addresses", causationid=event.id
        ):
            await rt.read_model.store_derived(data)
            await rt.read_model.mark_running(data.scan_id, ScanPhase.FETCHING)
            # Fetch results can be folded before their addresses are recorded (separate
            # consumers), so the last of the two events to arrive must be able to finish.
            await advance(rt, data.scan_id, data.track_id, causationid=event.id)

    @rt.consumer(subjects.ALL_SCAN_FETCHED, "aggregator-fetched", workers=settings.fetched_workers)
    async def on_fetched(event: CloudEvent[AddressFetched], msg: NatsMessage) -> None:
        data = event.data
        async with rt.settle(
            msg, scan_id=data.scan_id, what="folding fetched history", causationid=event.id
        ):
            await handle_fetched(rt, data, causationid=event.id)

    @rt.consumer(subjects.ALL_SCAN_FAILED, "aggregator-failed")
    async def on_failed(event: CloudEvent[ScanFailed], msg: NatsMessage) -> None:
        data = event.data
        async with rt.settle(
            msg, scan_id=data.scan_id, what="recording a failure", causationid=event.id
        ):
            if await rt.read_model.get_scan(data.scan_id) is None:
                # A provider can refuse faster than the request is recorded (an open breaker
                # re-routes at once): retry shortly rather than drop the failure.
                msg_text = f"scan {data.scan_id} is not recorded yet"
                raise LookupError(msg_text)
            if await rt.read_model.fail(data.scan_id, data.reason, data.failed_at):
                SCANS_FINISHED.labels("failed").inc()
            await publish_progress(rt, data.scan_id)


async def handle_fetched(rt: Runtime, data: AddressFetched, *, causationid: str) -> None:
    repo = rt.read_model
    scan = await repo.get_scan(data.scan_id)
    if scan is None:
        # The request event has not been folded yet; retry shortly rather than lose this.
        msg = f"scan {data.scan_id} is not recorded yet"
        raise LookupError(msg)
    if scan["status"] in service.TERMINAL:
        await publish_progress(rt, data.scan_id)  # repair a progress value overtaken by a race
        return
    await repo.note_tip_height(data.scan_id, data.tip_height)
    await repo.store_evm_chunk(data)  # before the chunk counts as arrived
    if not await repo.store_fetched_chunk(data):
        return
    facts = await repo.address_facts(data.scan_id, data.address)
    await repo.complete_address(data, **service.address_totals(facts))
    if data.evm is not None:
        evm = (await repo.evm_facts(data.scan_id, data.address)).get(data.address)
        if evm is not None:
            await repo.set_evm_address_totals(
                data.scan_id, data.address, evm_address_totals(data.address, evm)
            )
    await advance(rt, data.scan_id, data.track_id, causationid=causationid)


async def advance(rt: Runtime, scan_id: str, track_id: str, *, causationid: str) -> None:
    """After new facts: ask for more addresses if the gap limit needs them, finish the scan
    when every track is complete, else publish the progress."""
    scan = await rt.read_model.get_scan(scan_id)
    if scan is None:
        msg = f"scan {scan_id} is not recorded yet"
        raise LookupError(msg)
    if scan["status"] in service.TERMINAL:
        await publish_progress(rt, scan_id)
        return
    await rt.read_model.touch(scan_id)
    await request_more_addresses(rt, scan, track_id, causationid=causationid)
    if await scan_is_done(rt, scan):
        await finish_scan(rt, scan_id, causationid=causationid)
    else:
        await publish_progress(rt, scan_id)


async def request_more_addresses(
    rt: Runtime, scan: dict[str, Any], track_id: str, *, causationid: str
) -> None:
    if track_id == ADDRESS_TRACK:
        return
    track_doc = next((t for t in scan["tracks"] if t["id"] == track_id), None)
    if track_doc is None:
        return
    scan_id = scan["_id"]
    derived, fetched, highest = await rt.read_model.track_state(scan_id, track_id)
    state = service.TrackState(track_id, derived, fetched, highest)
    batch_size, gap_limit = int(scan["batch_size"]), int(scan["gap_limit"])
    target = service.derive_target(state, gap_limit=gap_limit)
    already = await rt.read_model.derive_target(scan_id, track_id)
    if target <= already:
        return
    track = track_from_document(track_doc)
    for start, count in service.derive_ranges(already, target, batch_size):
        await rt.publisher.publish(
            subjects.scan_derive(scan_id),
            DeriveBatch(
                scan_id=scan_id,
                network=Network(scan["network"]),
                track=track,
                start=start,
                count=count,
            ),
            event_type=EventType.SCAN_DERIVE,
            msg_id=subjects.derive_msg_id(scan_id, track_id, start, count),
            correlationid=scan_id,
            causationid=causationid,
        )
    # Recorded after publishing: a crash in between re-publishes (the ids dedupe), never
    # loses a range. Racing handlers may ask for overlapping ranges, which is harmless.
    await rt.read_model.record_derive_target(scan_id, track_id, target)


def track_from_document(doc: dict[str, Any]) -> Track:
    return Track(
        key=doc["key"],
        script_type=ScriptType(doc["script_type"]),
        branch=doc["branch"],
        path_prefix=doc["path_prefix"],
        descriptor=doc.get("descriptor"),
    )


async def scan_is_done(rt: Runtime, scan: dict[str, Any]) -> bool:
    track_ids = [t["id"] for t in scan["tracks"]] or [ADDRESS_TRACK]
    for track_id in track_ids:
        derived, fetched, highest = await rt.read_model.track_state(scan["_id"], track_id)
        state = service.TrackState(track_id, derived, fetched, highest)
        if not service.is_track_done(
            state,
            gap_limit=int(scan["gap_limit"]),
            given_addresses=int(scan.get("address_count_given") or 0),
        ):
            return False
    return True


async def finish_scan(rt: Runtime, scan_id: str, *, causationid: str) -> None:
    repo = rt.read_model
    scan = await repo.get_scan(scan_id)
    if scan is None or scan["status"] in service.TERMINAL:
        return
    if not await repo.claim_finish(scan_id):
        return
    await publish_progress(rt, scan_id, force=True)
    if family_of(Network(scan["network"])) is Family.EVM:
        await finish_evm_scan(rt, scan, causationid=causationid)
        return
    facts = await repo.all_facts(scan_id)
    summaries = await repo.all_summaries(scan_id)
    ledger = fold_wallet(facts, tip_height=int(scan.get("tip_height") or 0))
    reconciliation = reconcile(facts, summaries)
    await repo.store_transactions(scan_id, service.transaction_rows(ledger))
    derived, _ = await repo.address_counts(scan_id)
    used = sum(1 for s in summaries.values() if s.tx_count > 0)
    summary = service.build_summary(
        ledger,
        reconciliation,
        network=Network(scan["network"]),
        used_addresses=used,
        scanned_addresses=derived,
        by_script_type=service.script_type_results(
            await repo.address_results(scan_id),
            [t["script_type"] for t in scan["tracks"]],
        ),
    )
    await _complete(
        rt,
        scan_id,
        summary=summary,
        reconciliation=service.reconciliation_document(reconciliation),
        history=service.history_document(ledger),
        tx_count=len(ledger.transactions),
        causationid=causationid,
    )


async def finish_evm_scan(rt: Runtime, scan: dict[str, Any], *, causationid: str) -> None:
    """The EVM fold: native, internal and token facts into wallet transactions, token
    totals and a reconciliation against eth_getBalance / balanceOf (evm_accounting)."""
    repo, scan_id = rt.read_model, scan["_id"]
    facts = await repo.evm_facts(scan_id)
    ledger = fold_evm_wallet(facts, tip_height=int(scan.get("tip_height") or 0))
    reconciliation = reconcile_evm(facts)
    await repo.store_transactions(scan_id, evm_transaction_rows(ledger))
    await repo.store_tokens(scan_id, token_documents(reconciliation))
    derived, _ = await repo.address_counts(scan_id)
    summary = evm_summary(
        ledger, reconciliation, network=Network(scan["network"]), scanned_addresses=derived
    )
    await _complete(
        rt,
        scan_id,
        summary=summary,
        reconciliation=evm_reconciliation_document(reconciliation),
        history=evm_history_document(ledger),
        tx_count=len(ledger.transactions),
        causationid=causationid,
    )


async def _complete(
    rt: Runtime,
    scan_id: str,
    *,
    summary: dict[str, Any],
    reconciliation: dict[str, Any],
    history: dict[str, Any],
    tx_count: int,
    causationid: str,
) -> None:
    now = datetime.now(UTC)
    if await rt.read_model.finish(
        scan_id, summary=summary, reconciliation=reconciliation, history=history, at=now
    ):
        SCANS_FINISHED.labels("completed").inc()
        log.info("scan completed", scan_id=scan_id, txs=tx_count)
        await rt.publisher.publish(
            subjects.scan_completed(scan_id),
            ScanCompleted(scan_id=scan_id, completed_at=now),
            event_type=EventType.SCAN_COMPLETED,
            msg_id=subjects.terminal_msg_id(scan_id, "completed"),
            correlationid=scan_id,
            causationid=causationid,
        )
    await publish_progress(rt, scan_id)


async def publish_progress(rt: Runtime, scan_id: str, *, force: bool = False) -> None:
    """Publish the scan's progress as the read model has it now (last value wins). Running
    scans publish at most every `progress_interval_seconds` per process: a scan of 1,000
    addresses would otherwise publish (and count) thousands of times."""
    scan = await rt.read_model.get_scan(scan_id)
    if scan is None:
        return
    running = scan["status"] not in service.TERMINAL
    now = time.monotonic()
    if running and not force:
        if now - rt.progress_published.get(scan_id, 0.0) < rt.settings.progress_interval_seconds:
            return
        rt.progress_published[scan_id] = now
    else:
        rt.progress_published.pop(scan_id, None)
    derived, fetched = await rt.read_model.address_counts(scan_id)
    status = ScanStatus(scan["status"])
    if status is ScanStatus.COMPLETED:
        percent = 100.0
    else:
        percent = service.progress_percent(
            derived, fetched, minimum_expected=service.minimum_expected_addresses(scan)
        )
    progress = ScanProgress(
        scan_id=scan_id,
        status=status,
        phase=ScanPhase(scan["phase"]),
        addresses_derived=derived,
        addresses_fetched=fetched,
        percent=percent,
        error=scan.get("error"),
        updated_at=datetime.now(UTC),
    )
    await rt.publisher.publish(
        subjects.scan_progress(scan_id),
        progress,
        event_type=EventType.SCAN_PROGRESS,
        correlationid=scan_id,
    )


async def resume_stalled_scans(rt: Runtime) -> int:
    """Resume every running scan that has had no event for `stall_after_seconds` (a lost or
    dead-lettered command, a crash between two steps): derive and fetch again what the read
    model shows missing, under new message ids. Returns how many scans were resumed."""
    settings = rt.settings
    resumed = 0
    while True:
        idle_since = time.time() - settings.stall_after_seconds
        scan = await rt.read_model.claim_stalled(idle_since)
        if scan is None:
            return resumed
        resumed += 1
        await resume_scan(rt, scan)


async def resume_scan(rt: Runtime, scan: dict[str, Any]) -> None:
    scan_id, attempt = scan["_id"], int(scan.get("resumes") or 1)
    causation = f"{scan_id}:resume:{attempt}"
    if attempt > rt.settings.max_resumes:
        reason = f"the scan stopped making progress and {attempt - 1} resumptions did not help"
        await publish_scan_failed(rt.publisher, scan_id, reason, causationid=causation)
        return
    log.warning("resuming stalled scan", scan_id=scan_id, attempt=attempt)
    if scan.get("phase") == ScanPhase.AGGREGATING.value:
        # Whoever claimed the fold stopped before finishing it: let it be claimed again.
        await rt.read_model.set_status(scan_id, ScanStatus.RUNNING, ScanPhase.FETCHING)
    batch_size = int(scan["batch_size"])
    for track_doc in scan["tracks"]:
        track_id = track_doc["id"]
        target = int((scan.get("derive_targets") or {}).get(track_id, 0))
        fetched = await rt.read_model.fetched_indexes(scan_id, track_id)
        for start, count in service.missing_ranges(fetched, target, batch_size):
            await rt.publisher.publish(
                subjects.scan_derive(scan_id),
                DeriveBatch(
                    scan_id=scan_id,
                    network=Network(scan["network"]),
                    track=track_from_document(track_doc),
                    start=start,
                    count=count,
                    resume=attempt,
                ),
                event_type=EventType.SCAN_DERIVE,
                msg_id=subjects.derive_msg_id(scan_id, track_id, start, count, attempt),
                correlationid=scan_id,
                causationid=causation,
            )
    # Everything may already be there (a crash between the last fold and the finish).
    for track_id in [t["id"] for t in scan["tracks"]] or [ADDRESS_TRACK]:
        await advance(rt, scan_id, track_id, causationid=causation)


async def watch_for_stalls(rt: Runtime) -> None:
    """Background task of the aggregator process."""
    while True:
        await asyncio.sleep(rt.settings.stall_check_seconds)
        try:
            await resume_stalled_scans(rt)
        except Exception as exc:
            log.error("stall watch round failed", error=repr(exc))
