"""Shared test helpers: where the real public data files live, and a fresh workspace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolkit.store import Store

REPO = Path(__file__).resolve().parents[1]
#: Real public data files (each folder has a SOURCE.md); read in place, never copied.
REALDATA = Path(os.environ.get("CIB_REALDATA", REPO.parent / "shared" / "realdata"))
SAMPLE = REPO / "data" / "sample"


def realdata(relative: str) -> Path:
    """Path of a real data file; the test is skipped (with the reason) if the folder is absent."""
    path = REALDATA / relative
    if not path.exists():
        pytest.skip(f"real data file not found: {path} (set CIB_REALDATA to the shared/realdata folder)")
    return path


@pytest.fixture
def store():
    """A fresh in-memory workspace."""
    with Store(":memory:") as s:
        yield s
