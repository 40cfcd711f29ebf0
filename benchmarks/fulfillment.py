"""Fulfillment figures: pick-path length, boxes against the lower bound, orders per second.

Run: ``python benchmarks/fulfillment.py`` (``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from omskit import OMS
from omskit.catalog.model import Dimensions
from omskit.fulfillment import BinLocation, PackItem, PickDemand, build_pick_list, lower_bound, pack
from omskit.fulfillment.packing import DEFAULT_BOXES
from omskit.testing import FakeClock


def pick_paths(rnd: random.Random, waves: int) -> None:
    skus = [f"S{i:03d}" for i in range(300)]
    bins = {
        s: BinLocation(rnd.choice("AB"), rnd.randint(1, 15), rnd.randint(1, 20), rnd.choice("ABCD"))
        for s in skus
    }
    for orders_per_wave in (1, 10, 30):
        sorted_m, naive_m = [], []
        for _ in range(waves):
            demands = [
                PickDemand(f"fo{o}", f"L{n}", rnd.choice(skus), rnd.randint(1, 3))
                for o in range(orders_per_wave)
                for n in range(rnd.randint(1, 5))
            ]
            pick = build_pick_list("BER", demands, bins)
            sorted_m.append(pick.path_length_m)
            naive_m.append(pick.line_order_length_m)
        s, n = statistics.mean(sorted_m), statistics.mean(naive_m)
        print(
            f"  {orders_per_wave:>2} order(s) per pick list: serpentine {s:8.1f} m, "
            f"order-line order {n:8.1f} m  ({100 * (1 - s / n):.0f}% shorter)"
        )


def boxes(rnd: random.Random, trials: int) -> None:
    used = bound = at_bound = 0
    for _ in range(trials):
        items = []
        for _ in range(rnd.randint(1, 25)):
            dims = Dimensions(rnd.randint(20, 600), rnd.randint(20, 400), rnd.randint(10, 300))
            items.append(PackItem("X", rnd.randint(50, 8000), dims, ship_alone=rnd.random() < 0.05))
        result = pack(items, DEFAULT_BOXES)
        used += result.boxes_used
        bound += lower_bound(items, DEFAULT_BOXES)
        at_bound += result.boxes_used == result.lower_bound
    print(
        f"  {trials} random orders: {used} boxes used, lower bound {bound} "
        f"({used / bound:.2f}x); {100 * at_bound / trials:.0f}% of orders exactly at the bound"
    )


def throughput(count: int) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    oms = OMS.in_memory(clock=clock, autoload=False)
    for sku, grams in (("TEE", 180), ("MUG", 320), ("CAP", 90)):
        oms.catalog.add_product(
            sku,
            name=sku,
            price="10.00",
            currency="EUR",
            weight_grams=grams,
            dimensions=[200, 150, 50],
        )
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.5, lon=13.4)
    for sku in ("TEE", "MUG", "CAP"):
        oms.inventory.receive(sku, location="BER", quantity=count * 10)
    oms.fulfillment.configure_location(
        "BER", bins={"TEE": "A-01-1-A", "MUG": "A-02-3-B", "CAP": "A-03-5-C"}
    )
    ship_to = {
        "country": "DE",
        "line1": "Torstr. 1",
        "city": "Berlin",
        "postal_code": "10119",
        "lat": 52.53,
        "lon": 13.40,
    }
    order_ids = [
        oms.orders.capture(
            {
                "channel": "web",
                "external_id": f"B-{i}",
                "customer": {"email": f"b{i}@example.com"},
                "ship_to": ship_to,
                "lines": [{"sku": "TEE", "quantity": 1 + i % 3}, {"sku": "MUG", "quantity": 1}],
            }
        ).id
        for i in range(count)
    ]
    held = [i for i in order_ids if oms.orders.get(i).on_hold]
    for order_id in held:  # the risk rules may hold some; a person releases them
        oms.orders.release(order_id, reason="benchmark")
    start = time.perf_counter()
    for order_id in order_ids:
        for fo in oms.fulfillment.release(order_id):
            oms.fulfillment.accept(fo.id)
            oms.fulfillment.confirm_pick(fo.id)
            oms.fulfillment.pack(fo.id)
            oms.fulfillment.ship(fo.id, carrier="sandbox", service="standard")
    elapsed = time.perf_counter() - start
    shipped = sum(len(oms.fulfillment.shipments(i)) for i in order_ids)
    assert shipped == count, f"only {shipped} of {count} orders got a shipment"
    print(
        f"  {count} orders through release -> pick -> pack -> label (sandbox) in "
        f"{elapsed:.2f} s: {count / elapsed:.0f} orders/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run")
    args = parser.parse_args()
    rnd = random.Random(20261124)
    print("Pick-path length (average per pick list):")
    pick_paths(rnd, 20 if args.quick else 200)
    print("Boxes used against the lower bound:")
    boxes(rnd, 200 if args.quick else 2000)
    print("Throughput:")
    throughput(50 if args.quick else 300)


if __name__ == "__main__":
    main()
