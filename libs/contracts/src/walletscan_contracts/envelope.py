"""CloudEvents 1.0 JSON envelope with the correlation extension (ARCHITECTURE §4)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T", bound=BaseModel)

SPEC_VERSION = "1.0"
MSG_ID_HEADER = "Nats-Msg-Id"


def utcnow() -> datetime:
    return datetime.now(UTC)


class CloudEvent(BaseModel, Generic[T]):
    """One message on the bus. `data` is the typed payload; the rest is routing metadata."""

    model_config = ConfigDict(extra="allow")

    specversion: str = SPEC_VERSION
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=utcnow)
    datacontenttype: str = "application/json"
    correlationid: str | None = None
    causationid: str | None = None
    data: T


def envelope(
    data: T,
    *,
    event_type: str,
    source: str,
    subject: str | None = None,
    event_id: str | None = None,
    correlationid: str | None = None,
    causationid: str | None = None,
) -> CloudEvent[T]:
    """Wrap a payload. A deterministic `event_id` doubles as the `Nats-Msg-Id` for dedup."""
    extra: dict[str, Any] = {}
    if event_id is not None:
        extra["id"] = event_id
    return CloudEvent[T](
        source=source,
        type=event_type,
        subject=subject,
        correlationid=correlationid,
        causationid=causationid,
        data=data,
        **extra,
    )
