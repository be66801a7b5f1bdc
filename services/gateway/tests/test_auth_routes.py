"""/api/auth/* end to end inside one process: the router, a bus adapter speaking to the real
auth handlers in FastStream's in-memory broker, and the in-memory auth repository."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
import pytest
from fastapi import FastAPI, Request
from faststream.nats import NatsBroker, TestNatsBroker
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import BaseModel
from walletscan_auth.handlers import register_handlers
from walletscan_auth.memory import InMemoryAuthRepository
from walletscan_auth.passwords import PasswordHasher
from walletscan_auth.service import AuthService
from walletscan_auth.settings import DEVELOPMENT_JWT_PRIVATE_KEY
from walletscan_auth.tokens import AccessTokenIssuer
from walletscan_contracts.auth import JwksReply
from walletscan_contracts.events import AuditRecord
from walletscan_gateway.bus import BackendUnavailable
from walletscan_gateway.routes.auth import router
from walletscan_gateway.security import (
    AccessTokenVerifier,
    CurrentUser,
    InvalidSession,
    JwksCache,
    SignedIn,
    user_from_websocket,
)

R = TypeVar("R", bound=BaseModel)
PASSWORD = "correct horse battery"
EMAIL = "alice@example.com"


class InProcessBus:
    """`GatewayBus.request` over FastStream's in-memory broker: same bytes, same models."""

    def __init__(self, broker: NatsBroker) -> None:
        self.broker = broker
        self.down = False
        self.requests: list[str] = []

    async def request(
        self, subject: str, payload: BaseModel, reply_model: type[R], *, timeout: float = 10.0
    ) -> R:
        self.requests.append(subject)
        if self.down:
            raise BackendUnavailable(f"{subject} did not answer")
        msg = await self.broker.request(payload.model_dump_json().encode(), subject, timeout=3)
        return reply_model.model_validate_json(msg.body)


async def _no_audit(_: AuditRecord) -> None:
    return None


@pytest.fixture
async def bus() -> AsyncIterator[InProcessBus]:
    service = AuthService(
        InMemoryAuthRepository(),
        AccessTokenIssuer(DEVELOPMENT_JWT_PRIVATE_KEY, ttl=timedelta(minutes=15)),
        PasswordHasher(Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)),
    )
    broker = NatsBroker()
    register_handlers(broker, service, _no_audit)
    async with TestNatsBroker(broker) as br:
        yield InProcessBus(br)


@pytest.fixture
async def client(bus: InProcessBus) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.state.bus = bus
    app.include_router(router)

    @app.get("/api/private")
    async def private(user: SignedIn) -> dict[str, str]:
        return {"id": user.id}

    @app.get("/api/ws-user")
    async def ws_user(request: Request) -> dict[str, str | None]:
        # user_from_websocket only reads `.cookies` and `.app`, which a Request has as well.
        return {"id": await user_from_websocket(request)}  # type: ignore[arg-type]

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def register(client: httpx.AsyncClient, email: str = EMAIL) -> httpx.Response:
    return await client.post("/api/auth/register", json={"email": email, "password": PASSWORD})


async def login(client: httpx.AsyncClient, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": EMAIL, "password": password})


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


# -- register ----------------------------------------------------------------------------


async def test_register_is_201_with_the_user_and_sets_no_cookie(client: httpx.AsyncClient) -> None:
    response = await register(client, email="Alice@Example.com")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "created_at"}
    assert body["email"] == EMAIL
    assert "set-cookie" not in response.headers


async def test_register_twice_is_409(client: httpx.AsyncClient) -> None:
    await register(client)
    response = await register(client)
    assert response.status_code == 409
    assert response.json() == {"detail": "an account with this email already exists"}


