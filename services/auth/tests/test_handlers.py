"""The request-reply handlers in FastStream's in-memory broker."""

from __future__ import annotations

import json

import pytest
from faststream.nats import NatsBroker, TestNatsBroker
from pydantic import BaseModel
from walletscan_auth.handlers import register_handlers
from walletscan_auth.service import AuthService
from walletscan_contracts import subjects
from walletscan_contracts.auth import AuthReply, Credentials, JwksReply, RefreshRequest
from walletscan_contracts.events import AuditRecord

PASSWORD = "correct horse battery"


class AuditRecorder:
    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    async def __call__(self, record: AuditRecord) -> None:
        self.records.append(record)

    @property
    def actions(self) -> list[str]:
        return [r.action for r in self.records]


@pytest.fixture
def audit() -> AuditRecorder:
    return AuditRecorder()


@pytest.fixture
def broker(service: AuthService, audit: AuditRecorder) -> NatsBroker:
    broker = NatsBroker()
    register_handlers(broker, service, audit)
    return broker


async def ask(broker: NatsBroker, subject: str, payload: BaseModel) -> AuthReply:
    # Bytes without a content type, exactly as the gateway's plain nats-py request sends them.
    msg = await broker.request(payload.model_dump_json().encode(), subject, timeout=3)
    return AuthReply.model_validate(json.loads(msg.body))


async def test_register_login_refresh_over_the_bus(
    broker: NatsBroker, audit: AuditRecorder
) -> None:
    async with TestNatsBroker(broker) as br:
        creds = Credentials(email="Alice@Example.com", password=PASSWORD, client_ip="10.1.1.1")
        registered = await ask(br, subjects.AUTH_REGISTER, creds)
        assert registered.status == 201
        assert registered.user is not None
        assert registered.user.email == "alice@example.com"

        taken = await ask(br, subjects.AUTH_REGISTER, creds)
        assert (taken.status, taken.detail) == (409, "an account with this email already exists")

        logged_in = await ask(br, subjects.AUTH_LOGIN, creds)
        assert logged_in.status == 200
        assert logged_in.tokens is not None

        refreshed = await ask(
            br, subjects.AUTH_REFRESH, RefreshRequest(refresh_token=logged_in.tokens.refresh_token)
        )
        assert refreshed.status == 200

        reused = await ask(
            br, subjects.AUTH_REFRESH, RefreshRequest(refresh_token=logged_in.tokens.refresh_token)
        )
        assert reused.status == 401

    assert audit.actions == ["register", "login", "refresh", "refresh_reuse"]
    assert audit.records[0].client_ip == "10.1.1.1"


async def test_lockout_over_the_bus(broker: NatsBroker, audit: AuditRecorder) -> None:
    async with TestNatsBroker(broker) as br:
        wrong = Credentials(email="bob@example.com", password="not the password")
        replies = [await ask(br, subjects.AUTH_LOGIN, wrong) for _ in range(6)]
    assert [r.status for r in replies] == [401] * 5 + [429]
    assert replies[-1].retry_after_seconds == 900
    assert "locked" in audit.actions


async def test_weak_password_over_the_bus(broker: NatsBroker) -> None:
    async with TestNatsBroker(broker) as br:
        reply = await ask(
            br, subjects.AUTH_REGISTER, Credentials(email="c@example.com", password="aaaaaaaaaaaa")
        )
    assert reply.status == 422
    assert reply.detail == "password must not be a single character repeated"


async def test_jwks_over_the_bus(broker: NatsBroker, service: AuthService) -> None:
    async with TestNatsBroker(broker) as br:
        msg = await br.request(b"{}", subjects.AUTH_JWKS, timeout=3)
    reply = JwksReply.model_validate(json.loads(msg.body))
    assert reply.keys[0]["kid"] == service.issuer.kid


def test_every_handler_is_in_the_auth_queue_group(broker: NatsBroker) -> None:
    subscribed = {(s.subject.template, s.queue) for s in broker.subscribers}
    assert subscribed == {
        (subject, subjects.AUTH_QUEUE)
        for subject in (
            subjects.AUTH_REGISTER,
            subjects.AUTH_LOGIN,
            subjects.AUTH_REFRESH,
            subjects.AUTH_LOGOUT,
            subjects.AUTH_JWKS,
        )
    }
