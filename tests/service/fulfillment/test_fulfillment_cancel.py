"""The orders <-> fulfillment seam: cancelling released work, and units given back.

Units released to a location belong to its fulfillment order until it is cancelled,
rejected or shipped: the orders API refuses to cancel or edit them, and
``oms.fulfillment.cancel`` (before picking) hands them back to the order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import InvalidTransition, NotFound, ValidationError
from omskit.events import Event
from omskit.fulfillment import FulfillmentOrderCancelled
from omskit.orders import OrderDeallocated, UnitsInFulfillment
from omskit.testing import FakeClock

Capture = Callable[..., Any]


def state(oms: OMS, order_id: str) -> tuple[Any, ...]:
    """Order, fulfillment orders, reservations, stock and payment: all a refusal keeps."""
    order = oms.orders.get(order_id)
    return (
        order.version,
        order.status,
        repr(order.lines),
        len(order.history),
        [(f.id, f.status, repr(f.lines), f.version) for f in oms.fulfillment.for_order(order_id)],
        [
            (r.location, r.line_ref, r.quantity, r.released)
            for r in oms.inventory.reservations(order_id)
        ],
        [
            (oms.inventory.level(s, loc).on_hand, oms.inventory.level(s, loc).reserved)
            for s in ("TEE-M", "MUG-01")
            for loc in ("BER", "MUC", "HH-STORE")
        ],
    )


def recorder(oms: OMS) -> list[Event]:
    seen: list[Event] = []
    oms.events.subscribe("test-recorder", seen.append)
    return seen


def test_the_orders_api_refuses_to_cancel_units_released_to_a_location(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 3, "MUG-01": 1})
    (fo,) = world.fulfillment.release(order.id)
    before = state(world, order.id)
    with pytest.raises(UnitsInFulfillment) as info:
        world.orders.cancel_lines(order.id, {"L1": 2}, reason="customer call")
    error = info.value
    assert isinstance(error, InvalidTransition)
    assert error.order_id == order.id
    ((line,),) = [error.lines]
    assert (line.line_id, line.requested, line.free, line.held) == ("L1", 2, 0, 3)
    assert line.fulfillment_orders == ((fo.id, "BER"),)
    message = str(error)
    assert "line L1: 3 unit(s) in fulfillment order" in message
    assert f"oms.fulfillment.cancel('{fo.id}'" in message
    assert state(world, order.id) == before
    with pytest.raises(UnitsInFulfillment, match="cannot cancel order"):
        world.orders.cancel(order.id, reason="customer call")
    with pytest.raises(UnitsInFulfillment, match="cannot edit order"):
        world.orders.edit(order.id, {"quantities": {"L2": 2}}, reason="customer call")
    assert state(world, order.id) == before


def test_units_not_released_can_still_be_cancelled_while_the_rest_is_in_fulfillment(
    world: OMS, capture: Capture
) -> None:
    world.inventory.set_backorder_policy("TV-55", "backorder")
    order = capture({"TV-55": 5})  # only 3 TVs anywhere: 2 wait for stock
    (fo,) = world.fulfillment.release(order.id)
    line = world.orders.get(order.id).lines[0]
    assert (line.allocated, line.backordered) == (3, 2)
    after = world.orders.cancel_lines(order.id, {"L1": 2}, reason="no longer wanted")
    assert (after.lines[0].active, after.lines[0].allocated) == (3, 3)
    assert world.fulfillment.get(fo.id).lines[0].quantity == 3
    with pytest.raises(UnitsInFulfillment) as info:
        world.orders.cancel_lines(order.id, {"L1": 1}, reason="one more")
    assert (info.value.lines[0].free, info.value.lines[0].held) == (0, 3)


def test_cancelling_a_fulfillment_order_gives_the_units_back_to_the_order(
    world: OMS, capture: Capture
) -> None:
    seen = recorder(world)
    order = capture({"TEE-M": 3, "MUG-01": 1}, payment={"method": "tok_visa"})
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.accept(fo.id)
    assert world.orders.get(order.id).status == "in_fulfillment"
    cancelled = world.fulfillment.cancel(fo.id, reason="customer called", actor="cs:ana")
    assert (cancelled.status, cancelled.reason) == ("cancelled", "customer called")
    assert world.inventory.level("TEE-M", "BER").reserved == 0
    assert world.inventory.level("MUG-01", "BER").reserved == 0
    after = world.orders.get(order.id)
    assert after.status == "approved"
    assert [(x.allocated, x.in_fulfillment, x.backordered) for x in after.lines] == [
        (0, 0, 0),
        (0, 0, 0),
    ]
    entry = after.history[-1]
    assert (entry.action, entry.actor) == ("deallocated", "cs:ana")
    assert fo.id in entry.reason
    (event,) = [e for e in seen if isinstance(e, FulfillmentOrderCancelled)]
    assert (event.location, event.actor, event.lines) == ("BER", "cs:ana", (("L1", 3), ("L2", 1)))
    (back,) = [e for e in seen if isinstance(e, OrderDeallocated)]
    assert back.backordered is False
    # now the order's own API can cancel them, and the money follows
    done = world.orders.cancel(order.id, reason="customer called")
    assert done.status == "cancelled"
    assert world.payments.get(order.id).status == "voided"
    assert world.inventory.available("TEE-M", "BER") == 10


def test_cancelled_work_can_be_released_again_to_a_location(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 2})
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.cancel(fo.id, reason="wrong warehouse")
    partial = world.orders.cancel_lines(order.id, {"L1": 1}, reason="only one wanted")
    assert partial.lines[0].active == 1
    (again,) = world.fulfillment.release(order.id)
    assert (again.location, again.lines[0].quantity) == ("BER", 1)
    assert world.orders.get(order.id).status == "in_fulfillment"
    assert world.inventory.level("TEE-M", "BER").reserved == 1


def test_a_drop_ship_purchase_order_can_be_cancelled_before_the_supplier_ships(
    world: OMS, capture: Capture
) -> None:
    order = capture({"LAMP-DS": 1})
    (po,) = world.fulfillment.release(order.id)
    assert po.status == "sent_to_supplier"
    world.fulfillment.cancel(po.id, reason="customer cancelled")
    assert world.inventory.level("LAMP-DS", "SUP").reserved == 0
    assert world.orders.cancel(order.id, reason="customer cancelled").status == "cancelled"


def test_work_cannot_be_cancelled_once_picking_is_confirmed(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 2})
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.accept(fo.id)
    world.fulfillment.confirm_pick(fo.id, {"L1": 1}, complete=False)  # one in the tote
    before = state(world, order.id)
    with pytest.raises(InvalidTransition, match="partly picked"):
        world.fulfillment.cancel(fo.id, reason="too late?")
    world.fulfillment.confirm_pick(fo.id)
    with pytest.raises(InvalidTransition) as info:
        world.fulfillment.cancel(fo.id, reason="too late")
    assert info.value.state == "picked"
    assert set(info.value.allowed_from) == {"released", "accepted", "sent_to_supplier"}
    assert world.fulfillment.get(fo.id).status == "picked"
    assert state(world, order.id)[2] == before[2]  # the order's lines did not move


def test_cancelling_needs_a_reason_and_open_work(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 1})
    (fo,) = world.fulfillment.release(order.id)
    before = state(world, order.id)
    with pytest.raises(ValidationError, match="reason"):
        world.fulfillment.cancel(fo.id, reason="   ")
    with pytest.raises(NotFound):
        world.fulfillment.cancel("fo_nope", reason="typo")
    assert state(world, order.id) == before
    world.fulfillment.cancel(fo.id, reason="first")
    after = state(world, order.id)
    with pytest.raises(InvalidTransition, match="cancel"):
        world.fulfillment.cancel(fo.id, reason="twice")
    with pytest.raises(InvalidTransition):
        world.fulfillment.reject(fo.id, reason="after cancel")
    assert state(world, order.id) == after


def test_a_rejection_nowhere_else_can_take_is_recorded_through_the_orders_api(
    world: OMS, capture: Capture
) -> None:
    seen = recorder(world)
    order = capture({"SOFA": 1})
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.accept(fo.id)
    assert world.fulfillment.reject(fo.id, reason="forklift broken") == []
    after = world.orders.get(order.id)
    line = after.lines[0]
    assert (line.allocated, line.in_fulfillment, line.backordered) == (0, 0, 1)
    assert after.status == "backordered"
    entry = after.history[-1]
    assert (entry.action, entry.reason) == ("deallocated", "BER rejected: forklift broken")
    (event,) = [e for e in seen if isinstance(e, OrderDeallocated)]
    assert (event.lines, event.backordered) == ((("L1", 1),), True)
    # backordered units are not in fulfillment: the order may cancel them
    assert world.orders.cancel(order.id, reason="no sofa").status == "cancelled"


def test_a_short_pick_nowhere_else_can_take_is_backordered_through_the_orders_api(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TV-55": 2})
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.accept(fo.id)
    world.fulfillment.confirm_pick(fo.id, {"L1": 1})
    after = world.orders.get(order.id)
    line = after.lines[0]
    assert (line.allocated, line.in_fulfillment, line.backordered) == (1, 1, 1)
    assert [e.action for e in after.history][-1] == "deallocated"
    assert after.status == "in_fulfillment"


def test_an_expired_pickup_cancels_its_units_through_the_orders_api(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    order = capture({"MUG-01": 2}, payment={"method": "tok_visa"})
    (fo,) = world.fulfillment.release(order.id, pickup_location="HH-STORE")
    world.fulfillment.accept(fo.id)
    world.fulfillment.confirm_pick(fo.id)
    world.fulfillment.ready_for_pickup(fo.id)
    with pytest.raises(UnitsInFulfillment):  # waiting at the store: not the order's to cancel
        world.orders.cancel(order.id, reason="customer call")
    clock.advance(days=8)
    (expired,) = world.fulfillment.expire_pickups(actor="job:pickups")
    assert expired.status == "expired"
    after = world.orders.get(order.id)
    assert after.status == "cancelled"
    entry = after.history[-1]
    assert (entry.action, entry.actor) == ("lines_cancelled", "job:pickups")
    assert world.inventory.level("MUG-01", "HH-STORE").reserved == 0
    assert world.payments.get(order.id).status == "voided"


def test_work_for_a_held_order_can_be_withdrawn_and_the_order_then_cancelled(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 1})
    (fo,) = world.fulfillment.release(order.id)
    world.orders.hold(order.id, reason="fraud review")
    with pytest.raises(InvalidTransition, match="start_fulfillment"):
        world.fulfillment.accept(fo.id)  # a hold stops the location too
    with pytest.raises(UnitsInFulfillment):
        world.orders.cancel(order.id, reason="fraud confirmed")
    world.fulfillment.cancel(fo.id, reason="fraud confirmed")
    assert world.orders.get(order.id).status == "on_hold"
    assert world.orders.cancel(order.id, reason="fraud confirmed").status == "cancelled"
    assert world.inventory.level("TEE-M", "BER").reserved == 0
