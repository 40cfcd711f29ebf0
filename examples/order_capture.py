"""Order capture, step by step: validation errors, a risk hold, an edit and a cancellation.

Run with ``python examples/order_capture.py``.
"""

from __future__ import annotations

import datetime as dt

from omskit import OMS, OmskitError, ValidationError
from omskit.testing import FakeClock


def main() -> None:
    oms = OMS.in_memory(clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
                        autoload=False)  # fmt: skip
    for sku, price in (("TEE-M", "19.90"), ("MUG-01", "12.50"), ("LAMP-1", "89.00")):
        oms.catalog.add_product(sku, name=sku, price=price, currency="EUR", weight_grams=300)
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    for sku in ("TEE-M", "MUG-01", "LAMP-1"):
        oms.inventory.receive(sku, location="BER", quantity=30)

    ship_to = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
               "postal_code": "10115"}  # fmt: skip
    print("1. Capture an order from the web shop")
    order = oms.orders.capture({
        "channel": "web", "external_id": "W-1001",
        "customer": {"email": "dana@example.com", "name": "Dana Levi"},
        "ship_to": ship_to,
        "lines": [{"sku": "TEE-M", "quantity": 2}, {"sku": "MUG-01", "quantity": 1}],
        "payment": {"method": "tok_visa"},
    })  # fmt: skip
    print(f"   {order.id}: {order.status}, {order.total.gross} (tax {order.total.tax}), "
          f"payment {order.payment_status}")  # fmt: skip
    for line in order.lines:
        print(f"   {line.id} {line.quantity} x {line.sku} at {line.unit_price} = "
              f"{line.total.gross} [{line.status}]")  # fmt: skip

    print("\n2. A bad payload: every problem is reported at once")
    try:
        oms.orders.capture({
            "channel": "web", "external_id": "W-1002", "currency": "USD",
            "customer": {"email": "not-an-email"}, "ship_to": {"country": "DE"},
            "lines": [{"sku": "NOPE-1", "quantity": 1}, {"sku": "TEE-M", "quantity": 0},
                      {"sku": "MUG-01", "quantity": 10**12}],
        })  # fmt: skip
    except ValidationError as exc:
        for problem in exc.problems:
            print(f"   - {problem}")
    print(f"   stored after the rejection: {oms.orders.find_by_external('web', 'W-1002')}")

    print("\n3. A large first order from a new customer is held for review")
    risky = oms.orders.capture({
        "channel": "web", "external_id": "W-1003", "customer": {"email": "new@example.org"},
        "ship_to": ship_to, "lines": [{"sku": "LAMP-1", "quantity": 12}],
        "payment": {"method": "tok_visa"},
    })  # fmt: skip
    print(f"   {risky.id}: {risky.status}")
    print("   " + risky.risk.explain().replace("\n", "\n   "))
    released = oms.orders.release(risky.id, reason="identity checked", actor="ops:kim")
    print(f"   released: {released.status}")

    print("\n4. Edit the first order: one more T-shirt, re-priced and re-authorized")
    edited = oms.orders.edit(order.id, {"quantities": {"L1": 3}}, reason="customer call",
                             actor="cs:ana")  # fmt: skip
    payment = oms.payments.get(order.id)
    print(f"   total {order.total.gross} -> {edited.total.gross}; authorized "
          f"{payment.open_amount}")  # fmt: skip

    print("\n5. Cancel the mug, then the whole order")
    after = oms.orders.cancel_lines(order.id, {"L2": 1}, reason="no longer wanted")
    print(f"   lines: {[(x.id, x.status) for x in after.lines]}, total {after.total.gross}")
    cancelled = oms.orders.cancel(order.id, reason="customer changed mind", actor="cs:ana")
    payment = oms.payments.get(order.id)
    print(f"   {cancelled.status}; payment {payment.status}; TEE-M available again: "
          f"{oms.inventory.available('TEE-M')}")  # fmt: skip
    try:
        oms.orders.edit(order.id, {"quantities": {"L1": 1}})
    except OmskitError as exc:
        print(f"   editing it now: {exc}")

    print("\n6. The timeline")
    for entry in oms.orders.history(order.id):
        print(f"   {entry.describe()}")


if __name__ == "__main__":
    main()
