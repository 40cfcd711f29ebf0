"""Command line: ``python -m omskit demo`` walks through a whole order flow.

``db`` upgrades a durable store or shows its status, ``relay`` delivers its outbox,
``report`` writes its HTML dashboard, and ``config [--check]`` prints the effective
configuration and validates it as a whole.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
import tomllib
from pathlib import Path
from typing import Any

from omskit import OMS, __version__
from omskit.demo import run_demo
from omskit.demo.store import run_on_store
from omskit.errors import OmskitError, ValidationError
from omskit.storage.errors import StorageError
from omskit.storage.plugin import open_sql_store
from omskit.storage.relay import Relay
from omskit.storage.sql import SCHEMA_VERSION, SqlOutbox

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
    _demo_parser(sub)
    _db_parser(sub)
    _report_parser(sub)
    _config_parser(sub)
    _relay_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "db" and not (args.store or args.url):
        parser.error("db needs the store's URL, e.g. sqlite:///shop.db")
    handler: Any = args.handler
    code: int = handler(args)
    return code


def _demo_parser(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="walk through omskit on the in-memory store",
        description="Walk through omskit on the in-memory store: money, catalog, "
        "customers, pricing, routing, orders and fulfillment, with a fixed clock.",
    )
    demo.add_argument(
        "--store",
        help="run it on a durable store instead, e.g. sqlite:///demo.db; a second run "
        "shows the first run's orders and replays their captures",
    )
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    """``demo [--store URL]``: the walk-through, in memory or on a durable store."""
    if args.store is None:
        run_demo(sys.stdout)
        return 0
    try:
        run_on_store(sys.stdout, args.store).close()
    except OmskitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _db_parser(sub: Any) -> None:
    db = sub.add_parser(
        "db",
        help="the schema of a durable store: upgrade it, or show its status",
        description="Upgrade a SQLite or PostgreSQL store's schema to this omskit's "
        "version, or show its schema version, rows per collection and outbox backlog.",
    )
    db.add_argument("action", choices=["upgrade", "status"], help="what to do")
    db.add_argument("url", nargs="?", help="the store, e.g. sqlite:///shop.db")
    db.add_argument("--store", dest="store", help="the store (instead of the positional URL)")
    db.set_defaults(handler=lambda args: _db(args.action, args.store or args.url))


def _report_parser(sub: Any) -> None:
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
    report.add_argument(
        "--every",
        default="day",
        choices=["day", "week", "month"],
        help="period of the charts over time",
    )
    report.set_defaults(handler=_report)


def _config_parser(sub: Any) -> None:
    config = sub.add_parser(
        "config",
        help="print the effective configuration; --check validates it as a whole",
        description="Print the effective configuration (oms.admin.config()) as JSON. "
        "With --check, also validate it as a whole and exit 1 naming every problem.",
    )
    config.add_argument("--check", action="store_true", help="validate; exit 1 on problems")
    config.add_argument("--store", help="the store, e.g. sqlite:///shop.db (default: memory)")
    config.add_argument("--config", dest="file", help="a JSON or TOML configuration file")
    config.set_defaults(handler=lambda args: _config(args.check, args.store, args.file))


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


def _relay_parser(sub: Any) -> None:
    relay = sub.add_parser(
        "relay",
        help="deliver a durable store's outbox to its subscribers, until stopped",
        description="Deliver the events committed to a SQLite or PostgreSQL store to the "
        "subscribers this process loads: the omskit_on_event plugins of the 'omskit' "
        "entry points and of --plugin, and each --subscriber. Several relays may run "
        "at once over one store. SIGTERM or SIGINT stops it after the batch in hand.",
    )
    relay.add_argument("--store", required=True, help="the store, e.g. sqlite:///shop.db")
    relay.add_argument(
        "--interval", type=float, default=1.0, help="seconds between polls when idle (1)"
    )
    relay.add_argument("--batch", type=int, default=100, help="events per claim (100)")
    relay.add_argument(
        "--lease",
        type=float,
        default=300.0,
        help="seconds a claim lasts if this relay dies holding it (300)",
    )
    relay.add_argument("--once", action="store_true", help="drain the outbox once, then exit")
    relay.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE[:NAME]",
        help="a plugin to load (a module or an object in it), repeatable",
    )
    relay.add_argument(
        "--subscriber",
        action="append",
        default=[],
        metavar="NAME=MODULE:CALLABLE",
        help="a callable taking each event, subscribed as NAME, repeatable",
    )
    relay.set_defaults(handler=_relay)


def _load(spec: str, what: str) -> Any:
    """``module`` or ``module:attribute``, imported."""
    module_name, _, attribute = spec.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in filter(None, attribute.split(".")):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise ValidationError(what, spec, f"an importable MODULE[:NAME] ({exc})") from None
    return found


def _relay(args: argparse.Namespace) -> int:
    """``relay --store URL``: deliver the outbox, once or until a signal stops it."""
    if args.batch < 1 or args.interval < 0 or args.lease <= 0:
        print("error: --batch must be at least 1, --interval and --lease positive",
              file=sys.stderr)  # fmt: skip
        return 2
    separator = "&" if "?" in args.store else "?"
    try:
        plugins = [_load(spec, "--plugin") for spec in args.plugin]
        subscribers: list[tuple[str, Any]] = []
        for spec in args.subscriber:
            name, equals, target = spec.partition("=")
            if not equals or not name:
                raise ValidationError("--subscriber", spec, "NAME=MODULE:CALLABLE")
            subscribers.append((name, _load(target, "--subscriber")))
        oms = OMS.open(f"{args.store}{separator}outbox=relay", plugins=plugins)
    except OmskitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with oms:
        for name, handler in subscribers:
            oms.events.subscribe(name, handler)
        runtime = oms.runtime
        names = sorted(runtime.subscribers())
        if not names:
            print("error: no subscribers: install a plugin with an omskit_on_event hook, "
                  "or pass --plugin or --subscriber", file=sys.stderr)  # fmt: skip
            return 2
        outbox = runtime.storage.outbox
        if not isinstance(outbox, SqlOutbox):
            print(f"error: {args.store} is not a SQL store; the relay needs one",
                  file=sys.stderr)  # fmt: skip
            return 1
        outbox.lease = args.lease
        relay = Relay(outbox, runtime.dispatcher, runtime.subscribers, runtime.clock,
                      batch=args.batch, interval=args.interval)  # fmt: skip
        print(f"relay {args.store}: delivering to {', '.join(names)}", flush=True)
        previous = {sig: signal.signal(sig, lambda *_: relay.stop()) for sig in _STOP_SIGNALS}
        try:
            done = relay.drain() if args.once else relay.run()
        except OmskitError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        print(f"relay {args.store}: {done.events} events, {done.deliveries} deliveries, "
              f"{'stopped' if relay.stopping else 'drained'}", flush=True)  # fmt: skip
    return 0


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


if __name__ == "__main__":
    raise SystemExit(main())
