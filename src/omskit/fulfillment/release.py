"""Release: turn an order's reserved units into fulfillment orders, and route them again.

Every function runs inside the caller's unit of work, so a failure anywhere leaves no
fulfillment order, reservation or order change behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from omskit.errors import InvalidTransition, ValidationError
from omskit.events import current_actor
from omskit.fulfillment.events import (
    DropshipOrderSent,
    FulfillmentOrderReleased,
)
from omskit.fulfillment.model import FULFILLMENT_ORDERS, FOLine, FulfillmentOrder
from omskit.fulfillment.ports import FulfillmentContext
from omskit.inventory.locations import LOCATIONS
from omskit.inventory.reservations import Allocation
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS
from omskit.routing.model import SourcingLine, SourcingRequest
from omskit.storage.ports import UnitOfWork

__all__ = [
    "claim_order",
    "create_orders_in",
    "live_orders",
    "move_to_store_in",
    "release_in",
    "release_units_in",
    "reroute_in",
]

_CLOSED = frozenset({"rejected", "cancelled", "expired"})
_RELEASABLE = (
    "placed",
    "approved",
    "backordered",
    "partially_allocated",
    "allocated",
    "in_fulfillment",
    "partially_shipped",
)


def live_orders(uow: UnitOfWork, order_id: str) -> list[FulfillmentOrder]:
    """The order's fulfillment orders that still hold stock (not rejected or expired)."""
    found = uow.repo(FULFILLMENT_ORDERS).list_by("order", order_id)
    return [f for f in found if f.status not in _CLOSED]


def _order(uow: UnitOfWork, order_id: str) -> Order:
    return uow.repo(ORDERS).get(order_id)


def claim_order(uow: UnitOfWork, order_id: str) -> Order:
    """Load the order a use case decides on, and mark it written (its version moves on).

    Two use cases that decide on one order (a release and a cancel, say) must conflict
    even when only one of them changes the order itself: each read what the other is
    about to change (the cancel sees no fulfillment order yet, the release sees an order
    not cancelled). Writing the order makes the optimistic version check of every backend
    serialise them: the later commit fails with ``ConcurrencyConflict``, is run again and
    then sees what the other did.
    """
    orders = uow.repo(ORDERS)
    order = orders.get(order_id)
    orders.save(order)
    return order


def release_in(
    ctx: FulfillmentContext,
    uow: UnitOfWork,
    order_id: str,
    *,
    allocate: bool = True,
    strategy: str | None = None,
    pickup_location: str | None = None,
) -> list[FulfillmentOrder]:
    """Hand the order's reserved units to their locations, one fulfillment order each.

    With ``allocate``, units not yet allocated are planned, reserved and recorded first
    (what cannot be sourced is backordered). With ``pickup_location``, everything moves
    to that store for click & collect.
    """
    order = claim_order(uow, order_id)
    if order.on_hold or order.status not in _RELEASABLE:
        state = "on_hold" if order.on_hold else order.status
        raise InvalidTransition(f"order {order.id}", state, "release to fulfillment", _RELEASABLE)
    if pickup_location is not None:
        move_to_store_in(ctx, uow, order, pickup_location)
    elif allocate:
        _allocate_rest(ctx, uow, order, strategy)
    held: dict[tuple[str, str], int] = {}
    for fo in live_orders(uow, order.id):
        for ref, qty in fo.open_units.items():
            held[(fo.location, ref)] = held.get((fo.location, ref), 0) + qty
    wanted: dict[str, list[FOLine]] = {}
    for r in ctx.inventory.reservations_in(uow, order.id):
        free = r.quantity - held.get((r.location, r.line_ref), 0)
        if free > 0:
            held[(r.location, r.line_ref)] = held.get((r.location, r.line_ref), 0) + free
            wanted.setdefault(r.location, []).append(FOLine(r.line_ref, r.sku, free))
    kinds = {loc: ("pickup" if loc == pickup_location else "ship") for loc in wanted}
    return create_orders_in(ctx, uow, order, wanted, kinds)


