"""Aggregator settings (environment prefix WALLETSCAN_)."""

from __future__ import annotations

from walletscan_platform.settings import ServiceSettings


class AggregatorSettings(ServiceSettings):
    # Fetch results folded concurrently; each is a handful of small database writes.
    fetched_workers: int = 8
