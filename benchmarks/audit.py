"""What the audit log (and access control) costs an order capture, as ratios from one run.

Three in-memory shops, identical but for the ``admin`` section: off (embedded default),
``audit`` only, and access control on (which audits too). Each repetition captures a
batch of two-line orders in each shop, interleaved (the order rotating from one
repetition to the next), and the ratio of the medians is printed. Times are this
process's CPU time (``time.process_time``), so other work on a shared machine disturbs
them less. The audit record joins the capture's own unit of work, so the cost is the
target's snapshot before the call, its read inside the commit and the record (with its
personal values kept apart).

    python benchmarks/audit.py [--orders 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import statistics
import time
from typing import Any

from omskit import OMS
from omskit.testing import FakeClock

SHIP_TO = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
           "postal_code": "10115"}  # fmt: skip
SETTINGS: dict[str, dict[str, Any]] = {
    "off": {},
    "audit": {"admin": {"audit": True}},
    "access": {"admin": {"access_control": True, "owner": "root"}},
}


def shop(admin: dict[str, Any]) -> OMS:
    """A shop with two products in stock at one location."""
    oms = OMS.in_memory(admin, clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
                        autoload=False)  # fmt: skip
    with oms.admin.acting_as("root") if admin.get("admin", {}).get("owner") else _nothing():
        for sku in ("TEE-M", "MUG-01"):
            oms.catalog.add_product(sku, name=sku, price="19.90", currency="EUR",
                                    weight_grams=200)  # fmt: skip
        oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
        for sku in ("TEE-M", "MUG-01"):
            oms.inventory.receive(sku, location="BER", quantity=1_000_000)
    return oms


class _nothing:  # noqa: N801 - a stand-in context manager
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def batch(oms: OMS, counter: itertools.count[int], orders: int, actor: str) -> float:
    """CPU seconds (this process) to capture ``orders`` new two-line orders."""
    start = time.process_time()
    for _ in range(orders):
        n = next(counter)
        oms.orders.capture(
            {"channel": "web", "external_id": f"B-{n}",
             "customer": {"email": f"buyer{n}@example.com"}, "ship_to": SHIP_TO,
             "lines": [{"sku": "TEE-M", "quantity": 1}, {"sku": "MUG-01", "quantity": 2}]},
            actor=actor,
        )  # fmt: skip
    return time.process_time() - start


def main() -> None:
    """Run the interleaved batches and print each median and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    shops = {name: shop(admin) for name, admin in SETTINGS.items()}
    counters = {name: itertools.count() for name in SETTINGS}
    for name, oms in shops.items():  # warm up
        batch(oms, counters[name], 50, "root")
    times: dict[str, list[float]] = {name: [] for name in SETTINGS}
    names = list(shops)
    for rep in range(args.repeat):  # the order rotates, so no shop always runs first
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            times[name].append(batch(shops[name], counters[name], args.orders, "root"))
    medians = {name: statistics.median(found) for name, found in times.items()}
    for name, seconds in medians.items():
        print(f"{name:>7}: {seconds / args.orders * 1e6:8.1f} µs per capture "
              f"({seconds / medians['off']:.2f}x off)")  # fmt: skip


if __name__ == "__main__":
    main()
