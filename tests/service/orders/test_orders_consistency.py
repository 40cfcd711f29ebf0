"""Conventions across services, seen from an order: names, actors, errors, old names.

Old argument and attribute names keep working for a while and say so with a
``DeprecationWarning`` naming the new one; giving both names is an error.
"""

from __future__ import annotations

from typing import Any

import pytest

from omskit.errors import InvalidEmail, OmskitError, ValidationError
from omskit.events import Event
from omskit.orders import OrderQuery


def test_payment_calls_name_the_order_by_order_id(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    assert shop.payments.get(order.id).reference == order.id
    assert shop.payments.get(order_id=order.id).id == shop.payments.find(order.id).id
    txn = shop.payments.capture(order_id=order.id, actor="cs:ana")
    assert txn.kind == "capture"


def test_the_old_name_reference_still_works_and_warns(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    with pytest.warns(DeprecationWarning, match="'reference' is deprecated; call it 'order_id'"):
        payment = shop.payments.get(reference=order.id)
    assert payment.reference == order.id
    with pytest.warns(DeprecationWarning, match=r"payments\.void"):
        shop.payments.void(reference=order.id)
    assert shop.payments.get(order.id).status == "voided"


def test_giving_both_the_old_and_the_new_name_is_refused(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    with pytest.raises(ValidationError, match="give 'order_id' only"):
        shop.payments.capture(order.id, reference=order.id)
    with pytest.raises(ValidationError, match="order_id"):
        shop.payments.capture()
    assert shop.payments.get(order.id).status == "authorized"


def test_a_payment_call_records_its_actor_on_the_events(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload(), actor="connector:web")
    seen: list[Event] = []
    shop.events.subscribe("test", seen.append)
    shop.payments.capture(order.id, actor="cs:ana")
    assert [(e.event_type, e.actor) for e in seen if e.event_type == "PaymentCaptured"] == [
        ("PaymentCaptured", "cs:ana")
    ]


def test_capture_records_its_actor_on_every_event_it_records(shop: Any, order_payload: Any) -> None:
    seen: list[Event] = []
    shop.events.subscribe("test", seen.append)
    shop.orders.capture(order_payload(), actor="connector:web")
    assert {e.event_type for e in seen} >= {"OrderCaptured", "StockReserved", "PaymentAuthorized"}
    assert {e.actor for e in seen} == {"connector:web"}


def test_unknown_list_criteria_are_an_omskit_error_naming_the_known_ones(shop: Any) -> None:
    with pytest.raises(ValidationError) as info:
        shop.orders.list(custmer="dana@example.com")
    assert isinstance(info.value, OmskitError)
    assert not isinstance(info.value, TypeError)
    assert info.value.field == "custmer"
    assert "customer" in info.value.allowed
    assert "status" in info.value.allowed
    with pytest.raises(ValidationError, match="not both"):
        shop.orders.list(OrderQuery(status="placed"), channel="web")
    with pytest.raises(ValidationError, match="OrderQuery"):
        shop.orders.list({"status": "placed"})


def test_find_by_email_refuses_a_malformed_address_and_misses_an_unknown_one(
    shop: Any,
) -> None:
    with pytest.raises(InvalidEmail):
        shop.customers.find_by_email("dana(at)example.com")
    assert shop.customers.find_by_email("nobody@example.com") is None


def test_an_order_reads_in_fulfillment_once_its_units_are_released(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    assert order.status == "allocated"
    shop.fulfillment.release(order.id)
    released = shop.orders.get(order.id)
    assert released.status == "in_fulfillment"
    assert all(x.status == "in_fulfillment" for x in released.lines)
    held = shop.orders.hold(order.id, reason="address check")  # a hold is still possible
    assert held.status == "on_hold"
    assert shop.orders.release(order.id, reason="checked").status == "in_fulfillment"


def test_a_payment_refund_needs_a_reason_as_an_order_refund_does(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    shop.payments.capture(order.id)
    with pytest.warns(DeprecationWarning, match="without a reason is deprecated"):
        shop.payments.refund(order.id, "1.00")
    with pytest.raises(ValidationError, match="reason"):
        shop.payments.refund(order.id, "1.00", reason="  ")
    txn = shop.payments.refund(order.id, "1.00", reason="goodwill", actor="cs:ana")
    adjustment = shop.payments.get(order.id).adjustments[-1]
    assert (txn.kind, adjustment.reason, adjustment.actor) == ("refund", "goodwill", "cs:ana")
