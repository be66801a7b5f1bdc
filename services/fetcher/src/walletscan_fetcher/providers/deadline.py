"""The one deadline around a whole provider call. httpx and socket timeouts bound each read,
not the many requests a paged history takes, so every client wraps its call in this."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from walletscan_fetcher.providers.base import TransientProviderError


@asynccontextmanager
async def call_deadline(seconds: float, *, provider: str) -> AsyncIterator[None]:
    """Run the block for at most `seconds`; running over is transient (a slow provider may
    answer in time on the next attempt)."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError as exc:
        raise TransientProviderError(
            f"deadline of {seconds:g}s exceeded", provider=provider
        ) from exc
