"""Request-reply contracts between the gateway and the auth service (core NATS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuthMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Credentials(AuthMessage):
    email: str
    password: str
    client_ip: str | None = None


class RefreshRequest(AuthMessage):
    refresh_token: str
    client_ip: str | None = None


class LogoutRequest(AuthMessage):
    refresh_token: str | None = None
    user_id: str | None = None
    client_ip: str | None = None


class UserInfo(AuthMessage):
    id: str
    email: str
    created_at: datetime


class TokenPair(AuthMessage):
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


class AuthReply(AuthMessage):
    """`status` is the HTTP status the gateway should answer with; `detail` its message."""

    status: int
    detail: str | None = None
    user: UserInfo | None = None
    tokens: TokenPair | None = None
    retry_after_seconds: int | None = None


class JwksReply(AuthMessage):
    keys: list[dict[str, Any]] = Field(default_factory=list)


ACCESS_TOKEN_AUDIENCE = "walletscan"
ACCESS_TOKEN_ISSUER = "walletscan-auth"
