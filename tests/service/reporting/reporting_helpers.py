"""A small, hand-checkable order history for the reporting tests.

Store time zone UTC, prices net (the ``web`` channel is not tax-inclusive), no tax rules,
so every line total is net = gross.

Catalogue: TEE 20.00 EUR (category apparel), MUG 10.00 EUR (category home); supplier
ACME sells TEE at 8.00 and MUG at 4.00 EUR.

Day 1 (2026-11-02, Monday), each order placed at 09:00 and the clock then moved on:

* W-1 (web, DE): TEE x2 + MUG x1 = 50.00; shipped complete from BER at 10:00 the same
  day, delivered (sandbox) - one shipment.
* W-2 (web, DE): TEE x1 = 20.00; cancelled ("customer asked").
* A-1 (app, FR): MUG x3 = 30.00; shipped from BER.

Day 2 (2026-11-03): W-3 (web, DE): TEE x1 = 20.00, not shipped yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from omskit import OMS
from omskit.carriers import SandboxCarrier
from omskit.testing import FakeClock

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)

BERLIN = {"country": "DE", "name": "Dana", "line1": "Invalidenstr. 117", "city": "Berlin",
          "postal_code": "10115", "lat": 52.53, "lon": 13.38}  # fmt: skip
PARIS = {"country": "FR", "name": "Noa", "line1": "1 rue de Rivoli", "city": "Paris",
         "postal_code": "75001", "lat": 48.86, "lon": 2.35}  # fmt: skip


def world(config: dict[str, Any] | None = None) -> tuple[OMS, FakeClock]:
    """An OMS with the catalogue, one location (BER) with stock, the supplier and an app
    channel."""
    clock = FakeClock(START)
    oms = OMS.in_memory(config, clock=clock, autoload=False)
    oms.channels.add("app", name="App")
    oms.catalog.add_product("TEE", name="Tee", price="20.00", currency="EUR",
                            weight_grams=180, dimensions=[300, 200, 20],
                            attributes={"category": "apparel"})  # fmt: skip
    oms.catalog.add_product("MUG", name="Mug", price="10.00", currency="EUR",
                            weight_grams=300, dimensions=[120, 90, 100],
                            attributes={"category": "home"})  # fmt: skip
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.52, lon=13.40)
    oms.inventory.receive("TEE", location="BER", quantity=20)
    oms.inventory.receive("MUG", location="BER", quantity=20)
    oms.inventory.add_supplier("ACME", name="Acme", lead_time_days=5)
    oms.inventory.set_supply_terms("ACME", "TEE", unit_cost="8.00", currency="EUR")
    oms.inventory.set_supply_terms("ACME", "MUG", unit_cost="4.00", currency="EUR")
    return oms, clock


def capture(oms: OMS, channel: str, ref: str, lines: dict[str, int],
            ship_to: dict[str, Any] | None = None) -> str:  # fmt: skip
    """Capture an order and return its id."""
    order = oms.orders.capture({
        "channel": channel, "external_id": ref, "customer": {"email": "dana@example.com"},
        "ship_to": ship_to or BERLIN,
        "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
    })  # fmt: skip
    return order.id


def ship(oms: OMS, order_id: str, *, deliver: bool = True) -> None:
    """Release, pick, pack and ship every fulfillment order; deliver through the sandbox."""
    for fo in oms.fulfillment.release(order_id):
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id)
        oms.fulfillment.hand_over(shipment.id)
        if deliver:
            sandbox = oms.carriers.get("sandbox")
            assert isinstance(sandbox, SandboxCarrier)
            for number in shipment.tracking_numbers:
                label = oms.carriers.label(number).label
                for hook in sandbox.webhook_deliveries(label, now=oms.clock.now()):
                    oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)


def history() -> tuple[OMS, FakeClock, dict[str, str]]:
    """The order history of the module docstring."""
    oms, clock = world()
    ids = {}
    ids["W-1"] = capture(oms, "web", "W-1", {"TEE": 2, "MUG": 1})
    clock.advance(hours=1)
    ship(oms, ids["W-1"])
    clock.set(START)
    ids["W-2"] = capture(oms, "web", "W-2", {"TEE": 1})
    oms.orders.cancel(ids["W-2"], reason="customer asked")
    ids["A-1"] = capture(oms, "app", "A-1", {"MUG": 3}, ship_to=PARIS)
    ship(oms, ids["A-1"], deliver=False)
    clock.set(START + dt.timedelta(days=1))
    ids["W-3"] = capture(oms, "web", "W-3", {"TEE": 1})
    return oms, clock, ids
