"""`cib reconstruct` at scale: the whole pipeline on 1M and 10M posts, step by step.

For each size (``--posts``), on the synthetic posts of :mod:`make_near_posts` (the same files
as the near-duplicate and network benchmarks: comments of 10-40 words replying to topics,
about 10% of them lightly edited copies posted by squads of 5-50 accounts), each measurement
in a fresh Python subprocess:

* ``load`` (not part of the target): ``toolkit.load.load_files`` of ``posts.parquet`` into a
  new file-backed workspace;
* ``reconstruct``: what ``cib reconstruct --db WORKSPACE --out DIR`` runs —
  ``toolkit.reconstruct.reconstruct(store)`` (targets inferred from replies) and
  ``write_outputs`` — with the seconds of each step (``steps``: targets, clusters and its
  parts, squads and office hours, account forensics, scores, network, timeline, outputs).

Reported per measurement: ``seconds`` (wall clock inside the subprocess, imports excluded),
``cpu_seconds`` (user + system over all threads), ``peak_rss_mb`` (the subprocess's maximum
resident set size from ``wait4``, MiB) and ``loadavg_start`` / ``loadavg_end``
(``os.getloadavg()``: other processes share the CPUs). The seconds of each statement of the
reconstruction go to ``statements.log`` in the run's folder. The issue's target is checked at 10M
posts: the reconstruction under 10 minutes and 8 GB.

Usage::

    .venv/bin/python bench/bench_reconstruct.py --posts 1000000
    .venv/bin/python bench/bench_reconstruct.py --posts 10000000 --memory-limit 5GB
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_near_duplicates import ensure_posts, toolkit_sources  # noqa: E402  (sibling modules)
from bench_network import CLUSTER_COMPONENTS  # noqa: E402
from machine import log_statements, machine_info  # noqa: E402

TARGET_SECONDS = 600.0
TARGET_RSS_MB = 8 * 1024


def run_worker(kind: str, run_dir: Path, data_dir: Path, memory_limit: str | None) -> dict:
    """Load, or reconstruct, in this process; returns seconds, CPU seconds and step times."""
    from toolkit.store import Store

    workspace = run_dir / "workspace.duckdb"
    if kind == "load":
        from toolkit.load import load_files
    else:
        import toolkit.clusters as clusters
        from toolkit.reconstruct import reconstruct, write_outputs
    steps: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    with Store(workspace, memory_limit=memory_limit) as store:
        if kind == "load":
            [result] = load_files(store, [data_dir / "posts.parquet"], progress=False)
            report = {"rows_loaded": result.rows_loaded, "reconciles": result.reconciles}
        else:
            log_statements(run_dir / "statements.log")
            for name in CLUSTER_COMPONENTS:  # parts of find_clusters, timed inside the clusters step
                setattr(clusters, name, _timed(steps, f"clusters: {name}", getattr(clusters, name)))
            current = {"name": None, "since": time.perf_counter()}

            def on_step(name: str) -> None:
                _close_step(steps, current)
                current.update(name=name, since=time.perf_counter())

            summary = reconstruct(store, on_step=on_step)
            on_step("outputs")
            write_outputs(store, summary, run_dir / "out")
            _close_step(steps, current)
            report = {"steps": steps, "counts": summary["counts"], "first_sign": summary["first_sign"],
                      "peak_day": summary["peak_day"], "language_scope": summary["clusters"].get("language_scope")}
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu, **report}


def _timed(steps: dict, label: str, function):
    def run(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            steps[label] = round(time.perf_counter() - began, 2)
    return run


def _close_step(steps: dict, current: dict) -> None:
    if current["name"]:
        steps[current["name"]] = round(time.perf_counter() - current["since"], 2)


def measure(kind: str, run_dir: Path, data_dir: Path, memory_limit: str | None) -> dict:
    """:func:`run_worker` in a fresh subprocess, with its peak RSS and the load average around it."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--run-dir", str(run_dir),
               "--data-dir", str(data_dir)] + (["--memory-limit", memory_limit] if memory_limit else [])
    load_start = os.getloadavg()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=BENCH_DIR.parent)
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return {"failed": True, "exit_code": os.waitstatus_to_exitcode(status), "peak_rss_mb": usage.ru_maxrss / 1024}
    report = json.loads(output.strip().splitlines()[-1])
    report.update(peak_rss_mb=usage.ru_maxrss / 1024, loadavg_start=[round(x, 2) for x in load_start],
                  loadavg_end=[round(x, 2) for x in os.getloadavg()])
    return report


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1_000_000], help="number(s) of posts (default 1000000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit of the workspace, e.g. 4GB (default: DuckDB's)")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data", help="inputs and scratch files (default bench/data)")
    parser.add_argument("--results", type=Path, help="results JSON (default bench/results/reconstruct_<date>.json)")
    parser.add_argument("--keep", action="store_true", help="keep the workspace and outputs (bench/data/near_<N>_seed<S>/reconstruct_run)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker, args.run_dir, args.data_dir, args.memory_limit), default=str))
        return
    results = args.results or BENCH_DIR / "results" / f"reconstruct_{dt.date.today().isoformat()}.json"
    report = json.loads(results.read_text()) if results.exists() else {"sizes": {}}
    report["machine"] = machine_info()
    for n_posts in sorted(args.posts):
        data_dir = args.data_dir / f"near_{n_posts}_seed{args.seed}"
        data_dir.mkdir(parents=True, exist_ok=True)
        generated = ensure_posts(data_dir, n_posts=n_posts, seed=args.seed, regenerate=False)
        run_dir = data_dir / "reconstruct_run"
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir()
        size = {"posts": n_posts, "generated": generated, "toolkit": toolkit_sources(), "memory_limit": args.memory_limit,
                "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "command": "python bench/bench_reconstruct.py " + " ".join(argv if argv is not None else sys.argv[1:])}
        for kind in ("load", "reconstruct"):
            print(f"{n_posts:,} posts: {kind} ...", flush=True)
            size[kind] = run = measure(kind, run_dir, data_dir, args.memory_limit)
            print(f"  {run.get('seconds', float('nan')):,.1f} s, peak RSS {run['peak_rss_mb']:,.0f} MiB"
                  + (" FAILED" if run.get("failed") else ""), flush=True)
            if run.get("failed"):
                break
        done = size.get("reconstruct", {})
        if not done.get("failed") and "steps" in done:
            for step, seconds in done["steps"].items():
                print(f"    {step:<40} {seconds:>9,.1f} s")
            size["targets"] = {"under_10_minutes": done["seconds"] <= TARGET_SECONDS,
                               "under_8_GB": done["peak_rss_mb"] <= TARGET_RSS_MB} if n_posts == 10_000_000 else {}
        report["sizes"][str(n_posts)] = size
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(json.dumps(report, indent=1, default=str) + "\n")
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    print(f"results: {results}")


if __name__ == "__main__":
    main()
