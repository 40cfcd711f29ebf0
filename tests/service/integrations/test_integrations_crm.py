"""Customer 360 and event feeds from what omskit stored and published."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import ValidationError
from omskit.events import Event
from omskit.integrations import crm
from omskit.integrations.broker import ENVELOPE_SCHEMA
from omskit.money import Money
from omskit.testing import FakeClock

AT = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
HOME = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin", "postal_code": "10115"}


@pytest.fixture
def shop() -> tuple[OMS, list[Event]]:
    oms = OMS.in_memory(clock=FakeClock(AT), autoload=False)
    for sku in ("TEE-M", "MUG-01"):
        oms.catalog.add_product(sku, name=sku, price="20.00", currency="EUR", weight_grams=200)
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
    oms.inventory.receive("TEE-M", location="BER", quantity=20)
    oms.inventory.receive("MUG-01", location="BER", quantity=20)
    seen: list[Event] = []
    oms.events.subscribe("crm-test", seen.append)
    return oms, seen


def order(oms: OMS, ref: str, lines: dict[str, int], email: str = "dana@example.com") -> Any:
    return oms.orders.capture({
        "channel": "web", "external_id": ref, "customer": {"email": email},
        "ship_to": HOME, "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
        "payment": {"method": "tok_visa"},
    })  # fmt: skip


def test_customer_360_counts_orders_units_refunds_and_lifetime_value(
    shop: tuple[OMS, list[Event]],
) -> None:
    oms, seen = shop
    first = order(oms, "W-1", {"TEE-M": 2, "MUG-01": 1})
    second = order(oms, "W-2", {"TEE-M": 1})
    order(oms, "W-3", {"MUG-01": 1}, email="someone@example.com")
    oms.orders.capture_payment(first.id)
    oms.orders.refund(first.id, "5.00", reason="goodwill: late")
    oms.orders.capture_payment(second.id)
    oms.orders.cancel_lines(second.id, {"L1": 1}, reason="changed mind")  # refunds 20 EUR
    assert any(getattr(e, "reference", "") == second.id and type(e).__name__ ==
               "PaymentRefunded" for e in seen)  # fmt: skip
    refunds = crm.refunds_from_events(seen)
    assert refunds == {first.id: Money("5.00", "EUR")}  # the cancellation is not a refund
    orders = oms.orders.list(customer="dana@example.com").items
    doc = crm.customer_360("dana@example.com", orders, as_of=AT, refunds=refunds)
    assert doc["schema"] == "omskit.customer360/1"
    assert set(doc) == set(crm.CUSTOMER_360_SCHEMA["required"])
    assert [o["external_id"] for o in doc["orders"]] == ["W-1", "W-2"]
    (eur,) = doc["totals"]
    gross = sum(Decimal(o["total"]["amount"]) for o in doc["orders"])
    assert Decimal(eur["gross"]["amount"]) == gross == oms.orders.get(first.id).total.gross.amount
    assert eur["refunded"] == {"amount": "5.00", "currency": "EUR"}
    assert Decimal(eur["lifetime_value"]["amount"]) == gross - 5
    assert (eur["orders"], eur["units"]) == (2, 3)
    assert doc["return_rate"] == "0.0000"
    json.dumps(doc)  # JSON-ready as it is


def test_customer_360_refuses_other_peoples_orders_and_stray_refunds(
    shop: tuple[OMS, list[Event]],
) -> None:
    oms, _ = shop
    mine = order(oms, "W-1", {"TEE-M": 1})
    theirs = order(oms, "W-2", {"TEE-M": 1}, email="other@example.com")
    with pytest.raises(ValidationError) as err:
        crm.customer_360("dana@example.com", [mine, theirs], as_of=AT)
    assert err.value.field == f"orders.{theirs.id}"
    with pytest.raises(ValidationError) as err:
        crm.customer_360("dana@example.com", [mine], as_of=AT,
                         refunds={"ord_nope": Money("1.00", "EUR")})  # fmt: skip
    assert err.value.field == "refunds"
    empty = crm.customer_360("new@example.com", [], as_of=AT)
    assert (empty["orders"], empty["totals"], empty["first_order_at"]) == ([], [], None)


def test_event_feed_is_json_lines_of_the_broker_envelope(shop: tuple[OMS, list[Event]]) -> None:
    oms, seen = shop
    placed = order(oms, "W-1", {"TEE-M": 1})
    lines = list(crm.event_feed(seen, types={"OrderCaptured"}))
    assert len(lines) == 1
    assert lines[0].endswith("\n")
    doc = json.loads(lines[0])
    assert set(doc) == set(ENVELOPE_SCHEMA["required"])
    assert doc["aggregate"] == {"type": "order", "id": placed.id}
    assert len(list(crm.event_feed(seen))) == len(seen)
