"""Aggregator settings (environment prefix WALLETSCAN_)."""

from __future__ import annotations

from walletscan_platform.settings import ServiceSettings


class AggregatorSettings(ServiceSettings):
    # Fetch results folded concurrently; each is a handful of small database writes.
    fetched_workers: int = 8
    # A running scan with no event for this long is resumed from the stored state (its
    # missing commands are asked for again), at most `max_resumes` times before it fails.
    stall_after_seconds: float = 120.0
    stall_check_seconds: float = 15.0
    max_resumes: int = 5
    # Progress of a running scan is published at most this often per aggregator process.
    progress_interval_seconds: float = 0.25
