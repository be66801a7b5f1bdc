"""Wiring: settings -> Mongo repository, token issuer, service -> broker handlers -> app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from faststream import FastStream
from faststream.nats import NatsBroker
from walletscan_platform.bus import make_broker
from walletscan_platform.database import database, make_client

from walletscan_auth.handlers import AuditTrail, register_handlers
from walletscan_auth.passwords import PasswordHasher
from walletscan_auth.repository import MongoAuthRepository
from walletscan_auth.service import AuthPolicy, AuthService
from walletscan_auth.settings import AuthSettings
from walletscan_auth.tokens import AccessTokenIssuer


def build_service(settings: AuthSettings, repository: MongoAuthRepository) -> AuthService:
    return AuthService(
        repository=repository,
        issuer=AccessTokenIssuer(
            settings.jwt_private_key.get_secret_value(),
            ttl=timedelta(seconds=settings.access_ttl_seconds),
        ),
        hasher=PasswordHasher(),
        policy=AuthPolicy.from_settings(settings),
    )


def build_app(settings: AuthSettings) -> tuple[FastStream, NatsBroker]:
    broker = make_broker(settings.nats_url, "auth")
    client = make_client(settings.mongodb_url)
    repository = MongoAuthRepository(database(client, settings.mongodb_database))
    audit = AuditTrail(broker)
    register_handlers(broker, build_service(settings, repository), audit)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await repository.create_indexes()
        try:
            yield
        finally:
            await audit.flush()
            await client.close()

    return FastStream(broker, lifespan=lifespan), broker
