"""The way back from a location: deallocation, and cancelling lines inside a transaction."""

from __future__ import annotations

from typing import Any

import pytest

from omskit.errors import InvalidQuantity, InvalidTransition, NotFound, ValidationError
from omskit.events import Event
from omskit.orders import OrderDeallocated, OrderLinesCancelled


def state(oms: Any, order_id: str) -> tuple[Any, ...]:
    """Everything a refused call must leave as it was."""
    order = oms.orders.get(order_id)
    return (
        order.version,
        order.status,
        repr(order.lines),
        len(order.history),
        [(r.location, r.quantity, r.released) for r in oms.inventory.reservations(order_id)],
        oms.payments.get(order_id).status,
    )


def recorder(oms: Any) -> list[Event]:
    seen: list[Event] = []
    oms.events.subscribe("test-recorder", seen.append)
    return seen


def test_deallocated_units_become_backordered_with_a_timeline_entry_and_an_event(
    shop: Any, order_payload: Any
) -> None:
    seen = recorder(shop)
    order = shop.orders.capture(order_payload())
    assert order.status == "allocated"
    with shop.runtime.transaction() as uow:
        shop.inventory.release_in(uow, reference=order.id, line_ref="L1", quantity=2)
        after = shop.orders.record_deallocation_in(
            uow, order.id, {"L1": 2}, reason="short pick at BER", backorder=True
        )
    assert after.status == "partially_allocated"
    line = shop.orders.get(order.id).lines[0]
    assert (line.allocated, line.backordered, line.status) == (0, 2, "backordered")
    entry = shop.orders.history(order.id)[-1]
    assert (entry.action, entry.actor, entry.reason) == (
        "deallocated",
        "fulfillment",
        "short pick at BER",
    )
    assert dict(entry.changes) == {"lines": "L1 x2", "backordered": "yes"}
    (event,) = [e for e in seen if isinstance(e, OrderDeallocated)]
    assert (event.lines, event.backordered, event.reason) == (
        (("L1", 2),),
        True,
        "short pick at BER",
    )


