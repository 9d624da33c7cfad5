"""`cib simulate`: write a synthetic campaign with its ground truth into a directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ParameterError
from . import DEFAULT_SCALE, DEFAULT_SEED, OUTPUT_FILES, simulate


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register `cib simulate`."""
    p = sub.add_parser(
        "simulate", help="write a simulated campaign with ground truth",
        description="Simulate a Spamouflage-style campaign against fictional MPs, with ordinary and authentically "
                    "coordinated activity around it, and write X (twarc2 JSONL), Facebook (canonical CSV), the MP "
                    "list and the ground truth into OUT. The same seed and scale give byte-identical files.")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (must be empty or absent unless --force)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED}, the bundled sample's)")
    p.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                   help=f"size multiplier (default {DEFAULT_SCALE:g}: ~300 campaign and ~21,000 ordinary accounts)")
    p.add_argument("--force", action="store_true", help="write into a non-empty directory, replacing files of the same names")
    p.set_defaults(run=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    """Check the output directory, simulate, and print the files written and the campaign's key facts."""
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {out}: exists and is not a directory; give a directory path")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise ParameterError(f"--out {out}: directory is not empty; choose a new directory or add --force to overwrite "
                             f"{', '.join(OUTPUT_FILES)}")
    print(f"simulating seed={args.seed} scale={args.scale:g} into {out}", file=sys.stderr)
    summary = simulate(out, seed=args.seed, scale=args.scale)
    for name, size in summary.files.items():
        print(f"wrote {out / name} ({size:,} bytes)")
    posts = summary.posts
    accounts = summary.accounts
    print(f"campaign: {accounts['campaign_new']:,} new + {accounts['campaign_hijacked']:,} hijacked accounts, "
          f"{posts['campaign']:,} comments; first {summary.first_post}, peak day {summary.peak_day}, last {summary.last_post}")
    print(f"background: {accounts['organic']:,} ordinary accounts, {posts['organic']:,} posts; authentic coordination: "
          f"{accounts['advocacy']:,} advocacy, {accounts['viral']:,} viral, {accounts['hyperactive']:,} hyperactive accounts")
    return 0
