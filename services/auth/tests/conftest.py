from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pwdlib.hashers.argon2 import Argon2Hasher
from walletscan_auth.memory import InMemoryAuthRepository
from walletscan_auth.passwords import PasswordHasher
from walletscan_auth.service import AuthPolicy, AuthService
from walletscan_auth.settings import DEVELOPMENT_JWT_PRIVATE_KEY
from walletscan_auth.tokens import AccessTokenIssuer

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def hasher() -> PasswordHasher:
    # Argon2id still, with the cost turned down so the suite stays quick.
    return PasswordHasher(Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repository() -> InMemoryAuthRepository:
    return InMemoryAuthRepository()


@pytest.fixture
def issuer() -> AccessTokenIssuer:
    return AccessTokenIssuer(DEVELOPMENT_JWT_PRIVATE_KEY, ttl=timedelta(minutes=15))


@pytest.fixture
def service(
    repository: InMemoryAuthRepository,
    issuer: AccessTokenIssuer,
    hasher: PasswordHasher,
    clock: Clock,
) -> AuthService:
    return AuthService(repository, issuer, hasher, AuthPolicy(), clock=clock)
