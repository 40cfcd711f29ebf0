"""Order capture, reservations and quotes, each as a ratio to a bare-Python loop.

Every headline figure is a ratio: omskit against `baseline.py`'s bare loop doing the same
arithmetic, measured in one run as the median of interleaved repetitions (bare batch,
omskit batch, bare batch, ...). Capture is measured for three shapes of order:

- ``realistic`` (the headline): a 10 % order promotion, ``nearest`` routing, a
  registered customer who has ordered before, the payment authorized on the sandbox;
- ``lowest_cost``: the same with ``lowest_cost`` routing;
- ``minimal``: no promotion, ``priority`` routing (its planner shortcut), a guest
  customer; the shape this benchmark measured alone before, which flatters the ratio.

Beside them: one-line and three-line reservation calls against the bare
check-and-decrement, a 10-line quote with 3 promotions against ``bare_quote``, and the
memory each stored order line takes (tracemalloc). Then orders per second, per-order
latency percentiles and how the per-order cost changes as the store grows (10^3, 10^4,
10^5 stored orders).

Every store-size timing is taken twice, with the interpreter's garbage collector as a host
would find it (``default``: thresholds untouched) and ``tuned`` the way a long-running
service may choose to set it up: ``gc.freeze()`` once the store is loaded, then
``gc.set_threshold(100_000, 50, 100)``. omskit itself never touches the global GC; the
tuned run shows what that host-side choice is worth.

``--quick`` stops at 10^4 orders; ``--full`` goes on to 10^6 (tuned GC only; several
minutes and ~10 GB); ``--ratios`` prints only the ratios; ``--profile`` prints where a
realistic capture's time goes, by capability (cProfile, GC off for honest attribution).

    python benchmarks/capture.py [--quick | --full | --ratios] [--profile] [--max 100000]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import pstats
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from baseline import LOCATIONS as BARE_LOCATIONS
from baseline import BareShop, bare_quote

from omskit import OMS
from omskit.inventory import Allocation
from omskit.orders import ORDERS
from omskit.testing import FakeClock

SKU_COUNT = 300
LOCATIONS = (("BER", "DE", 52.52, 13.40), ("HAM", "DE", 53.55, 9.99), ("MUC", "DE", 48.14, 11.58))
POSTCODES = ("10115", "20095", "80331", "50667", "60311", "70173", "01067", "04109")
TUNED_THRESHOLDS = (100_000, 50, 100)
MODES = ("default", "tuned")
SHAPES = ("realistic", "lowest_cost", "minimal")
STRATEGY = {"realistic": "nearest", "lowest_cost": "lowest_cost"}
REGISTERED = 1_000  # customers registered up front in the realistic shapes
HISTORY = 1_000  # orders captured before timing: each registered customer has one


def build(shape: str = "minimal") -> tuple[OMS, FakeClock]:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    strategy = STRATEGY.get(shape)
    config = {"routing": {"strategy": strategy}} if strategy else None
    oms = OMS.in_memory(config, clock=clock, autoload=False)
    for i in range(SKU_COUNT):
        oms.catalog.add_product(f"SKU-{i:04d}", name=f"Product {i}", price=f"{5 + i % 40}.90",
                                currency="EUR", weight_grams=100 + i)  # fmt: skip
    for code, country, lat, lon in LOCATIONS:
        oms.inventory.add_location(code, name=code, country=country, lat=lat, lon=lon)
        for i in range(SKU_COUNT):
            oms.inventory.receive(f"SKU-{i:04d}", location=code, quantity=1_000_000)
    if strategy:
        oms.pricing.add_promotion("TEN", name="10 % off", kind="percent", percent=10)
        for c in range(REGISTERED):
            oms.customers.register(f"customer{c}@example.com", name=f"Customer {c}")
    return oms, clock


def payload(n: int, shape: str = "minimal") -> dict[str, Any]:
    """The n-th order: 3 lines, one of 50,000 guests or of 1,000 registered customers."""
    customer = n * 7919 % (REGISTERED if shape in STRATEGY else 50_000)
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


def interleaved(
    bare: Callable[[int], list[float]], ours: Callable[[int], list[float]], repetitions: int
) -> tuple[float, float, list[float]]:
    """The cost of omskit over the bare loop, batch by batch, as two medians of ratios.

    Each callable times one batch starting at its argument and returns the per-call
    latencies; the two alternate, so drift in the machine's load hits both alike. Returns
    the median over batches of the ratio of median latencies (robust against a loaded
    machine's preemptions), the median of the ratio of total times (throughput, which
    also counts garbage collections and preemptions), and omskit's latencies.
    """
    typical, total, latencies = [], [], []
    for rep in range(repetitions):
        b = bare(rep)
        o = ours(rep)
        typical.append(statistics.median(o) / statistics.median(b))
        total.append(sum(o) / sum(b))
        latencies.extend(o)
    return statistics.median(typical), statistics.median(total), latencies


def line(label: str, ratios: tuple[float, float, list[float]], unit: str = "orders") -> None:
    typical, total, latencies = ratios
    qs = statistics.quantiles(latencies, n=100)
    print(f"{label:>24}: {typical:5.1f}x the bare loop (p50s), {total:5.1f}x (totals);  "
          f"{len(latencies) / sum(latencies):6.0f} {unit}/s, p50 {qs[49] * 1e6:5.0f} us, "
          f"p99 {qs[98] * 1e6:5.0f} us, p99/p50 {qs[98] / qs[49]:4.1f}")  # fmt: skip


def versus_baseline(shape: str, repetitions: int = 7, batch: int = 400) -> float:
    """A capture of ``shape`` over the bare loop's: median of interleaved repetitions."""
    oms, clock = build(shape)
    shop = BareShop(SKU_COUNT, BARE_LOCATIONS)
    warm = HISTORY if shape in STRATEGY else 200  # each registered customer has history
    capture_many(oms, clock, 0, warm, shape)
    bare_many(shop, 0, warm, shape)

    def start(rep: int) -> int:
        return warm + rep * batch

    found = interleaved(
        lambda rep: bare_many(shop, start(rep), batch, shape),
        lambda rep: capture_many(oms, clock, start(rep), batch, shape),
        repetitions,
    )
    line(f"capture, {shape}", found)
    return found[0]


