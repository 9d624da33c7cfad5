"""Shared test helpers: where the real public data files live, whether Spark can run, and a fresh workspace."""

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


def require_spark() -> None:
    """Skip (the test, or the module when called at its top) where pyspark, sqlglot or Java 17 or
    later is missing; CI installs all three (.ci/run and the [dev] extra)."""
    pytest.importorskip("pyspark", reason="pyspark not installed: pip install 'cib-toolkit[spark]'")
    pytest.importorskip("sqlglot", reason="sqlglot not installed: pip install 'cib-toolkit[spark]'")
    from toolkit.spark.session import java_version

    if (java_version() or 0) < 17:
        pytest.skip("the Spark engine needs Java 17 or later (apt-get install openjdk-17-jre-headless)",
                    allow_module_level=True)


@pytest.fixture
def store():
    """A fresh in-memory workspace."""
    with Store(":memory:") as s:
        yield s
