"""Gap-limit decisions (BIP44 "Address gap limit"; reference text in
../shared/reference-data/bip-vectors/bip44_account_discovery_and_gap_limit.txt)."""

from __future__ import annotations

import pytest
from walletscan_aggregator.gap_limit import (
    batch_indexes,
    batches_needed,
    missing_batches,
    required_derived,
    track_complete,
)


def scan_track(used: set[int], gap_limit: int, batch_size: int) -> tuple[int, set[int]]:
    """Drive one track the way the aggregator does: derive missing batches, fetch every derived
    address, re-evaluate, until the track is complete. Returns (derived count, used found)."""
    derived = 0
    found: set[int] = set()
    for _ in range(10_000):  # a bound so a bug cannot loop forever
        highest = max(found) if found else None
        if track_complete(derived, derived, highest, gap_limit):
            return derived, found
        batches = missing_batches(derived // batch_size, highest, gap_limit, batch_size)
        assert batches, "incomplete track but nothing left to derive"
        for batch in batches:
            indexes = batch_indexes(batch, batch_size)
            found |= used & set(indexes)  # "fetch" the batch
            derived = indexes.stop
    raise AssertionError("did not converge")


def test_nothing_used_checks_exactly_the_first_gap_limit_indexes() -> None:
    assert required_derived(None, 20) == 20
    assert batches_needed(None, 20, 20) == 1
    assert scan_track(set(), 20, 20) == (20, set())


def test_used_at_zero() -> None:
    assert required_derived(0, 20) == 21
    assert batches_needed(0, 20, 20) == 2
    assert scan_track({0}, 20, 20) == (40, {0})


def test_used_at_19_with_gap_20_needs_40_derived() -> None:
    assert required_derived(19, 20) == 40
    assert batches_needed(19, 20, 20) == 2
    assert not track_complete(39, 39, 19, 20)
    assert track_complete(40, 40, 19, 20)
    assert scan_track({19}, 20, 20) == (40, {19})


def test_funds_at_40_after_19_need_a_gap_of_21() -> None:
    # Index 40 is the 21st address after the last used one (19): 20..39 are 20 unused ones, so a
    # gap limit of 20 stops before it and the funds at 40 stay invisible.
    derived, found = scan_track({19, 40}, 20, 20)
    assert found == {19}
    assert derived == 40
    derived, found = scan_track({19, 40}, 21, 20)
    assert found == {19, 40}
    assert derived >= 40 + 1 + 21
    assert derived == 80  # 62 rounded up to whole batches of 20


def test_gap_limit_one() -> None:
    assert batches_needed(None, 1, 1) == 1
    assert batches_needed(0, 1, 1) == 2
    assert scan_track({0, 1, 2}, 1, 1) == (4, {0, 1, 2})
    assert scan_track({0, 2}, 1, 1) == (2, {0})  # 1 unused stops the scan
    assert scan_track({0, 2}, 1, 5) == (5, {0, 2})  # whole batches look further: fine


@pytest.mark.parametrize(
    ("highest", "gap", "batch", "batches"),
    [
        (None, 20, 7, 3),  # 20 needed -> 21 derived
        (19, 20, 7, 6),  # 40 needed -> 42 derived
        (None, 20, 30, 1),
        (10, 20, 30, 2),  # 31 needed
        (None, 5, 3, 2),
        (3, 5, 3, 3),  # 9 needed
        (4, 5, 3, 4),  # 10 needed
    ],
)
def test_batch_size_not_dividing_the_gap(
    highest: int | None, gap: int, batch: int, batches: int
) -> None:
    assert batches_needed(highest, gap, batch) == batches
    assert batches * batch >= required_derived(highest, gap) > (batches - 1) * batch


def test_batch_size_not_dividing_the_gap_in_a_scan() -> None:
    derived, found = scan_track({19}, 20, 7)
    assert found == {19}
    assert derived == 42


def test_incomplete_until_every_derived_address_is_fetched() -> None:
    assert not track_complete(40, 39, 19, 20)
    assert track_complete(40, 40, 19, 20)
    assert not track_complete(20, 20, 0, 20)  # used 0 needs 21


def test_batch_indexes_and_missing_batches() -> None:
    assert batch_indexes(0, 20) == range(20)
    assert batch_indexes(2, 7) == range(14, 21)
    assert missing_batches(1, 19, 20, 20) == range(1, 2)
    assert list(missing_batches(2, 19, 20, 20)) == []


@pytest.mark.parametrize(
    "call",
    [
        lambda: batches_needed(None, 0, 20),
        lambda: batches_needed(None, 20, 0),
        lambda: required_derived(-1, 20),
        lambda: batch_indexes(-1, 20),
    ],
)
def test_invalid_arguments(call: object) -> None:
    with pytest.raises(ValueError, match="must be"):
        call()  # type: ignore[operator]


def test_missing_ranges_cover_exactly_the_unfetched_indexes() -> None:
    from walletscan_aggregator.service import missing_ranges

    assert missing_ranges(set(range(10)), 10, 3) == []
    assert missing_ranges(set(), 7, 3) == [(0, 3), (3, 3), (6, 1)]
    assert missing_ranges({0, 1, 5, 6}, 10, 3) == [(2, 3), (7, 3)]
    assert missing_ranges({0, 2}, 4, 20) == [(1, 1), (3, 1)]
    # Indexes fetched beyond the target (an older, wider target) are irrelevant.
    assert missing_ranges({0, 50}, 2, 20) == [(1, 1)]
