"""Gap-limit logic for HD address discovery (BIP44 "Address gap limit", ARCHITECTURE §5).

A track (script type + branch) is scanned in batches: batch k covers the indexes
[k*batch_size, (k+1)*batch_size). BIP44: "If the software hits 20 unused addresses in a row, it
expects there are no used addresses beyond this point". So after the highest used index h the
scan must look at `gap_limit` more addresses, h+1 .. h+gap_limit; with nothing used, indexes
0 .. gap_limit-1. Every newly found used address pushes the horizon further, which is why the
aggregator re-evaluates after each fetched batch.

Pure functions, so the aggregator can recompute the decision from stored facts at any time: the
derive commands they lead to have deterministic ids (`<scan>:derive:<chain>:<batch>`), so
asking again for a batch already requested is harmless.
"""

from __future__ import annotations


def _check(gap_limit: int, batch_size: int | None = None) -> None:
    if gap_limit < 1:
        raise ValueError(f"gap_limit must be >= 1, got {gap_limit}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")


def required_derived(highest_used_index: int | None, gap_limit: int) -> int:
    """How many addresses (indexes 0..n-1) must be checked: up to and including the highest
    used one, then `gap_limit` unused ones."""
    _check(gap_limit)
    if highest_used_index is None:
        return gap_limit
    if highest_used_index < 0:
        raise ValueError(f"highest_used_index must be >= 0, got {highest_used_index}")
    return highest_used_index + 1 + gap_limit


def batches_needed(highest_used_index: int | None, gap_limit: int, batch_size: int) -> int:
    """How many batches must be derived so that `gap_limit` addresses follow the highest used
    index (rounded up to whole batches: a batch is never cut short)."""
    _check(gap_limit, batch_size)
    return -(-required_derived(highest_used_index, gap_limit) // batch_size)


def batch_indexes(batch: int, batch_size: int) -> range:
    """The address indexes batch `batch` covers."""
    _check(1, batch_size)
    if batch < 0:
        raise ValueError(f"batch must be >= 0, got {batch}")
    return range(batch * batch_size, (batch + 1) * batch_size)


def missing_batches(
    batches_derived: int, highest_used_index: int | None, gap_limit: int, batch_size: int
) -> range:
    """The batch numbers still to request, given that batches 0..batches_derived-1 exist."""
    return range(batches_derived, batches_needed(highest_used_index, gap_limit, batch_size))


def track_complete(
    derived_count: int,
    fetched_indexes_count: int,
    highest_used_index: int | None,
    gap_limit: int,
) -> bool:
    """Complete when every derived address has been fetched (so `highest_used_index` is final
    for what was derived) and the derived addresses reach `gap_limit` past the highest used."""
    all_fetched = fetched_indexes_count >= derived_count
    return all_fetched and derived_count >= required_derived(highest_used_index, gap_limit)
