"""Command line: ``python -m omskit demo`` walks through a whole order flow.

``db`` upgrades a durable store or shows its status, ``report`` writes its HTML
dashboard, and ``config [--check]`` prints the effective configuration and validates it
as a whole.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

from omskit import OMS, OmskitError, __version__
from omskit.demo import run_demo
from omskit.storage.errors import StorageError
from omskit.storage.plugin import open_sql_store
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
    config = sub.add_parser(
        "config",
        help="print the effective configuration; --check validates it as a whole",
        description="Print the effective configuration (oms.admin.config()) as JSON. "
        "With --check, also validate it as a whole and exit 1 naming every problem.",
    )
    config.add_argument("--check", action="store_true", help="validate; exit 1 on problems")
    config.add_argument("--store", help="the store, e.g. sqlite:///shop.db (default: memory)")
    config.add_argument("--config", dest="file", help="a JSON or TOML configuration file")
    args = parser.parse_args(argv)
    if args.command == "report":
        return _report(args)
    if args.command == "config":
        return _config(args.check, args.store, args.file)
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


def _config(check: bool, store: str | None, file: str | None) -> int:
    """``config [--check]``: the effective configuration, and its problems."""
    try:
        settings: dict[str, object] = {}
        if file:
            text = Path(file).read_text(encoding="utf-8")
            settings = tomllib.loads(text) if file.endswith(".toml") else json.loads(text)
        oms = OMS.open(store, settings) if store else OMS.in_memory(settings)
    except (OmskitError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with oms:
        print(json.dumps(oms.admin.config(), indent=2, sort_keys=True, default=str))
        if not check:
            return 0
        result = oms.admin.check_config()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in result.problems:
        print(f"problem: {problem}", file=sys.stderr)
    print("configuration: ok" if result.ok else f"configuration: {len(result.problems)} "
          "problem(s)", file=sys.stderr)  # fmt: skip
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