def create_orders_in(
    ctx: FulfillmentContext,
    uow: UnitOfWork,
    order: Order,
    wanted: Mapping[str, list[FOLine]],
    kinds: Mapping[str, str] | None = None,
) -> list[FulfillmentOrder]:
    """New fulfillment orders for ``wanted`` lines per location (suppliers get a PO).

    The order is written too (see ``claim_order``) whenever work is created for it.
    """
    if wanted:
        uow.repo(ORDERS).save(order)
    now = ctx.clock.now()
    created = []
    repo = uow.repo(FULFILLMENT_ORDERS)
    for location, lines in wanted.items():
        site = uow.repo(LOCATIONS).get(location)
        kind = "dropship" if site.kind == "supplier" else (kinds or {}).get(location, "ship")
        fo = FulfillmentOrder(
            id=ctx.ids.new_id("fo"),
            order_id=order.id,
            location=location,
            kind=kind,
            lines=lines,
            created_at=now,
        )
        listed = tuple((x.line_ref, x.sku, x.quantity) for x in lines)
        fo.record(
            FulfillmentOrderReleased(
                fulfillment_order_id=fo.id,
                order_id=order.id,
                location=location,
                kind=kind,
                lines=listed,
            )
        )
        fo.note(
            now,
            "released",
            f"{sum(x.quantity for x in lines)} unit(s) to {location}",
            actor=current_actor(),
        )
        if kind == "dropship":
            _send_to_supplier(fo, now, listed)
        repo.add(fo)
        created.append(fo)
    _start(ctx, uow, order, created)
    return created


def _send_to_supplier(
    fo: FulfillmentOrder, now: dt.datetime, listed: tuple[tuple[str, str, int], ...]
) -> None:
    """A supplier's work is a purchase order, sent at once."""
    fo.status = "sent_to_supplier"
    fo.po_number = f"PO-{fo.id}"
    fo.record(
        DropshipOrderSent(
            fulfillment_order_id=fo.id,
            order_id=fo.order_id,
            supplier=fo.location,
            po_number=fo.po_number,
            lines=listed,
        )
    )
    fo.note(now, "purchase_order_sent", fo.po_number, actor=current_actor())


def _start(
    ctx: FulfillmentContext, uow: UnitOfWork, order: Order, created: list[FulfillmentOrder]
) -> None:
    """Count the units just released to locations as in fulfillment on the order.

    Units rerouted from another location are already counted; only the rest is added.
    """
    released: dict[str, int] = {}
    for fo in created:
        for x in fo.lines:
            released[x.line_ref] = released.get(x.line_ref, 0) + x.quantity
    started = {}
    for ref, qty in released.items():
        line = order.line(ref)
        room = min(qty, line.allocated - line.shipped - line.in_fulfillment)
        if room > 0:
            started[ref] = room
    if started:
        ctx.orders.record_fulfillment_started_in(uow, order.id, started)


def _allocate_rest(
    ctx: FulfillmentContext, uow: UnitOfWork, order: Order, strategy: str | None
) -> None:
    if not any(x.active > x.allocated for x in order.lines):
        return
    # units on top of what the order holds: its holds are spoken for
    request = attrs.evolve(ctx.orders.sourcing_request(order), count_own_holds=False)
    plan = ctx.routing.plan_in(uow, request, strategy)
    _reserve(ctx, uow, order, plan.allocations)
    _backorder(
        ctx, uow, order, {s.line_ref: s.quantity for s in plan.unfulfilled}, "no location has stock"
    )


def _reserve(
    ctx: FulfillmentContext,
    uow: UnitOfWork,
    order: Order,
    allocations: Iterable[Allocation],
    *,
    record: bool = True,
) -> None:
    found = tuple(allocations)
    if not found:
        return
    ctx.inventory.reserve_in(uow, reference=order.id, allocations=found, actor=current_actor())
    if record:
        per_line: dict[str, int] = {}
        for a in found:
            per_line[a.line_ref] = per_line.get(a.line_ref, 0) + a.quantity
        ctx.orders.record_allocation_in(uow, order.id, per_line)


def _backorder(
    ctx: FulfillmentContext, uow: UnitOfWork, order: Order, units: Mapping[str, int], why: str
) -> dict[str, int]:
    """Record ``units`` (never allocated) as backordered on the order."""
    wanted: dict[str, int] = {}
    for ref, qty in units.items():
        line = order.line(ref)
        room = line.active - line.allocated - line.backordered
        if min(qty, room) > 0:
            wanted[ref] = min(qty, room)
    if wanted:
        ctx.orders.record_backorder_in(uow, order.id, wanted, why)
    return wanted


