"""JetStream stream definitions (ARCHITECTURE §3). One subject belongs to one stream only."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Retention(StrEnum):
    LIMITS = "limits"
    WORK_QUEUE = "workqueue"


@dataclass(frozen=True, slots=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    retention: Retention = Retention.LIMITS
    max_age_seconds: float = 0.0  # 0 = keep forever
    max_msgs_per_subject: int = -1
    duplicate_window_seconds: float = 120.0
    max_msg_size: int = 1024 * 1024


DAY = 24 * 3600.0

SCAN_EVENTS = StreamSpec(
    name="SCAN_EVENTS",
    subjects=(
        "scan.*.requested",
        "scan.*.derive",
        "scan.*.derived",
        "scan.*.fetched.*",
        "scan.*.completed",
        "scan.*.failed",
        "scan.*.reported",
    ),
    max_age_seconds=90 * DAY,
    # Long enough to drop a decision re-published while a stalled scan is resumed.
    duplicate_window_seconds=3600.0,
)

FETCH_JOBS = StreamSpec(
    name="FETCH_JOBS",
    subjects=("scan.*.fetch.*",),
    retention=Retention.WORK_QUEUE,
    max_age_seconds=7 * DAY,
    duplicate_window_seconds=3600.0,
)

SCAN_PROGRESS = StreamSpec(
    name="SCAN_PROGRESS",
    subjects=("scan.*.progress",),
    max_age_seconds=30 * DAY,
    max_msgs_per_subject=1,  # last value wins
    duplicate_window_seconds=0.0,
)

AUDIT = StreamSpec(
    name="AUDIT",
    subjects=("audit.>",),
    max_age_seconds=400 * DAY,
)

ALL_STREAMS: tuple[StreamSpec, ...] = (SCAN_EVENTS, FETCH_JOBS, SCAN_PROGRESS, AUDIT)

REPORTS_BUCKET = "reports"


def fetch_consumer(provider: str) -> str:
    """The one durable consumer per provider on FETCH_JOBS; the autoscaling target."""
    return f"fetch-{provider}"
