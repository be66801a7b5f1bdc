"""Auth settings (environment prefix WALLETSCAN_). The signing key defaults to a committed
development key so the local runner works out of the box; production refuses it."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, model_validator
from walletscan_platform.settings import ServiceSettings

# Committed on purpose for local development and tests ONLY. Anyone can read it, so anyone
# could mint access tokens for a deployment that kept it: `AuthSettings` refuses it in
# production. Generate a real one with:
#   python -c "from cryptography.hazmat.primitives.asymmetric.ed25519 import \
#   Ed25519PrivateKey as K; from cryptography.hazmat.primitives import serialization as s; \
#   print(K.generate().private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, \
#   s.NoEncryption()).decode())"
DEVELOPMENT_JWT_PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIF4F0mjoGVhHdRAl5walgtRSFxFMH7BjoAGtAYOfdqy9\n"
    "-----END PRIVATE KEY-----\n"
)

MINUTE = 60
DAY = 24 * 3600


class DevelopmentSecretInProduction(ValueError):
    pass


class AuthSettings(ServiceSettings):
    # Ed25519 private key, PKCS#8 PEM (WALLETSCAN_JWT_PRIVATE_KEY).
    jwt_private_key: SecretStr = SecretStr(DEVELOPMENT_JWT_PRIVATE_KEY)
    # Short-lived access token: a stolen one is useful for minutes, and logout cannot recall it.
    access_ttl_seconds: int = Field(default=15 * MINUTE, ge=30, le=DAY)
    refresh_ttl_seconds: int = Field(default=30 * DAY, ge=MINUTE)
    # Lockout: this many failed logins for one email within the window locks it for
    # `lockout_seconds`. Slows online guessing without letting anyone lock an account forever.
    max_failed_logins: int = Field(default=5, ge=1)
    failed_login_window_seconds: int = Field(default=15 * MINUTE, ge=1)
    lockout_seconds: int = Field(default=15 * MINUTE, ge=1)
    # The same per client address (credential stuffing tries many emails from one). Off by
    # default: behind a proxy that does not pass the real address (uvicorn trusts
    # X-Forwarded-For only from FORWARDED_ALLOW_IPS), every user shares one address and a
    # per-address lock would lock everyone out. Enable it once client addresses are real.
    max_failed_logins_per_ip: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _refuse_development_key_in_production(self) -> AuthSettings:
        if (
            self.is_production
            and self.jwt_private_key.get_secret_value().strip()
            == DEVELOPMENT_JWT_PRIVATE_KEY.strip()
        ):
            msg = (
                "WALLETSCAN_JWT_PRIVATE_KEY is the committed development key, which anyone can "
                "read; the auth service refuses to start with it when "
                "WALLETSCAN_ENVIRONMENT=production. Set WALLETSCAN_JWT_PRIVATE_KEY to a freshly "
                "generated Ed25519 private key (PKCS#8 PEM)."
            )
            raise DevelopmentSecretInProduction(msg)
        return self


@lru_cache(maxsize=1)
def get_settings() -> AuthSettings:
    return AuthSettings()
