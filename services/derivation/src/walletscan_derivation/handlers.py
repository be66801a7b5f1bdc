"""Broker handlers of the derivation service."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from faststream.nats import NatsBroker, NatsMessage
from walletscan_contracts import subjects
from walletscan_contracts.envelope import CloudEvent
from walletscan_contracts.events import AddressesDerived, DeriveBatch, EventType, ScanRequested
from walletscan_contracts.streams import SCAN_EVENTS
from walletscan_keys import InputError
from walletscan_platform.bus import EventPublisher, publisher_for
from walletscan_platform.delivery import GiveUp, Handler, durable_subscriber, settle

from walletscan_derivation import service
from walletscan_derivation.settings import DerivationSettings


@dataclass
class Runtime:
    broker: NatsBroker
    settings: DerivationSettings
    _publisher: EventPublisher | None = field(default=None, repr=False)

    @property
    def publisher(self) -> EventPublisher:
        if self._publisher is None:
            self._publisher = publisher_for(self.broker, "derivation")
        return self._publisher


def register(rt: Runtime) -> None:
    broker, settings = rt.broker, rt.settings

    def consumer(subject: str, durable: str, workers: int = 1) -> Callable[[Handler], Handler]:
        return durable_subscriber(
            broker,
            subject,
            stream=SCAN_EVENTS,
            durable=durable,
            max_deliver=settings.max_deliver,
            ack_wait=settings.ack_wait_seconds,
            max_workers=workers,
        )

    @consumer(subjects.ALL_SCAN_REQUESTED, "derivation-requested")
    async def on_requested(event: CloudEvent[ScanRequested], msg: NatsMessage) -> None:
        req = event.data
        async with _settle(rt, msg, req.scan_id, "listing the given addresses", event.id):
            if req.addresses:
                await emit(rt, service.given_addresses(req), causationid=event.id)

    @consumer(subjects.ALL_SCAN_DERIVE, "derivation-derive", 2)
    async def on_derive(event: CloudEvent[DeriveBatch], msg: NatsMessage) -> None:
        cmd = event.data
        async with _settle(rt, msg, cmd.scan_id, "deriving addresses", event.id):
            try:
                # Elliptic-curve work off the event loop, so heartbeats and acks keep flowing.
                derived = await asyncio.to_thread(service.derive_batch, cmd)
            except InputError as exc:
                raise GiveUp(str(exc)) from exc
            await emit(rt, derived, causationid=event.id)


def _settle(rt: Runtime, msg: NatsMessage, scan_id: str, what: str, causationid: str) -> Any:
    return settle(
        msg,
        scan_id=scan_id,
        publisher=rt.publisher,
        max_deliver=rt.settings.max_deliver,
        heartbeat_seconds=rt.settings.ack_wait_seconds / 3,
        what=what,
        causationid=causationid,
    )


async def emit(rt: Runtime, derived: AddressesDerived, *, causationid: str) -> None:
    """Publish the derived addresses, then a fetch command for each (ids make both
    idempotent, so a crash between them is repaired by redelivery)."""
    scan_id = derived.scan_id
    event = await rt.publisher.publish(
        subjects.scan_derived(scan_id),
        derived,
        event_type=EventType.SCAN_DERIVED,
        msg_id=subjects.derived_msg_id(
            scan_id, derived.track_id, derived.start, len(derived.addresses)
        ),
        correlationid=scan_id,
        causationid=causationid,
    )
    provider = rt.settings.providers(derived.network)[0]
    await asyncio.gather(
        *(
            rt.publisher.publish(
                subjects.scan_fetch(scan_id, provider),
                command,
                event_type=EventType.SCAN_FETCH,
                msg_id=msg_id,
                correlationid=scan_id,
                causationid=event.id,
            )
            for command, msg_id in service.fetch_commands(derived, provider)
        )
    )
