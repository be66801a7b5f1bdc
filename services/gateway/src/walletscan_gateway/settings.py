"""Gateway settings (environment prefix WALLETSCAN_)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import model_validator
from walletscan_platform.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # Comma-separated origins allowed to open the WebSocket and to send credentialed requests.
    allowed_origins: str = "http://127.0.0.1:3000,http://localhost:3000"
    # Secure cookies need HTTPS; the local runner serves plain HTTP on loopback.
    cookie_secure: bool = False
    access_cookie: str = "walletscan_access"
    refresh_cookie: str = "walletscan_refresh"
    csrf_cookie: str = "walletscan_csrf"
    request_timeout_seconds: float = 10.0
    # Scans a user may start per hour (a scan costs provider quota).
    scans_per_hour: int = 120

    @model_validator(mode="after")
    def _refuse_insecure_cookies_in_production(self) -> GatewaySettings:
        if self.is_production and not self.cookie_secure:
            msg = (
                "WALLETSCAN_COOKIE_SECURE must be true when WALLETSCAN_ENVIRONMENT=production: "
                "session cookies must never travel over plain HTTP"
            )
            raise ValueError(msg)
        return self

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> GatewaySettings:
    return GatewaySettings()
