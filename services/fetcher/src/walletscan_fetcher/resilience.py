"""One resilience wrapper for every provider client (ARCHITECTURE §6): a rate limit and a
concurrency cap, retries with jittered backoff for transient errors only (honouring
Retry-After), and a circuit breaker that counts failed calls."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpx
import pybreaker
import stamina
from aiolimiter import AsyncLimiter
from walletscan_contracts.chains import Network
from walletscan_platform.logs import get_logger

from walletscan_fetcher.providers.base import (
    AddressReport,
    BatchProvider,
    PermanentProviderError,
    Provider,
    ProviderError,
    QuotaExhausted,
    TransientProviderError,
    UnsupportedNetwork,
)

log = get_logger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ResiliencePolicy:
    """How the wrapper treats one provider. The defaults are spelled here only: the fetcher
    settings of the same names (WALLETSCAN_RETRY_ATTEMPTS, …) take theirs from this class."""

    concurrency: int = 8
    retry_attempts: int = 5
    retry_timeout_seconds: float = 90.0
    retry_wait_initial_seconds: float = 0.5
    retry_wait_max_seconds: float = 10.0
    breaker_fail_max: int = 5
    breaker_reset_seconds: float = 30.0


class ProviderUnavailable(ProviderError):
    """The breaker is open (or a half-open probe is already under way): do not call now.
    Transient in the sense that it may pass; the wrapper itself never retries it."""

    transient = True


def _retry_hook(exc: Exception) -> bool | float:
    """Retry transient errors only; a Retry-After from the provider overrides the backoff."""
    if isinstance(exc, TransientProviderError):
        return exc.retry_after if exc.retry_after is not None else True
    return False


def rate_limiter(requests_per_second: float) -> AsyncLimiter:
    """Requests per second of one process to one provider. Every request waits for a slot —
    a paged history is many requests, a Blockchair batch one, an Electrum call one."""
    return AsyncLimiter(max(requests_per_second, 0.001), time_period=1.0)


def rate_limited_http(
    requests_per_second: float | AsyncLimiter, timeout_seconds: float
) -> httpx.AsyncClient:
    """One HTTP client per provider per process. The rate limit sits on the client, so it
    counts every request (a paged history is many), not every address."""
    limiter = (
        requests_per_second
        if isinstance(requests_per_second, AsyncLimiter)
        else rate_limiter(requests_per_second)
    )

    async def wait_for_slot(_: httpx.Request) -> None:
        await limiter.acquire()

    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        headers={"User-Agent": "walletscan/0.1"},
        event_hooks={"request": [wait_for_slot]},
    )


class ResilientProvider:
    """Wraps a provider client; callers see the same `fetch_address` (and `fetch_addresses`
    for batch providers) plus breaker state."""

    def __init__(self, provider: Provider, policy: ResiliencePolicy) -> None:
        self.provider = provider
        self.policy = policy
        self.name = provider.name
        self.networks = provider.networks
        self.max_batch = provider.max_batch if isinstance(provider, BatchProvider) else 1
        self._slots = asyncio.Semaphore(policy.concurrency)
        self._probe = asyncio.Lock()
        # Refusals of the input (400/404) and unsupported networks say nothing about the
        # provider's health, so they do not trip the breaker.
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=policy.breaker_fail_max,
            reset_timeout=policy.breaker_reset_seconds,
            exclude=[PermanentProviderError, UnsupportedNetwork],
            name=provider.name,
        )

    async def fetch_address(self, address: str, network: Network) -> AddressReport:
        return await self._retrying(lambda: self.provider.fetch_address(address, network))

    async def fetch_addresses(
        self, addresses: Sequence[str], network: Network
    ) -> dict[str, AddressReport]:
        provider = self.provider
        if not isinstance(provider, BatchProvider):
            return {a: await self.fetch_address(a, network) for a in addresses}
        return await self._retrying(lambda: provider.fetch_addresses(addresses, network))

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        async for attempt in stamina.retry_context(
            on=_retry_hook,
            attempts=self.policy.retry_attempts,
            timeout=self.policy.retry_timeout_seconds,
            wait_initial=self.policy.retry_wait_initial_seconds,
            wait_max=self.policy.retry_wait_max_seconds,
        ):
            with attempt:
                return await self._call(call)
        msg = "retry loop ended without a result"  # unreachable: stamina re-raises
        raise AssertionError(msg)

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        async with self._slots:
            if self.breaker.current_state == pybreaker.STATE_CLOSED:
                return await self._guarded(call)
            # Open (maybe past its reset timeout) or half-open: pybreaker itself would let
            # every concurrent caller through once the timeout has passed, so a probe lock
            # makes it exactly one; the others are turned away like an open breaker.
            if self._probe.locked():
                raise ProviderUnavailable("circuit breaker is half-open", provider=self.name)
            async with self._probe:
                return await self._guarded(call)

    async def _guarded(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            # pybreaker's own async support needs Tornado; `calling()` counts any exception
            # raised by the awaited call inside the block.
            with self.breaker.calling():
                return await call()
        except pybreaker.CircuitBreakerError as exc:
            raise ProviderUnavailable(f"circuit breaker open: {exc}", provider=self.name) from exc
        except QuotaExhausted:
            # Out of quota says nothing will work for a while: stop calling right away
            # instead of waiting for `fail_max` more refusals.
            if self.breaker.current_state != pybreaker.STATE_OPEN:
                self.breaker.open()
            raise

    async def aclose(self) -> None:
        await self.provider.aclose()
