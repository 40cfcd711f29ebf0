"""Pricing benchmark: quotes per second, and how that scales with lines and promotions.

Prints, for a 10-line order with 3 promotions, VAT and shipping:

* ``engine``: the pure engine (promotions, taxes, totals, explanation data) on a prepared
  basket: the part the design targets at under 200 microseconds;
* ``quote_in``: the service inside an open unit of work (reads channel, products, price
  list, promotions, tax table from the in-memory store, then the engine);
* ``quote``: the whole public call, plain-data validation included.

Then ``quote_in`` for a 3-line basket built the way order capture builds it (a
``QuoteRequest`` of ``QuoteLineInput``, no promotions, no shipping), and the memory a kept
3-line quote takes (tracemalloc; orders keep their quote). The timings are printed with
the default cyclic GC and again after ``gc.freeze()`` (setup objects moved out of the
collector's sight: what a long-running service with a large store sees between
collections). Last, the engine and ``quote`` for 1 / 10 / 100 lines (3 promotions) and
for 1 / 10 / 100 promotions (10 lines). Each figure is the best of several repeats (the
least disturbed by other processes). Run ``python benchmarks/pricing.py [--quick]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import timeit
import tracemalloc
from collections.abc import Callable
from typing import Any

from omskit import OMS
from omskit.customers.address import Address
from omskit.pricing.engine import price
from omskit.pricing.lines import WorkLine
from omskit.pricing.request import CustomerRef, QuoteLineInput, QuoteRequest
from omskit.testing import FakeClock

BERLIN = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin", "postal_code": "10115"}


def build(lines: int, promotions: int) -> tuple[OMS, dict[str, Any]]:
    oms = OMS.in_memory(clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
                        autoload=False)  # fmt: skip
    skus = [f"SKU-{i:03d}" for i in range(max(lines, 10))]
    for i, sku in enumerate(skus):
        oms.catalog.add_product(sku, name=sku, price=f"{10 + i % 40}.90", currency="EUR",
                                tax_class="reduced" if i % 4 == 0 else "standard",
                                attributes={"category": "tees" if i % 2 else "mugs"})  # fmt: skip
    base = [
        {"kind": "percent", "percent": "10"},
        {"kind": "percent", "percent": "5", "target": "attribute",
         "attribute": ("category", "tees")},
        {"kind": "buy_x_get_y", "buy": 2, "get": 1, "skus": skus[1:3]},
    ]  # fmt: skip
    for i in range(promotions):
        spec = dict(base[i % 3]) if i < 3 else {
            "kind": "percent", "percent": "1", "target": "sku",
            "skus": [f"OTHER-{i}"] if i % 2 else [skus[i % len(skus)]],
        }  # fmt: skip
        oms.pricing.add_promotion(f"P{i:03d}", name=f"Promotion {i}", priority=i, **spec)
    basket = [{"sku": skus[i], "quantity": 1 + i % 3} for i in range(lines)]
    request = {"channel": "web", "ship_to": BERLIN, "shipping": "4.90", "lines": basket}
    return oms, request


def best(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Best seconds per call over ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def measure(lines: int, promotions: int, number: int, repeat: int) -> dict[str, float]:
    oms, request = build(lines, promotions)
    pricing = oms.pricing
    with oms.runtime.storage.unit_of_work() as uow:
        ctx, prepared = pricing.prepare_in(uow, request)

    def fresh() -> list[WorkLine]:
        return [
            WorkLine(w.index, w.sku, w.quantity, w.unit, w.amount, tax_class=w.tax_class,
                     attributes=w.attributes, name=w.name, price_note=w.price_note,
                     list_unit=w.list_unit, unit_money=w.unit_money)
            for w in prepared
        ]  # fmt: skip

    copy_cost = best(fresh, number, repeat)
    engine = best(lambda: price(ctx, fresh()), number, repeat) - copy_cost

    prepared_request = QuoteRequest.from_mapping(request)

    def in_uow_prepared() -> object:
        with oms.runtime.storage.unit_of_work() as u:
            return pricing.quote_in(u, prepared_request)

    return {
        "engine": engine,
        "quote_in": best(in_uow_prepared, number, repeat),
        "quote": best(lambda: pricing.quote(**request), number, repeat),
        "applied": len(price(ctx, fresh()).promotions),
    }


def capture_style() -> Callable[[], object]:
    """``quote_in`` of 3-line baskets as order capture prices them (cycling 64 baskets)."""
    oms = OMS.in_memory(clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
                        autoload=False)  # fmt: skip
    for i in range(300):
        oms.catalog.add_product(f"SKU-{i:04d}", name=f"Product {i}", price=f"{5 + i % 40}.90",
                                currency="EUR", weight_grams=100 + i)  # fmt: skip
    ship_to = Address.from_mapping(BERLIN, "ship_to")
    requests = [
        QuoteRequest(
            channel="web",
            lines=tuple(
                QuoteLineInput(f"SKU-{(n * 3 + k) % 300:04d}", 1 + (n + k) % 3, None, f"L{k + 1}")
                for k in range(3)
            ),
            currency="EUR",
            customer=CustomerRef(email=f"customer{n}@example.com"),
            ship_to=ship_to,
        )
        for n in range(64)
    ]
    pricing, storage = oms.pricing, oms.runtime.storage
    turn = iter(range(10**12))

    def quote_in() -> object:
        with storage.unit_of_work() as uow:
            return pricing.quote_in(uow, requests[next(turn) & 63])

    return quote_in


def kept_bytes(quote_in: Callable[[], object], count: int = 2000) -> tuple[float, list[str]]:
    """Bytes per kept quote (tracemalloc), and the biggest allocating files."""
    for _ in range(50):
        quote_in()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = [quote_in() for _ in range(count)]
    gc.collect()
    stats = tracemalloc.take_snapshot().compare_to(before, "filename")
    tracemalloc.stop()
    total = sum(s.size_diff for s in stats) / count
    files = [
        f"{s.traceback[0].filename.rsplit('src/', 1)[-1]}: {s.size_diff / count:.0f} B"
        for s in stats[:5]
        if s.size_diff > 8 * count
    ]
    del kept
    return total, files


def row(label: str, seconds: float) -> str:
    return f"  {label:34} {seconds * 1e6:9.1f} us/quote  {1 / seconds:10,.0f} quotes/s"


def headline(number: int, repeat: int) -> None:
    m = measure(10, 3, number, repeat)
    print(row("engine (pure)", m["engine"]))
    print(row("quote_in (store reads + engine)", m["quote_in"]))
    print(row("quote (validation + all of it)", m["quote"]))
    print(f"  promotions applied: {m['applied']:.0f}")
    three = capture_style()
    print(row("3-line quote_in, capture-style", best(three, number * 3, repeat)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    number, repeat = (100, 3) if args.quick else (400, 7)

    print("10 lines, 3 promotions, VAT, shipping (default GC)")
    headline(number, repeat)
    gc.collect()
    gc.freeze()
    print("\nthe same after gc.freeze()")
    headline(number, repeat)
    gc.unfreeze()
    per_quote, files = kept_bytes(capture_style())
    print(f"\nmemory of a kept 3-line quote: {per_quote:,.0f} bytes")
    for line in files:
        print(f"  {line}")
    print("\nscaling with lines (3 promotions)")
    for n in (1, 10, 100):
        m = measure(n, 3, max(number // max(n // 10, 1), 20), repeat)
        print(row(f"{n:3d} lines  engine", m["engine"]))
        print(row(f"{n:3d} lines  quote", m["quote"]))
    print("\nscaling with promotions (10 lines)")
    for p in (1, 10, 100):
        m = measure(10, p, number, repeat)
        print(row(f"{p:3d} promotions  engine", m["engine"]))
        print(row(f"{p:3d} promotions  quote", m["quote"]))


if __name__ == "__main__":
    main()
