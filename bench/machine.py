"""What every benchmark records about the machine and the code it ran on."""

from __future__ import annotations

import logging
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def machine_info(packages: tuple[str, ...] = ()) -> dict:
    """Processors, memory (GiB), CPU model, the versions of Python, DuckDB, pyarrow, the
    toolkit and ``packages`` (distribution names; None where not installed), and the commit
    measured (:func:`commit`)."""
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    with open("/proc/meminfo") as meminfo:
        mem_kb = int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])
    versions = {}
    for name in ("duckdb", "pyarrow", *packages, "cib-toolkit"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:  # not installed: reported as such
            versions[name] = None
    versions["cib_toolkit"] = versions.pop("cib-toolkit") or "?"
    return {"nproc": os.cpu_count(), "ram_gib": round(mem_kb / 1024**2, 1), "cpu": cpu,
            "kernel": platform.release(), "python": platform.python_version(), **versions, "commit": commit()}


def commit() -> str | None:
    """The repository's commit (short hash), with ``+changes`` when ``toolkit/`` or ``bench/``
    differ from it; None outside a git checkout."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPOSITORY), *args], capture_output=True, text=True, check=True).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        return head + ("+changes" if git("status", "--porcelain", "--", "toolkit", "bench") else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def log_statements(path: Path, engine: str = "duckdb") -> None:
    """Write the seconds of each statement the store runs (its DEBUG log) to ``path``."""
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    statements = logging.getLogger("toolkit.spark.store" if engine == "spark" else "toolkit.store")
    statements.addHandler(handler)
    statements.setLevel(logging.DEBUG)