def test_deallocation_without_backorder_leaves_the_units_unallocated(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    with shop.runtime.transaction() as uow:
        shop.inventory.release_in(uow, reference=order.id)
        after = shop.orders.record_deallocation_in(
            uow, order.id, {"L1": 2, "L2": 1}, reason="fulfillment order cancelled"
        )
    assert after.status == "approved"
    assert [(x.allocated, x.backordered) for x in after.lines] == [(0, 0), (0, 0)]
    request = shop.orders.sourcing_request(after)
    assert [(x.line_ref, x.quantity) for x in request.lines] == [("L1", 2), ("L2", 1)]


def test_deallocating_units_being_picked_takes_them_out_of_fulfillment(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    with shop.runtime.transaction() as uow:
        shop.orders.record_fulfillment_started_in(uow, order.id, {"L1": 2, "L2": 1})
    assert shop.orders.get(order.id).status == "in_fulfillment"
    with shop.runtime.transaction() as uow:
        shop.orders.record_deallocation_in(
            uow, order.id, {"L1": 1}, reason="short pick", backorder=True, started=True
        )
    line = shop.orders.get(order.id).lines[0]
    assert (line.allocated, line.in_fulfillment, line.backordered) == (1, 1, 1)
    with shop.runtime.transaction() as uow:
        shop.orders.record_deallocation_in(
            uow, order.id, {"L1": 1, "L2": 1}, reason="work withdrawn", started=True
        )
    after = shop.orders.get(order.id)
    assert [(x.allocated, x.in_fulfillment) for x in after.lines] == [(0, 0), (0, 0)]
    assert after.status == "backordered"  # L1 still waits for one unit


def test_deallocating_more_than_is_allocated_and_unshipped_changes_nothing(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    with shop.runtime.transaction() as uow:
        shop.orders.record_shipment_in(uow, order.id, {"L1": 1}, shipment_id="s1")
    before = state(shop, order.id)
    with pytest.raises(InvalidQuantity) as info, shop.runtime.transaction() as uow:
        shop.orders.record_deallocation_in(uow, order.id, {"L1": 2}, reason="short pick")
    assert info.value.field == "lines.L1"
    assert info.value.value == 2
    assert "only 1 unit(s) of line L1 can be deallocated" in str(info.value)
    assert state(shop, order.id) == before


@pytest.mark.parametrize(
    ("quantities", "error", "text"),
    [
        ({}, ValidationError, "name at least one line"),
        ({"L9": 1}, NotFound, "L9"),
        ({"L1": 0}, InvalidQuantity, "positive"),
        ({"L1": 1.0}, ValidationError, "whole number"),
        ({"L1": "1"}, InvalidQuantity, "whole number"),
    ],
)
def test_bad_deallocation_quantities_are_refused_and_change_nothing(
    shop: Any, order_payload: Any, quantities: Any, error: type[Exception], text: str
) -> None:
    order = shop.orders.capture(order_payload())
    before = state(shop, order.id)
    with pytest.raises(error, match=text), shop.runtime.transaction() as uow:
        shop.orders.record_deallocation_in(uow, order.id, quantities, reason="short pick")
    assert state(shop, order.id) == before


def test_a_deallocation_needs_a_reason_and_a_status_that_has_allocated_units(
    make: Any, order_payload: Any
) -> None:
    oms = make({"inventory": {"reserve_on": "allocation"}})
    order = oms.orders.capture(order_payload())  # nothing reserved: approved
    with pytest.raises(InvalidTransition) as info, oms.runtime.transaction() as uow:
        oms.orders.record_deallocation_in(uow, order.id, {"L1": 1}, reason="short pick")
    assert info.value.action == "deallocate"
    assert "allocated" in info.value.allowed_from
    with pytest.raises(ValidationError, match="reason"), oms.runtime.transaction() as uow:
        oms.orders.record_deallocation_in(uow, order.id, {"L1": 1}, reason="  ")
    assert oms.orders.get(order.id).version == order.version


def test_a_held_order_can_still_take_back_units_a_location_gives_up(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    shop.orders.hold(order.id, reason="address check")
    with shop.runtime.transaction() as uow:
        shop.inventory.release_in(uow, reference=order.id, line_ref="L2")
        shop.orders.record_deallocation_in(
            uow, order.id, {"L2": 1}, reason="rejected", backorder=True
        )
    after = shop.orders.get(order.id)
    assert (after.status, after.lines[1].backordered) == ("on_hold", 1)
    assert shop.orders.release(after.id, reason="checked").status == "partially_allocated"


def test_cancel_lines_in_runs_inside_the_callers_transaction(shop: Any, order_payload: Any) -> None:
    seen = recorder(shop)
    order = shop.orders.capture(order_payload())
    with shop.runtime.transaction() as uow:
        changed = shop.orders.cancel_lines_in(
            uow, order.id, {"L1": 1}, reason="not collected", actor="fulfillment"
        )
        assert changed.lines[0].cancelled == 1
        assert not [e for e in seen if isinstance(e, OrderLinesCancelled)]  # not yet committed
    after = shop.orders.get(order.id)
    assert (after.lines[0].cancelled, after.lines[0].allocated) == (1, 1)
    assert shop.inventory.available("TEE-M") == 50 - 1
    assert shop.orders.history(order.id)[-1].actor == "fulfillment"
    (event,) = [e for e in seen if isinstance(e, OrderLinesCancelled)]
    assert event.lines == (("L1", 1),)


def test_a_failed_cancel_lines_in_rolls_back_with_the_callers_transaction(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    before = state(shop, order.id)

    def cancel_twice() -> None:
        with shop.runtime.transaction() as uow:
            shop.orders.cancel_lines_in(uow, order.id, {"L1": 1}, reason="first")
            shop.orders.cancel_lines_in(uow, order.id, {"L1": 2}, reason="second: too many")

    with pytest.raises(ValidationError) as info:
        cancel_twice()
    assert (info.value.field, info.value.value) == ("lines.L1", 2)
    assert "at most 1" in str(info.value)
    assert state(shop, order.id) == before
    with pytest.raises(ValidationError, match="reason"), shop.runtime.transaction() as uow:
        shop.orders.cancel_lines_in(uow, order.id, {"L1": 1}, reason="")
    assert state(shop, order.id) == before
