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
    report = sub.add_parser(
        "report",
        help="write the HTML reporting dashboard of a durable store",
        description="Write a self-contained HTML dashboard (KPIs, charts, anomalies) of "
        "a SQLite or PostgreSQL store to a file that opens in any browser, no server.",
    )
    report.add_argument("--store", required=True, help="the store, e.g. sqlite:///shop.db")
    report.add_argument("--out", required=True, help="the HTML file to write")
    report.add_argument("--from", dest="start", help="first local day (default: 30 days ago)")
    report.add_argument("--to", dest="end", help="last local day (default: today)")
    report.add_argument("--currency", help="report currency (default: the store's)")
    report.add_argument("--every", default="day", choices=["day", "week", "month"],
                        help="period of the charts over time")  # fmt: skip
    args = parser.parse_args(argv)
    if args.command == "report":
        return _report(args)
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


def _report(args: argparse.Namespace) -> int:
    """``report``: the dashboard of the store ``--store``, written to ``--out``."""
    from omskit.errors import OmskitError  # noqa: PLC0415 - only this command needs them
    from omskit.oms import OMS  # noqa: PLC0415

    url = args.store
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        print(f"error: no SQLite store at {url}", file=sys.stderr)
        return 1
    try:
        with OMS.open(url) as oms:
            path = oms.reports.dashboard(args.out, args.start, args.end,
                                         currency=args.currency, every=args.every)  # fmt: skip
    except (OmskitError, StorageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