async def test_weak_password_is_422_saying_why(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/register", json={"email": EMAIL, "password": "short"})
    assert response.status_code == 422
    assert response.json() == {"detail": "password must be at least 10 characters long"}


async def test_invalid_email_is_422(client: httpx.AsyncClient) -> None:
    response = await register(client, email="not-an-email")
    assert response.status_code == 422
    assert response.json() == {"detail": "invalid email address"}


# -- login, cookies, me ------------------------------------------------------------------


async def test_login_sets_session_cookies_and_me_describes_the_user(
    client: httpx.AsyncClient,
) -> None:
    user_id = (await register(client)).json()["id"]
    response = await login(client)
    assert response.status_code == 200
    assert response.json()["id"] == user_id

    cookies = set_cookies(response)
    access = cookies["walletscan_access"].lower()
    refresh = cookies["walletscan_refresh"].lower()
    csrf = cookies["walletscan_csrf"].lower()
    assert "httponly" in access
    assert "samesite=lax" in access
    assert "path=/" in access
    assert "max-age=" in access
    assert "httponly" in refresh
    assert "samesite=strict" in refresh
    assert "path=/api/auth" in refresh
    assert "httponly" not in csrf  # the dashboard's JavaScript reads it
    assert "secure" not in access  # cookie_secure is off for plain-HTTP local runs

    me = await client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json() == {"id": user_id, "email": EMAIL, "created_at": response.json()["created_at"]}
    assert (await client.get("/api/private")).json() == {"id": user_id}
    assert (await client.get("/api/ws-user")).json() == {"id": user_id}


async def test_each_login_gets_a_new_csrf_token(client: httpx.AsyncClient) -> None:
    await register(client)
    await login(client)
    first = client.cookies["walletscan_csrf"]
    await login(client)
    assert client.cookies["walletscan_csrf"] != first


async def test_bad_credentials_are_401(client: httpx.AsyncClient) -> None:
    await register(client)
    response = await login(client, password="wrong password!")
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid email or password"}
    assert "set-cookie" not in response.headers


async def test_throttled_login_is_429_with_retry_after(client: httpx.AsyncClient) -> None:
    await register(client)
    for _ in range(5):
        assert (await login(client, password="wrong password!")).status_code == 401
    response = await login(client)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"
    assert "too many failed logins" in response.json()["detail"]


async def test_me_without_a_session_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "not authenticated"}
    assert (await client.get("/api/ws-user")).json() == {"id": None}


async def test_a_forged_access_token_is_401(client: httpx.AsyncClient) -> None:
    client.cookies.set("walletscan_access", "eyJhbGciOiJub25lIn0.e30.")
    response = await client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid session token"}


async def test_jwks_is_fetched_once_and_cached(
    client: httpx.AsyncClient, bus: InProcessBus
) -> None:
    await register(client)
    await login(client)
    for _ in range(3):
        assert (await client.get("/api/auth/me")).status_code == 200
    assert bus.requests.count("auth.jwks") == 1


# -- refresh -----------------------------------------------------------------------------


async def test_refresh_rotates_the_cookies(client: httpx.AsyncClient) -> None:
    await register(client)
    await login(client)
    old_refresh = client.cookies["walletscan_refresh"]
    old_access = client.cookies["walletscan_access"]
    csrf = client.cookies["walletscan_csrf"]

    response = await client.post("/api/auth/refresh")
    assert response.status_code == 200
    assert client.cookies["walletscan_refresh"] != old_refresh
    assert client.cookies["walletscan_access"] != old_access
    assert client.cookies["walletscan_csrf"] == csrf
    assert (await client.get("/api/auth/me")).status_code == 200


async def test_replaying_an_old_refresh_token_ends_the_session(
    client: httpx.AsyncClient,
) -> None:
    await register(client)
    await login(client)
    stolen = client.cookies["walletscan_refresh"]
    assert (await client.post("/api/auth/refresh")).status_code == 200
    current = client.cookies["walletscan_refresh"]
    client.cookies.clear()

    thief = await client.post(
        "/api/auth/refresh", headers={"Cookie": f"walletscan_refresh={stolen}"}
    )
    assert thief.status_code == 401
    assert "already used" in thief.json()["detail"]
    assert set(set_cookies(thief)) == {"walletscan_access", "walletscan_refresh", "walletscan_csrf"}

    # The legitimate holder's newer token was revoked with the whole family.
    victim = await client.post(
        "/api/auth/refresh", headers={"Cookie": f"walletscan_refresh={current}"}
    )
    assert victim.status_code == 401
    assert victim.json() == {"detail": "session has ended; sign in again"}


async def test_refresh_without_a_cookie_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/refresh")
    assert response.status_code == 401
    assert response.json() == {"detail": "no session to refresh"}


# -- logout and CSRF ---------------------------------------------------------------------


