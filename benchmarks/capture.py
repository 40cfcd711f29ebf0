"""Order capture throughput: 3-line orders priced, taxed, risk-checked, reserved, authorized.

The headline is a ratio: omskit's capture against `baseline.py`'s bare-Python loop doing
the same arithmetic, measured in one run as the median of interleaved repetitions (bare
batch, omskit batch, bare batch, ...), for two shapes of order:

- ``realistic``: a 10 % order promotion, ``nearest`` routing, a registered customer with
  order history, the payment authorized on the sandbox;
- ``minimal``: no promotion, ``priority`` routing (its planner shortcut), a guest
  customer; the shape this benchmark measured alone before, which flatters the ratio.

Then it prints orders per second, per-order latency percentiles, how the per-order cost changes as
the store grows (10^3, 10^4, 10^5 stored orders) and the memory each stored order line
takes (tracemalloc).

Every timing is taken twice, with the interpreter's garbage collector as a host would
find it (``default``: thresholds untouched) and ``tuned`` the way a long-running service
may choose to set it up: ``gc.freeze()`` once the store is loaded, then
``gc.set_threshold(100_000, 50, 100)``. omskit itself never touches the global GC; the
tuned run shows what that host-side choice is worth. For each store size the benchmark
prints the rate while filling the store up to it (which includes the cost of the full
collections a growing heap triggers) and the latency percentiles of a sample at that size.

``--quick`` stops at 10^4 orders; ``--full`` goes on to 10^6 (tuned GC only; several
minutes and ~10 GB); ``--profile`` prints where the time goes (cProfile, GC off for honest
attribution).

    python benchmarks/capture.py [--quick | --full] [--profile] [--max 100000]
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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from baseline import LOCATIONS as BARE_LOCATIONS
from baseline import BareShop

from omskit import OMS
from omskit.orders import ORDERS
from omskit.testing import FakeClock

SKU_COUNT = 300
LOCATIONS = (("BER", "DE", 52.52, 13.40), ("HAM", "DE", 53.55, 9.99), ("MUC", "DE", 48.14, 11.58))
POSTCODES = ("10115", "20095", "80331", "50667", "60311", "70173", "01067", "04109")
TUNED_THRESHOLDS = (100_000, 50, 100)
MODES = ("default", "tuned")
SHAPES = ("realistic", "minimal")
REGISTERED = 5_000  # customers registered up front in the realistic shape


def build(shape: str = "minimal") -> tuple[OMS, FakeClock]:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    config = {"routing": {"strategy": "nearest"}} if shape == "realistic" else None
    oms = OMS.in_memory(config, clock=clock, autoload=False)
    for i in range(SKU_COUNT):
        oms.catalog.add_product(f"SKU-{i:04d}", name=f"Product {i}", price=f"{5 + i % 40}.90",
                                currency="EUR", weight_grams=100 + i)  # fmt: skip
    for code, country, lat, lon in LOCATIONS:
        oms.inventory.add_location(code, name=code, country=country, lat=lat, lon=lon)
        for i in range(SKU_COUNT):
            oms.inventory.receive(f"SKU-{i:04d}", location=code, quantity=1_000_000)
    if shape == "realistic":
        oms.pricing.add_promotion("TEN", name="10 % off", kind="percent", percent=10)
        for c in range(REGISTERED):
            oms.customers.register(f"customer{c}@example.com", name=f"Customer {c}")
    return oms, clock


def payload(n: int, shape: str = "minimal") -> dict[str, Any]:
    """The n-th order: 3 lines, one of 50,000 customers (5,000 registered), a card each."""
    customer = n * 7919 % (REGISTERED if shape == "realistic" else 50_000)
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


def capture_many(
    oms: OMS, clock: FakeClock, start: int, count: int, shape: str = "minimal"
) -> list[float]:
    """Capture ``count`` orders; return each one's latency in seconds."""
    latencies = []
    capture = oms.orders.capture
    for n in range(start, start + count):
        data = payload(n, shape)
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


