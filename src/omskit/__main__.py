"""Command line: ``python -m omskit demo`` walks through a whole order flow."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from omskit import __version__
from omskit.demo import run_demo

__all__ = ["main"]

# argparse prints these as they are: plain text, no reST or Markdown markup.
DESCRIPTION = (
    "omskit, a pure-Python order management SDK. "
    "'python -m omskit demo' walks through a whole order flow on the in-memory store."
)


def _prog() -> str:
    """``omskit`` when started through the console script, else ``python -m omskit``."""
    return "omskit" if Path(sys.argv[0]).stem == "omskit" else "python -m omskit"


def main(argv: list[str] | None = None) -> int:
    """Run the ``omskit`` command line; returns the process exit code."""
    parser = argparse.ArgumentParser(prog=_prog(), description=DESCRIPTION)
    parser.add_argument(
        "--version", action="version", version=f"omskit {__version__}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "demo",
        help="walk through omskit on the in-memory store",
        description="Walk through omskit on the in-memory store: money, catalog, "
        "customers, pricing, routing, orders and fulfillment, with a fixed clock.",
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
