"""Command line: ``python -m omskit demo`` walks through a whole order flow."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from omskit import __version__
from omskit.demo import run_demo
from omskit.plugins.builtin.sql_storage import open_sql_store
from omskit.storage.errors import StorageError
from omskit.storage.sql import SCHEMA_VERSION

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
    db = sub.add_parser(
        "db",
        help="the schema of a durable store: upgrade it, or show its status",
        description="Upgrade a SQLite or PostgreSQL store's schema to this omskit's "
        "version, or show its schema version, rows per collection and outbox backlog.",
    )
    db.add_argument("action", choices=["upgrade", "status"], help="what to do")
    db.add_argument("url", nargs="?", help="the store, e.g. sqlite:///shop.db")
    db.add_argument("--store", dest="store", help="the store (instead of the positional URL)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(sys.stdout)
    elif args.command == "db":
        url = args.store or args.url
        if not url:
            parser.error("db needs the store's URL, e.g. sqlite:///shop.db")
        return _db(args.action, url)
    return 0


def _db(action: str, url: str) -> int:
    """``db upgrade`` / ``db status`` on the store at ``url``."""
    try:
        store = open_sql_store(url, check_schema=action == "status")
    except StorageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with store:
        if action == "upgrade":
            found, now = store.upgrade()
            if found == now:
                print(f"{url}: schema version {now}, up to date")
            else:
                print(f"{url}: schema upgraded from version {found} to {now}")
            return 0
        status = store.status()
        print(f"{url}: schema version {status['schema_version']} (omskit writes {SCHEMA_VERSION})")
        for name, count in status["collections"].items():
            print(f"  {name:<28} {count:>10} rows")
        print(f"  outbox backlog {status['outbox']:>24} events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
