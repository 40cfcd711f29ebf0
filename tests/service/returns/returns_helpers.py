"""Helpers for returns service tests: a catalogue, three locations, delivered orders."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from omskit import OMS
from omskit.carriers import SandboxCarrier
from omskit.orders.model import Order

HOME = {
    "country": "DE",
    "name": "Dana Levi",
    "line1": "Invalidenstr. 117",
    "city": "Berlin",
    "postal_code": "10115",
    "lat": 52.53,
    "lon": 13.38,
}

Sell = Callable[..., Order]


def build_world(oms: OMS) -> None:
    """Products with every kind of return rule, locations, stock, and non-EUR channels."""
    add = oms.catalog.add_product
    dims = [300, 200, 20]
    add("TEE", name="Tee", price="19.99", currency="EUR", weight_grams=180, dimensions=dims)
    add("MUG", name="Mug", price="12.50", currency="EUR", weight_grams=300, dimensions=dims)
    add("FINAL", name="Final-sale tee", price="9.99", currency="EUR", weight_grams=180,
        dimensions=dims, returnable=False)  # fmt: skip
    add("GLUE", name="Glue", price="4.99", currency="EUR", weight_grams=100, dimensions=dims,
        hazmat=True)  # fmt: skip
    add("NAMEMUG", name="Mug with a name", price="15.00", currency="EUR", weight_grams=300,
        dimensions=dims, attributes={"personalised": "yes"})  # fmt: skip
    add(
        "TEE-L", name="Tee, large", price="19.99", currency="EUR", weight_grams=190, dimensions=dims
    )
    add("HOODIE", name="Hoodie", price="39.99", currency="EUR", weight_grams=500, dimensions=dims)
    add("BOOK", name="Book", price="24.00", currency="EUR", weight_grams=400, dimensions=dims,
        tax_class="reduced")  # fmt: skip
    add("BRUSH", name="Toothbrush", price="3.33", currency="EUR", weight_grams=50,
        dimensions=dims, attributes={"category": "hygiene"})  # fmt: skip
    inv = oms.inventory
    inv.add_location(
        "BER",
        name="Berlin DC",
        country="DE",
        lat=52.52,
        lon=13.40,
        priority=1,
        capabilities={"hazmat": True},
    )
    inv.add_location("MUC", name="Munich DC", country="DE", lat=48.14, lon=11.58, priority=2)
    inv.add_location("HH", name="Hamburg store", kind="store", country="DE", lat=53.55,
                     lon=9.99)  # fmt: skip
    for sku in ("TEE", "MUG", "FINAL", "GLUE", "NAMEMUG", "BRUSH", "TEE-L", "HOODIE", "BOOK"):
        inv.receive(sku, location="BER", quantity=500)
    oms.pricing.add_price_list("jp", "JPY", includes_tax=True)
    oms.pricing.add_price_list("kw", "KWD", includes_tax=False)
    for code, cur, prices in (
        ("jp", "JPY", ("3333", "1999", "2501")),
        ("kw", "KWD", ("6.125", "3.3", "7.777")),
    ):
        oms.pricing.set_prices(code, [{"sku": "TEE", "amount": prices[0]},
                                      {"sku": "MUG", "amount": prices[1]},
                                      {"sku": "BOOK", "amount": prices[2]}])  # fmt: skip
        oms.channels.add(f"{code}-shop", name=code, currencies=[cur], price_list=code,
                         prices_include_tax=cur == "JPY")  # fmt: skip


def deliver_fast(oms: OMS, order_id: str, quantities: Mapping[str, int] | None = None) -> Order:
    """Ship and deliver allocated units straight through the order's own records."""
    order = oms.orders.get(order_id)
    qty = quantities or {x.id: x.allocated - x.shipped for x in order.lines if x.allocated}
    n = len(order.shipments) + 1
    with oms.runtime.transaction() as uow:
        oms.orders.record_shipment_in(uow, order_id, qty, shipment_id=f"S{n}", actor="test")
        oms.orders.record_delivery_in(uow, order_id, qty, shipment_id=f"S{n}", actor="test")
    return oms.orders.get(order_id)


def deliver_for_real(oms: OMS, order_id: str) -> Order:
    """Release, pick, pack, ship (sandbox carrier) and deliver by signed webhooks."""
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for fo in oms.fulfillment.release(order_id):
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id, objective="fastest")
        for number in shipment.tracking_numbers:
            label = oms.carriers.label(number).label
            for hook in sandbox.webhook_deliveries(label, now=oms.clock.now()):
                oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)
    return oms.orders.get(order_id)


def make_seller(oms: OMS) -> Sell:
    """``sell({"TEE": 2}, shipping="4.90", channel="web")``: a paid, delivered order."""
    counter = itertools.count(1)

    def sell(lines: Mapping[str, int], *, deliver: bool = True, **extra: Any) -> Order:
        payload = {
            "channel": "web",
            "external_id": f"W-{next(counter)}",
            "customer": {"email": "dana@example.com"},
            "ship_to": HOME,
            "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
            "payment": {"method": "tok_visa"},
            **extra,
        }
        order = oms.orders.capture(payload)
        if order.on_hold:
            order = oms.orders.release(order.id, reason="checked by a person")
        return deliver_fast(oms, order.id) if deliver else order

    return sell
