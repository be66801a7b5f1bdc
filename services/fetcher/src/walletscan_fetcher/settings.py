"""Fetcher settings (environment prefix WALLETSCAN_). Provider URLs and keys come from the
environment only, never from users."""

from __future__ import annotations

from walletscan_platform.settings import ServiceSettings


class FetcherSettings(ServiceSettings):
    provider: str = "esplora"
    esplora_bitcoin_url: str = "https://mempool.space/api"
    esplora_testnet_url: str = "https://mempool.space/testnet/api"
    # Addresses fetched at once by one process; the rate limit below still applies.
    concurrency: int = 8
    # Requests per second to one provider from one process (see the closing note of issue 4
    # for how this adds up across replicas).
    requests_per_second: float = 10.0
    # Whole-call deadline for one address (all its pages), beyond httpx's per-read timeouts.
    call_deadline_seconds: float = 120.0
    http_timeout_seconds: float = 20.0
    retry_attempts: int = 5
    retry_timeout_seconds: float = 90.0
    breaker_fail_max: int = 5
    breaker_reset_seconds: float = 30.0
    # Transactions per fetched event, to stay far below NATS's max payload.
    txs_per_event: int = 1000
    # Deliveries of one fetch command before the scan is failed.
    fetch_max_deliver: int = 8
