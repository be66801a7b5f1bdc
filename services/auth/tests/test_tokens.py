from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from walletscan_auth.tokens import (
    AccessTokenIssuer,
    hash_refresh_token,
    new_refresh_token,
)
from walletscan_contracts.auth import ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER


def test_access_token_verifies_with_the_published_jwks(issuer: AccessTokenIssuer) -> None:
    now = datetime.now(UTC)
    access = issuer.issue("user-1", now)
    header = jwt.get_unverified_header(access.token)
    assert header["alg"] == "EdDSA"
    assert header["kid"] == issuer.kid

    keys = jwt.PyJWKSet.from_dict(issuer.jwks())
    claims = jwt.decode(
        access.token,
        keys[header["kid"]],
        algorithms=["EdDSA"],
        audience=ACCESS_TOKEN_AUDIENCE,
        issuer=ACCESS_TOKEN_ISSUER,
    )
    assert claims["sub"] == "user-1"
    assert claims["jti"] == access.jti
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert "d" not in issuer.jwks()["keys"][0]  # never the private part


def test_expired_access_token_is_rejected(issuer: AccessTokenIssuer) -> None:
    access = issuer.issue("user-1", datetime.now(UTC) - timedelta(hours=1))
    jwk = jwt.PyJWKSet.from_dict(issuer.jwks())[issuer.kid]
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(access.token, jwk, algorithms=["EdDSA"], audience=ACCESS_TOKEN_AUDIENCE)


def test_a_new_key_gets_a_new_kid(issuer: AccessTokenIssuer) -> None:
    pem = (
        Ed25519PrivateKey.generate()
        .private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        .decode()
    )
    assert AccessTokenIssuer(pem, timedelta(minutes=1)).kid != issuer.kid


def test_refresh_tokens_are_random_and_stored_hashed() -> None:
    a, b = new_refresh_token(), new_refresh_token()
    assert a != b
    assert len(a) >= 43
    assert hash_refresh_token(a) != a
    assert len(hash_refresh_token(a)) == 64
    assert hash_refresh_token(a) == hash_refresh_token(a)
