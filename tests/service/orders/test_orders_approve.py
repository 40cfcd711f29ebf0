"""``orders.approve``: the reviewer's decision on an order the risk checks held."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS, InvalidTransition, ValidationError
from omskit.orders import OrderApproved
from omskit.testing import RecordingSubscriber

HELD = {"orders": {"risk": {"high_risk_countries": ["DE"]}}}  # +50: held, not rejected


def test_an_order_held_for_risk_review_is_approved_and_moves_on(
    make: Any, order_payload: Any
) -> None:
    seen = RecordingSubscriber()
    shop: OMS = make(HELD, [seen])
    held = shop.orders.capture(order_payload())
    assert held.status == "on_hold"
    assert held.hold_reason.startswith("risk review")
    approved = shop.orders.approve(held.id, actor="ops:kim", reason="called the customer")
    assert (approved.status, approved.on_hold, approved.approved) == ("allocated", False, True)
    entry = approved.history[-1]
    assert (entry.actor, entry.action, entry.reason) == ("ops:kim", "approved",
                                                          "called the customer")  # fmt: skip
    events = [e for e in seen.events if isinstance(e, OrderApproved)]
    assert [(e.order_id, e.actor) for e in events] == [(held.id, "ops:kim")]


def test_approve_refuses_a_hold_put_on_by_hand_and_points_to_release(
    shop: OMS, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    shop.orders.hold(order.id, reason="customer asked to wait")
    before = shop.orders.get(order.id)
    with pytest.raises(ValidationError) as info:
        shop.orders.approve(order.id)
    assert info.value.field == "order"
    assert "customer asked to wait" in str(info.value)
    assert "orders.release" in str(info.value)
    assert shop.orders.get(order.id).version == before.version


def test_approve_of_an_order_that_is_not_held_names_where_it_is_allowed(
    shop: OMS, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    with pytest.raises(InvalidTransition) as info:
        shop.orders.approve(order.id)
    assert info.value.state == "allocated"
    assert "on_hold" in info.value.allowed_from


def test_approve_refuses_a_blank_reason(make: Any, order_payload: Any) -> None:
    shop: OMS = make(HELD)
    held = shop.orders.capture(order_payload())
    with pytest.raises(ValidationError) as info:
        shop.orders.approve(held.id, reason="   ")
    assert info.value.field == "reason"
    assert shop.orders.get(held.id).on_hold
