"""Request-reply subscribers: the gateway asks on `auth.*`, the return value is the reply.

One queue group, so any number of auth replicas share the requests. Audit records are
published to JetStream in the background: a slow AUDIT stream must not stall logins.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from faststream.nats import NatsBroker
from walletscan_contracts import subjects
from walletscan_contracts.auth import (
    AuthReply,
    Credentials,
    JwksReply,
    LogoutRequest,
    RefreshRequest,
)
from walletscan_contracts.events import AuditRecord, EventType
from walletscan_platform.bus import EventPublisher, publisher_for
from walletscan_platform.logs import get_logger

from walletscan_auth.service import AuthService, Outcome

log = get_logger(__name__)

AuditSink = Callable[[AuditRecord], Awaitable[None]]


class AuditTrail:
    """Publishes audit records as CloudEvents on `audit.auth.<action>` without making the
    caller wait. The publisher is made on first use: the broker has no connection before
    it starts."""

    def __init__(self, broker: NatsBroker) -> None:
        self._broker = broker
        self._publisher: EventPublisher | None = None
        self._pending: set[asyncio.Task[None]] = set()

    async def __call__(self, record: AuditRecord) -> None:
        task = asyncio.create_task(self._publish(record))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _publish(self, record: AuditRecord) -> None:
        try:
            if self._publisher is None:
                self._publisher = publisher_for(self._broker, "auth")
            await self._publisher.publish(
                subjects.audit(record.area, record.action), record, event_type=EventType.AUDIT
            )
        except Exception:
            log.exception("audit event not published", action=record.action)

    async def flush(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)


def register_handlers(broker: NatsBroker, service: AuthService, audit: AuditSink) -> None:
    async def answer(outcome: Outcome) -> AuthReply:
        for record in outcome.audits:
            await audit(record)
        return outcome.reply

    @broker.subscriber(subjects.AUTH_REGISTER, queue=subjects.AUTH_QUEUE)
    async def register(body: Credentials) -> AuthReply:
        return await answer(await service.register(body))

    @broker.subscriber(subjects.AUTH_LOGIN, queue=subjects.AUTH_QUEUE)
    async def login(body: Credentials) -> AuthReply:
        return await answer(await service.login(body))

    @broker.subscriber(subjects.AUTH_REFRESH, queue=subjects.AUTH_QUEUE)
    async def refresh(body: RefreshRequest) -> AuthReply:
        return await answer(await service.refresh(body))

    @broker.subscriber(subjects.AUTH_LOGOUT, queue=subjects.AUTH_QUEUE)
    async def logout(body: LogoutRequest) -> AuthReply:
        return await answer(await service.logout(body))

    @broker.subscriber(subjects.AUTH_JWKS, queue=subjects.AUTH_QUEUE)
    async def jwks() -> JwksReply:
        return service.jwks()
