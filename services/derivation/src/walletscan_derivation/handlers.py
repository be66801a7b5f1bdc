"""Broker handlers of the derivation service."""

from __future__ import annotations

import asyncio

from faststream.nats import NatsMessage
from walletscan_contracts import subjects
from walletscan_contracts.envelope import CloudEvent
from walletscan_contracts.events import AddressesDerived, DeriveBatch, EventType, ScanRequested
from walletscan_keys import InputError
from walletscan_platform.delivery import GiveUp
from walletscan_platform.runtime import ServiceRuntime

from walletscan_derivation import service
from walletscan_derivation.settings import DerivationSettings


class Runtime(ServiceRuntime[DerivationSettings]):
    pass


def register(rt: Runtime) -> None:
    @rt.consumer(subjects.ALL_SCAN_REQUESTED, "derivation-requested")
    async def on_requested(event: CloudEvent[ScanRequested], msg: NatsMessage) -> None:
        req = event.data
        async with rt.settle(
            msg, scan_id=req.scan_id, what="listing the given addresses", causationid=event.id
        ):
            if req.addresses:
                await emit(rt, service.given_addresses(req), causationid=event.id)

    @rt.consumer(subjects.ALL_SCAN_DERIVE, "derivation-derive", workers=2)
    async def on_derive(event: CloudEvent[DeriveBatch], msg: NatsMessage) -> None:
        cmd = event.data
        async with rt.settle(
            msg, scan_id=cmd.scan_id, what="deriving addresses", causationid=event.id
        ):
            try:
                # Elliptic-curve work off the event loop, so heartbeats and acks keep flowing.
                derived = await asyncio.to_thread(service.derive_batch, cmd)
            except InputError as exc:
                raise GiveUp(str(exc)) from exc
            await emit(rt, derived, causationid=event.id, resume=cmd.resume)


async def emit(
    rt: Runtime, derived: AddressesDerived, *, causationid: str, resume: int = 0
) -> None:
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
            for command, msg_id in service.fetch_commands(derived, provider, resume=resume)
        )
    )