async def test_logout_needs_the_csrf_header(client: httpx.AsyncClient) -> None:
    await register(client)
    await login(client)
    missing = await client.post("/api/auth/logout")
    assert missing.status_code == 403
    assert "missing CSRF token" in missing.json()["detail"]

    wrong = await client.post("/api/auth/logout", headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    assert "CSRF token mismatch" in wrong.json()["detail"]


async def test_logout_clears_cookies_and_revokes_the_refresh_token(
    client: httpx.AsyncClient,
) -> None:
    await register(client)
    await login(client)
    refresh_token = client.cookies["walletscan_refresh"]
    response = await client.post(
        "/api/auth/logout", headers={"X-CSRF-Token": client.cookies["walletscan_csrf"]}
    )
    assert response.status_code == 204
    cleared = set_cookies(response)
    assert set(cleared) == {"walletscan_access", "walletscan_refresh", "walletscan_csrf"}
    assert all("max-age=0" in c.lower() for c in cleared.values())
    assert "walletscan_access" not in client.cookies
    assert (await client.get("/api/auth/me")).status_code == 401

    replay = await client.post(
        "/api/auth/refresh", headers={"Cookie": f"walletscan_refresh={refresh_token}"}
    )
    assert replay.status_code == 401


# -- auth down -------------------------------------------------------------------------------


async def test_auth_unavailable_is_503(client: httpx.AsyncClient, bus: InProcessBus) -> None:
    bus.down = True
    response = await register(client)
    assert response.status_code == 503
    assert response.json() == {"detail": "authentication service unavailable"}
    login_response = await login(client)
    assert login_response.status_code == 503


async def test_known_keys_keep_working_while_auth_is_down(
    client: httpx.AsyncClient, bus: InProcessBus
) -> None:
    await register(client)
    await login(client)
    assert (await client.get("/api/auth/me")).status_code == 200
    bus.down = True
    assert (await client.get("/api/auth/me")).status_code == 200


def test_current_user_carries_the_id() -> None:
    assert CurrentUser.__dataclass_fields__["id"]


# -- JWKS cache ------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _issuer() -> AccessTokenIssuer:
    return AccessTokenIssuer(DEVELOPMENT_JWT_PRIVATE_KEY, ttl=timedelta(minutes=15))


async def test_unknown_kids_refetch_at_most_once_per_interval() -> None:
    issuer = _issuer()
    fetches = 0

    async def fetch() -> JwksReply:
        nonlocal fetches
        fetches += 1
        return JwksReply(keys=issuer.jwks()["keys"])

    clock = FakeClock()
    cache = JwksCache(fetch, max_age=3600, min_refetch_interval=10, clock=clock)
    assert await cache.key(issuer.kid) is not None
    assert fetches == 1
    for _ in range(5):
        assert await cache.key("made-up") is None
    assert fetches == 1
    clock.now += 11
    assert await cache.key("made-up") is None
    assert fetches == 2
    clock.now += 3600
    assert await cache.key(issuer.kid) is not None
    assert fetches == 3


async def test_a_rotated_key_is_picked_up_by_its_new_kid() -> None:
    old, new = _issuer(), AccessTokenIssuer(_new_pem(), ttl=timedelta(minutes=15))
    published = old

    async def fetch() -> JwksReply:
        return JwksReply(keys=published.jwks()["keys"])

    clock = FakeClock()
    verifier = AccessTokenVerifier(JwksCache(fetch, clock=clock))
    now = datetime.now(UTC)
    assert (await verifier.verify(old.issue("u1", now).token)).id == "u1"
    published = new
    clock.now += 60
    assert (await verifier.verify(new.issue("u2", now).token)).id == "u2"


async def test_expired_token_says_session_expired() -> None:
    issuer = _issuer()

    async def fetch() -> JwksReply:
        return JwksReply(keys=issuer.jwks()["keys"])

    verifier = AccessTokenVerifier(JwksCache(fetch))
    token = issuer.issue("u1", datetime.now(UTC) - timedelta(hours=1)).token
    with pytest.raises(InvalidSession, match="session expired"):
        await verifier.verify(token)


def _new_pem() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    key = Ed25519PrivateKey.generate()
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


async def test_csrf_is_not_asked_of_safe_methods(client: httpx.AsyncClient) -> None:
    await register(client)
    await login(client)
    assert (await client.get("/api/auth/me")).status_code == 200
