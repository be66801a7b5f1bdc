"""NATS wiring: the broker, stream declarations and the one way to publish an event."""

from __future__ import annotations

import json
import logging
from typing import Protocol, TypeVar

import nats
from faststream.nats import NatsBroker, NatsMessage
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from faststream.nats.prometheus import NatsPrometheusMiddleware
from nats.errors import NotJSMessageError
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError
from prometheus_client import REGISTRY
from pydantic import BaseModel
from walletscan_contracts.envelope import MSG_ID_HEADER, CloudEvent, envelope
from walletscan_contracts.events import SOURCE_PREFIX
from walletscan_contracts.streams import ALL_STREAMS, Retention, StreamSpec

from walletscan_platform.telemetry import configure_tracing, inject_trace_context

T = TypeVar("T", bound=BaseModel)


def make_broker(nats_url: str, service: str) -> NatsBroker:
    """The service's FastStream broker: a span per consumed message continuing the producer's
    trace, and Prometheus metrics of message handling."""
    return NatsBroker(
        nats_url,
        middlewares=(
            NatsTelemetryMiddleware(tracer_provider=configure_tracing(service)),
            NatsPrometheusMiddleware(registry=REGISTRY, app_name=service),
        ),
        name=f"walletscan-{service}",
        # Keep trying while a local runner or a cluster brings NATS up after us.
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        graceful_timeout=30.0,
        # FastStream logs every message at this level; DEBUG keeps INFO logs readable.
        log_level=logging.DEBUG,
    )


def stream_config(spec: StreamSpec) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        subjects=list(spec.subjects),
        retention=(
            RetentionPolicy.WORK_QUEUE
            if spec.retention is Retention.WORK_QUEUE
            else RetentionPolicy.LIMITS
        ),
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=spec.max_age_seconds or None,
        max_msgs_per_subject=spec.max_msgs_per_subject,
        duplicate_window=spec.duplicate_window_seconds,
        max_msg_size=spec.max_msg_size,
        allow_direct=True,
    )


async def ensure_streams(nats_url: str, specs: tuple[StreamSpec, ...] = ALL_STREAMS) -> None:
    """Declare (or update) every stream. Idempotent: every service calls it at start."""
    nc = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=5)
    try:
        js = nc.jetstream()
        for spec in specs:
            config = stream_config(spec)
            try:
                await js.stream_info(spec.name)
            except NotFoundError:
                try:
                    await js.add_stream(config)
                except BadRequestError:
                    # Another service created it between our check and our add.
                    await js.update_stream(config)
            else:
                await js.update_stream(config)
    finally:
        await nc.close()


def encode(event: CloudEvent[T]) -> bytes:
    return bytes(event.model_dump_json(), "utf-8")


class Send(Protocol):
    async def __call__(
        self, subject: str, body: bytes, *, headers: dict[str, str], stream: str
    ) -> None: ...


class EventPublisher:
    """The one way services publish: a CloudEvent to JetStream with `Nats-Msg-Id` set.

    The transport is a small `Send` function: FastStream's broker in the services (so
    FastStream's in-memory test broker sees every publish), a nats-py JetStream context in
    the gateway.
    """

    def __init__(self, send: Send, source: str) -> None:
        self._send = send
        self.source = f"{SOURCE_PREFIX}{source}"

    async def publish(
        self,
        subject: str,
        data: T,
        *,
        event_type: str,
        msg_id: str | None = None,
        correlationid: str | None = None,
        causationid: str | None = None,
    ) -> CloudEvent[T]:
        event = envelope(
            data,
            event_type=event_type,
            source=self.source,
            subject=subject,
            event_id=msg_id,
            correlationid=correlationid,
            causationid=causationid,
        )
        # The body is a structured-mode CloudEvent; plain JSON content type lets every
        # consumer (FastStream included) decode it without a custom decoder.
        headers = {MSG_ID_HEADER: event.id, "content-type": "application/json"}
        inject_trace_context(headers)
        await self._send(subject, encode(event), stream=stream_for(subject), headers=headers)
        return event


PUBLISH_TIMEOUT_SECONDS = 10.0


def publisher_for(broker: NatsBroker, source: str) -> EventPublisher:
    async def send(subject: str, body: bytes, *, headers: dict[str, str], stream: str) -> None:
        await broker.publish(
            body, subject, headers=headers, stream=stream, timeout=PUBLISH_TIMEOUT_SECONDS
        )

    return EventPublisher(send, source)


def jetstream_publisher(js: JetStreamContext, source: str) -> EventPublisher:
    async def send(subject: str, body: bytes, *, headers: dict[str, str], stream: str) -> None:
        await js.publish(
            subject, body, stream=stream, timeout=PUBLISH_TIMEOUT_SECONDS, headers=headers
        )

    return EventPublisher(send, source)


def stream_for(subject: str) -> str:
    """Which stream stores a subject. Asking the publish for the stream makes a publish to a
    subject that no stream captures fail loudly instead of vanishing."""
    for spec in ALL_STREAMS:
        if any(_matches(pattern, subject) for pattern in spec.subjects):
            return str(spec.name)
    msg = f"no stream stores subject {subject}"
    raise LookupError(msg)


def _matches(pattern: str, subject: str) -> bool:
    p_tokens = pattern.split(".")
    s_tokens = subject.split(".")
    for i, token in enumerate(p_tokens):
        if token == ">":
            return len(s_tokens) > i
        if i >= len(s_tokens) or (token != "*" and token != s_tokens[i]):
            return False
    return len(p_tokens) == len(s_tokens)


def delivery_count(msg: NatsMessage) -> int:
    """How many times JetStream has delivered this message (1 on the first delivery)."""
    try:
        metadata = msg.raw_message.metadata
    except NotJSMessageError:  # a core NATS message (e.g. FastStream's test broker)
        return 1
    return int(metadata.num_delivered) if metadata is not None else 1


def decode_json(raw: bytes) -> object:
    return json.loads(raw)
