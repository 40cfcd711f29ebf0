"""Report cost against store size: the whole KPI set over 10^3 and 10^5 orders.

Fills an in-memory store with 3-line orders (capture: priced, taxed, reserved), ships
one order in fifty through the full fulfillment flow so shipment facts exist, copies
every stored record into a SQLite file (``--sqlite``), then times, at each size and on
each store:

- ``facts``: one read of the store into fact rows (``oms.reports.facts``);
- ``kpis``: every KPI over the range (``oms.reports.kpis``), facts included;
- ``by channel``: every KPI broken down by channel;
- ``query``: a custom report (net sales and units by SKU, top 10);

and prints each as microseconds per order and as its ratio to a bare-Python loop over
the same orders as plain dicts (``baseline.bare_report``: sum net sales, tax, units and
shipped units by channel in Decimal), measured in the same run. A cost per order that
stays flat from 10^3 to 10^5 means reports scale linearly.

Then forecasts for ``--series`` SKU-location series of 56 days (seeded weekly demand,
a fifth of them intermittent): ``ses`` and ``holt_winters`` alone, and ``choose`` (the
backtest of every method that ``oms.reports.forecast`` runs), each against a bare
simple exponential smoothing loop over the same series (``bare_ses``) in the same run.

    python benchmarks/reporting.py [--sizes 1000,100000] [--sqlite] [--series 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from baseline import bare_report

from omskit import OMS
from omskit.orders import ORDERS
from omskit.reporting.forecast import choose, holt_winters, ses
from omskit.testing import FakeClock

SKUS = 200
START = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


def fill(count: int) -> OMS:
    clock = FakeClock(START)
    oms = OMS.in_memory(clock=clock, autoload=False)
    oms.channels.add("app", name="App")
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.52, lon=13.40)
    for i in range(SKUS):
        sku = f"SKU-{i:03d}"
        oms.catalog.add_product(sku, name=f"P{i}", price=f"{5 + i % 40}.90", currency="EUR",
                                weight_grams=200, dimensions=[100, 100, 50],
                                attributes={"category": f"cat{i % 7}"})  # fmt: skip
        oms.inventory.receive(sku, location="BER", quantity=1_000_000)
    seconds = 90 * 86_400 // max(count, 1)  # spread the orders over a quarter
    for n in range(count):
        clock.advance(seconds=seconds)
        order = oms.orders.capture({
            "channel": "app" if n % 3 == 0 else "web", "external_id": f"R-{n}",
            "customer": {"email": f"c{n % 5000}@example.com"},
            "ship_to": {"country": "DE", "line1": "Hauptstr. 1", "city": "Berlin",
                        "postal_code": "10115"},
            "lines": [{"sku": f"SKU-{(n * 3 + k) % SKUS:03d}", "quantity": 1 + (n + k) % 3}
                      for k in range(3)],
        })  # fmt: skip
        if n % 50 == 0:
            for fo in oms.fulfillment.release(order.id):
                oms.fulfillment.accept(fo.id)
                oms.fulfillment.confirm_pick(fo.id)
                oms.fulfillment.pack(fo.id)
                shipment = oms.fulfillment.ship(fo.id)
                oms.fulfillment.hand_over(shipment.id)
    return oms


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def to_sqlite(oms: OMS, folder: str) -> OMS:
    """A SQLite store holding every record of the in-memory ``oms`` (one transaction)."""
    target = OMS.open(f"sqlite:///{folder}/bench.db", clock=oms.clock, autoload=False)
    tables = oms.runtime.storage._tables  # type: ignore[attr-defined]  # the copy's source
    with target.runtime.storage.unit_of_work() as uow:
        for table in tables.values():
            repo = uow.repo(table.collection)
            for aggregate in table.rows.values():
                if table.collection.append_only or repo.find(aggregate.id) is None:
                    repo.add(aggregate)
        uow.commit()
    return target


def measure(count: int, sqlite: bool) -> None:
    t0 = time.perf_counter()
    oms = fill(count)
    filled = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"\n== {count:,} orders (filled in {filled:.1f} s; peak RSS {peak:.0f} MiB) ==")
    run_cases(oms, "memory", count)
    if sqlite:
        with tempfile.TemporaryDirectory() as folder:
            t0 = time.perf_counter()
            durable = to_sqlite(oms, folder)
            copied = time.perf_counter() - t0
            size = (Path(folder) / "bench.db").stat().st_size
            print(f"  (copied to SQLite in {copied:.1f} s, {size / 2**20:.0f} MiB on disk)")
            try:
                run_cases(durable, "sqlite", count)
            finally:
                durable.close()


def run_cases(oms: OMS, store: str, count: int) -> None:
    reports = oms.reports
    rng = ("2026-07-01", "2026-09-30")
    with oms.runtime.storage.unit_of_work() as uow:
        rows = [
            {"channel": o.channel, "net": o.total.net.amount,
             "tax": o.total.gross.amount - o.total.net.amount,
             "units": sum(x.quantity for x in o.lines),
             "shipped": sum(x.shipped for x in o.lines)}
            for o in uow.repo(ORDERS).scan_view()
        ]  # fmt: skip
    repeat = 5 if count <= 10_000 else 1  # one run at 10^5: it takes seconds, not noise
    bare = median_time(lambda: bare_report(rows), repeat)
    report = reports.kpis(*rng)
    assert report["orders"] == count
    assert sum(Decimal(r["net"]) for r in rows) == report["net_sales"].amount  # type: ignore[union-attr]
    cases: list[tuple[str, Callable[[], object]]] = [
        ("facts", lambda: reports.facts(*rng)),
        ("kpis", lambda: reports.kpis(*rng)),
        ("kpis by channel", lambda: reports.kpis(*rng, by="channel")),
        ("query (sku top 10)", lambda: reports.query(
            {"table": "lines", "dimensions": ["sku"], "measures": ["net_sales", "units"],
             "sort": ["-net_sales"], "limit": 10}, *rng)),
    ]  # fmt: skip
    print(f"  -- {store}: bare loop {bare / count * 1e6:.2f} us/order")
    for label, fn in cases:
        seconds = median_time(fn, repeat)
        print(f"  {label:<20} {seconds:8.3f} s  {seconds / count * 1e6:8.1f} us/order"
              f"  {seconds / bare:7.0f} x bare")  # fmt: skip


def series_set(count: int, days: int = 56) -> list[list[float]]:
    """``count`` seeded daily demand series: weekly patterns, every fifth intermittent."""
    rng = random.Random(15)
    out = []
    for n in range(count):
        if n % 5 == 4:
            out.append([float(rng.randint(1, 9)) if rng.random() < 0.3 else 0.0
                        for _ in range(days)])  # fmt: skip
            continue
        level = rng.uniform(2, 40)
        week = [rng.uniform(0.6, 1.6) for _ in range(7)]
        out.append([max(0.0, round(rng.gauss(level * week[t % 7], level**0.5)))
                    for t in range(days)])  # fmt: skip
    return out


def bare_ses(series: list[list[float]], alpha: float = 0.3) -> list[float]:
    """The least a forecast does: one smoothing pass per series, no choices."""
    out = []
    for y in series:
        level = y[0]
        for x in y:
            level = alpha * x + (1 - alpha) * level
        out.append(level)
    return out


def forecasts(count: int) -> None:
    data = series_set(count)
    bare = median_time(lambda: bare_ses(data), 5)
    print(f"\n== forecasts for {count:,} SKU-location series of 56 days "
          f"(bare SES {bare / count * 1e6:.1f} us/series) ==")  # fmt: skip
    cases: list[tuple[str, Callable[[], object]]] = [
        ("ses (alpha by grid)", lambda: [ses(y, 14) for y in data]),
        ("holt_winters (grid)", lambda: [holt_winters(y, 14) for y in data]),
        ("choose (backtest all)", lambda: [choose(y, 14, holdout=14) for y in data]),
    ]
    for label, fn in cases:
        seconds = median_time(fn, 1)
        print(f"  {label:<22} {seconds:8.2f} s  {seconds / count * 1e3:8.2f} ms/series"
              f"  {seconds / bare:8.0f} x bare")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000",
                        help="comma-separated store sizes (orders)")  # fmt: skip
    parser.add_argument("--sqlite", action="store_true",
                        help="also copy each store to SQLite and report from there")  # fmt: skip
    parser.add_argument("--series", type=int, default=10_000,
                        help="forecast this many series (0: none)")  # fmt: skip
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",") if s):
        measure(size, args.sqlite)
    if args.series:
        forecasts(args.series)


if __name__ == "__main__":
    main()