def timed(fn: Callable[[int], object], start: int, count: int) -> list[float]:
    latencies = []
    for i in range(start, start + count):
        t0 = time.perf_counter()
        fn(i)
        latencies.append(time.perf_counter() - t0)
    return latencies


def reservations_vs_bare(repetitions: int = 7, batch: int = 2000) -> None:
    """One-line and three-line reserve calls against the bare check-and-decrement."""
    oms, _ = build()
    shop = BareShop(SKU_COUNT, BARE_LOCATIONS)
    for width in (1, 3):
        allocations = [Allocation("BER", f"SKU-{k:04d}", 1, str(k)) for k in range(width)]
        pairs = [(a.sku, 1) for a in allocations]

        def ours(i: int, allocations: list[Allocation] = allocations, width: int = width) -> None:
            oms.inventory.reserve(reference=f"R{width}-{i}", allocations=allocations)

        def bare(i: int, pairs: list[tuple[str, int]] = pairs) -> None:
            shop.reserve("BER", pairs)

        timed(ours, 0, 200)
        timed(bare, 0, 200)
        found = interleaved(
            lambda rep, bare=bare: timed(bare, 200 + rep * batch, batch),  # type: ignore[misc]
            lambda rep, ours=ours: timed(ours, 200 + rep * batch, batch),  # type: ignore[misc]
            repetitions,
        )
        line(f"reserve, {width} line{'s' if width > 1 else ''}", found, "calls")


QUOTE_LINES = [(f"SKU-{k:04d}", 1 + k % 3, "shirts" if k % 2 else "other") for k in range(10)]


def quote_subject() -> Callable[[int], object]:
    """A 10-line quote with 3 promotions through ``oms.pricing.quote``, ready to call."""
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    oms = OMS.in_memory(clock=clock, autoload=False)
    for k, (sku, _, category) in enumerate(QUOTE_LINES):
        oms.catalog.add_product(sku, name=sku, price=f"{5 + k % 40}.90", currency="EUR",
                                attributes={"category": category})  # fmt: skip
    oms.pricing.add_promotion("TEN", name="10 % off", kind="percent", percent=10)
    oms.pricing.add_promotion("TWO", name="2 off", kind="amount", amount="2.00",
                              currency="EUR", target="sku", skus=[QUOTE_LINES[0][0]])  # fmt: skip
    oms.pricing.add_promotion("SHIRTS", name="5 % off shirts", kind="percent", percent=5,
                              target="attribute", attribute=("category", "shirts"))  # fmt: skip
    basket = [{"sku": sku, "quantity": qty} for sku, qty, _ in QUOTE_LINES]
    ship_to = {"country": "DE", "line1": "Hauptstr. 1", "city": "Berlin", "postal_code": "10115"}
    quote = oms.pricing.quote
    if len(quote(channel="web", lines=basket, ship_to=ship_to).promotions) != 3:
        raise SystemExit("the benchmark quote does not apply its 3 promotions")
    return lambda i: quote(channel="web", lines=basket, ship_to=ship_to)


