"""Broker handlers of the report service: build on request, and ahead of time on completion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from faststream.nats import NatsMessage
from nats.js.errors import NotFoundError
from nats.js.object_store import ObjectStore
from walletscan_contracts import subjects
from walletscan_contracts.envelope import CloudEvent
from walletscan_contracts.events import EventType, ScanCompleted, ScanReported, ScanStatus
from walletscan_contracts.reports import (
    CONTENT_TYPES,
    ReportFormat,
    ReportReply,
    ReportRequest,
    report_object_name,
)
from walletscan_contracts.streams import REPORTS_BUCKET
from walletscan_platform.logs import get_logger
from walletscan_platform.runtime import ServiceRuntime

from walletscan_report import documents
from walletscan_report.pdf import scan_pdf
from walletscan_report.repository import ReportData
from walletscan_report.settings import ReportSettings

log = get_logger(__name__)

BUILDERS: dict[ReportFormat, Callable[[documents.ScanData], bytes]] = {
    ReportFormat.CSV: documents.transactions_csv,
    ReportFormat.JSON: documents.scan_json,
    # Built on request only: a long history makes a long document.
    ReportFormat.PDF: scan_pdf,
}
# Reports built as soon as a scan completes, so downloads are instant.
AHEAD_OF_TIME = (ReportFormat.CSV, ReportFormat.JSON)


@dataclass
class Runtime(ServiceRuntime[ReportSettings]):
    data: ReportData | None = None
    _store: ObjectStore | None = field(default=None, repr=False)

    @property
    def read_model(self) -> ReportData:
        if self.data is None:
            msg = "the read model is not connected yet"
            raise RuntimeError(msg)
        return self.data

    async def store(self) -> ObjectStore:
        if self._store is None:
            js = self.broker.connection.jetstream()
            try:
                self._store = await js.object_store(REPORTS_BUCKET)
            except NotFoundError:
                self._store = await js.create_object_store(REPORTS_BUCKET)
        return self._store


async def build_report(rt: Runtime, scan_id: str, fmt: ReportFormat) -> ReportReply:
    scan = await rt.read_model.scan(scan_id)
    if scan is None:
        return ReportReply(status=404, detail="scan not found")
    if scan["status"] != ScanStatus.COMPLETED.value:
        return ReportReply(
            status=409, detail=f"the scan is {scan['status']}; reports need a completed scan"
        )
    builder = BUILDERS.get(fmt)
    if builder is None:
        return ReportReply(status=404, detail=f"{fmt.value.upper()} reports are not available yet")
    data = documents.ScanData(
        scan=scan,
        addresses=await rt.read_model.addresses(scan_id),
        transactions=await rt.read_model.transactions(scan_id),
        utxos=await rt.read_model.utxos(scan_id),
    )
    body = builder(data)
    name = report_object_name(scan_id, fmt)
    await (await rt.store()).put(name, body)
    return ReportReply(
        status=200,
        object_name=name,
        content_type=CONTENT_TYPES[fmt],
        filename=f"walletscan-{scan_id}.{fmt.value}",
        size=len(body),
    )


def register(rt: Runtime) -> None:
    broker = rt.broker

    @broker.subscriber(subjects.REPORT_GENERATE, queue=subjects.REPORT_QUEUE)
    async def on_generate(request: ReportRequest) -> ReportReply:
        scan = await rt.read_model.scan(request.scan_id)
        # Another user's scan is indistinguishable from a missing one.
        if scan is None or scan.get("owner_id") != request.owner_id:
            return ReportReply(status=404, detail="scan not found")
        return await build_report(rt, request.scan_id, request.format)

    @rt.consumer(subjects.ALL_SCAN_COMPLETED, "report-completed")
    async def on_completed(event: CloudEvent[ScanCompleted], msg: NatsMessage) -> None:
        scan_id = event.data.scan_id
        async with rt.settle(msg, scan_id=scan_id, what="building reports", causationid=event.id):
            built = []
            for fmt in AHEAD_OF_TIME:
                reply = await build_report(rt, scan_id, fmt)
                if reply.status == 200:
                    built.append(fmt.value)
            await rt.publisher.publish(
                subjects.scan_reported(scan_id),
                ScanReported(scan_id=scan_id, formats=built),
                event_type=EventType.SCAN_REPORTED,
                msg_id=subjects.terminal_msg_id(scan_id, "reported"),
                correlationid=scan_id,
                causationid=event.id,
            )