@contextmanager
def gc_mode(mode: str) -> Iterator[None]:
    """``default``: the GC as found. ``tuned``: freeze what is loaded, raise the thresholds."""
    if mode == "default":
        yield
        return
    old = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*TUNED_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def full_collections() -> int:
    return int(gc.get_stats()[2]["collections"])


def bare_many(shop: BareShop, start: int, count: int, shape: str) -> list[float]:
    """The same orders through the bare loop; each one's latency in seconds."""
    latencies = []
    for n in range(start, start + count):
        data = payload(n, shape)
        t0 = time.perf_counter()
        shop.capture(data, 52.5, 13.4)
        latencies.append(time.perf_counter() - t0)
    return latencies


def versus_baseline(shape: str, repetitions: int = 7, batch: int = 500) -> float:
    """The cost per omskit order over the bare loop's: median of interleaved repetitions."""
    oms, clock = build(shape)
    shop = BareShop(SKU_COUNT, BARE_LOCATIONS)
    capture_many(oms, clock, 0, 200, shape)
    bare_many(shop, 0, 200, shape)
    ratios, ours, bare = [], [], []
    n = 200
    for _ in range(repetitions):
        b = bare_many(shop, n, batch, shape)
        o = capture_many(oms, clock, n, batch, shape)
        n += batch
        ratios.append(sum(o) / sum(b))
        ours.extend(o)
        bare.extend(b)
    ratio = statistics.median(ratios)
    qs = statistics.quantiles(ours, n=100)
    print(
        f"{shape:>10}: {ratio:5.1f}x the bare loop   (omskit {len(ours) / sum(ours):6.0f} "
        f"orders/s, bare {len(bare) / sum(bare):6.0f}/s; omskit p50 {qs[49] * 1e6:4.0f} us, "
        f"p99 {qs[98] * 1e6:4.0f} us, p99/p50 {qs[98] / qs[49]:.1f}; "
        f"ratios {min(ratios):.1f}-{max(ratios):.1f})"
    )
    return ratio


def throughput(mode: str) -> None:
    oms, clock = build()
    with gc_mode(mode):
        capture_many(oms, clock, 0, 200)
        report(f"2,000 orders, {mode} GC", capture_many(oms, clock, 200, 2000))


def scaling(levels: list[int], sample: int, mode: str) -> None:
    print(f"\n== per-order cost as the store grows, {mode} GC (sample of {sample} orders) ==")
    oms, clock = build()
    n = 0
    rates = []
    with gc_mode(mode):
        capture_many(oms, clock, 0, 200)  # warm-up
        n = 200
        for level in levels:
            fill: list[float] = []
            full = full_collections()
            t0 = time.perf_counter()
            while (have := stored(oms)) < level:
                step = min(5000, level - have)
                fill.extend(capture_many(oms, clock, n, step))
                n += step
            wall = time.perf_counter() - t0
            if fill:
                print(f"{'filling to ' + format(level, ','):>28}: {len(fill) / wall:8.0f} "
                      f"orders/s   ({full_collections() - full} full collections)")  # fmt: skip
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
    gc.collect()
    gc.disable()  # honest attribution: collections would land on whatever allocated
    try:
        capture_many(oms, clock, 200, count)
    finally:
        prof.disable()
        gc.enable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="stop at 10^4 stored orders")
    size.add_argument("--full", action="store_true", help="go on to 10^6 (tuned GC only)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile breakdown")
    parser.add_argument("--max", type=int, default=100_000, help="largest store size")
    args = parser.parse_args()
    top = 10_000 if args.quick else 1_000_000 if args.full else args.max
    levels = [lv for lv in (1_000, 10_000, 100_000, 1_000_000) if lv <= top]

    print("== capture against the bare loop (baseline.py), default GC, one run ==")
    for shape in SHAPES:
        versus_baseline(shape)
    print(
        "\n== throughput: 3-line orders, priced + taxed, risk-checked, reserved + routed, "
        "authorized on the sandbox (minimal shape) =="
    )
    for mode in MODES:
        throughput(mode)
    for mode in ("tuned",) if args.full else MODES:
        scaling(levels, 1000 if args.quick else 2000, mode)
    memory(500 if args.quick else 2000)
    if args.profile:
        profile(2000)


if __name__ == "__main__":
    main()
