"""Where the recorded real provider answers (rotki's cassettes) live: outside the repository,
in the shared reference data, so the path is spelled once for every test that reads them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CASSETTES = (
    Path(__file__).resolve().parents[3].parent / "shared" / "reference-data" / "rotki-cassettes"
)


def cassette(name: str) -> dict[str, Any]:
    """A cassette's JSON; the test is skipped (not failed) where the reference data is absent."""
    path = CASSETTES / name
    if not path.exists():
        pytest.skip(f"reference data not found at {path}")
    return dict(json.loads(path.read_text()))
