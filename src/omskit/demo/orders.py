"""Demo section: orders from two channels, a replay, a risk hold, payments."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from omskit.errors import AlreadyExists, OmskitError
from omskit.oms import OMS

_SHIP_TO = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
            "postal_code": "10115"}  # fmt: skip


def _setup(oms: OMS) -> None:
    for sku, name, price in (("SOCK-3P", "Socks, 3 pairs", "12.90"),
                             ("HOOD-L", "Hoodie, large", "59.00")):  # fmt: skip
        with contextlib.suppress(AlreadyExists):
            oms.catalog.add_product(sku, name=name, price=price, currency="EUR", weight_grams=300)
    with contextlib.suppress(AlreadyExists):
        oms.inventory.add_location("DEMO-BER", name="Berlin shop floor", country="DE",
                                   lat=52.53, lon=13.38)  # fmt: skip
    for sku in ("SOCK-3P", "HOOD-L"):
        oms.inventory.receive(sku, location="DEMO-BER", quantity=40, reference="demo")
    with contextlib.suppress(AlreadyExists):
        oms.channels.add("amazon-de", name="Amazon DE", kind="marketplace", currencies=["EUR"],
                         channel_prices="accept")  # fmt: skip


def _order(external_id: str, channel: str, email: str, lines: list[dict[str, Any]],
           method: str = "tok_visa") -> dict[str, Any]:  # fmt: skip
    return {"channel": channel, "external_id": external_id, "customer": {"email": email},
            "ship_to": _SHIP_TO, "lines": lines, "payment": {"method": method}}  # fmt: skip


def run(oms: OMS, say: Callable[[str], None]) -> None:
    """Capture from the web shop and a marketplace, replay one, hold a risky one, pay."""
    say("== Orders: capture from two channels ==")
    _setup(oms)
    web = _order("W-1001", "web", "dana@example.com",
                 [{"sku": "SOCK-3P", "quantity": 2}, {"sku": "HOOD-L", "quantity": 1}])  # fmt: skip
    first = oms.orders.capture(web, actor="connector:web")
    say(f"  web W-1001       -> {first.id} {first.status}, {first.total.gross} "
        f"(payment {first.payment_status})")  # fmt: skip
    again = oms.orders.capture(web, actor="connector:web")
    say(f"  web W-1001 again -> {again.id} (a replay: same order, nothing charged twice)")
    try:
        oms.orders.capture({**web, "lines": [{"sku": "SOCK-3P", "quantity": 5}]})
    except OmskitError as exc:
        say(f"  same key, other payload -> {type(exc).__name__}")
    market = oms.orders.capture(_order(
        "302-1234567-1234567", "amazon-de", "eli@example.com",
        [{"sku": "HOOD-L", "quantity": 1, "unit_price": "54.99"}]))  # fmt: skip
    say(f"  amazon-de        -> {market.id} {market.status}, hoodie at the marketplace's "
        f"{market.lines[0].unit_price}")  # fmt: skip

    say("")
    say("== Orders: a risky one is held for review ==")
    risky = oms.orders.capture(_order(
        "W-1002", "web", "new.buyer@example.net", [{"sku": "HOOD-L", "quantity": 20}]))  # fmt: skip
    say(f"  W-1002 -> {risky.id} {risky.status}: {risky.hold_reason}")
    for line in risky.risk.explain().splitlines():
        say(f"    {line}")
    released = oms.orders.release(risky.id, reason="customer verified by phone", actor="ops:kim")
    say(f"  released by ops:kim -> {released.status}")

    say("")
    say("== Payments: authorize at capture, capture at shipment or by hand ==")
    declined = oms.orders.capture(_order("W-1003", "web", "max@example.com",
                                         [{"sku": "SOCK-3P", "quantity": 1}],
                                         method="tok_declined"))  # fmt: skip
    say(f"  W-1003 with a declined card -> {declined.status} ({declined.hold_reason})")
    oms.orders.pay(declined.id, "tok_visa", actor="customer")
    oms.orders.release(declined.id, reason="paid with another card", actor="ops:kim")
    say(f"  paid with another card, released -> {oms.orders.get(declined.id).status}")
    txn = oms.orders.capture_payment(first.id, actor="ops:kim")
    payment = oms.payments.get(first.id)
    say(f"  captured {txn.amount} of {first.id}: payment {payment.status}, "
        f"balance {payment.balance}")  # fmt: skip
    say("  timeline of " + first.id + ":")
    for entry in oms.orders.history(first.id):
        say(f"    {entry.describe()}")
    say("")
