"""MongoDB access for auth. Kept to what both MongoDB and nx-27017 support: single-document
operations with plain query operators, unnamed indexes, no transactions, no Decimal128."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from walletscan_platform.database import as_utc, count, match

from walletscan_auth.service import EmailTaken, RefreshToken, User

Document = dict[str, Any]


class MongoAuthRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.users = db["users"]
        self.refresh_tokens = db["refresh_tokens"]
        # One document per failed attempt; counting a window is a plain range query.
        self.login_failures = db["login_failures"]
        self.login_locks = db["login_locks"]

    async def create_indexes(self) -> None:
        await self.users.create_index([("email", ASCENDING)], unique=True)
        await self.refresh_tokens.create_index([("token_hash", ASCENDING)], unique=True)
        await self.refresh_tokens.create_index([("family_id", ASCENDING)])
        await self.login_failures.create_index([("key", ASCENDING), ("at", ASCENDING)])
        await self.login_locks.create_index([("key", ASCENDING)], unique=True)

    # -- users ---------------------------------------------------------------------------

    async def add_user(self, user: User) -> None:
        try:
            await self.users.insert_one(
                {
                    "_id": user.id,
                    "email": user.email,
                    "password_hash": user.password_hash,
                    "created_at": user.created_at,
                }
            )
        except DuplicateKeyError as exc:
            raise EmailTaken(user.email) from exc

    async def user_by_email(self, email: str) -> User | None:
        return _user(await self.users.find_one(match({"email": email})))

    async def user_by_id(self, user_id: str) -> User | None:
        return _user(await self.users.find_one(match({"_id": user_id})))

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        await self.users.update_one(
            match({"_id": user_id}), {"$set": {"password_hash": password_hash}}
        )

    # -- refresh tokens ------------------------------------------------------------------

    async def add_refresh_token(self, token: RefreshToken) -> None:
        await self.refresh_tokens.insert_one(
            {
                "token_hash": token.token_hash,
                "user_id": token.user_id,
                "family_id": token.family_id,
                "issued_at": token.issued_at,
                "expires_at": token.expires_at,
                "used_at": token.used_at,
                "revoked_at": token.revoked_at,
            }
        )

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        return _refresh_token(await self.refresh_tokens.find_one(match({"token_hash": token_hash})))

    async def mark_refresh_token_used(self, token_hash: str, at: datetime) -> bool:
        updated = await self.refresh_tokens.find_one_and_update(
            match({"token_hash": token_hash, "used_at": None, "revoked_at": None}),
            {"$set": {"used_at": at}},
            return_document=ReturnDocument.AFTER,
        )
        return updated is not None

    async def revoke_family(self, family_id: str, at: datetime) -> None:
        await self.refresh_tokens.update_many(
            match({"family_id": family_id, "revoked_at": None}), {"$set": {"revoked_at": at}}
        )

    # -- login throttling ----------------------------------------------------------------

    async def add_failed_login(self, key: str, at: datetime) -> None:
        await self.login_failures.insert_one({"key": key, "at": at})

    async def count_failed_logins(self, key: str, since: datetime) -> int:
        # Old attempts are useless once outside every window; drop them while we are here.
        await self.login_failures.delete_many(match({"key": key, "at": {"$lt": since}}))
        return await count(self.login_failures, {"key": key, "at": {"$gte": since}})

    async def clear_failed_logins(self, key: str) -> None:
        await self.login_failures.delete_many(match({"key": key}))

    async def lock(self, key: str, until: datetime) -> None:
        await self.login_locks.update_one(
            match({"key": key}), {"$set": {"key": key, "until": until}}, upsert=True
        )

    async def locked_until(self, key: str) -> datetime | None:
        doc = await self.login_locks.find_one(match({"key": key}))
        return None if doc is None else _as_datetime(doc["until"])


def _user(doc: Document | None) -> User | None:
    if doc is None:
        return None
    return User(
        id=str(doc["_id"]),
        email=str(doc["email"]),
        password_hash=str(doc["password_hash"]),
        created_at=_as_datetime(doc["created_at"]),
    )


def _refresh_token(doc: Document | None) -> RefreshToken | None:
    if doc is None:
        return None
    return RefreshToken(
        token_hash=str(doc["token_hash"]),
        user_id=str(doc["user_id"]),
        family_id=str(doc["family_id"]),
        issued_at=_as_datetime(doc["issued_at"]),
        expires_at=_as_datetime(doc["expires_at"]),
        used_at=_optional_datetime(doc.get("used_at")),
        revoked_at=_optional_datetime(doc.get("revoked_at")),
    )


def _as_datetime(value: Any) -> datetime:
    moment = as_utc(value)
    if moment is None:
        msg = "expected a datetime, got None"
        raise TypeError(msg)
    return moment


def _optional_datetime(value: Any) -> datetime | None:
    return None if value is None else _as_datetime(value)
