"""``orders.timeline``: one merged timeline of an order, from capture to its return.

The order's history, its payment, fulfillment at the location, the shipment's tracking
and the return, in time order, each entry with its time, source, kind, actor and text.
Support cases show the same entries (one implementation, in orders).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS, NotFound, ValidationError
from omskit.carriers import SandboxCarrier
from omskit.orders import TimelineEvent
from omskit.testing import FakeClock

from ...webhooks import deliver  # noqa: TID252 - the shared test helpers live in tests/

Capture = Callable[..., Any]


def delivered_and_returned(world: OMS, capture: Capture, clock: FakeClock) -> str:
    order = capture({"TEE-M": 2}, payment={"method": "tok_visa"})
    clock.advance(minutes=10)
    (fo,) = world.fulfillment.release(order.id, actor="ops:ana")
    clock.advance(minutes=10)
    world.fulfillment.accept(fo.id, actor="ber:kim")
    world.fulfillment.confirm_pick(fo.id, actor="ber:kim")
    world.fulfillment.pack(fo.id, actor="ber:lee")
    shipment = world.fulfillment.ship(fo.id, carrier="sandbox", service="standard",
                                      options={"scenario": "delivered"},
                                      actor="ber:lee")  # fmt: skip
    sandbox = world.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for number in shipment.tracking_numbers:
        for payload in sandbox.webhook_payloads(world.carriers.label(number).label):
            clock.advance(hours=6)
            deliver(world, "sandbox", payload)
    clock.advance(days=1)
    world.returns.request(order.id, {"L1": 1}, authorize=True, actor="dana@example.com")
    return order.id


def test_the_timeline_merges_order_payment_fulfillment_tracking_and_returns_in_time_order(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    order_id = delivered_and_returned(world, capture, clock)
    timeline = world.orders.timeline(order_id)
    entries = timeline.entries
    assert all(isinstance(e, TimelineEvent) for e in entries)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert timeline.sources() == ("order", "payment", "fulfillment", "shipment", "return")
    kinds = {(e.source, e.kind, e.actor) for e in entries}
    assert ("order", "captured", "system") in kinds
    assert ("payment", "authorize", "system") in kinds
    assert ("fulfillment", "released", "ops:ana") in kinds
    assert ("fulfillment", "accepted", "ber:kim") in kinds
    assert ("shipment", "label_purchased", "ber:lee") in kinds
    assert ("shipment", "delivered", "system") in kinds  # the webhook call's actor
    assert ("return", "request", "dana@example.com") in kinds
    assert all(e.text for e in entries)
    assert "accepted" in timeline.explain()
    order_only = [e for e in entries if e.source == "order"]
    assert len(order_only) == len(world.orders.history(order_id))


def test_support_shows_the_orders_merged_timeline(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    order_id = delivered_and_returned(world, capture, clock)
    case = world.support.open("Refund?", customer="dana@example.com", order_id=order_id)
    shared = world.orders.timeline(order_id).entries
    items = [i for i in world.support.timeline(case.id).items if i.source != "case"]
    merged = [(i.at, i.source) for i in items if i.source != "notification"]
    assert merged == [(e.at, e.source) for e in shared]


def test_a_host_source_joins_the_timeline(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 1})

    def calls(uow: Any, order_id: str) -> list[TimelineEvent]:
        at = world.clock.now()
        return [TimelineEvent(at, "crm", "call", "agent-7", f"called about {order_id}")]

    world.orders.add_timeline_source(calls)
    entries = world.orders.timeline(order.id).entries
    assert entries[-1].source == "crm"
    assert entries[-1].text == f"called about {order.id}"


def test_the_timeline_of_an_unknown_or_malformed_order_id_is_an_error(world: OMS) -> None:
    with pytest.raises(NotFound):
        world.orders.timeline("ord_999999")
    with pytest.raises(ValidationError) as info:
        world.orders.timeline("")
    assert info.value.field == "order_id"
    with pytest.raises(ValidationError) as info:
        world.orders.add_timeline_source("not callable")  # type: ignore[arg-type]
    assert info.value.field == "source"
