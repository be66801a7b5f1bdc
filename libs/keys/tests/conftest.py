"""Shared fixtures: the reference data lives in ../shared next to the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

# libs/keys/tests/conftest.py -> parents[3] is the repository root; shared/ is its sibling.
REFERENCE_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "reference-data"


@pytest.fixture(scope="session")
def reference_data() -> Path:
    if not REFERENCE_DATA.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE_DATA}")
    return REFERENCE_DATA
