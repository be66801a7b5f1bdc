"""Wiring of one fetcher process (`--provider` picks which provider it serves)."""

from __future__ import annotations

from faststream import FastStream
from walletscan_platform.bus import make_broker

from walletscan_fetcher.batching import AddressBatcher
from walletscan_fetcher.handlers import Runtime, register
from walletscan_fetcher.registry import build_provider
from walletscan_fetcher.resilience import ResilientProvider, rate_limited_http, rate_limiter
from walletscan_fetcher.settings import FetcherSettings


def build_app(settings: FetcherSettings | None = None) -> FastStream:
    settings = settings or FetcherSettings()
    broker = make_broker(settings.nats_url, f"fetcher-{settings.provider}")
    # One limiter per process for this provider: HTTP clients wait for it on every request,
    # the Electrum client on every JSON-RPC call.
    limiter = rate_limiter(settings.requests_per_second_for(settings.provider))
    http = rate_limited_http(limiter, settings.http_timeout_seconds)
    provider = ResilientProvider(
        build_provider(settings.provider, settings, http, limiter), settings.resilience_policy()
    )
    batcher = None
    if provider.max_batch > 1:
        batcher = AddressBatcher(
            provider.fetch_addresses,
            max_batch=provider.max_batch,
            linger_seconds=settings.blockchair_batch_linger_seconds,
        )
    register(Runtime(broker=broker, settings=settings, provider=provider, batcher=batcher))
    app = FastStream(broker)

    @app.after_shutdown
    async def close_clients() -> None:
        if batcher is not None:
            await batcher.aclose()
        await provider.aclose()
        await http.aclose()

    return app
