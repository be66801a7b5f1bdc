from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pydantic import ValidationError
from walletscan_auth.settings import AuthSettings


def test_development_key_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WALLETSCAN_JWT_PRIVATE_KEY", raising=False)
    with pytest.raises(ValidationError, match="committed development key"):
        AuthSettings(environment="production", _env_file=None)  # type: ignore[call-arg]


def test_a_real_key_is_accepted_in_production() -> None:
    pem = (
        Ed25519PrivateKey.generate()
        .private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        .decode()
    )
    settings = AuthSettings(environment="production", jwt_private_key=pem, _env_file=None)  # type: ignore[call-arg, arg-type]
    assert settings.access_ttl_seconds == 900
    assert settings.refresh_ttl_seconds == 30 * 24 * 3600


def test_development_key_is_fine_in_development() -> None:
    assert AuthSettings(environment="development", _env_file=None).max_failed_logins == 5  # type: ignore[call-arg]
