"""Access tokens (EdDSA JWTs the gateway verifies with the public JWKS) and refresh tokens
(random opaque strings, stored only as a SHA-256 hash)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from jwt.algorithms import OKPAlgorithm
from jwt.utils import base64url_encode
from walletscan_contracts.auth import ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER

ALGORITHM = "EdDSA"


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    jti: str
    expires_at: datetime


def load_signing_key(pem: str) -> Ed25519PrivateKey:
    key = load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        msg = "the JWT signing key must be an Ed25519 private key (PKCS#8 PEM)"
        raise TypeError(msg)
    return key


class AccessTokenIssuer:
    """Signs access tokens with one Ed25519 key; `kid` is the key's RFC 7638 thumbprint, so a
    new key gets a new kid and verifiers refetch the JWKS by themselves."""

    def __init__(self, private_key_pem: str, ttl: timedelta) -> None:
        self._key = load_signing_key(private_key_pem)
        self.ttl = ttl
        self._public_jwk: dict[str, Any] = dict(
            OKPAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        )
        self.kid = jwk_thumbprint(self._public_jwk)

    def issue(
        self, user_id: str, now: datetime, claims: dict[str, Any] | None = None
    ) -> AccessToken:
        jti = uuid.uuid4().hex
        expires_at = now + self.ttl
        payload: dict[str, Any] = {
            **(claims or {}),
            "iss": ACCESS_TOKEN_ISSUER,
            "aud": ACCESS_TOKEN_AUDIENCE,
            "sub": user_id,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": jti,
        }
        token = jwt.encode(payload, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})
        return AccessToken(token=token, jti=jti, expires_at=expires_at)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [{**self._public_jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}]}


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 (OKP members: crv, kty, x), base64url of the SHA-256."""
    canonical = '{"crv":"%s","kty":"%s","x":"%s"}' % (jwk["crv"], jwk["kty"], jwk["x"])  # noqa: UP031
    return base64url_encode(hashlib.sha256(canonical.encode()).digest()).decode()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """What the database stores: a leaked collection does not hand out live sessions. A plain
    hash suffices (no salt, no slow KDF): the token has 256 bits of entropy."""
    return hashlib.sha256(token.encode()).hexdigest()
