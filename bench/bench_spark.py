"""`cib reconstruct` on DuckDB and on Spark in local mode: the same workspace, step by step.

The input is the bundled sample (``--scale 0``, default), a campaign made by the simulator
(``cib simulate --seed S --scale X``), or the synthetic posts of the other benchmarks
(``--posts N``: :mod:`make_near_posts`, seed 1, targets inferred). It is loaded once into a DuckDB workspace, whose
canonical tables are exported as Parquet; then, each in a fresh Python subprocess:

* ``duckdb``: ``reconstruct`` and ``write_outputs`` on a copy of the loaded workspace;
* ``spark``: the same on ``open_store(PARQUET, engine="spark", spark_master=--master)``.

The seconds of each statement go to ``duckdb_statements.log`` and ``spark_statements.log`` in
the run's folder.

Reported per engine: ``seconds`` (wall clock inside the subprocess, imports excluded, Spark's
start included and also given alone as ``open_seconds``), ``cpu_seconds`` of the Python
process (Spark's JVM not included), the seconds of each step, ``loadavg_start`` /
``loadavg_end`` (other processes share the CPUs), and what the run found (flagged accounts,
campaign clusters, first sign, peak day), which must agree between the engines.

Usage::

    .venv/bin/python bench/bench_spark.py                      # the bundled sample, local[2]
    .venv/bin/python bench/bench_spark.py --scale 4 --master 'local[2]'
    .venv/bin/python bench/bench_spark.py --posts 1000000 --driver-memory 8g
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

from machine import log_statements, machine_info  # noqa: E402


def run_worker(engine: str, run_dir: Path, master: str) -> dict:
    """Reconstruct in this process on one engine; returns seconds, CPU seconds, step times, findings."""
    from toolkit.reconstruct import reconstruct, write_outputs
    from toolkit.store import Store, open_store
    from toolkit.targets import read_targets

    targets = read_targets(run_dir / "mps.csv") if (run_dir / "mps.csv").exists() else None
    log_statements(run_dir / f"{engine}_statements.log", engine)
    steps: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    if engine == "duckdb":
        shutil.copy(run_dir / "loaded.duckdb", run_dir / "duckdb.duckdb")
        store = Store(run_dir / "duckdb.duckdb")
    else:
        store = open_store(run_dir / "tables", engine="spark", spark_master=master)
    opened = time.perf_counter() - started
    current = {"name": None, "since": time.perf_counter()}

    def on_step(name: str) -> None:
        if current["name"]:
            steps[current["name"]] = round(time.perf_counter() - current["since"], 2)
        current.update(name=name, since=time.perf_counter())

    with store:
        summary = reconstruct(store, targets=targets, on_step=on_step)
        on_step("outputs")
        write_outputs(store, summary, run_dir / f"out_{engine}")
        on_step("")
    counts = summary["counts"]
    return {"seconds": round(time.perf_counter() - started, 2), "cpu_seconds": round(time.process_time() - cpu, 2),
            "open_seconds": round(opened, 2), "steps": steps,
            "found": {"flagged_accounts": counts["flagged_accounts"], "campaign_clusters": counts["campaign_clusters"],
                      "campaign_posts": counts["campaign_posts"], "first_sign": summary["first_sign"],
                      "peak_day": summary["peak_day"]}}


def prepare(run_dir: Path, scale: float, seed: int, posts: int | None = None) -> dict:
    """Inputs loaded into ``loaded.duckdb`` and exported to ``tables/``; returns their counts."""
    from toolkit.demo import SAMPLE_POST_FILES, sample_dir
    from toolkit.load import load_files
    from toolkit.simulate import simulate
    from toolkit.store import Store

    if posts:
        from bench_near_duplicates import ensure_posts

        folder = BENCH_DIR / "data" / f"near_{posts}_seed1"
        folder.mkdir(parents=True, exist_ok=True)
        ensure_posts(folder, n_posts=posts, seed=1, regenerate=False)
        files = [folder / "posts.parquet"]
    else:
        if scale:
            simulate(run_dir / "input", seed=seed, scale=scale)
            folder = run_dir / "input"
        else:
            folder = sample_dir()
        shutil.copy(folder / "mps.csv", run_dir / "mps.csv")
        files = [folder / name for name in SAMPLE_POST_FILES]
    with Store(run_dir / "loaded.duckdb") as store:
        load_files(store, files, progress=False)
        store.export_parquet(run_dir / "tables")
        return {"posts": store.scalar("SELECT count(*) FROM posts"), "accounts": store.scalar("SELECT count(*) FROM accounts")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0, help="simulator scale (0: the bundled sample)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--posts", type=int, help="synthetic posts of make_near_posts instead of a simulated campaign")
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.add_argument("--driver-memory", default="4g", help="Spark driver memory (local mode: all of Spark's; default 4g)")
    parser.add_argument("--worker", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args.worker, Path(args.run_dir), args.master)))
        return
    name = f"spark_posts{args.posts}" if args.posts else f"spark_scale{args.scale:g}_seed{args.seed}"
    run_dir = BENCH_DIR / "data" / name
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    data = prepare(run_dir, args.scale, args.seed, args.posts)
    env = {**os.environ, "PYSPARK_SUBMIT_ARGS": f"--driver-memory {args.driver_memory} pyspark-shell"}
    results = {}
    for engine in ("duckdb", "spark"):
        load_start = os.getloadavg()[0]
        done = subprocess.run([sys.executable, __file__, "--worker", engine, "--run-dir", str(run_dir),
                               "--master", args.master], capture_output=True, text=True, env=env)
        if done.returncode:
            raise SystemExit(f"{engine} run failed:\n{done.stderr[-3000:]}")
        results[engine] = {**json.loads(done.stdout.strip().splitlines()[-1]),
                           "loadavg_start": round(load_start, 2), "loadavg_end": round(os.getloadavg()[0], 2)}
        print(engine, results[engine]["seconds"], "s", file=sys.stderr)
    source = (f"make_near_posts, {args.posts} posts, seed 1" if args.posts else
              f"simulator seed {args.seed} scale {args.scale:g}" if args.scale else "bundled sample")
    record = {"date": dt.date.today().isoformat(), "input": source, **data, "spark_master": args.master,
              "driver_memory": args.driver_memory, "command": "python " + " ".join(sys.argv),
              "machine": machine_info(("pyspark", "sqlglot")), "results": results,
              "same_findings": results["duckdb"]["found"] == results["spark"]["found"],
              "spark_over_duckdb": round(results["spark"]["seconds"] / results["duckdb"]["seconds"], 1)}
    out = BENCH_DIR / "results" / f"spark_{record['date']}_{data['posts']}.json"
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps({k: record[k] for k in ("posts", "same_findings", "spark_over_duckdb")}), out)


if __name__ == "__main__":
    main()
