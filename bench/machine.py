"""What every benchmark records about the machine it ran on."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version


def machine_info(packages: tuple[str, ...] = ()) -> dict:
    """Processors, memory (GiB), CPU model, and the versions of Python, DuckDB, pyarrow, the
    toolkit and ``packages`` (distribution names; None where not installed)."""
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
            "kernel": platform.release(), "python": platform.python_version(), **versions}
