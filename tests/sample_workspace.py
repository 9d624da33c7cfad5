"""The bundled sample loaded once per test session into a workspace file; each test module
gets its own copy (loading takes seconds, copying a file milliseconds)."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from toolkit.demo import load_sample
from toolkit.store import Store


@functools.cache
def _loaded_sample() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="cib-sample-"))
    path = folder / "sample.duckdb"
    with Store(path) as store:
        load_sample(store)
    return path


def sample_store_copy(directory: Path) -> Store:
    """A writable workspace holding the loaded bundled sample (posts, accounts, history), in ``directory``."""
    target = Path(directory) / "sample.duckdb"
    shutil.copyfile(_loaded_sample(), target)
    return Store(target)
