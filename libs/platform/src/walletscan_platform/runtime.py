"""What every broker service's handlers share: the broker, the settings, one publisher, and
the two helpers that make a JetStream consumer at-least-once safe (`consumer` and `settle`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from faststream.nats import NatsBroker, NatsMessage
from walletscan_contracts.streams import SCAN_EVENTS, StreamSpec

from walletscan_platform.bus import EventPublisher, publisher_for
from walletscan_platform.delivery import Handler, durable_subscriber, settle
from walletscan_platform.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


@dataclass
class ServiceRuntime(Generic[S]):
    broker: NatsBroker
    settings: S
    source: str
    _publisher: EventPublisher | None = field(default=None, repr=False)

    @property
    def publisher(self) -> EventPublisher:
        # Created on first use: the broker's connection exists only once it has started.
        if self._publisher is None:
            self._publisher = publisher_for(self.broker, self.source)
        return self._publisher

    def consumer(
        self,
        subject: str,
        durable: str,
        *,
        stream: StreamSpec = SCAN_EVENTS,
        workers: int = 1,
        max_deliver: int | None = None,
        batch: int = 8,
    ) -> Callable[[Handler], Handler]:
        """A durable pull consumer with manual acks and the service's delivery settings."""
        return durable_subscriber(
            self.broker,
            subject,
            stream=stream,
            durable=durable,
            max_deliver=max_deliver or self.settings.max_deliver,
            ack_wait=self.settings.ack_wait_seconds,
            batch=max(batch, workers),
            max_workers=workers,
        )

    def settle(
        self,
        msg: NatsMessage,
        *,
        scan_id: str,
        what: str,
        causationid: str,
        max_deliver: int | None = None,
    ) -> AbstractAsyncContextManager[None]:
        """Ack after the block's side effects; retry, or fail the scan, when it raises."""
        return settle(
            msg,
            scan_id=scan_id,
            publisher=self.publisher,
            max_deliver=max_deliver or self.settings.max_deliver,
            heartbeat_seconds=self.settings.ack_wait_seconds / 3,
            what=what,
            causationid=causationid,
        )
