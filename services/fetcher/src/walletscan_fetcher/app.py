"""Wiring of one fetcher process (`--provider` picks which provider it serves)."""

from __future__ import annotations

from faststream import FastStream
from walletscan_platform.bus import make_broker

from walletscan_fetcher.handlers import Runtime, register
from walletscan_fetcher.registry import build_provider
from walletscan_fetcher.resilience import ResiliencePolicy, ResilientProvider, rate_limited_http
from walletscan_fetcher.settings import FetcherSettings


def build_app(settings: FetcherSettings | None = None) -> FastStream:
    settings = settings or FetcherSettings()
    broker = make_broker(settings.nats_url, f"fetcher-{settings.provider}")
    http = rate_limited_http(settings.requests_per_second, settings.http_timeout_seconds)
    provider = ResilientProvider(
        build_provider(settings.provider, settings, http),
        ResiliencePolicy(
            concurrency=settings.concurrency,
            retry_attempts=settings.retry_attempts,
            retry_timeout_seconds=settings.retry_timeout_seconds,
            breaker_fail_max=settings.breaker_fail_max,
            breaker_reset_seconds=settings.breaker_reset_seconds,
        ),
    )
    register(Runtime(broker=broker, settings=settings, provider=provider))
    app = FastStream(broker)

    @app.after_shutdown
    async def close_http() -> None:
        await provider.aclose()
        await http.aclose()

    return app
