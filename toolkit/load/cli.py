"""`cib load`: load exports into a workspace and print each file's reconciliation."""

from __future__ import annotations

import argparse
import sys

from ..errors import ParameterError
from ..store import Store
from . import load_files
from .detect import KNOWN_FORMATS


def parse_mapping(items: list[str] | None) -> dict[str, str] | None:
    """``["col=canonical", ...]`` → dict. Raises ParameterError on an item without '='."""
    if not items:
        return None
    mapping = {}
    for item in items:
        column, sep, canonical = item.partition("=")
        if not sep or not column or not canonical:
            raise ParameterError(f"--map {item!r}: expected FILE_COLUMN=CANONICAL_COLUMN, e.g. --map DATE=created_at")
        mapping[column] = canonical
    return mapping


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register `cib load`."""
    p = sub.add_parser("load", help="load export files into a workspace",
                       description="Load export files into a DuckDB workspace. Formats are detected from content: "
                                   + "; ".join(KNOWN_FORMATS) + ".")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files (.gz and .zip read transparently)")
    p.add_argument("--db", required=True, help="workspace file, created if missing (':memory:' for a dry run)")
    p.add_argument("--map", nargs="+", metavar="COL=CANONICAL", help="read a CSV as a post table, renaming columns")
    p.add_argument("--platform", help="platform for rows that name none (e.g. youtube)")
    p.add_argument("--memory-limit", help="cap the engine's memory, e.g. 4GB (default: 80%% of RAM)")
    p.add_argument("--show-rejects", type=int, default=5, metavar="N", help="print up to N rejected rows per file (default 5)")
    p.set_defaults(run=run_load)


def run_load(args: argparse.Namespace) -> int:
    """Load, then print one reconciliation line per file and a sample of its rejects."""
    mapping = parse_mapping(args.map)
    with Store(args.db, memory_limit=args.memory_limit) as store:
        print(f"loading {len(args.inputs)} input(s) into {args.db}", file=sys.stderr)
        results = load_files(store, args.inputs, mapping=mapping, platform=args.platform)
        for result in results:
            print(result.summary())
            for note in result.notes:
                print(f"  note: {note}")
            if result.rows_rejected and args.show_rejects:
                sample = store.rows("SELECT source_row, reason FROM rejects WHERE source_id = ? ORDER BY source_row LIMIT ?",
                                    [result.source_id, args.show_rejects])
                for row, reason in sample:
                    print(f"  rejected row {row}: {reason}")
                if result.rows_rejected > len(sample):
                    print(f"  ... {result.rows_rejected - len(sample):,} more in the workspace's rejects table")
        counts = store.counts()
        print(f"workspace {args.db}: {counts['posts']:,} posts, {counts['accounts']:,} accounts, "
              f"{counts['sources']:,} sources, {counts['rejects']:,} rejects")
    return 0
