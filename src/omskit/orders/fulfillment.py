"""What fulfillment reports back to the order: allocations, picking, shipments, deliveries.

Also the way back: `record_deallocation` takes allocated units away from their
location again (a short pick, a rejection, a cancelled fulfillment order).

Each function works inside the caller's unit of work, checks the quantities against the
line (no more shipped than allocated, no more delivered than shipped), records a
timeline entry and an event, and leaves the order's status to follow from the lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from omskit.errors import InvalidQuantity
from omskit.orders.billing import capture_shipped
from omskit.orders.commands import ProblemReport
from omskit.orders.events import (
    OrderAllocated,
    OrderBackordered,
    OrderDeallocated,
    OrderDelivered,
    OrderFulfillmentStarted,
    OrderShipped,
)
from omskit.orders.lifecycle import require_action
from omskit.orders.model import Order, OrderLine
from omskit.orders.ports import OrderContext
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_quantity

__all__ = ["record_allocation", "record_backorder", "record_deallocation", "record_delivery",
           "record_shipment", "record_started"]  # fmt: skip

Room = Callable[[OrderLine], int]


def _quantities(order: Order, quantities: Mapping[str, int], room: Room,
                what: str) -> list[tuple[OrderLine, int]]:  # fmt: skip
    """Check ``{line_id: qty}``: known lines, whole positive numbers within ``room``."""
    report = ProblemReport()
    if not quantities:
        report.add("lines", f"name at least one line and quantity to {what}", {})
    found: list[tuple[OrderLine, int]] = []
    for line_id, raw in quantities.items():
        field = f"lines.{line_id}"
        try:
            line = order.line(line_id)
        except LookupError as exc:
            report.error(field, exc, str(exc), line_id)  # type: ignore[arg-type]
            continue
        qty = report.check(field, check_quantity, raw)
        if qty is None:
            continue
        if qty > room(line):
            allowed = f"only {room(line)} unit(s) of line {line_id} can be {what}"
            report.error(field, InvalidQuantity(field, raw, allowed), f"got {raw!r}; {allowed}",
                         raw)  # fmt: skip
        else:
            found.append((line, qty))
    report.raise_if_any()
    return found


def record_allocation(ctx: OrderContext, uow: UnitOfWork, order: Order, *,
                      quantities: Mapping[str, int], actor: str) -> None:  # fmt: skip
    """Units of lines were allocated (reserved at a location)."""
    require_action(f"order {order.id}", order.status, "allocate")
    found = _quantities(order, quantities, lambda x: x.active - x.allocated, "allocated")
    for line, qty in found:
        line.allocated += qty
        line.backordered = max(0, min(line.backordered - qty, line.active - line.allocated))
    done = tuple((x.id, q) for x, q in found)
    order.note(ctx.clock.now(), actor, "allocated", "",
               {"lines": ", ".join(f"{i} x{q}" for i, q in done)})  # fmt: skip
    order.record(OrderAllocated(order_id=order.id, lines=done))


def record_backorder(ctx: OrderContext, uow: UnitOfWork, order: Order, *,
                     quantities: Mapping[str, int], reason: str, actor: str) -> None:  # fmt: skip
    """Units of lines are waiting for stock."""
    require_action(f"order {order.id}", order.status, "backorder")
    found = _quantities(order, quantities, lambda x: x.active - x.allocated - x.backordered,
                        "backordered")  # fmt: skip
    for line, qty in found:
        line.backordered += qty
    done = tuple((x.id, q) for x, q in found)
    order.note(ctx.clock.now(), actor, "backordered", reason,
               {"lines": ", ".join(f"{i} x{q}" for i, q in done)})  # fmt: skip
    order.record(OrderBackordered(order_id=order.id, lines=done, reason=reason))


def record_deallocation(ctx: OrderContext, uow: UnitOfWork, order: Order, *,
                        quantities: Mapping[str, int], reason: str, actor: str,
                        backorder: bool, started: bool) -> None:  # fmt: skip
    """Allocated, unshipped units are no longer held at a location.

    With ``backorder`` they wait for stock (a short pick or a rejection nowhere else
    could take); otherwise they are simply unallocated again (a cancelled fulfillment
    order), ready to be routed or cancelled. ``started`` says the location had accepted
    them, so they also leave ``in_fulfillment``.
    """
    require_action(f"order {order.id}", order.status, "deallocate")
    found = _quantities(order, quantities, lambda x: x.allocated - x.shipped, "deallocated")
    for line, qty in found:
        line.allocated -= qty
        if started:
            line.in_fulfillment -= min(qty, line.in_fulfillment)
        line.in_fulfillment = min(line.in_fulfillment, line.allocated - line.shipped)
        if backorder:
            line.backordered += qty
        line.backordered = min(line.backordered, line.active - line.allocated)
    done = tuple((x.id, q) for x, q in found)
    changes = {"lines": ", ".join(f"{i} x{q}" for i, q in done)}
    if backorder:
        changes["backordered"] = "yes"
    order.note(ctx.clock.now(), actor, "deallocated", reason, changes)
    order.record(OrderDeallocated(order_id=order.id, lines=done, reason=reason, actor=actor,
                                  backordered=backorder))  # fmt: skip


def record_started(ctx: OrderContext, uow: UnitOfWork, order: Order, *,
                   quantities: Mapping[str, int], actor: str) -> None:  # fmt: skip
    """Picking started for allocated units."""
    require_action(f"order {order.id}", order.status, "start_fulfillment")
    found = _quantities(order, quantities,
                        lambda x: x.allocated - x.shipped - x.in_fulfillment, "picked")  # fmt: skip
    for line, qty in found:
        line.in_fulfillment += qty
    done = tuple((x.id, q) for x, q in found)
    order.note(ctx.clock.now(), actor, "fulfillment_started", "",
               {"lines": ", ".join(f"{i} x{q}" for i, q in done)})  # fmt: skip
    order.record(OrderFulfillmentStarted(order_id=order.id, lines=done))


def record_shipment(
    ctx: OrderContext,
    uow: UnitOfWork,
    order: Order,
    *,
    quantities: Mapping[str, int],
    shipment_id: str,
    actor: str,
) -> bool:
    """Allocated units left in shipment ``shipment_id``; a repeated id changes nothing.

    Returns ``False`` for a repeated shipment. With ``payments.capture == "shipment"``
    the value shipped is captured.
    """
    if order.shipments.get(shipment_id) == "shipped":
        return False
    require_action(f"order {order.id}", order.status, "ship")
    found = _quantities(order, quantities, lambda x: x.allocated - x.shipped, "shipped")
    for line, qty in found:
        line.shipped += qty
        line.in_fulfillment = max(0, line.in_fulfillment - qty)
    order.shipments[shipment_id] = "shipped"
    done = tuple((x.id, q) for x, q in found)
    order.note(ctx.clock.now(), actor, "shipped", f"shipment {shipment_id}",
               {"lines": ", ".join(f"{i} x{q}" for i, q in done)})  # fmt: skip
    order.record(OrderShipped(order_id=order.id, shipment_id=shipment_id, lines=done,
                              status=order.status))  # fmt: skip
    if ctx.payments.settings.capture == "shipment":
        capture_shipped(ctx, uow, order)
    return True


def record_delivery(
    ctx: OrderContext,
    uow: UnitOfWork,
    order: Order,
    *,
    quantities: Mapping[str, int],
    shipment_id: str,
    actor: str,
) -> bool:
    """Shipped units reached the customer; a repeated shipment id changes nothing."""
    if order.shipments.get(shipment_id) == "delivered":
        return False
    require_action(f"order {order.id}", order.status, "deliver")
    found = _quantities(order, quantities, lambda x: x.shipped - x.delivered, "delivered")
    now = ctx.clock.now()
    for line, qty in found:
        line.delivered += qty
        if qty:
            line.delivered_at = now
    order.shipments[shipment_id] = "delivered"
    done = tuple((x.id, q) for x, q in found)
    order.note(now, actor, "delivered", f"shipment {shipment_id}",
               {"lines": ", ".join(f"{i} x{q}" for i, q in done)})  # fmt: skip
    order.record(OrderDelivered(order_id=order.id, shipment_id=shipment_id, lines=done,
                                status=order.status))  # fmt: skip
    return True
