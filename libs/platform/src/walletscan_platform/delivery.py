"""At-least-once handling shared by every JetStream consumer (ARCHITECTURE §4): ack after the
side effects, back off and retry on errors, and turn a message that keeps failing into a
`scan.<id>.failed` instead of redelivering it forever."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TypeVar

from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, NatsMessage, PullSub
from walletscan_contracts import subjects
from walletscan_contracts.events import EventType, ScanFailed
from walletscan_contracts.streams import StreamSpec

from walletscan_platform.bus import EventPublisher, delivery_count
from walletscan_platform.logs import get_logger

log = get_logger(__name__)

# Seconds before a failed message is offered again: 1, 2, 4, ... capped.
MAX_BACKOFF_SECONDS = 30.0


class GiveUp(Exception):
    """Raised by a handler when retrying cannot help (e.g. a provider refused the input)."""


Handler = TypeVar("Handler", bound=Callable[..., Awaitable[None]])


def durable_subscriber(
    broker: NatsBroker,
    subject: str,
    *,
    stream: StreamSpec,
    durable: str,
    max_deliver: int,
    ack_wait: float = 30.0,
    batch: int = 8,
    max_workers: int = 1,
) -> Callable[[Handler], Handler]:
    """Register a handler on a durable pull consumer with manual acknowledgement (the
    handler settles each message with `settle`)."""
    subscriber = broker.subscriber(
        subject,
        stream=JStream(stream.name, declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=batch, timeout=2.0),
        config=ConsumerConfig(max_deliver=max_deliver, ack_wait=ack_wait),
        ack_policy=AckPolicy.MANUAL,
        max_workers=max_workers,
    )

    def register(handler: Handler) -> Handler:
        subscriber(handler)
        return handler

    return register


async def publish_scan_failed(
    publisher: EventPublisher, scan_id: str, reason: str, *, causationid: str | None = None
) -> None:
    await publisher.publish(
        subjects.scan_failed(scan_id),
        ScanFailed(scan_id=scan_id, reason=reason, failed_at=datetime.now(UTC)),
        event_type=EventType.SCAN_FAILED,
        msg_id=subjects.terminal_msg_id(scan_id, "failed"),
        correlationid=scan_id,
        causationid=causationid,
    )


@asynccontextmanager
async def settle(
    msg: NatsMessage,
    *,
    scan_id: str,
    publisher: EventPublisher,
    max_deliver: int,
    what: str,
    causationid: str | None = None,
    heartbeat_seconds: float = 10.0,
) -> AsyncIterator[None]:
    """Ack when the block succeeds; on an error nack with backoff, or after the last allowed
    delivery (or on GiveUp) fail the scan and ack so the message stops coming back.

    While the block runs, JetStream is told every `heartbeat_seconds` that the message is
    still being worked on, so `ack_wait` can stay short (a crashed consumer's messages come
    back quickly) without redelivering a long fetch that is merely slow."""
    heartbeat = asyncio.create_task(_keep_alive(msg, heartbeat_seconds))
    try:
        yield
    except GiveUp as exc:
        log.warning("giving up", what=what, scan_id=scan_id, reason=str(exc))
        await publish_scan_failed(publisher, scan_id, str(exc), causationid=causationid)
        await msg.ack()
    except Exception as exc:
        attempt = delivery_count(msg)
        if attempt >= max_deliver:
            log.error("delivery attempts exhausted", what=what, scan_id=scan_id, error=repr(exc))
            reason = f"{what} failed after {attempt} attempts: {exc}"
            await publish_scan_failed(publisher, scan_id, reason, causationid=causationid)
            await msg.ack()
        else:
            delay = min(MAX_BACKOFF_SECONDS, 2.0 ** (attempt - 1))
            log.warning("will retry", what=what, scan_id=scan_id, attempt=attempt, error=repr(exc))
            await msg.nack(delay=delay)
    else:
        await msg.ack()
    finally:
        heartbeat.cancel()


async def _keep_alive(msg: NatsMessage, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await msg.in_progress()
        except Exception as exc:
            log.debug("heartbeat failed", error=repr(exc))
