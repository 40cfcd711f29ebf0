"""Demo section: capture -> route -> pick -> pack -> rate-shop -> label -> tracking -> delivered."""

from __future__ import annotations

import json
from collections.abc import Callable

from omskit.carriers import SandboxCarrier
from omskit.errors import OmskitError
from omskit.oms import OMS

_PRODUCTS = (
    ("FF-TEE", "Linen shirt", "39.00", 220, (300, 220, 30), "6205.20", "PT"),
    ("FF-MUG", "Stoneware mug", "14.00", 380, (120, 100, 100), "6912.00", "DE"),
    ("FF-TV", "Monitor 27 inch", "289.00", 6500, (650, 450, 140), "8528.52", "CN"),
)


def _setup(oms: OMS, say: Callable[[str], None]) -> None:
    for sku, name, price, grams, dims, hs, origin in _PRODUCTS:
        if oms.catalog.find(sku) is None:
            oms.catalog.add_product(
                sku,
                name=name,
                price=price,
                currency="EUR",
                weight_grams=grams,
                dimensions=list(dims),
                hs_code=hs,
                country_of_origin=origin,
                ship_alone=sku == "FF-TV",
            )
    oms.inventory.add_location(
        "LEJ", name="Leipzig DC", country="DE", lat=51.34, lon=12.37, priority=1
    )
    for sku, qty in (("FF-TEE", 20), ("FF-MUG", 12), ("FF-TV", 4)):
        oms.inventory.receive(sku, location="LEJ", quantity=qty, reference="goods-in")
    oms.fulfillment.configure_location(
        "LEJ",
        address={
            "country": "DE",
            "name": "Shop GmbH",
            "line1": "Am Exer 10",
            "city": "Leipzig",
            "postal_code": "04158",
        },
        bins={"FF-TEE": "A-04-7-C", "FF-MUG": "A-01-3-A", "FF-TV": "B-02-1-A"},
    )
    say("  Leipzig DC stocked: FF-TEE x20, FF-MUG x12, FF-TV x4; bins and boxes set up")


def run(oms: OMS, say: Callable[[str], None]) -> None:
    """Take one order from capture to the customer's door."""
    say("== Fulfillment and carriers ==")
    _setup(oms, say)
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": "W-FUL-1",
            "customer": {"email": "noa@example.com", "name": "Noa Weiss"},
            "ship_to": {
                "country": "DE",
                "name": "Noa Weiss",
                "line1": "Torstr. 1",
                "city": "Berlin",
                "postal_code": "10119",
                "lat": 52.53,
                "lon": 13.40,
            },
            "lines": [
                {"sku": "FF-TEE", "quantity": 2},
                {"sku": "FF-MUG", "quantity": 1},
                {"sku": "FF-TV", "quantity": 1},
            ],
        }
    )
    if order.on_hold:
        order = oms.orders.release(order.id, reason="checked by the demo")
    say(f"  captured {order.external_id} as {order.id}: {order.status}, total {order.total.gross}")

    (fo,) = oms.fulfillment.release(order.id)
    listed = ", ".join(f"{x.sku} x{x.quantity}" for x in fo.lines)
    say(f"  routed and released {fo.id} to {fo.location}: {listed}")
    oms.fulfillment.accept(fo.id)
    pick = oms.fulfillment.pick_list("LEJ")
    say("")
    for row in oms.fulfillment.documents.pick_list(pick).text.splitlines():
        say(f"    {row}")
    oms.fulfillment.confirm_pick(fo.id)
    say("  picked everything")

    packed = oms.fulfillment.pack(fo.id)
    say("  " + packed.explain().replace("\n", "\n  "))

    shipment = oms.fulfillment.ship(fo.id)
    say("  rate shopping: " + shipment.rate_explanation.replace("\n", "\n  "))
    say(
        f"  {shipment.id}: {len(shipment.parcels)} label(s) "
        f"{', '.join(shipment.tracking_numbers)}, {shipment.price}, "
        f"promised {shipment.promised_date}"
    )
    say("")
    for row in oms.fulfillment.documents.labels(shipment.id)[0].text.splitlines():
        say(f"    {row}")

    say("")
    sandbox = oms.carriers.get("sandbox")
    tracked = [oms.carriers.label(n).label for n in shipment.tracking_numbers]
    if isinstance(sandbox, SandboxCarrier):
        payloads = [p for label in tracked for p in sandbox.webhook_payloads(label)]
        payloads.sort(key=lambda p: (p["event"]["time"], p["tracking_number"]))
        for payload in payloads:
            # signed as the sandbox sends it: the OMS verifies before it parses
            hook = sandbox.sign_webhook(payload, now=oms.clock.now())
            oms.carriers.handle_webhook(shipment.carrier, hook.body, hook.headers)
            now = oms.fulfillment.shipment(shipment.id)
            event = payload["event"]
            say(
                f"  webhook {event['code']} {payload['tracking_number']} at "
                f"{event['time'][:16]}: shipment {now.status}, "
                f"order {oms.orders.get(order.id).status}"
            )
        hook = sandbox.sign_webhook(payloads[-1], now=oms.clock.now())
        again = oms.carriers.handle_webhook(shipment.carrier, hook.body, hook.headers)
        say(f"  the same webhook again changes nothing: duplicate={again.duplicate}")
        forged = json.dumps(
            {
                "tracking_number": tracked[0].tracking_number,
                "event": {"code": "LST", "time": "2026-11-27T10:00:00Z"},
            }
        )
        try:
            oms.carriers.handle_webhook(
                "sandbox", forged.encode(), {"Sandbox-Signature": "t=0,v1=00"}
            )
        except OmskitError as exc:
            say(f"  a forged webhook is refused: {type(exc).__name__}")
        unknown = sandbox.sign_webhook(
            {
                "tracking_number": "SB000000000DE",
                "event": {"code": "DLV", "time": "2026-11-27T10:00:00Z"},
            },
            now=oms.clock.now(),
        )
        try:
            oms.carriers.handle_webhook("sandbox", unknown.body, unknown.headers)
        except OmskitError as exc:
            say(f"  an unknown parcel is refused: {exc}")
    final = oms.orders.get(order.id)
    say(
        f"  order {final.id} is {final.status}: "
        + ", ".join(f"{x.sku} {x.delivered}/{x.quantity} delivered" for x in final.lines)
    )
    say("")