def quote_vs_bare(repetitions: int = 7, batch: int = 1000) -> None:
    """A 10-line quote with 3 promotions against ``bare_quote``'s arithmetic."""
    ours = quote_subject()
    prices = {sku: Decimal(f"{5 + k % 40}.90") for k, (sku, _, _) in enumerate(QUOTE_LINES)}

    def bare(i: int) -> None:
        bare_quote(prices, QUOTE_LINES)

    timed(ours, 0, 100)
    timed(bare, 0, 100)
    found = interleaved(
        lambda rep: timed(bare, 0, batch), lambda rep: timed(ours, 0, batch), repetitions
    )
    line("quote, 10 lines 3 promotions", found, "quotes")


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


def memory(count: int, shape: str = "minimal") -> float:
    """Bytes a stored order line takes: everything a capture keeps, by tracemalloc."""
    oms, clock = build(shape)
    warm = HISTORY if shape in STRATEGY else 100
    capture_many(oms, clock, 0, warm, shape)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    capture_many(oms, clock, warm, count, shape)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    diff = after.compare_to(before, "filename")
    grown = sum(s.size_diff for s in diff)
    print(f"{shape:>22}: {grown / (count * 3):6.0f} bytes per stored order line "
          f"({grown / count:,.0f} per 3-line order); largest parts:")  # fmt: skip
    for stat in diff[:5]:
        name = stat.traceback[0].filename.split("/src/")[-1].split("site-packages/")[-1]
        print(f"{'':>24}{stat.size_diff / count:7.0f} B/order  {name}")
    return grown / (count * 3)


def capability(filename: str) -> str:
    """The part of the system a profiled function belongs to, for the breakdown."""
    path = filename.replace("\\", "/")
    if "/omskit/" in path:
        parts = path.split("/omskit/")[-1].split("/")
        return "omskit." + (parts[0].removesuffix(".py") if len(parts) > 1 else parts[0][:-3])
    if "site-packages/" in path:
        return path.split("site-packages/")[-1].split("/")[0].removesuffix(".py")
    if path.startswith(("~", "<")):
        return "builtins"
    return "stdlib " + path.rsplit("/", 1)[-1].removesuffix(".py")


def profile(count: int, shape: str = "realistic") -> None:
    """Where a capture's time goes: own time summed by capability, then the top functions."""
    print(f"\n== where the time goes (cProfile, {count} {shape} captures, GC off) ==")
    oms, clock = build(shape)
    capture_many(oms, clock, 0, HISTORY, shape)
    prof = cProfile.Profile()
    gc.collect()
    gc.disable()  # honest attribution: collections would land on whatever allocated
    prof.enable()
    try:
        capture_many(oms, clock, HISTORY, count, shape)
    finally:
        prof.disable()
        gc.enable()
    stats = pstats.Stats(prof)
    own: dict[str, float] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, tottime, _, _) in raw.items():
        own[capability(filename)] = own.get(capability(filename), 0.0) + tottime
    total = sum(own.values())
    print("own time by capability (a library's share counts for whoever called it):")
    for name, spent in sorted(own.items(), key=lambda kv: -kv[1])[:18]:
        print(f"{name:>36}: {spent / total:6.1%}  {spent / count * 1e6:6.1f} us/order")
    cumulative = {f"{fn[0].split('/src/')[-1]}:{fn[2]}": ct / count * 1e6
                  for fn, (_, _, _, ct, _) in raw.items()}  # fmt: skip
    print("\ncumulative time of the capture's main steps (us per order; they nest):")
    for key, us in sorted(cumulative.items(), key=lambda kv: -kv[1])[:40]:
        print(f"{us:10.1f}  {key}")


def ratios(quick: bool) -> None:
    reps = 5 if quick else 7
    print("== every goal of issue 18 as a ratio to baseline.py, default GC, one run ==")
    for shape in SHAPES:
        versus_baseline(shape, reps)
    reservations_vs_bare(reps)
    quote_vs_bare(reps)
    print("\n== memory per stored order line (tracemalloc) ==")
    for shape in ("realistic", "minimal"):
        memory(500 if quick else 2000, shape)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="stop at 10^4 stored orders")
    size.add_argument("--full", action="store_true", help="go on to 10^6 (tuned GC only)")
    parser.add_argument("--ratios", action="store_true", help="print only the ratios")
    parser.add_argument("--profile", action="store_true", help="print a cProfile breakdown")
    parser.add_argument("--max", type=int, default=100_000, help="largest store size")
    args = parser.parse_args()
    top = 10_000 if args.quick else 1_000_000 if args.full else args.max
    levels = [lv for lv in (1_000, 10_000, 100_000, 1_000_000) if lv <= top]

    ratios(args.quick)
    if not args.ratios:
        print(
            "\n== throughput: 3-line orders, priced + taxed, risk-checked, reserved + "
            "routed, authorized on the sandbox (minimal shape) =="
        )
        for mode in MODES:
            throughput(mode)
        for mode in ("tuned",) if args.full else MODES:
            scaling(levels, 1000 if args.quick else 2000, mode)
    if args.profile:
        profile(2000)


if __name__ == "__main__":
    main()
