"""Broker handler of one provider's fetcher: consumes only `scan.*.fetch.<provider>`."""

from __future__ import annotations

from dataclasses import dataclass, field

from faststream.nats import NatsBroker, NatsMessage
from walletscan_contracts import subjects
from walletscan_contracts.envelope import CloudEvent
from walletscan_contracts.events import EventType, FetchAddress
from walletscan_contracts.streams import FETCH_JOBS, fetch_consumer
from walletscan_platform.bus import EventPublisher, publisher_for
from walletscan_platform.delivery import GiveUp, durable_subscriber, settle

from walletscan_fetcher.providers.base import PermanentProviderError, UnsupportedNetwork
from walletscan_fetcher.resilience import ResilientProvider
from walletscan_fetcher.service import fetched_events
from walletscan_fetcher.settings import FetcherSettings


@dataclass
class Runtime:
    broker: NatsBroker
    settings: FetcherSettings
    provider: ResilientProvider
    _publisher: EventPublisher | None = field(default=None, repr=False)

    @property
    def publisher(self) -> EventPublisher:
        if self._publisher is None:
            self._publisher = publisher_for(self.broker, f"fetcher-{self.provider.name}")
        return self._publisher


def register(rt: Runtime) -> None:
    settings, name = rt.settings, rt.provider.name

    @durable_subscriber(
        rt.broker,
        subjects.all_scan_fetch(name),
        stream=FETCH_JOBS,
        durable=fetch_consumer(name),
        max_deliver=settings.fetch_max_deliver,
        ack_wait=settings.call_deadline_seconds + 30,
        batch=settings.concurrency,
        max_workers=settings.concurrency,
    )
    async def on_fetch(event: CloudEvent[FetchAddress], msg: NatsMessage) -> None:
        cmd = event.data
        async with settle(
            msg,
            scan_id=cmd.scan_id,
            publisher=rt.publisher,
            max_deliver=settings.fetch_max_deliver,
            what=f"fetching {cmd.address} from {name}",
            causationid=event.id,
        ):
            try:
                report = await rt.provider.fetch_address(cmd.address, cmd.network)
            except (PermanentProviderError, UnsupportedNetwork) as exc:
                raise GiveUp(f"{name} cannot serve {cmd.address}: {exc}") from exc
            for fetched in fetched_events(
                cmd, report, provider=name, txs_per_event=settings.txs_per_event
            ):
                await rt.publisher.publish(
                    subjects.scan_fetched(cmd.scan_id, name),
                    fetched,
                    event_type=EventType.SCAN_FETCHED,
                    msg_id=subjects.fetched_msg_id(cmd.scan_id, cmd.address, fetched.chunk),
                    correlationid=cmd.scan_id,
                    causationid=event.id,
                )
