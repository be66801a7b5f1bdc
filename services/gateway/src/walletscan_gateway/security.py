"""Sessions at the gateway: access-token verification against the auth service's JWKS, the
`current_user` and `require_csrf` dependencies, and the session cookies.

The gateway never sees a signing key. It asks auth for the public JWKS once, caches it, and
asks again only when a token names a key it does not know (auth started with a new key).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol, TypeVar

import jwt
from fastapi import Depends, HTTPException, Request, Response, WebSocket, status
from pydantic import BaseModel
from starlette.datastructures import State
from walletscan_contracts import subjects
from walletscan_contracts.auth import (
    ACCESS_TOKEN_AUDIENCE,
    ACCESS_TOKEN_ISSUER,
    JwksReply,
    TokenPair,
)

from walletscan_gateway.bus import BackendUnavailable
from walletscan_gateway.settings import GatewaySettings, get_settings

R = TypeVar("R", bound=BaseModel)

ALGORITHMS = ["EdDSA"]
CSRF_HEADER = "X-CSRF-Token"
REFRESH_COOKIE_PATH = "/api/auth"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUTH_UNAVAILABLE = "authentication service unavailable"


class AuthBus(Protocol):
    """The part of `GatewayBus` this module uses (tests pass an in-process stand-in)."""

    async def request(
        self, subject: str, payload: BaseModel, reply_model: type[R], *, timeout: float = 10.0
    ) -> R: ...


class JwksRequest(BaseModel):
    """The JWKS request carries nothing; NATS needs a body all the same."""


# -- JWKS cache and verification --------------------------------------------------------------


class JwksCache:
    """Public keys by kid. Refetched when older than `max_age` or when a token names an
    unknown kid, but at most once per `min_refetch_interval`: a flood of tokens with made-up
    kids must not turn into a flood of requests to auth."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[JwksReply]],
        *,
        max_age: float = 3600.0,
        min_refetch_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._max_age = max_age
        self._min_interval = min_refetch_interval
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        if self._fresh() and kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if self._fresh() and kid in self._keys:
                return self._keys[kid]
            if self._refetch_due():
                try:
                    await self._refetch()
                except BackendUnavailable:
                    # Auth is down: keys it published before still verify its tokens.
                    if kid not in self._keys:
                        raise
        return self._keys.get(kid)

    def _refetch_due(self) -> bool:
        if self._fetched_at is None or not self._fresh():
            return True
        return self._clock() - self._fetched_at >= self._min_interval

    def _fresh(self) -> bool:
        return self._fetched_at is not None and self._clock() - self._fetched_at < self._max_age

    async def _refetch(self) -> None:
        reply = await self._fetch()
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in reply.keys:
            kid = jwk.get("kid")
            if not isinstance(kid, str):
                continue
            try:
                keys[kid] = jwt.PyJWK.from_dict(jwk)
            except jwt.PyJWTError:
                continue  # a key we cannot use (unknown type) verifies nothing
        self._keys = keys
        self._fetched_at = self._clock()


class InvalidSession(Exception):
    """The access token is missing, expired or invalid; `detail` is the 401 message."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The signed-in user, as the verified access token describes them."""

    id: str
    email: str | None
    created_at: datetime | None
    expires_at: datetime


class AccessTokenVerifier:
    def __init__(self, jwks: JwksCache, *, leeway_seconds: float = 5.0) -> None:
        self.jwks = jwks
        self._leeway = leeway_seconds

    async def verify(self, token: str) -> CurrentUser:
        """Raise `InvalidSession`, or `BackendUnavailable` when the keys cannot be fetched."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidSession("invalid session token") from exc
        kid = header.get("kid")
        if not isinstance(kid, str) or header.get("alg") not in ALGORITHMS:
            raise InvalidSession("invalid session token")
        key = await self.jwks.key(kid)
        if key is None:
            raise InvalidSession("invalid session token")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=ACCESS_TOKEN_AUDIENCE,
                issuer=ACCESS_TOKEN_ISSUER,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidSession("session expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidSession("invalid session token") from exc
        sub = claims["sub"]
        if not isinstance(sub, str) or not sub:
            raise InvalidSession("invalid session token")
        email = claims.get("email")
        created = claims.get("created_at")
        return CurrentUser(
            id=sub,
            email=email if isinstance(email, str) else None,
            created_at=datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None,
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )


def auth_bus(state: State) -> AuthBus:
    bus: AuthBus | None = getattr(state, "bus", None)
    if bus is None:
        raise BackendUnavailable("the gateway is not connected to NATS")
    return bus


def verifier_for(state: State) -> AccessTokenVerifier:
    """One verifier (and JWKS cache) per app, made on first use: `app.state.bus` is only set
    once the app's lifespan has connected to NATS."""
    verifier: AccessTokenVerifier | None = getattr(state, "access_verifier", None)
    if verifier is None:
        settings = get_settings()

        async def fetch() -> JwksReply:
            return await auth_bus(state).request(
                subjects.AUTH_JWKS,
                JwksRequest(),
                JwksReply,
                timeout=settings.request_timeout_seconds,
            )

        verifier = AccessTokenVerifier(JwksCache(fetch))
        state.access_verifier = verifier
    return verifier


