"""Routing walk-through: every strategy on the same orders, and a backorder with a date.

Run with ``python examples/routing.py``.
"""

from __future__ import annotations

import datetime as dt

from omskit import OMS
from omskit.routing import SourcingRequest
from omskit.testing import FakeClock

oms = OMS.in_memory(clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
                    autoload=False)  # fmt: skip
for sku, grams in (("TEE-M", 180), ("MUG-01", 320), ("LAMP", 2400), ("POSTER", 90)):
    oms.catalog.add_product(sku, name=sku, weight_grams=grams)

LOCATIONS = [  # code, kind, lat, lon, priority, handling per shipment
    ("BER", "warehouse", 52.52, 13.40, 30, "1.20"),
    ("MUC", "warehouse", 48.14, 11.58, 10, "0.80"),
    ("HAM", "warehouse", 53.55, 9.99, 20, "1.00"),
    ("PRINTCO", "supplier", 50.94, 6.96, 50, "2.50"),
]
for code, kind, lat, lon, priority, handling in LOCATIONS:
    oms.inventory.add_location(code, name=code, kind=kind, country="DE", lat=lat, lon=lon,
                               priority=priority, handling_per_shipment=handling)  # fmt: skip
STOCK = {
    "BER": {"TEE-M": 3, "MUG-01": 8},
    "MUC": {"TEE-M": 50, "LAMP": 4},
    "HAM": {"TEE-M": 10, "MUG-01": 3, "LAMP": 1},
    "PRINTCO": {"POSTER": 500},
}
for code, items in STOCK.items():
    for sku, qty in items.items():
        oms.inventory.receive(sku, location=code, quantity=qty)

BERLIN = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
          "postal_code": "10115", "lat": 52.53, "lon": 13.38}  # fmt: skip
ORDERS = [
    SourcingRequest(reference="W-1", ship_to=BERLIN, lines=[
        {"line_ref": "1", "sku": "TEE-M", "quantity": 4},
        {"line_ref": "2", "sku": "MUG-01", "quantity": 2},
        {"line_ref": "3", "sku": "LAMP", "quantity": 1}]),
    SourcingRequest(reference="W-2", ship_to=BERLIN, lines=[
        {"line_ref": "1", "sku": "TEE-M", "quantity": 1},
        {"line_ref": "2", "sku": "POSTER", "quantity": 2}]),
]  # fmt: skip

for request in ORDERS:
    print(f"=== Order {request.reference} ===")
    for name, plan in oms.routing.compare(request).items():
        print(f"\n--- {name}: {plan.shipment_count} shipment(s), est. {plan.estimated_cost}")
        print(plan.explain())
    print()

print("=== A backorder with a promise date ===")
oms.inventory.set_backorder_policy("LAMP", "backorder", cap=50)
oms.inventory.add_supplier("LUMA", name="Luma Lighting", lead_time_days=9)
oms.inventory.set_supply_terms("LUMA", "LAMP", unit_cost="21.00", moq=10)
po = oms.inventory.place_purchase_order(supplier="LUMA", location="MUC", lines={"LAMP": 10})
lamps = SourcingRequest(reference="W-3", ship_to=BERLIN,
                        lines=[{"line_ref": "1", "sku": "LAMP", "quantity": 8}])  # fmt: skip
plan = oms.routing.plan(lamps, "nearest")
print(plan.explain())
(short,) = plan.unfulfilled
assert short.promise_date == po.expected
print(f"\n{short.quantity} x {short.sku} backordered; the customer is told: ships "
      f"{short.promise_date:%A %d %B %Y}")  # fmt: skip
