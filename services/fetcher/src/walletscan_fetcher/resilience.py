"""One resilience wrapper for every provider client (ARCHITECTURE §6): a rate limit and a
concurrency cap, retries with jittered backoff for transient errors only (honouring
Retry-After), and a circuit breaker that counts failed calls."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
import pybreaker
import stamina
from aiolimiter import AsyncLimiter
from walletscan_contracts.chains import Network
from walletscan_platform.logs import get_logger

from walletscan_fetcher.providers.base import (
    AddressReport,
    PermanentProviderError,
    Provider,
    TransientProviderError,
    UnsupportedNetwork,
)

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ResiliencePolicy:
    concurrency: int = 8
    retry_attempts: int = 5
    retry_timeout_seconds: float = 90.0
    breaker_fail_max: int = 5
    breaker_reset_seconds: float = 30.0


def _retry_hook(exc: Exception) -> bool | float:
    """Retry transient errors only; a Retry-After from the provider overrides the backoff."""
    if isinstance(exc, TransientProviderError):
        return exc.retry_after if exc.retry_after is not None else True
    return False


def rate_limited_http(requests_per_second: float, timeout_seconds: float) -> httpx.AsyncClient:
    """One HTTP client per provider per process. The rate limit sits on the client, so it
    counts every request (a paged history is many), not every address."""
    limiter = AsyncLimiter(max(requests_per_second, 0.001), time_period=1.0)

    async def wait_for_slot(_: httpx.Request) -> None:
        await limiter.acquire()

    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        headers={"User-Agent": "walletscan/0.1"},
        event_hooks={"request": [wait_for_slot]},
    )


class ResilientProvider:
    """Wraps a provider client; callers see the same `fetch_address` plus breaker state."""

    def __init__(self, provider: Provider, policy: ResiliencePolicy) -> None:
        self.provider = provider
        self.policy = policy
        self.name = provider.name
        self.networks = provider.networks
        self._slots = asyncio.Semaphore(policy.concurrency)
        # Refusals of the input (400/404) and unsupported networks say nothing about the
        # provider's health, so they do not trip the breaker.
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=policy.breaker_fail_max,
            reset_timeout=policy.breaker_reset_seconds,
            exclude=[PermanentProviderError, UnsupportedNetwork],
            name=provider.name,
        )

    async def fetch_address(self, address: str, network: Network) -> AddressReport:
        async for attempt in stamina.retry_context(
            on=_retry_hook,
            attempts=self.policy.retry_attempts,
            timeout=self.policy.retry_timeout_seconds,
            wait_initial=0.5,
            wait_max=10.0,
        ):
            with attempt:
                return await self._call(address, network)
        msg = "retry loop ended without a result"  # unreachable: stamina re-raises
        raise AssertionError(msg)

    async def _call(self, address: str, network: Network) -> AddressReport:
        async with self._slots:
            # pybreaker's own async support needs Tornado; `calling()` counts any exception
            # raised by the awaited call inside the block.
            with self.breaker.calling():
                return await self.provider.fetch_address(address, network)

    async def aclose(self) -> None:
        await self.provider.aclose()
