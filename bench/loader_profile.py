"""Where one load's time goes: wall-clock and CPU seconds per loader step and per SQL statement.

:func:`profile_load` wraps (for the current process only) the loader's private step
functions and :meth:`toolkit.store.Store.execute`, runs one :func:`toolkit.load.load_files`
and returns the accumulated times. CPU seconds are the process's user + system time over all
threads (DuckDB's included), steadier than wall clock on a shared machine. The wrappers
add a few microseconds per call; the
benchmark still times its headline loads without them, in separate processes.

Steps are inclusive (``_stage_file`` contains ``_batches``, ``_stage_batch``...); a
step missing from the installed loader is skipped, so the profile follows the loader as it
changes.
"""

from __future__ import annotations

import collections
import functools
import re
import resource
import sys
import time
from pathlib import Path

#: Loader functions timed as steps, in pipeline order (those that exist are wrapped).
LOADER_STEPS = (
    "_parse_in_engine", "_create_staging", "_stage_parsed", "_stage_file", "_batches", "_decode_columns", "_stage_batch",
    "_stage_posts", "_stage_accounts", "_renumber_after_parse_rejects", "_merge", "_merge_posts",
    "_note_conflicting_duplicates", "_merge_accounts", "_record_source", "_drop_staging",
)
#: Characters of a statement kept as its label.
SQL_LABEL_CHARS = 110

_SPACE = re.compile(r"\s+")
#: Functions that only pass a statement on: the statement is filed under their caller.
_STORE_METHODS = {"execute", "rows", "scalar", "df", "timed_execute", "_inserted"}


def rss_mb() -> float:
    """Current resident set size of this process, MiB (from /proc/self/status)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    """User + system CPU time of this process so far, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Timings:
    """Accumulated ``[calls, seconds, largest resident set at the end of a call (MiB), CPU seconds]`` per key."""

    def __init__(self, track_rss: bool = False):
        self.table: dict = collections.defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        self.track_rss = track_rss

    def add(self, key, seconds: float, cpu: float = 0.0) -> None:
        entry = self.table[key]
        entry[0] += 1
        entry[1] += seconds
        entry[3] += cpu
        if self.track_rss:
            entry[2] = max(entry[2], rss_mb())


def _caller() -> str:
    """Name of the first function up the stack that is not a Store query method."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_name in _STORE_METHODS:
        frame = frame.f_back
    return frame.f_code.co_name if frame is not None else "?"


def _label(query: str) -> str:
    return _SPACE.sub(" ", query).strip()[:SQL_LABEL_CHARS]


def _timed_function(function, timings: _Timings, name: str):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started, cpu = time.perf_counter(), cpu_seconds()
        try:
            return function(*args, **kwargs)
        finally:
            timings.add(name, time.perf_counter() - started, cpu_seconds() - cpu)
    return wrapper


def _timed_generator(function, timings: _Timings, name: str):
    """Times each ``next()`` of a generator function (the work it does between yields)."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        iterator = iter(function(*args, **kwargs))
        while True:
            started, cpu = time.perf_counter(), cpu_seconds()
            try:
                item = next(iterator)
            except StopIteration:
                timings.add(name, time.perf_counter() - started, cpu_seconds() - cpu)
                return
            timings.add(name, time.perf_counter() - started, cpu_seconds() - cpu)
            yield item
    return wrapper


def profile_load(db_path: str | Path, input_path: str | Path) -> dict:
    """Load one file into a workspace with every loader step and SQL statement timed.

    Args:
        db_path: workspace file (created; should not exist yet).
        input_path: the file to load.

    Returns:
        ``{"seconds": total wall-clock seconds including closing the workspace,
        "cpu_seconds": the same in CPU time, "close_seconds": seconds of ``Store.close`` (the
        final checkpoint), "steps": [{"step", "calls", "seconds", "cpu_seconds",
        "max_rss_after_mb"}...] in pipeline order (the largest resident set, MiB, seen when a
        call of the step returned), "statements": [{"caller", "sql", "calls", "seconds",
        "cpu_seconds"}...] most CPU time first}``.
    """
    import toolkit.load.loader as loader
    from toolkit.load import inputs
    from toolkit.store import Store

    steps = _Timings(track_rss=True)
    statements = _Timings()
    for name in LOADER_STEPS:
        function = getattr(loader, name, None)
        if function is None:
            continue
        wrap = _timed_generator if name == "_batches" else _timed_function
        setattr(loader, name, wrap(function, steps, name))
    loader.detect_format = _timed_function(loader.detect_format, steps, "detect_format")
    inputs.InputFile.sha256 = _timed_function(inputs.InputFile.sha256, steps, "sha256")

    original_execute = Store.execute

    def timed_execute(self, query, params=None):
        started, cpu = time.perf_counter(), cpu_seconds()
        try:
            return original_execute(self, query, params)
        finally:
            statements.add((_caller(), _label(query)), time.perf_counter() - started, cpu_seconds() - cpu)

    Store.execute = timed_execute
    started, cpu = time.perf_counter(), cpu_seconds()
    try:
        store = Store(db_path)
        loader.load_files(store, [input_path], progress=False)
        closing = time.perf_counter()
        store.close()
        close_seconds = time.perf_counter() - closing
    finally:
        Store.execute = original_execute
    total, total_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    order = {name: i for i, name in enumerate(("sha256", "detect_format") + LOADER_STEPS)}
    return {
        "seconds": total,
        "cpu_seconds": total_cpu,
        "close_seconds": close_seconds,
        "steps": [{"step": name, "calls": calls, "seconds": seconds, "cpu_seconds": cpu, "max_rss_after_mb": rss}
                  for name, (calls, seconds, rss, cpu) in sorted(steps.table.items(), key=lambda kv: order.get(kv[0], 99))],
        "statements": [{"caller": caller, "sql": sql, "calls": calls, "seconds": seconds, "cpu_seconds": cpu}
                       for (caller, sql), (calls, seconds, _, cpu) in sorted(statements.table.items(), key=lambda kv: -kv[1][3])],
    }
