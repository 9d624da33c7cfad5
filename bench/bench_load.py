"""Load benchmark: the toolkit's loaders next to DuckDB's own read of the same file.

For each generated input (twarc2 response pages JSONL; X IO-archive tweets CSV), in one
run and on the same bytes, every measurement runs in a fresh Python subprocess and writes
into a fresh file-backed DuckDB database (deleted before each measurement):

* ``loader``: ``toolkit.load.load_files(Store(db), [file])``;
* ``duckdb_read_json``: ``CREATE TABLE t AS SELECT * FROM read_json(file, format='newline_delimited')``;
* ``duckdb_read_json_objects``: the same with ``read_json_objects`` (one JSON value per
  line, no parsing into columns: a lower bound);
* ``duckdb_read_csv``: ``CREATE TABLE t AS SELECT * FROM read_csv(file, all_varchar=true)``.

Reported per measurement: ``seconds`` (wall clock from opening the database to closing it,
i.e. including DuckDB's final checkpoint; imports and interpreter start excluded),
``process_seconds`` (the whole subprocess), ``cpu_seconds`` (its user + system CPU time,
all threads: steadier than wall clock on a shared machine), ``peak_rss_mb`` (the
subprocess's maximum resident set size from ``wait4``, MiB), ``baseline_rss_mb`` (its
resident set after imports, before the measured work) and the machine's load average.
Loader measurements also carry the reconciliation and a fingerprint of the loader code.
The file is read once beforehand so that every measurement starts with it in the page
cache. Results go to ``bench/results/load_<date>.json`` (``load_<date>_<posts>.json``
below 1 M posts), rewritten after each input.

Usage::

    .venv/bin/python bench/bench_load.py --posts 1000000
    .venv/bin/python bench/bench_load.py --posts 100000 --profile
    .venv/bin/python bench/bench_load.py --posts 1000000 --profile io_archive_tweets
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import make_inputs  # noqa: E402  (sibling modules of this script)
from loader_profile import rss_mb  # noqa: E402
from machine import machine_info  # noqa: E402

#: What is measured for each input, in order.
MEASUREMENTS = {
    "twarc2_pages": ("loader", "duckdb_read_json", "duckdb_read_json_objects"),
    "io_archive_tweets": ("loader", "duckdb_read_csv"),
}
#: DuckDB statements of the raw-read baselines; ``{file}`` is the input path as a SQL literal.
RAW_SQL = {
    "duckdb_read_json": "CREATE TABLE t AS SELECT * FROM read_json({file}, format='newline_delimited')",
    "duckdb_read_json_objects": "CREATE TABLE t AS SELECT * FROM read_json_objects({file}, format='newline_delimited')",
    "duckdb_read_csv": "CREATE TABLE t AS SELECT * FROM read_csv({file}, all_varchar=true)",
}
#: Target of the issue: the loader within this factor of the raw DuckDB read.
TARGET_RATIO = 2.0


# -- worker side (runs in the measured subprocess) -------------------------------------------
def run_worker(kind: str, input_path: str, db_path: str) -> dict:
    """Do one measured job in this process and describe it.

    Args:
        kind: a name of :data:`MEASUREMENTS` values, or ``loader_profile``.
        input_path: the file to read.
        db_path: the DuckDB database file to write (must not exist).

    Returns:
        ``{"seconds": wall-clock seconds of the job, "baseline_rss_mb": MiB before it, ...}``
        plus what the job read (loader reconciliation, or rows of the raw table).
    """
    if kind in ("loader", "loader_profile"):
        from toolkit.load import load_files
        from toolkit.store import Store
    else:
        import duckdb
    code = code_version() if kind in ("loader", "loader_profile") else None
    baseline = rss_mb()
    if kind == "loader_profile":
        import loader_profile

        return {"baseline_rss_mb": baseline, "code": code, **loader_profile.profile_load(db_path, input_path)}
    started = time.perf_counter()
    if kind == "loader":
        store = Store(db_path)
        [result] = load_files(store, [input_path], progress=False)
        counts = store.counts()
        store.close()
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "baseline_rss_mb": baseline, "code": code, "loader_seconds": result.seconds,
                "rows_read": result.rows_read, "rows_loaded": result.rows_loaded,
                "rows_rejected": result.rows_rejected, "duplicates_merged": result.duplicates_merged,
                "accounts_read": result.accounts_read, "accounts_loaded": result.accounts_loaded,
                "reconciles": result.reconciles, "table_rows": counts}
    con = duckdb.connect(db_path)
    con.execute(RAW_SQL[kind].format(file="'" + input_path.replace("'", "''") + "'"))
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    columns = len(con.execute("DESCRIBE t").fetchall())
    con.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "baseline_rss_mb": baseline, "rows": rows, "columns": columns}


#: Toolkit sources a load runs through, fingerprinted with each measurement.
LOADER_SOURCES = ("toolkit/load", "toolkit/store.py", "toolkit/schema.py")


def code_version() -> dict:
    """The loader code this process runs: git commit, files of it changed since that commit,
    and a SHA-256 prefix of their current content (equal fingerprints: identical code).

    Read right after the toolkit is imported, so that a measurement can be matched with the
    loader version it ran while the working tree changes between runs.
    """
    root = BENCH_DIR.parent

    def git(*arguments: str) -> str:
        try:
            return subprocess.run(["git", *arguments], cwd=root, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    digest = hashlib.sha256()
    for source in LOADER_SOURCES:
        path = root / source
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    changed = [line[3:] for line in git("status", "--porcelain", "--", *LOADER_SOURCES).splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "changed_since_commit": changed,
            "fingerprint": digest.hexdigest()[:12]}


# -- parent side ----------------------------------------------------------------------------
def _remove_database(db_path: Path) -> None:
    for path in (db_path, Path(f"{db_path}.wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(f"{db_path}.tmp", ignore_errors=True)


def measure(kind: str, input_path: Path, db_path: Path) -> dict:
    """Run :func:`run_worker` in a fresh subprocess on a fresh database.

    Returns:
        The worker's report plus ``kind``, ``process_seconds`` (whole subprocess, seconds),
        ``cpu_seconds`` (its user + system CPU time, seconds, all threads), ``peak_rss_mb``
        (its maximum resident set size, MiB), ``loadavg_1min`` (the machine's 1-minute load
        average before and after: other work on the machine inflates wall-clock times) and
        ``db_bytes`` (database file size afterwards, bytes).
    """
    _remove_database(db_path)
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind,
               "--file", str(input_path), "--db", str(db_path)]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=BENCH_DIR.parent)
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not a running total
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{kind} on {input_path} failed with exit code {process.returncode}; its stderr is above")
    report = json.loads(output.strip().splitlines()[-1])
    report.update(kind=kind, process_seconds=elapsed, cpu_seconds=usage.ru_utime + usage.ru_stime,
                  peak_rss_mb=usage.ru_maxrss / 1024, loadavg_1min=[load_before, os.getloadavg()[0]],
                  db_bytes=db_path.stat().st_size if db_path.exists() else None)
    _remove_database(db_path)
    return report


def _warm_page_cache(path: Path) -> float:
    """Read a file once so that every measurement finds it cached; returns seconds taken."""
    started = time.perf_counter()
    with open(path, "rb") as stream:
        while stream.read(1 << 24):
            pass
    return time.perf_counter() - started


def ensure_inputs(data_dir: Path, *, n_posts: int, seed: int, names: list[str], regenerate: bool) -> dict:
    """Generate the inputs, or reuse files made earlier with the same posts, seed and generator.

    Returns:
        ``{name: {"path", "posts", "records", "size_bytes", "generate_seconds", "reused"}}``.
    """
    writers = {"twarc2_pages": (make_inputs.write_twarc2_pages, "jsonl"),
               "io_archive_tweets": (make_inputs.write_io_archive_tweets, "csv")}
    data_dir.mkdir(parents=True, exist_ok=True)
    inputs = {}
    for name in names:
        writer, extension = writers[name]
        path = data_dir / f"{name}_{n_posts}_seed{seed}.{extension}"
        stamp_path = path.with_name(path.name + ".json")
        wanted = {"posts": n_posts, "seed": seed, "generator_version": make_inputs.GENERATOR_VERSION}
        stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else {}
        if not regenerate and path.exists() and {k: stamp.get(k) for k in wanted} == wanted \
                and stamp.get("size_bytes") == path.stat().st_size:
            inputs[name] = {**stamp, "path": str(path), "reused": True}
            continue
        print(f"generating {path} ({n_posts:,} posts, seed {seed}) ...", flush=True)
        written = writer(path, n_posts=n_posts, seed=seed)
        stamp = {**wanted, "records": written.records, "size_bytes": written.size_bytes,
                 "generate_seconds": round(written.seconds, 1)}
        stamp_path.write_text(json.dumps(stamp, indent=1))
        inputs[name] = {**stamp, "path": str(path), "reused": False}
    return inputs


def _ratios(runs: list[dict]) -> dict:
    """Loader / raw baseline, per baseline: wall-clock seconds, CPU seconds and peak RSS."""
    loader = next(r for r in runs if r["kind"] == "loader")
    return {r["kind"]: {"seconds": loader["seconds"] / r["seconds"], "cpu_seconds": loader["cpu_seconds"] / r["cpu_seconds"],
                        "peak_rss": loader["peak_rss_mb"] / r["peak_rss_mb"]}
            for r in runs if r["kind"].startswith("duckdb_")}


def _table(report: dict) -> str:
    """The results as a Markdown table."""
    lines = ["| input | size (MB) | measurement | seconds | CPU seconds | peak RSS (MiB) | load avg | "
             "loader ÷ this: time | CPU | RSS |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, entry in report["inputs"].items():
        for run in entry["runs"]:
            ratio = entry["ratios"].get(run["kind"])
            ratios = ["", "", ""] if ratio is None else [f"{ratio[k]:.1f}×" for k in ("seconds", "cpu_seconds", "peak_rss")]
            lines.append(f"| {name} ({entry['posts']:,} posts) | {entry['size_bytes'] / 1e6:,.0f} | {run['kind']} | "
                         f"{run['seconds']:.1f} | {run['cpu_seconds']:.1f} | {run['peak_rss_mb']:,.0f} | "
                         f"{max(run['loadavg_1min']):.1f} | {' | '.join(ratios)} |")
    return "\n".join(lines)


def _print_profile(profile: dict, top: int = 12) -> None:
    print(f"  loader profile: {profile['seconds']:.1f} s ({profile.get('cpu_seconds', float('nan')):.1f} CPU s) in total, "
          f"of which closing the workspace {profile['close_seconds']:.1f} s")
    for step in profile["steps"]:
        print(f"    {step['step']:<30} {step['calls']:>6} calls {step['seconds']:>8.2f} s {step.get('cpu_seconds', float('nan')):>6.2f} CPU s"
              f"   RSS after ≤ {step['max_rss_after_mb']:>7,.0f} MiB")
    print("  statements taking most CPU time:")
    for statement in profile["statements"][:top]:
        print(f"    {statement['seconds']:>6.2f} s {statement.get('cpu_seconds', float('nan')):>6.2f} CPU s {statement['calls']:>5}× "
              f"[{statement['caller']}] {statement['sql']}")


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts per input file (default 1000000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--only", choices=sorted(MEASUREMENTS), action="append",
                        help="benchmark only this input (repeatable; default both)")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data", help="inputs and scratch database (default bench/data)")
    parser.add_argument("--results", type=Path, help="results JSON (default bench/results/load_<date>[_<posts>].json)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the inputs even if a matching file exists")
    parser.add_argument("--profile", nargs="*", choices=sorted(MEASUREMENTS), metavar="INPUT",
                        help="also run one instrumented load of these inputs (none named: all) and record the time "
                             "per loader step and SQL statement")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker, args.file, args.db)))
        return
    if args.posts < 1:
        parser.error(f"--posts {args.posts}: give a positive number of posts, e.g. --posts 100000")

    names = args.only or list(MEASUREMENTS)
    machine = machine_info()
    print(f"benchmark: {args.posts:,} posts per input, seed {args.seed}, inputs {', '.join(names)}, "
          f"data in {args.data_dir}; {machine['nproc']} CPUs, {machine['ram_gib']} GiB, {machine['cpu']}", flush=True)
    inputs = ensure_inputs(args.data_dir, n_posts=args.posts, seed=args.seed, names=names, regenerate=args.regenerate)
    db_path = args.data_dir / "bench.duckdb"
    suffix = "" if args.posts == 1_000_000 else f"_{args.posts}"
    results = args.results or BENCH_DIR / "results" / f"load_{dt.date.today().isoformat()}{suffix}.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    report = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": machine,
              "settings": {"posts": args.posts, "seed": args.seed, "generator_version": make_inputs.GENERATOR_VERSION},
              "inputs": {}}
    for name in names:
        entry = dict(inputs[name])
        path = Path(entry["path"])
        entry["warm_read_seconds"] = _warm_page_cache(path)
        entry["runs"] = []
        for kind in MEASUREMENTS[name]:
            print(f"{name}: {kind} ...", end=" ", flush=True)
            run = measure(kind, path, db_path)
            entry["runs"].append(run)
            code = f" (loader code {run['code']['commit']}, fingerprint {run['code']['fingerprint']})" if "code" in run else ""
            print(f"{run['seconds']:.1f} s ({run['cpu_seconds']:.1f} CPU s), peak RSS {run['peak_rss_mb']:,.0f} MiB, "
                  f"load average {run['loadavg_1min'][0]:.1f} → {run['loadavg_1min'][1]:.1f}{code}", flush=True)
        entry["ratios"] = _ratios(entry["runs"])
        if args.profile is not None and (not args.profile or name in args.profile):
            print(f"{name}: loader_profile ...", flush=True)
            entry["loader_profile"] = measure("loader_profile", path, db_path)
            _print_profile(entry["loader_profile"])
        report["inputs"][name] = entry
        results.write_text(json.dumps(report, indent=1) + "\n")  # after each input: a long run keeps what it measured
    print()
    print(_table(report))
    for name, entry in report["inputs"].items():
        for kind, ratio in entry["ratios"].items():
            verdict = "within" if ratio["seconds"] <= TARGET_RATIO else "NOT within"
            print(f"{name}: loader / {kind} = {ratio['seconds']:.2f}× wall clock ({verdict} the {TARGET_RATIO:g}× target), "
                  f"{ratio['cpu_seconds']:.2f}× CPU time")
    print(f"results: {results}")


if __name__ == "__main__":
    main()
