"""Demo section: stock in three locations, plans from two strategies, a backorder."""

from __future__ import annotations

from collections.abc import Callable

from omskit.errors import OmskitError
from omskit.inventory import Allocation
from omskit.oms import OMS
from omskit.routing import SourcingRequest

_PRODUCTS = (
    ("RT-TEE", "Organic tee", "19.90", 180),
    ("RT-MUG", "Enamel mug", "12.50", 320),
    ("RT-LAMP", "Desk lamp", "49.00", 2400),
)
_LOCATIONS = (
    ("BER", "Berlin DC", 52.52, 13.40, 10, "1.20"),
    ("MUC", "Munich DC", 48.14, 11.58, 20, "0.90"),
    ("HAM", "Hamburg DC", 53.55, 9.99, 30, "1.00"),
)


def _setup(oms: OMS, say: Callable[[str], None]) -> None:
    for sku, name, price, grams in _PRODUCTS:
        if oms.catalog.find(sku) is None:
            oms.catalog.add_product(sku, name=name, price=price, currency="EUR",
                                    weight_grams=grams)  # fmt: skip
    for code, name, lat, lon, priority, handling in _LOCATIONS:
        oms.inventory.add_location(code, name=name, country="DE", lat=lat, lon=lon,
                                   priority=priority, handling_per_shipment=handling)  # fmt: skip
    stock = {"BER": {"RT-TEE": 3, "RT-MUG": 10}, "MUC": {"RT-TEE": 40, "RT-LAMP": 5},
             "HAM": {"RT-TEE": 12, "RT-MUG": 4, "RT-LAMP": 2}}  # fmt: skip
    for code, items in stock.items():
        for sku, qty in items.items():
            oms.inventory.receive(sku, location=code, quantity=qty, reference="goods-in")
        listed = ", ".join(f"{sku} x{qty}" for sku, qty in items.items())
        say(f"  received at {code}: {listed}")


def run(oms: OMS, say: Callable[[str], None]) -> None:
    """Receive stock, plan one order two ways, reserve it, and promise a backorder."""
    say("== Inventory and routing ==")
    _setup(oms, say)
    request = SourcingRequest(
        reference="DEMO-R1",
        lines=({"line_ref": "1", "sku": "RT-TEE", "quantity": 5},
               {"line_ref": "2", "sku": "RT-MUG", "quantity": 2},
               {"line_ref": "3", "sku": "RT-LAMP", "quantity": 1}),
        ship_to={"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                 "postal_code": "10115", "lat": 52.53, "lon": 13.38},
    )  # fmt: skip
    plans = oms.routing.compare(request, ["nearest", "fewest_shipments"])
    for plan in plans.values():
        say("")
        say(plan.explain())
    best = plans["fewest_shipments"]
    held = oms.inventory.reserve(reference="DEMO-R1", allocations=best.allocations)
    say("")
    say(
        f"  reserved {sum(r.quantity for r in held)} units in one atomic step; "
        f"HAM now has {oms.inventory.available('RT-TEE', 'HAM')} x RT-TEE available"
    )
    try:
        oms.inventory.reserve(
            reference="DEMO-R2", allocations=[Allocation("BER", "RT-TEE", 99, "1")]
        )
    except OmskitError as exc:
        say(f"  a second order asking too much is refused whole: {exc}")
    oms.inventory.release(reference="DEMO-R1", reason="HAM rejected the pick")
    again = oms.routing.replan(best, exclude={"HAM"})
    oms.inventory.reserve(reference="DEMO-R1", allocations=again.allocations)
    say("")
    say("  HAM rejects the work: its hold is released and the order re-planned without it:")
    say("  " + again.explain().replace("\n", "\n  "))

    say("")
    say("== Backorders and promise dates ==")
    oms.inventory.set_backorder_policy("RT-LAMP", "backorder", cap=20)
    oms.inventory.add_supplier("LUMA", name="Luma Lighting", lead_time_days=9)
    oms.inventory.set_supply_terms("LUMA", "RT-LAMP", unit_cost="21.00", moq=10, pack_size=5)
    po = oms.inventory.place_purchase_order(supplier="LUMA", location="MUC",
                                            lines={"RT-LAMP": 10})  # fmt: skip
    say(f"  {po.id}: 10 x RT-LAMP from LUMA to MUC, expected {po.expected.isoformat()}")
    lamp = SourcingRequest(
        reference="DEMO-R3", lines=({"line_ref": "1", "sku": "RT-LAMP", "quantity": 9},),
        ship_to={"country": "DE", "city": "Munich", "line1": "Marienplatz 1",
                 "postal_code": "80331", "lat": 48.137, "lon": 11.575},
    )  # fmt: skip
    plan = oms.routing.plan(lamp, "nearest")
    say("  " + plan.explain().replace("\n", "\n  "))
    for short in plan.unfulfilled:
        when = short.promise_date.isoformat() if short.promise_date else "no date yet"
        say(f"  -> tell the customer: {short.quantity} x {short.sku} ships on {when}")
    say("")
