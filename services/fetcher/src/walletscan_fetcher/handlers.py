"""Broker handler of one provider's fetcher: consumes only `scan.*.fetch.<provider>`, publishes
the fetched history, or re-routes the command to the next provider of the network's order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from faststream.nats import NatsBroker, NatsMessage
from walletscan_contracts import subjects
from walletscan_contracts.envelope import CloudEvent
from walletscan_contracts.events import EventType, FetchAddress
from walletscan_contracts.streams import FETCH_JOBS, fetch_consumer
from walletscan_platform.bus import EventPublisher, delivery_count, publisher_for
from walletscan_platform.delivery import GiveUp, durable_subscriber, settle
from walletscan_platform.logs import get_logger

from walletscan_fetcher import service
from walletscan_fetcher.batching import AddressBatcher
from walletscan_fetcher.providers.base import AddressReport, ProviderError
from walletscan_fetcher.resilience import ResilientProvider
from walletscan_fetcher.settings import FetcherSettings

log = get_logger(__name__)


@dataclass
class Runtime:
    broker: NatsBroker
    settings: FetcherSettings
    provider: ResilientProvider
    batcher: AddressBatcher | None = None
    _publisher: EventPublisher | None = field(default=None, repr=False)

    @property
    def publisher(self) -> EventPublisher:
        if self._publisher is None:
            self._publisher = publisher_for(self.broker, f"fetcher-{self.provider.name}")
        return self._publisher

    async def fetch(self, cmd: FetchAddress) -> AddressReport:
        if self.batcher is not None:
            return await self.batcher.fetch(cmd.address, cmd.network)
        return await self.provider.fetch_address(cmd.address, cmd.network)

    @property
    def workers(self) -> int:
        # A batching fetcher keeps a whole batch of commands waiting in memory at once; the
        # provider calls themselves are still capped by the wrapper's concurrency.
        if self.batcher is not None:
            return max(self.settings.concurrency, self.batcher.max_batch)
        return self.settings.concurrency


def register(rt: Runtime) -> None:
    settings, name = rt.settings, rt.provider.name

    @durable_subscriber(
        rt.broker,
        subjects.all_scan_fetch(name),
        stream=FETCH_JOBS,
        durable=fetch_consumer(name),
        max_deliver=settings.fetch_max_deliver,
        # Short: settle() sends heartbeats while a fetch runs, so only a crashed fetcher's
        # commands wait this long before another replica gets them.
        ack_wait=settings.ack_wait_seconds,
        batch=rt.workers,
        max_workers=rt.workers,
    )
    async def on_fetch(event: CloudEvent[FetchAddress], msg: NatsMessage) -> None:
        cmd = event.data
        try:
            async with settle(
                msg,
                scan_id=cmd.scan_id,
                publisher=rt.publisher,
                max_deliver=settings.fetch_max_deliver,
                heartbeat_seconds=settings.ack_wait_seconds / 3,
                what=f"fetching {cmd.address} from {name}",
                causationid=event.id,
            ):
                try:
                    report = await rt.fetch(cmd)
                except ProviderError as exc:
                    await route_elsewhere(rt, cmd, exc, msg, causationid=event.id)
                    return
                await publish_fetched(rt, cmd, report, causationid=event.id)
        except asyncio.CancelledError:
            # Shutting down mid-fetch: hand the command back at once rather than letting it
            # wait out ack_wait, so another replica picks it up.
            await msg.nack()
            raise


async def publish_fetched(
    rt: Runtime, cmd: FetchAddress, report: AddressReport, *, causationid: str
) -> None:
    name = rt.provider.name
    for fetched in service.fetched_events(
        cmd, report, provider=name, txs_per_event=rt.settings.txs_per_event
    ):
        await rt.publisher.publish(
            subjects.scan_fetched(cmd.scan_id, name),
            fetched,
            event_type=EventType.SCAN_FETCHED,
            msg_id=subjects.fetched_msg_id(cmd.scan_id, cmd.address, fetched.chunk),
            correlationid=cmd.scan_id,
            causationid=causationid,
        )


async def route_elsewhere(
    rt: Runtime, cmd: FetchAddress, exc: ProviderError, msg: NatsMessage, *, causationid: str
) -> None:
    """This provider gave up on the command (retries spent, breaker open, out of quota, network
    not served, input refused): pass it on, or fail the scan when no provider is left."""
    name = rt.provider.name
    status = f" (HTTP {exc.status_code})" if exc.status_code is not None else ""
    reason = f"{exc.message}{status}"
    decision = service.reroute(
        cmd, current=name, order=rt.settings.provider_order(cmd.network), reason=reason
    )
    if decision is None:
        if exc.transient and delivery_count(msg) < rt.settings.fetch_max_deliver:
            raise exc  # the last provider may recover: redeliver with backoff
        raise GiveUp(service.exhausted_reason(cmd, current=name, reason=reason)) from exc
    log.warning(
        "re-routing fetch",
        scan_id=cmd.scan_id,
        provider=name,
        to=decision.provider,
        track=cmd.track_id,
        index=cmd.index,
        reason=reason,
    )
    await rt.publisher.publish(
        subjects.scan_fetch(cmd.scan_id, decision.provider),
        decision.command,
        event_type=EventType.SCAN_FETCH,
        msg_id=decision.msg_id,
        correlationid=cmd.scan_id,
        causationid=causationid,
    )
