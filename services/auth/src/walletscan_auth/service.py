"""Register, login, refresh, logout: the auth domain logic over a repository protocol.

No broker and no database here. Each operation returns the reply for the gateway plus the
audit records to publish, so the handlers stay a thin layer and the tests need neither.
"""

from __future__ import annotations

import asyncio
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from walletscan_contracts.auth import (
    AuthReply,
    Credentials,
    JwksReply,
    LogoutRequest,
    RefreshRequest,
    TokenPair,
    UserInfo,
)
from walletscan_contracts.events import AuditRecord

from walletscan_auth.passwords import PasswordHasher, WeakPassword, check_password_policy
from walletscan_auth.settings import AuthSettings
from walletscan_auth.tokens import AccessTokenIssuer, hash_refresh_token, new_refresh_token

AREA = "auth"

# Deliberately simple: one @, no spaces, a dot in the domain. Full RFC 5322 validation would
# accept addresses no mail server delivers to; the real check is the user reading their mail.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
MAX_EMAIL_LENGTH = 254

BAD_CREDENTIALS = "invalid email or password"


class EmailTaken(Exception):
    pass


class InvalidEmail(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    password_hash: str
    created_at: datetime

    def info(self) -> UserInfo:
        return UserInfo(id=self.id, email=self.email, created_at=self.created_at)


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """One link of a rotation chain. `family_id` names the login that started the chain:
    reuse of any used link revokes the whole family."""

    token_hash: str
    user_id: str
    family_id: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class AuthRepository(Protocol):
    async def create_indexes(self) -> None: ...

    async def add_user(self, user: User) -> None:
        """Raise `EmailTaken` when the email is already registered."""

    async def user_by_email(self, email: str) -> User | None: ...

    async def user_by_id(self, user_id: str) -> User | None: ...

    async def set_password_hash(self, user_id: str, password_hash: str) -> None: ...

    async def add_refresh_token(self, token: RefreshToken) -> None: ...

    async def refresh_token(self, token_hash: str) -> RefreshToken | None: ...

    async def mark_refresh_token_used(self, token_hash: str, at: datetime) -> bool:
        """Atomically mark an unused, unrevoked token used; False if it already was (the
        compare-and-set that makes two concurrent refreshes with one token a detected reuse)."""

    async def revoke_family(self, family_id: str, at: datetime) -> None: ...

    async def add_failed_login(self, key: str, at: datetime) -> None: ...

    async def count_failed_logins(self, key: str, since: datetime) -> int: ...

    async def clear_failed_logins(self, key: str) -> None: ...

    async def lock(self, key: str, until: datetime) -> None: ...

    async def locked_until(self, key: str) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    refresh_ttl: timedelta = timedelta(days=30)
    max_failed_logins: int = 5
    failed_login_window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)
    max_failed_logins_per_ip: int | None = None

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> AuthPolicy:
        return cls(
            refresh_ttl=timedelta(seconds=settings.refresh_ttl_seconds),
            max_failed_logins=settings.max_failed_logins,
            failed_login_window=timedelta(seconds=settings.failed_login_window_seconds),
            lockout=timedelta(seconds=settings.lockout_seconds),
            max_failed_logins_per_ip=settings.max_failed_logins_per_ip,
        )


@dataclass(slots=True)
class Outcome:
    reply: AuthReply
    audits: list[AuditRecord] = field(default_factory=list)


def utcnow() -> datetime:
    return datetime.now(UTC)


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        msg = "invalid email address"
        raise InvalidEmail(msg)
    return email


def email_key(email: str) -> str:
    return f"email:{email}"


def ip_key(ip: str) -> str:
    return f"ip:{ip}"