# -- dependencies -----------------------------------------------------------------------------


def unavailable() -> HTTPException:
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=AUTH_UNAVAILABLE)


async def current_user(
    request: Request, settings: Annotated[GatewaySettings, Depends(get_settings)]
) -> CurrentUser:
    """The signed-in user (`.id` is the user id); 401 {"detail": ...} when the access cookie
    is missing, expired or invalid (the client then tries POST /api/auth/refresh once)."""
    token = request.cookies.get(settings.access_cookie)
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="not authenticated")
    try:
        return await verifier_for(request.app.state).verify(token)
    except InvalidSession as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=exc.detail) from exc
    except BackendUnavailable as exc:
        raise unavailable() from exc


SignedIn = Annotated[CurrentUser, Depends(current_user)]


async def require_csrf(
    request: Request, settings: Annotated[GatewaySettings, Depends(get_settings)]
) -> None:
    """Double-submit check for state-changing methods: the `X-CSRF-Token` header must equal
    the `walletscan_csrf` cookie. Another site can make the browser send our cookies, but it
    cannot read the cookie to copy it into a header."""
    if request.method.upper() not in UNSAFE_METHODS:
        return
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(settings.csrf_cookie, "")
    if not header or not cookie:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=(
                f"missing CSRF token: send the {settings.csrf_cookie} cookie's value in the "
                f"{CSRF_HEADER} header"
            ),
        )
    if not hmac.compare_digest(header.encode(), cookie.encode()):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"CSRF token mismatch: the {CSRF_HEADER} header must equal the "
            f"{settings.csrf_cookie} cookie",
        )


CsrfProtected = Depends(require_csrf)


async def user_from_websocket(websocket: WebSocket) -> str | None:
    """The user id from the access cookie of a WebSocket handshake, or None (the caller then
    closes the socket). Fails closed when auth cannot be asked for its keys."""
    token = websocket.cookies.get(get_settings().access_cookie)
    if not token:
        return None
    try:
        claims = await verifier_for(websocket.app.state).verify(token)
    except (InvalidSession, BackendUnavailable):
        return None
    return claims.id


# -- cookies ----------------------------------------------------------------------------------


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def _seconds_until(moment: datetime) -> int:
    return max(0, int((moment - datetime.now(UTC)).total_seconds()))


def set_session_cookies(
    response: Response, tokens: TokenPair, settings: GatewaySettings, *, csrf_token: str
) -> None:
    response.set_cookie(
        settings.access_cookie,
        tokens.access_token,
        max_age=_seconds_until(tokens.access_expires_at),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    # Strict and scoped to /api/auth: the refresh token only ever travels to refresh and
    # logout, never with an ordinary API call or a cross-site navigation.
    response.set_cookie(
        settings.refresh_cookie,
        tokens.refresh_token,
        max_age=_seconds_until(tokens.refresh_expires_at),
        path=REFRESH_COOKIE_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    # Readable by the dashboard's JavaScript on purpose: it copies it into X-CSRF-Token.
    response.set_cookie(
        settings.csrf_cookie,
        csrf_token,
        max_age=_seconds_until(tokens.refresh_expires_at),
        path="/",
        secure=settings.cookie_secure,
        httponly=False,
        samesite="lax",
    )


def clear_session_cookies(response: Response, settings: GatewaySettings) -> None:
    # Deleting needs the same name, path and attributes the cookie was set with.
    cookies: tuple[tuple[str, str, bool, Literal["lax", "strict"]], ...] = (
        (settings.access_cookie, "/", True, "lax"),
        (settings.refresh_cookie, REFRESH_COOKIE_PATH, True, "strict"),
        (settings.csrf_cookie, "/", False, "lax"),
    )
    for name, path, httponly, samesite in cookies:
        response.delete_cookie(
            name, path=path, secure=settings.cookie_secure, httponly=httponly, samesite=samesite
        )
