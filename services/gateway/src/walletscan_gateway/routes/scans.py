"""Scan endpoints: start a scan, read its results, download reports, follow its progress."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect
from walletscan_contracts import subjects
from walletscan_contracts.chains import Network
from walletscan_contracts.events import (
    TERMINAL_STATUSES,
    AuditRecord,
    EventType,
    ScanPhase,
    ScanProgress,
    ScanRequested,
    ScanStatus,
)
from walletscan_contracts.reports import ReportFormat, ReportReply, ReportRequest
from walletscan_keys import InputError, PrivateKeyRefused
from walletscan_platform.logs import get_logger
from walletscan_platform.telemetry import SCANS_REQUESTED

from walletscan_gateway import presenters
from walletscan_gateway.bus import BackendUnavailable, GatewayBus
from walletscan_gateway.readmodel import ScanReads
from walletscan_gateway.scan_requests import ScanRequest, plan_scans
from walletscan_gateway.security import CurrentUser, current_user, require_csrf, user_from_websocket
from walletscan_gateway.settings import GatewaySettings, get_settings

log = get_logger(__name__)
router = APIRouter(prefix="/api/scans", tags=["scans"])

User = Annotated[CurrentUser, Depends(current_user)]
NOT_FOUND = "scan not found"
# How long POST /api/scans waits for the aggregator to record the scan, so the next GET finds
# it. The request is durable in JetStream either way.
RECORDED_WAIT_SECONDS = 5.0


def bus_of(request: Request) -> GatewayBus:
    bus: GatewayBus = request.app.state.bus
    return bus


def reads_of(request: Request) -> ScanReads:
    reads: ScanReads = request.app.state.reads
    return reads


Bus = Annotated[GatewayBus, Depends(bus_of)]
Reads = Annotated[ScanReads, Depends(reads_of)]
Settings = Annotated[GatewaySettings, Depends(get_settings)]


async def owned_scan(scan_id: str, user: User, reads: Reads) -> dict[str, Any]:
    scan = await reads.scan(scan_id, user.id)
    if scan is None:
        raise HTTPException(404, NOT_FOUND)
    return scan


Scan = Annotated[dict[str, Any], Depends(owned_scan)]


@router.post("", status_code=202, dependencies=[Depends(require_csrf)])
async def start_scan(
    body: ScanRequest, request: Request, user: User, bus: Bus, reads: Reads, settings: Settings
) -> dict[str, Any]:
    """Start scanning a wallet. 400 for input that is not a public key or address we know,
    422 for private keys and seeds (refused, never stored). With `chains`, an 0x address is
    scanned on several EVM chains at once: one scan (the answered id) with a section per
    chain."""
    now = datetime.now(UTC)
    try:
        scan_id, events = plan_scans(body, owner_id=user.id, now=now)
    except PrivateKeyRefused as exc:
        raise HTTPException(422, str(exc)) from exc
    except InputError as exc:
        raise HTTPException(400, str(exc)) from exc
    if await reads.scans_since(user.id, now - timedelta(hours=1)) >= settings.scans_per_hour:
        raise HTTPException(
            429,
            f"at most {settings.scans_per_hour} scans per hour; try again later",
            headers={"Retry-After": "600"},
        )
    try:
        await request_scans(bus, events)
    except BackendUnavailable as exc:
        raise HTTPException(503, "the scan service is unavailable; try again shortly") from exc
    first = events[0]
    chains = ", ".join(e.network.value for e in events)
    await audit(
        bus,
        request,
        user.id,
        "scan",
        "requested",
        f"{first.input_type} {first.input_display} on {chains}",
    )
    for event in events:
        SCANS_REQUESTED.labels(event.input_type, event.network.value).inc()
    log.info("scan requested", scan_id=scan_id, input=first.input_display, chains=chains)
    answer: dict[str, Any] = {"id": scan_id, "status": ScanStatus.QUEUED.value}
    if first.group_id is not None:
        answer["scans"] = [{"id": e.scan_id, "chain": e.network.value} for e in events]
    return answer


async def audit(
    bus: GatewayBus, request: Request, user_id: str, area: str, action: str, detail: str
) -> None:
    """An entry of the audit trail (stream AUDIT, long retention)."""
    await bus.events.publish(
        subjects.audit(area, action),
        AuditRecord(
            area=area,
            action=action,
            user_id=user_id,
            client_ip=request.client.host if request.client else None,
            detail=detail,
            at=datetime.now(UTC),
        ),
        event_type=EventType.AUDIT,
    )


async def request_scans(bus: GatewayBus, events: list[ScanRequested]) -> None:
    """Publish every scan request, then wait (briefly) for the aggregator to record each one
    (its first progress), so the GET that follows finds it. Subscribing before publishing means
    no first progress can be missed; publishing before waiting means a slow read model never
    leaves a request unsent."""
    async with contextlib.AsyncExitStack() as stack:
        updates = [await stack.enter_async_context(bus.progress_updates(e.scan_id)) for e in events]
        for event in events:
            await bus.events.publish(
                subjects.scan_requested(event.scan_id),
                event,
                event_type=EventType.SCAN_REQUESTED,
                msg_id=f"{event.scan_id}:requested",
                correlationid=event.scan_id,
            )
        # The requests are durable in JetStream; past the wait the read model catches up.
        with contextlib.suppress(TimeoutError, StopAsyncIteration):
            async with asyncio.timeout(RECORDED_WAIT_SECONDS):
                for stream in updates:
                    await anext(stream)


@router.get("")
async def list_scans(
    user: User,
    reads: Reads,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    docs, total = await reads.scans(user.id, skip=(page - 1) * page_size, limit=page_size)
    return {
        "items": [presenters.scan_list_item(d) for d in docs],
        "page": page,
        "page_size": page_size,
        "total": total,
    }


@router.get("/{scan_id}")
async def get_scan(scan_id: str, user: User, bus: Bus, reads: Reads) -> dict[str, Any]:
    """One scan; or, for an address scanned on several chains, the group with one section
    (an ordinary scan view) per chain."""
    scan = await reads.scan(scan_id, user.id)
    if scan is not None:
        return await scan_view_of(scan, bus, reads)
    children = await reads.group_scans(scan_id, user.id)
    if not children:
        raise HTTPException(404, NOT_FOUND)
    sections = [await scan_view_of(child, bus, reads) for child in children]
    return presenters.group_view(scan_id, sections)


async def scan_view_of(scan: dict[str, Any], bus: GatewayBus, reads: ScanReads) -> dict[str, Any]:
    progress = await bus.last_progress(scan["_id"])
    counts = await reads.address_counts(scan["_id"])
    return presenters.scan_view(scan, progress, counts)


@router.get("/{scan_id}/addresses")
async def scan_addresses(scan: Scan, reads: Reads) -> dict[str, Any]:
    unit, decimals = presenters.network_info(scan)
    docs = await reads.addresses(scan["_id"])
    return {
        "unit": unit,
        "decimals": decimals,
        "items": [presenters.address_view(d) for d in docs],
    }


@router.get("/{scan_id}/transactions")
async def scan_transactions(
    scan: Scan,
    reads: Reads,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    direction: Annotated[Literal["in", "out", "self"] | None, Query()] = None,
) -> dict[str, Any]:
    unit, decimals = presenters.network_info(scan)
    docs, total = await reads.transactions(
        scan["_id"], direction=direction, skip=(page - 1) * page_size, limit=page_size
    )
    tip = int(scan.get("tip_height") or 0)
    network = Network(scan["network"])
    return {
        "unit": unit,
        "decimals": decimals,
        "page": page,
        "page_size": page_size,
        "total": total,
        "items": [presenters.transaction_view(d, tip_height=tip, network=network) for d in docs],
    }


@router.get("/{scan_id}/tokens")
async def scan_tokens(scan: Scan, reads: Reads) -> dict[str, Any]:
    """ERC-20 tokens an EVM scan found (empty for other chains), next to the native unit."""
    unit, decimals = presenters.network_info(scan)
    network = Network(scan["network"])
    docs = await reads.tokens(scan["_id"])
    return {
        "unit": unit,
        "decimals": decimals,
        "items": [presenters.token_view(d, network=network) for d in docs],
    }


@router.get("/{scan_id}/utxos")
async def scan_utxos(scan: Scan, reads: Reads) -> dict[str, Any]:
    unit, decimals = presenters.network_info(scan)
    tip = int(scan.get("tip_height") or 0)
    docs = await reads.utxos(scan["_id"])
    return {
        "unit": unit,
        "decimals": decimals,
        "items": [presenters.utxo_view(d, tip_height=tip) for d in docs],
    }


@router.get("/{scan_id}/history")
async def scan_history(
    scan: Scan, interval: Annotated[Literal["day", "month"], Query()] = "month"
) -> dict[str, Any]:
    unit, decimals = presenters.network_info(scan)
    points = (scan.get("history") or {}).get(interval) or []
    return {
        "unit": unit,
        "decimals": decimals,
        "interval": interval,
        "points": presenters.history_view(points),
    }


@router.get("/{scan_id}/report.{fmt}")
async def scan_report(
    scan: Scan, fmt: ReportFormat, user: User, bus: Bus, request: Request
) -> Response:
    try:
        reply = await bus.request(
            subjects.REPORT_GENERATE,
            ReportRequest(scan_id=scan["_id"], owner_id=user.id, format=fmt),
            ReportReply,
            timeout=60.0,
        )
        if reply.status != 200 or reply.object_name is None:
            raise HTTPException(reply.status, reply.detail or "report unavailable")
        body = await bus.read_object(reply.object_name)
        await audit(bus, request, user.id, "report", "downloaded", f"{scan['_id']} {fmt.value}")
    except BackendUnavailable as exc:
        raise HTTPException(503, "the report service is unavailable; try again shortly") from exc
    if body is None:
        raise HTTPException(503, "the report was built but could not be read; try again")
    return Response(
        content=body,
        media_type=reply.content_type,
        headers={"Content-Disposition": f'attachment; filename="{reply.filename}"'},
    )


@router.websocket("/{scan_id}/events")
async def scan_events(websocket: WebSocket, scan_id: str) -> None:
    """The scan's current progress at once, then every change until it completes or fails."""
    settings = get_settings()
    app = websocket.app
    origin = websocket.headers.get("origin")
    if origin is not None and origin not in settings.origins:
        await _deny(websocket, 403, "origin not allowed")
        return
    user_id = await user_from_websocket(websocket)
    if user_id is None:
        await _deny(websocket, 401, "sign in first")
        return
    reads: ScanReads = app.state.reads
    bus: GatewayBus = app.state.bus
    scan = await reads.scan(scan_id, user_id)
    if scan is None:
        await _deny(websocket, 404, NOT_FOUND)
        return
    await websocket.accept()
    try:
        async with bus.progress_updates(scan_id) as updates:
            current = await _current_progress(bus, reads, scan_id, user_id)
            if current is not None:
                await websocket.send_json(presenters.progress_message(current))
                if current.status in TERMINAL_STATUSES:
                    await websocket.close()
                    return
            async for update in updates:
                progress = update
                if update.status in TERMINAL_STATUSES:
                    # The read model is the truth; a stale value cannot end the stream wrongly.
                    progress = await _current_progress(bus, reads, scan_id, user_id) or update
                await websocket.send_json(presenters.progress_message(progress))
                if progress.status in TERMINAL_STATUSES:
                    break
        await websocket.close()
    except WebSocketDisconnect:
        return


async def _current_progress(
    bus: GatewayBus, reads: ScanReads, scan_id: str, owner_id: str
) -> ScanProgress | None:
    """The last published progress, corrected by the read model's status when they differ
    (a late update from a slower handler must not hide that the scan ended)."""
    scan = await reads.scan(scan_id, owner_id)
    last = await bus.last_progress(scan_id)
    if scan is None:
        return last
    status = ScanStatus(scan["status"])
    if last is not None and last.status == status:
        return last
    derived, fetched = await reads.address_counts(scan_id)
    return ScanProgress(
        scan_id=scan_id,
        status=status,
        phase=ScanPhase(scan.get("phase", status.value)),
        addresses_derived=derived,
        addresses_fetched=fetched,
        percent=100.0 if status is ScanStatus.COMPLETED else (last.percent if last else 0.0),
        error=scan.get("error"),
        updated_at=datetime.now(UTC),
    )


async def _deny(websocket: WebSocket, status: int, detail: str) -> None:
    """Refuse the handshake with an HTTP status (404 for others' scans, as on every route)."""
    try:
        await websocket.send_denial_response(JSONResponse({"detail": detail}, status_code=status))
    except RuntimeError:
        await websocket.close(code=1008, reason=detail)
