"""Command line: ``python -m omskit demo`` walks through a whole order flow."""

from __future__ import annotations

import argparse
import sys

from omskit.demo import run_demo

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the ``omskit`` command line; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m omskit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="walk through omskit on the in-memory store")
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
