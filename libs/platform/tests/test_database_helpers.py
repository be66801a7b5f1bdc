"""Query and value helpers that keep the code to what MongoDB and nx-27017 both do alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from walletscan_platform.database import as_utc, iso_utc, match


def test_match_writes_plain_values_as_eq_and_keeps_operators() -> None:
    assert match({"scan_id": "s", "n": 3, "tags": ["a"]}) == {
        "scan_id": {"$eq": "s"},
        "n": {"$eq": 3},
        "tags": {"$eq": ["a"]},
    }
    assert match({"status": {"$in": ["a", "b"]}, "$or": [{"x": 1}]}) == {
        "status": {"$in": ["a", "b"]},
        "$or": [{"x": 1}],
    }
    # An embedded document compared whole is a value, not an operator.
    assert match({"summary": {"a": 1}}) == {"summary": {"$eq": {"a": 1}}}


def test_as_utc_reads_every_stored_form_of_a_moment() -> None:
    moment = datetime(2026, 11, 29, 4, 4, 20, 613000, tzinfo=UTC)
    assert as_utc(moment) == moment
    assert as_utc(moment.replace(tzinfo=None)) == moment  # naive means UTC
    assert as_utc("2026-11-29 04:04:20.613000") == moment  # nx-27017's $set text
    assert as_utc(moment.timestamp()) == moment
    assert as_utc(moment.astimezone(timezone(timedelta(hours=2)))) == moment
    assert as_utc(None) is None
    assert iso_utc("2026-11-29 04:04:20.613000") == "2026-11-29T04:04:20.613000+00:00"
    with pytest.raises(TypeError):
        as_utc(object())
