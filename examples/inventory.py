"""Inventory walk-through: receive, reserve atomically, ship, cancel, expire, reconcile.

Run with ``python examples/inventory.py``.
"""

from __future__ import annotations

import datetime as dt

from omskit import OMS, InsufficientStock
from omskit.inventory import Allocation
from omskit.testing import FakeClock

clock = FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
oms = OMS.in_memory(clock=clock, autoload=False)
oms.catalog.add_product("TEE-M", name="T-shirt M", weight_grams=180)
oms.catalog.add_product("MUG-01", name="Mug", weight_grams=320)
oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
oms.inventory.add_location("MUC", name="Munich DC", country="DE", lat=48.14, lon=11.58)


def show(sku: str, location: str) -> None:
    lv = oms.inventory.level(sku, location)
    print(f"  {sku}@{location}: on hand {lv.on_hand}, reserved {lv.reserved}, "
          f"available {lv.available}")  # fmt: skip


print("1. Goods in")
oms.inventory.receive("TEE-M", location="BER", quantity=10, reference="GR-1", actor="dock-1")
oms.inventory.receive("MUG-01", location="BER", quantity=3, reference="GR-1", actor="dock-1")
oms.inventory.set_alert_threshold("TEE-M", location="BER", low=3)
show("TEE-M", "BER")

print("2. An order reserves both lines in one step")
oms.inventory.reserve(reference="W-1", allocations=[
    Allocation("BER", "TEE-M", 4, "1"), Allocation("BER", "MUG-01", 2, "2")])  # fmt: skip
show("TEE-M", "BER")

print("3. A second order wants more mugs than are left: nothing of it is held")
try:
    oms.inventory.reserve(reference="W-2", allocations=[
        Allocation("BER", "TEE-M", 1, "1"), Allocation("BER", "MUG-01", 2, "2")])  # fmt: skip
except InsufficientStock as exc:
    print(f"  refused: {exc}")
show("TEE-M", "BER")

print("4. W-1 ships its T-shirts; the mug line is cancelled")
oms.inventory.consume(reference="W-1", line_ref="1", location="BER", quantity=4)
oms.inventory.release(reference="W-1", line_ref="2", reason="customer removed the mug")
show("TEE-M", "BER")
show("MUG-01", "BER")

print("5. A cart holds 5 T-shirts and is abandoned; its hold expires after 30 minutes")
oms.inventory.reserve(reference="cart-9", allocations=[Allocation("BER", "TEE-M", 5, "1")],
                      cart=True)  # fmt: skip
clock.advance(minutes=45)
print(f"  expired: {oms.inventory.expire_reservations()}")
show("TEE-M", "BER")

print("6. Transfer, count, and the ledger")
oms.inventory.transfer("TEE-M", from_location="BER", to_location="MUC", quantity=2, actor="planner")
oms.inventory.count("TEE-M", location="BER", counted=3, actor="dana")
for m in oms.inventory.ledger(sku="TEE-M"):
    print(f"  {m.at:%H:%M} {m.kind:13} {m.location} on_hand {m.on_hand:+3d} "
          f"reserved {m.reserved:+3d}  {m.reference or '-':7} {m.actor}")  # fmt: skip
drift = oms.inventory.reconcile()
print(f"  reconcile: {drift if drift else 'levels and ledger agree'}")
assert not drift
