from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from walletscan_auth.app import build_app
from walletscan_auth.handlers import AuditTrail
from walletscan_auth.settings import AuthSettings
from walletscan_contracts.events import AuditRecord, EventType


class FakeBroker:
    """Stands in for FastStream's broker: records what the publisher sends."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    async def publish(self, body: bytes, subject: str, **kwargs: Any) -> None:
        self.published.append({"subject": subject, "body": json.loads(body), **kwargs})


async def test_audit_records_become_cloudevents_on_audit_subjects() -> None:
    broker = FakeBroker()
    trail = AuditTrail(broker)  # type: ignore[arg-type]
    await trail(AuditRecord(area="auth", action="login_failed", ok=False, at=datetime.now(UTC)))
    await trail.flush()
    [event] = broker.published
    assert event["subject"] == "audit.auth.login_failed"
    assert event["stream"] == "AUDIT"
    assert event["body"]["type"] == EventType.AUDIT
    assert event["body"]["source"] == "walletscan/auth"
    assert event["body"]["data"]["action"] == "login_failed"
    assert event["headers"]["Nats-Msg-Id"] == event["body"]["id"]


async def test_a_failing_audit_publish_does_not_raise() -> None:
    class Broken:
        async def publish(self, *args: Any, **kwargs: Any) -> None:
            raise ConnectionError("jetstream down")

    trail = AuditTrail(Broken())  # type: ignore[arg-type]
    await trail(AuditRecord(area="auth", action="login", at=datetime.now(UTC)))
    await trail.flush()


def test_the_app_wires_every_auth_subject() -> None:
    _, broker = build_app(AuthSettings(_env_file=None))  # type: ignore[call-arg]
    assert {s.subject.template for s in broker.subscribers} == {
        "auth.register",
        "auth.login",
        "auth.refresh",
        "auth.logout",
        "auth.jwks",
    }
