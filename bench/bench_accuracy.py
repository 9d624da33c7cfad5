"""Accuracy of `cib reconstruct` against the simulator's ground truth, per seed.

For each seed: simulate a campaign (``toolkit.simulate.simulate``), run the real command line
(`cib reconstruct ... --targets mps.csv --out DIR`) in a subprocess, and score its output files
with ``toolkit.metrics``. Results go to ``bench/results/accuracy_<date>.json`` (or ``--results``),
with the commit measured, and a Markdown table on standard output (paste it into bench/README.md).

    .venv/bin/python bench/bench_accuracy.py --seeds 11 12 13 --scale 0.5
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from machine import commit  # bench/machine.py, beside this script
from toolkit import __version__
from toolkit.metrics import load_detection, load_truth, score_detection
from toolkit.simulate import simulate

HERE = Path(__file__).resolve().parent
METRICS = ["account_f1", "account_precision", "account_recall", "account_f1_new", "account_f1_hijacked",
           "fpr_advocacy", "fpr_viral", "fpr_hyperactive", "fpr_organic", "cluster_pair_precision",
           "cluster_pair_recall", "cluster_pair_recall_cross_language", "first_sign_abs_error_hours", "peak_day_match"]


def run_seed(seed: int, scale: float, work: Path) -> dict:
    """Simulate, reconstruct and score one seed; returns the metrics and timings (seconds)."""
    data, out = work / f"seed{seed}_scale{scale}", work / f"seed{seed}_scale{scale}_out"
    started = time.perf_counter()
    simulate(data, seed=seed, scale=scale)
    simulated = time.perf_counter() - started
    command = [sys.executable, "-m", "toolkit.cli", "reconstruct", str(data / "x_tweets.jsonl.gz"),
               str(data / "facebook_comments.csv"), "--targets", str(data / "mps.csv"), "--out", str(out)]
    if out.exists():
        for child in out.iterdir():
            child.unlink()
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    reconstructed = time.perf_counter() - started
    table = score_detection(load_truth(data), load_detection(out)).set_index("metric")["value"]
    return {"seed": seed, "scale": scale, "simulate_seconds": round(simulated, 1),
            "reconstruct_seconds": round(reconstructed, 1), **{m: round(float(table[m]), 4) for m in METRICS if m in table}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--results", type=Path, help="results JSON (default bench/results/accuracy_<date>.json)")
    args = parser.parse_args(argv)
    work = HERE / "data" / "accuracy"
    work.mkdir(parents=True, exist_ok=True)
    rows = [run_seed(seed, args.scale, work) for seed in args.seeds]
    date = dt.date.today().isoformat()
    path = args.results or HERE / "results" / f"accuracy_{date}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"date": date, "toolkit_version": __version__, "commit": commit(), "runs": rows}, indent=2) + "\n")
    columns = ["seed", "scale"] + [m for m in METRICS if m in rows[0]] + ["reconstruct_seconds"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    print(f"\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
