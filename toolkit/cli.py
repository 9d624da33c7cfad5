"""The `cib` command line: a thin layer over the library, one subcommand per job.

    cib load INPUT... --db campaign.duckdb     load exports into a workspace
    cib simulate --out DIR [--seed N] [--scale S]
    cib demo                                   the bundled sample, end to end
"""

from __future__ import annotations

import argparse
import logging
import sys

from . import __version__
from .errors import CibError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="cib", description="Reconstruct coordinated inauthentic behaviour campaigns.")
    parser.add_argument("--version", action="version", version=f"cib-toolkit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    from . import demo, reconstruct
    from .load import cli as load_cli
    from .simulate import cli as simulate_cli

    load_cli.add_parsers(sub)
    simulate_cli.add_parsers(sub)
    reconstruct.add_parsers(sub)
    demo.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `cib` console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args) or 0
    except CibError as exc:
        print(f"cib {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"cib {args.command}: interrupted; the workspace keeps only the files that finished loading", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
