"""An in-memory `AuthRepository`: the tests' stand-in for MongoDB, with the same semantics
(unique emails, compare-and-set on refresh tokens)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from walletscan_auth.service import EmailTaken, RefreshToken, User


class InMemoryAuthRepository:
    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.failed_logins: dict[str, list[datetime]] = {}
        self.locks: dict[str, datetime] = {}

    async def create_indexes(self) -> None:
        return None

    async def add_user(self, user: User) -> None:
        if any(u.email == user.email for u in self.users.values()):
            raise EmailTaken(user.email)
        self.users[user.id] = user

    async def user_by_email(self, email: str) -> User | None:
        return next((u for u in self.users.values() if u.email == email), None)

    async def user_by_id(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self.users[user_id] = replace(self.users[user_id], password_hash=password_hash)

    async def add_refresh_token(self, token: RefreshToken) -> None:
        if token.token_hash in self.refresh_tokens:
            raise ValueError("duplicate refresh token hash")
        self.refresh_tokens[token.token_hash] = token

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        return self.refresh_tokens.get(token_hash)

    async def mark_refresh_token_used(self, token_hash: str, at: datetime) -> bool:
        token = self.refresh_tokens.get(token_hash)
        if token is None or token.used_at is not None or token.revoked_at is not None:
            return False
        self.refresh_tokens[token_hash] = replace(token, used_at=at)
        return True

    async def revoke_family(self, family_id: str, at: datetime) -> None:
        for key, token in self.refresh_tokens.items():
            if token.family_id == family_id and token.revoked_at is None:
                self.refresh_tokens[key] = replace(token, revoked_at=at)

    async def add_failed_login(self, key: str, at: datetime) -> None:
        self.failed_logins.setdefault(key, []).append(at)

    async def count_failed_logins(self, key: str, since: datetime) -> int:
        return sum(1 for at in self.failed_logins.get(key, []) if at >= since)

    async def clear_failed_logins(self, key: str) -> None:
        self.failed_logins.pop(key, None)

    async def lock(self, key: str, until: datetime) -> None:
        self.locks[key] = until

    async def locked_until(self, key: str) -> datetime | None:
        return self.locks.get(key)
