"""The gateway's NATS client: request-reply to auth and report, publishing scan requests,
reading scan progress and report objects. Plain nats-py: the gateway subscribes per WebSocket
to subjects only known at run time, which a static FastStream subscriber cannot express."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import NotFoundError
from pydantic import BaseModel, ValidationError
from walletscan_contracts import subjects
from walletscan_contracts.envelope import CloudEvent
from walletscan_contracts.events import ScanProgress
from walletscan_contracts.streams import REPORTS_BUCKET, SCAN_PROGRESS
from walletscan_platform.bus import jetstream_publisher

R = TypeVar("R", bound=BaseModel)


class BackendUnavailable(RuntimeError):
    """A service behind the gateway did not answer; the API answers 503."""


class GatewayBus:
    def __init__(self, nc: Client) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.events = jetstream_publisher(self.js, "gateway")

    @classmethod
    async def connect(cls, url: str) -> GatewayBus:
        nc = await nats.connect(
            url, name="walletscan-gateway", max_reconnect_attempts=-1, reconnect_time_wait=1
        )
        return cls(nc)

    async def close(self) -> None:
        try:
            await self.nc.drain()
        except NatsError:
            # NATS may already be gone (the local runner stops everything at once).
            await self.nc.close()

    @property
    def connected(self) -> bool:
        return bool(self.nc.is_connected)

    async def request(
        self, subject: str, payload: BaseModel, reply_model: type[R], *, timeout: float = 10.0
    ) -> R:
        try:
            msg = await self.nc.request(subject, payload.model_dump_json().encode(), timeout)
        except (NatsTimeout, NoRespondersError) as exc:
            raise BackendUnavailable(f"{subject} did not answer") from exc
        try:
            return reply_model.model_validate_json(msg.data)
        except ValidationError as exc:
            raise BackendUnavailable(f"{subject} answered something unexpected") from exc

    async def last_progress(self, scan_id: str) -> ScanProgress | None:
        try:
            msg = await self.js.get_last_msg(SCAN_PROGRESS.name, subjects.scan_progress(scan_id))
        except NotFoundError:
            return None
        return _progress(msg.data or b"")

    @asynccontextmanager
    async def progress_updates(self, scan_id: str) -> AsyncIterator[AsyncIterator[ScanProgress]]:
        """Core-NATS subscription to a scan's progress; subscribe before reading the last
        value so no change can fall between the two."""
        sub = await self.nc.subscribe(subjects.scan_progress(scan_id))

        async def updates() -> AsyncIterator[ScanProgress]:
            async for msg in sub.messages:
                progress = _progress(msg.data)
                if progress is not None:
                    yield progress

        try:
            yield updates()
        finally:
            await sub.unsubscribe()

    async def read_object(self, name: str) -> bytes | None:
        store = await self.js.object_store(REPORTS_BUCKET)
        try:
            result = await store.get(name)
        except NotFoundError:
            return None
        return bytes(result.data or b"")


def _progress(raw: bytes) -> ScanProgress | None:
    try:
        return CloudEvent[ScanProgress].model_validate_json(raw).data
    except ValidationError:
        return None
