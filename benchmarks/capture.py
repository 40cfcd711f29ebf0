"""Order capture throughput: 3-line orders priced, taxed, risk-checked, reserved, authorized.

Prints orders per second, per-order latency percentiles, how the per-order cost changes as
the store grows (10^3, 10^4, 10^5 stored orders) and the memory each stored order line
takes (tracemalloc). ``--quick`` stops at 10^4 orders; ``--profile`` prints where the time
goes (cProfile, by cumulative and own time).

    python benchmarks/capture.py [--quick] [--profile] [--max 100000]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import pstats
import statistics
import time
import tracemalloc
from typing import Any

from omskit import OMS
from omskit.orders import ORDERS
from omskit.testing import FakeClock

SKU_COUNT = 300
LOCATIONS = (("BER", "DE", 52.52, 13.40), ("HAM", "DE", 53.55, 9.99), ("MUC", "DE", 48.14, 11.58))
POSTCODES = ("10115", "20095", "80331", "50667", "60311", "70173", "01067", "04109")


def build() -> tuple[OMS, FakeClock]:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    oms = OMS.in_memory(clock=clock, autoload=False)
    for i in range(SKU_COUNT):
        oms.catalog.add_product(f"SKU-{i:04d}", name=f"Product {i}", price=f"{5 + i % 40}.90",
                                currency="EUR", weight_grams=100 + i)  # fmt: skip
    for code, country, lat, lon in LOCATIONS:
        oms.inventory.add_location(code, name=code, country=country, lat=lat, lon=lon)
        for i in range(SKU_COUNT):
            oms.inventory.receive(f"SKU-{i:04d}", location=code, quantity=1_000_000)
    return oms, clock


def payload(n: int) -> dict[str, Any]:
    """The n-th order: 3 lines, one of 50,000 customers, a card per customer."""
    customer = n * 7919 % 50_000
    return {
        "channel": "web",
        "external_id": f"B-{n}",
        "customer": {"email": f"customer{customer}@example.com"},
        "ship_to": {"country": "DE", "line1": f"Hauptstr. {customer + 1}",
                    "city": "Berlin", "postal_code": POSTCODES[customer % len(POSTCODES)]},
        "lines": [{"sku": f"SKU-{(n * 3 + k) % SKU_COUNT:04d}", "quantity": 1 + (n + k) % 3}
                  for k in range(3)],
        "payment": {"method": f"tok_customer_{customer}"},
    }  # fmt: skip


def capture_many(oms: OMS, clock: FakeClock, start: int, count: int) -> list[float]:
    """Capture ``count`` orders; return each one's latency in seconds."""
    latencies = []
    capture = oms.orders.capture
    for n in range(start, start + count):
        data = payload(n)
        clock.advance(seconds=1)
        t0 = time.perf_counter()
        capture(data)
        latencies.append(time.perf_counter() - t0)
    return latencies


def report(label: str, latencies: list[float]) -> float:
    total = sum(latencies)
    rate = len(latencies) / total
    qs = statistics.quantiles(latencies, n=100)
    print(f"{label:>28}: {rate:8.0f} orders/s   p50 {qs[49] * 1e6:6.0f} us   "
          f"p90 {qs[89] * 1e6:6.0f} us   p99 {qs[98] * 1e6:6.0f} us")  # fmt: skip
    return rate


def stored(oms: OMS) -> int:
    with oms.runtime.storage.unit_of_work() as uow:
        return uow.repo(ORDERS).count()


def scaling(levels: list[int], sample: int) -> None:
    print(f"\n== per-order cost as the store grows (sample of {sample} orders per level) ==")
    oms, clock = build()
    capture_many(oms, clock, 0, 200)  # warm-up
    n = 200
    rates = []
    for level in levels:
        while stored(oms) < level:
            step = min(5000, level - stored(oms))
            capture_many(oms, clock, n, step)
            n += step
        gc.collect()
        rates.append(report(f"{stored(oms):,} stored", capture_many(oms, clock, n, sample)))
        n += sample
    print(f"{'slowest / fastest':>28}: {max(rates) / min(rates):.2f}x")


def memory(count: int) -> None:
    print(f"\n== memory per stored order line ({count} orders x 3 lines, tracemalloc) ==")
    oms, clock = build()
    capture_many(oms, clock, 0, 100)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    capture_many(oms, clock, 100, count)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    print(f"{'bytes per stored order':>28}: {grown / count:8.0f}")
    print(f"{'bytes per stored order line':>28}: {grown / (count * 3):8.0f}")
    top = after.compare_to(before, "filename")[:6]
    for stat in top:
        name = stat.traceback[0].filename.split("/src/")[-1].split("site-packages/")[-1]
        print(f"{'':>30}{stat.size_diff / count:7.0f} B/order  {name}")


def profile(count: int) -> None:
    print(f"\n== where the time goes (cProfile, {count} captures) ==")
    oms, clock = build()
    capture_many(oms, clock, 0, 200)
    prof = cProfile.Profile()
    prof.enable()
    capture_many(oms, clock, 200, count)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="stop at 10^4 stored orders")
    parser.add_argument("--profile", action="store_true", help="print a cProfile breakdown")
    parser.add_argument("--max", type=int, default=100_000, help="largest store size")
    args = parser.parse_args()
    top = 10_000 if args.quick else args.max
    levels = [lv for lv in (1_000, 10_000, 100_000, 1_000_000) if lv <= top]

    print("== throughput: 3-line orders, priced + taxed, risk-checked, reserved + routed, "
          "authorized on the sandbox ==")  # fmt: skip
    oms, clock = build()
    capture_many(oms, clock, 0, 200)
    report("2,000 orders", capture_many(oms, clock, 200, 2000))
    scaling(levels, 1000 if args.quick else 2000)
    memory(500 if args.quick else 2000)
    if args.profile:
        profile(2000)


if __name__ == "__main__":
    main()