def reroute_in(
    ctx: FulfillmentContext,
    uow: UnitOfWork,
    order: Order,
    units: Mapping[str, int],
    *,
    exclude: Iterable[str],
    why: str,
    started: bool,
) -> tuple[list[FulfillmentOrder], dict[str, int]]:
    """Source ``units`` (already released at their old location) elsewhere.

    What no other location can take is deallocated and backordered on the order
    (``started``: the old location had accepted the units, so they leave fulfillment).
    Returns the new fulfillment orders and what had to be backordered instead.
    """
    wanted = {ref: q for ref, q in units.items() if q > 0}
    if not wanted:
        return [], {}
    skus = {x.id: x.sku for x in order.lines}
    rejected = {
        f.location
        for f in uow.repo(FULFILLMENT_ORDERS).list_by("order", order.id)
        if f.status == "rejected"
    }
    request = SourcingRequest(
        reference=order.id,
        lines=tuple(SourcingLine(ref, skus[ref], q) for ref, q in wanted.items()),
        ship_to=order.ship_to,
        exclude=frozenset(exclude) | rejected,
        channel=order.channel,
        count_own_holds=False,  # new units, on top of what the order still holds
    )
    plan = ctx.routing.plan_in(uow, request, None)
    _reserve(ctx, uow, order, plan.allocations, record=False)
    lines: dict[str, list[FOLine]] = {}
    for a in plan.allocations:
        lines.setdefault(a.location, []).append(FOLine(a.line_ref, a.sku, a.quantity))
    created = create_orders_in(ctx, uow, order, lines)
    missing: dict[str, int] = {}
    for s in plan.unfulfilled:
        missing[s.line_ref] = missing.get(s.line_ref, 0) + s.quantity
    if missing:
        ctx.orders.record_deallocation_in(
            uow, order.id, missing, reason=why, backorder=True, started=started
        )
    return created, missing


def move_to_store_in(ctx: FulfillmentContext, uow: UnitOfWork, order: Order, store: str) -> None:
    """Hold every unshipped unit of ``order`` at ``store`` for click & collect.

    Raises:
        ValidationError: the location does not offer click & collect.
        InvalidTransition: work for the order was already released.
        InsufficientStock: the store does not have it all (nothing changes).
    """
    site = uow.repo(LOCATIONS).get(store)
    if not site.capabilities.click_and_collect:
        raise ValidationError(
            "pickup_location", store, "choose a location that offers click & collect"
        )
    if live_orders(uow, order.id):
        raise InvalidTransition(
            f"order {order.id}",
            "released to fulfillment",
            "switch to click & collect",
            ["not yet released"],
        )
    if any(r.quantity for r in ctx.inventory.reservations_in(uow, order.id)):
        ctx.inventory.release_in(uow, reference=order.id, reason=f"click & collect at {store}")
    wanted = [
        Allocation(store, x.sku, x.active - x.shipped, x.id)
        for x in order.lines
        if x.active > x.shipped
    ]
    new_units = {x.id: x.active - x.allocated for x in order.lines if x.active > x.allocated}
    ctx.inventory.reserve_in(uow, reference=order.id, allocations=wanted, actor=current_actor())
    if new_units:
        ctx.orders.record_allocation_in(uow, order.id, new_units)


def release_units_in(
    ctx: FulfillmentContext,
    uow: UnitOfWork,
    fo: FulfillmentOrder,
    units: Mapping[str, int],
    why: str,
) -> None:
    """Give back ``units`` per line that ``fo``'s location holds for the order.

    Only the holds at ``fo``'s location are touched; a line split over several locations
    keeps its other holds. At most what the location still holds is released.
    """
    inventory = ctx.inventory
    here: dict[str, int] = {}
    for r in inventory.reservations_in(uow, fo.order_id):
        if r.location == fo.location and r.quantity > 0:
            here[r.line_ref] = here.get(r.line_ref, 0) + r.quantity
    for ref, qty in units.items():
        take = min(qty, here.get(ref, 0))
        if take > 0:
            inventory.release_in(uow, reference=fo.order_id, line_ref=ref, quantity=take,
                                 location=fo.location, reason=why)  # fmt: skip