class AuthService:
    def __init__(
        self,
        repository: AuthRepository,
        issuer: AccessTokenIssuer,
        hasher: PasswordHasher,
        policy: AuthPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.repository = repository
        self.issuer = issuer
        self.hasher = hasher
        self.policy = policy or AuthPolicy()
        self.clock = clock

    def _audit(
        self,
        action: str,
        *,
        ok: bool = True,
        user_id: str | None = None,
        email: str | None = None,
        client_ip: str | None = None,
        detail: str | None = None,
    ) -> AuditRecord:
        return AuditRecord(
            area=AREA,
            action=action,
            ok=ok,
            user_id=user_id,
            email=email,
            client_ip=client_ip,
            detail=detail,
            at=self.clock(),
        )

    # -- register ------------------------------------------------------------------------

    async def register(self, request: Credentials) -> Outcome:
        try:
            email = normalise_email(request.email)
            check_password_policy(request.password, email)
        except (InvalidEmail, WeakPassword) as exc:
            return Outcome(AuthReply(status=422, detail=str(exc)))
        # Argon2 is deliberately slow; keep it off the event loop.
        password_hash = await asyncio.to_thread(self.hasher.hash, request.password)
        user = User(
            id=uuid.uuid4().hex,
            email=email,
            password_hash=password_hash,
            # Whole seconds: the access token carries it as a unix time, and MongoDB would
            # cut microseconds anyway; /me and register then agree to the character.
            created_at=self.clock().replace(microsecond=0),
        )
        try:
            await self.repository.add_user(user)
        except EmailTaken:
            return Outcome(
                AuthReply(status=409, detail="an account with this email already exists")
            )
        audit = self._audit("register", user_id=user.id, email=email, client_ip=request.client_ip)
        return Outcome(AuthReply(status=201, user=user.info()), [audit])

    # -- login ---------------------------------------------------------------------------

    async def login(self, request: Credentials) -> Outcome:
        now = self.clock()
        ip = request.client_ip
        try:
            email = normalise_email(request.email)
        except InvalidEmail:
            # Same answer as a wrong password: the login form does not validate emails.
            return Outcome(AuthReply(status=401, detail=BAD_CREDENTIALS))

        keys = [email_key(email)]
        if ip and self.policy.max_failed_logins_per_ip is not None:
            keys.append(ip_key(ip))
        locked = await self._locked_for(keys, now)
        if locked is not None:
            retry_after = max(1, math.ceil(locked))
            audit = self._audit(
                "login_failed", ok=False, email=email, client_ip=ip, detail="locked out"
            )
            return Outcome(_locked_reply(retry_after), [audit])

        user = await self.repository.user_by_email(email)
        valid = await asyncio.to_thread(
            self.hasher.verify, request.password, user.password_hash if user else None
        )
        if user is None or not valid:
            return await self._failed_login(email, ip, now)

        await self.repository.clear_failed_logins(email_key(email))
        if self.hasher.needs_rehash(user.password_hash):
            new_hash = await asyncio.to_thread(self.hasher.hash, request.password)
            await self.repository.set_password_hash(user.id, new_hash)
        tokens = await self._issue(user, family_id=uuid.uuid4().hex, now=now)
        audit = self._audit("login", user_id=user.id, email=email, client_ip=ip)
        return Outcome(AuthReply(status=200, user=user.info(), tokens=tokens), [audit])

    async def _locked_for(self, keys: list[str], now: datetime) -> float | None:
        """Seconds until every lock on these keys has expired, or None if none is active."""
        remaining: float | None = None
        for key in keys:
            until = await self.repository.locked_until(key)
            if until is not None and until > now:
                seconds = (until - now).total_seconds()
                remaining = seconds if remaining is None else max(remaining, seconds)
        return remaining

    async def _failed_login(self, email: str, ip: str | None, now: datetime) -> Outcome:
        audits = [
            self._audit("login_failed", ok=False, email=email, client_ip=ip, detail="bad password")
        ]
        since = now - self.policy.failed_login_window
        limits = [(email_key(email), self.policy.max_failed_logins)]
        if ip and self.policy.max_failed_logins_per_ip is not None:
            limits.append((ip_key(ip), self.policy.max_failed_logins_per_ip))
        for key, limit in limits:
            await self.repository.add_failed_login(key, now)
            if await self.repository.count_failed_logins(key, since) >= limit:
                await self.repository.lock(key, now + self.policy.lockout)
                # Start the next window afresh once the lock has run out.
                await self.repository.clear_failed_logins(key)
                audits.append(
                    self._audit(
                        "locked",
                        ok=False,
                        email=email,
                        client_ip=ip,
                        detail=f"{key.split(':', 1)[0]} locked after {limit} failed logins",
                    )
                )
        return Outcome(AuthReply(status=401, detail=BAD_CREDENTIALS), audits)

    # -- refresh -------------------------------------------------------------------------

    async def refresh(self, request: RefreshRequest) -> Outcome:
        now = self.clock()
        ip = request.client_ip
        token_hash = hash_refresh_token(request.refresh_token)
        stored = await self.repository.refresh_token(token_hash)
        if stored is None:
            return Outcome(AuthReply(status=401, detail="invalid refresh token"))
        if stored.revoked_at is not None:
            return Outcome(AuthReply(status=401, detail="session has ended; sign in again"))
        if stored.used_at is not None:
            return await self._reuse_detected(stored, ip, now)
        if stored.expires_at <= now:
            return Outcome(AuthReply(status=401, detail="session expired; sign in again"))
        if not await self.repository.mark_refresh_token_used(token_hash, now):
            # Another refresh with this very token won the race: the same reuse.
            return await self._reuse_detected(stored, ip, now)
        user = await self.repository.user_by_id(stored.user_id)
        if user is None:
            await self.repository.revoke_family(stored.family_id, now)
            return Outcome(AuthReply(status=401, detail="invalid refresh token"))
        tokens = await self._issue(user, family_id=stored.family_id, now=now)
        audit = self._audit("refresh", user_id=user.id, email=user.email, client_ip=ip)
        return Outcome(AuthReply(status=200, user=user.info(), tokens=tokens), [audit])

    async def _reuse_detected(self, stored: RefreshToken, ip: str | None, now: datetime) -> Outcome:
        # A used token came back: either it was stolen or the thief used it first. We cannot
        # tell which party is which, so end the whole login for both.
        await self.repository.revoke_family(stored.family_id, now)
        audit = self._audit(
            "refresh_reuse",
            ok=False,
            user_id=stored.user_id,
            client_ip=ip,
            detail=f"reused refresh token; family {stored.family_id} revoked",
        )
        reply = AuthReply(
            status=401, detail="refresh token was already used; the session has been ended"
        )
        return Outcome(reply, [audit])

    # -- logout --------------------------------------------------------------------------

    async def logout(self, request: LogoutRequest) -> Outcome:
        now = self.clock()
        user_id = request.user_id
        if request.refresh_token:
            stored = await self.repository.refresh_token(hash_refresh_token(request.refresh_token))
            # A token of another user is ignored, not revoked: logout must not become a way to
            # end someone else's session with a token one merely saw.
            if stored is not None and (user_id is None or stored.user_id == user_id):
                await self.repository.revoke_family(stored.family_id, now)
                user_id = stored.user_id
        audit = self._audit("logout", user_id=user_id, client_ip=request.client_ip)
        return Outcome(AuthReply(status=200), [audit])

    # -- keys ----------------------------------------------------------------------------

    def jwks(self) -> JwksReply:
        return JwksReply(keys=self.issuer.jwks()["keys"])

    async def _issue(self, user: User, *, family_id: str, now: datetime) -> TokenPair:
        access = self.issuer.issue(
            user.id,
            now,
            claims={"email": user.email, "created_at": int(user.created_at.timestamp())},
        )
        refresh = new_refresh_token()
        record = RefreshToken(
            token_hash=hash_refresh_token(refresh),
            user_id=user.id,
            family_id=family_id,
            issued_at=now,
            expires_at=now + self.policy.refresh_ttl,
        )
        await self.repository.add_refresh_token(record)
        return TokenPair(
            access_token=access.token,
            access_expires_at=access.expires_at,
            refresh_token=refresh,
            refresh_expires_at=record.expires_at,
        )


def _locked_reply(retry_after: int) -> AuthReply:
    minutes = math.ceil(retry_after / 60)
    return AuthReply(
        status=429,
        detail=f"too many failed logins; try again in {minutes} minute{'s' if minutes > 1 else ''}",
        retry_after_seconds=retry_after,
    )
