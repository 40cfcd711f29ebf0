"""Fulfillment records, the timeline and queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from omskit.errors import InvalidTransition, ValidationError
from omskit.orders import OrderQuery


def test_an_order_moves_through_shipment_delivery_and_completion(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    with shop.runtime.transaction() as uow:
        shop.orders.record_fulfillment_started_in(uow, order.id, {"L1": 2, "L2": 1})
    assert shop.orders.get(order.id).status == "in_fulfillment"
    with shop.runtime.transaction() as uow:
        o = shop.orders.record_shipment_in(uow, order.id, {"L1": 1}, shipment_id="s1")
        assert o.status == "partially_shipped"
    with shop.runtime.transaction() as uow:
        shop.orders.record_shipment_in(uow, order.id, {"L1": 1, "L2": 1}, shipment_id="s2")
        shop.orders.record_shipment_in(uow, order.id, {"L1": 1, "L2": 1}, shipment_id="s2")
    assert shop.orders.get(order.id).status == "shipped"
    with shop.runtime.transaction() as uow:
        shop.orders.record_delivery_in(uow, order.id, {"L1": 2, "L2": 1}, shipment_id="s1")
    done = shop.orders.complete(order.id, actor="ops")
    assert done.status == "completed"
    assert [x.status for x in done.lines] == ["completed", "completed"]
    actions = [e.action for e in shop.orders.history(order.id)]
    assert actions.count("shipped") == 2  # the repeated shipment s2 changed nothing


def test_shipping_more_than_allocated_is_refused(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    with pytest.raises(ValidationError), shop.runtime.transaction() as uow:
        shop.orders.record_shipment_in(uow, order.id, {"L1": 3}, shipment_id="s1")
    assert shop.orders.get(order.id).version == order.version


def test_backorders_and_allocations_are_recorded(make: Any, order_payload: Any) -> None:
    oms = make({"inventory": {"reserve_on": "allocation"}})
    order = oms.orders.capture(order_payload())
    with oms.runtime.transaction() as uow:
        oms.orders.record_backorder_in(uow, order.id, {"L1": 2}, "supplier late")
    assert oms.orders.get(order.id).status == "backordered"
    with oms.runtime.transaction() as uow:
        oms.orders.record_allocation_in(uow, order.id, {"L1": 2, "L2": 1})
    after = oms.orders.get(order.id)
    assert after.status == "allocated"
    assert after.lines[0].backordered == 0


def test_delivering_before_shipping_is_an_invalid_transition(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    with pytest.raises(InvalidTransition) as info, shop.runtime.transaction() as uow:
        shop.orders.record_delivery_in(uow, order.id, {"L1": 1}, shipment_id="s1")
    assert "shipped" in info.value.allowed_from


def test_the_sourcing_request_names_the_unallocated_units(make: Any, order_payload: Any) -> None:
    oms = make({"inventory": {"reserve_on": "allocation"}})
    order = oms.orders.capture(order_payload())
    request = oms.orders.sourcing_request(order)
    assert request.reference == order.id
    assert [(x.line_ref, x.sku, x.quantity) for x in request.lines] == [
        ("L1", "TEE-M", 2), ("L2", "MUG-01", 1)]  # fmt: skip
    plan = oms.routing.plan(request)
    assert {a.line_ref for a in plan.allocations} == {"L1", "L2"}


def test_the_timeline_says_who_when_why_and_what(shop: Any, order_payload: Any,
                                                 clock: Any) -> None:  # fmt: skip
    order = shop.orders.capture(order_payload(), actor="connector:web")
    clock.advance(minutes=5)
    shop.orders.hold(order.id, reason="address check", actor="ops:kim")
    history = shop.orders.history(order.id)
    assert [(e.actor, e.action, e.status) for e in history] == [
        ("connector:web", "captured", "allocated"), ("ops:kim", "held", "on_hold")]  # fmt: skip
    assert history[1].at - history[0].at == dt.timedelta(minutes=5)
    assert "address check" in history[1].describe()


def test_queries_by_customer_status_channel_date_and_pages(
    shop: Any, order_payload: Any, clock: Any
) -> None:
    start = clock.now()
    ids = []
    for i in range(5):
        email = "dana@example.com" if i % 2 == 0 else "eli@example.com"
        channel = "web" if i < 3 else "amazon-de"
        ids.append(shop.orders.capture(order_payload(
            f"Q-{i}", channel=channel, customer={"email": email})).id)  # fmt: skip
        clock.advance(days=1)
    shop.orders.hold(ids[1], reason="check")
    assert [o.id for o in shop.orders.list(customer="DANA@example.com").items] == [
        ids[0], ids[2], ids[4]]  # fmt: skip
    assert [o.id for o in shop.orders.list(status="on_hold").items] == [ids[1]]
    assert [o.id for o in shop.orders.list(channel="amazon-de").items] == ids[3:]
    window = shop.orders.list(
        since=start + dt.timedelta(days=1), until=start + dt.timedelta(days=3)
    )
    assert [o.id for o in window.items] == ids[1:3]
    page = shop.orders.list(OrderQuery(offset=2, limit=2))
    assert ([o.id for o in page.items], page.total, page.has_more) == (ids[2:4], 5, True)
    found = shop.orders.list(channel="web", external_id="Q-1")
    assert [o.id for o in found.items] == [ids[1]]
    assert shop.orders.find_by_external("amazon-de", "Q-4").id == ids[4]


@pytest.mark.parametrize(
    "criteria",
    [{"status": "lost"}, {"external_id": 7}, {"limit": 0}, {"offset": -1},
     {"since": dt.datetime(2026, 1, 1)}],  # noqa: DTZ001 - a naive datetime is the bad input
)  # fmt: skip
def test_bad_query_criteria_are_refused(shop: Any, criteria: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        shop.orders.list(**criteria)
