"""The location's work on a fulfillment order: accept, reject and confirm picks.

Every function runs inside the caller's unit of work, so a failure anywhere leaves no
fulfillment order, reservation or order change behind.
"""

from __future__ import annotations

from collections.abc import Mapping

from omskit.errors import InvalidTransition, NotFound, ValidationError
from omskit.events import current_actor
from omskit.fulfillment.errors import OverConfirmation
from omskit.fulfillment.events import (
    FulfillmentOrderAccepted,
    FulfillmentOrderCancelled,
    FulfillmentOrderRejected,
    ItemsPicked,
)
from omskit.fulfillment.model import FULFILLMENT_ORDERS, FulfillmentOrder
from omskit.fulfillment.ports import FulfillmentContext
from omskit.fulfillment.release import claim_order, release_units_in, reroute_in
from omskit.orders.lifecycle import require_action
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_actor, check_mapping, check_quantity, check_text

__all__ = ["accept_in", "cancel_in", "confirm_pick_in", "reject_in"]


def _order(uow: UnitOfWork, order_id: str) -> Order:
    return uow.repo(ORDERS).get(order_id)


def _load(uow: UnitOfWork, fo_id: str) -> FulfillmentOrder:
    return uow.repo(FULFILLMENT_ORDERS).get(fo_id)


def accept_in(ctx: FulfillmentContext, uow: UnitOfWork, fo_id: str) -> FulfillmentOrder:
    """The location takes the work (a held order's work waits until the hold is lifted).

    Released units already count as in fulfillment on the order (see ``release``);
    units that do not yet (released before they did) are counted now.
    """
    fo = _load(uow, fo_id)
    fo.require("accept")
    order = claim_order(uow, fo.order_id)
    require_action(f"order {order.id}", order.status, "start_fulfillment")
    started: dict[str, int] = {}
    for x in fo.lines:
        line = order.line(x.line_ref)
        room = line.allocated - line.shipped - line.in_fulfillment
        if min(room, x.quantity) > 0:
            started[x.line_ref] = min(room, x.quantity)
    if started:
        ctx.orders.record_fulfillment_started_in(uow, order.id, started)
    fo.status = "accepted"
    now = ctx.clock.now()
    fo.note(now, "accepted", actor=current_actor())
    fo.record(
        FulfillmentOrderAccepted(
            fulfillment_order_id=fo.id, order_id=fo.order_id, location=fo.location
        )
    )
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    return fo


def reject_in(
    ctx: FulfillmentContext, uow: UnitOfWork, fo_id: str, reason: str
) -> tuple[FulfillmentOrder, list[FulfillmentOrder]]:
    """The location refuses the work: give its stock back and route the units elsewhere."""
    reason = check_text(reason, "reason", max_length=500)
    fo = _load(uow, fo_id)
    fo.require("reject")
    units = fo.open_units
    started = True  # released units count as in fulfillment (see release._start)
    release_units_in(ctx, uow, fo, units, f"rejected by {fo.location}: {reason}")
    fo.status = "rejected"
    fo.reason = reason
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    order = _order(uow, fo.order_id)
    created, missing = reroute_in(
        ctx,
        uow,
        order,
        units,
        exclude={fo.location},
        why=f"{fo.location} rejected: {reason}",
        started=started,
    )
    fo.note(ctx.clock.now(), "rejected", reason, actor=current_actor())
    fo.record(
        FulfillmentOrderRejected(
            fulfillment_order_id=fo.id,
            order_id=fo.order_id,
            location=fo.location,
            reason=reason,
            rerouted_to=tuple(f.location for f in created),
            backordered=tuple(missing.items()),
        )
    )
    return fo, created


def cancel_in(
    ctx: FulfillmentContext, uow: UnitOfWork, fo_id: str, reason: str, actor: str
) -> FulfillmentOrder:
    """Withdraw the work from the location before picking is confirmed.

    The location's reservations are given back through inventory and the units become
    unallocated on the order (through orders), ready to be routed again or cancelled.

    Raises:
        InvalidTransition: picking was confirmed (or the work is closed); units already
            picked are shipped, or handed back by rejecting the work.
        ValidationError: an empty reason or actor.
    """
    reason = check_text(reason, "reason", max_length=500)
    actor = check_actor(actor)
    fo = _load(uow, fo_id)
    fo.require("cancel")
    if any(x.picked for x in fo.lines):
        raise InvalidTransition(
            f"fulfillment order {fo.id}", "partly picked", "cancel", ["released", "accepted"]
        )
    units = fo.open_units
    started = True  # released units count as in fulfillment (see release._start)
    why = f"fulfillment order {fo.id} cancelled: {reason}"
    fo.status = "cancelled"
    fo.reason = reason
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    release_units_in(ctx, uow, fo, units, why)
    if units:
        ctx.orders.record_deallocation_in(
            uow, fo.order_id, units, reason=why, started=started, actor=actor
        )
    fo.note(ctx.clock.now(), "cancelled", reason, actor=actor)
    fo.record(
        FulfillmentOrderCancelled(
            fulfillment_order_id=fo.id,
            order_id=fo.order_id,
            location=fo.location,
            reason=reason,
            actor=actor,
            lines=tuple(units.items()),
        )
    )
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    return fo


def confirm_pick_in(
    ctx: FulfillmentContext,
    uow: UnitOfWork,
    fo_id: str,
    picked: Mapping[str, int] | None = None,
    *,
    complete: bool = True,
) -> tuple[FulfillmentOrder, list[FulfillmentOrder]]:
    """Record what was picked; with ``complete``, what was not found is short.

    Lines not named in ``picked`` are picked in full (when ``complete``). Short units
    leave this location: the reservation is released, the phantom stock is written off,
    and the units are routed elsewhere or backordered.

    Raises:
        OverConfirmation: more units than are left to pick on a line.
        NotFound: a line this fulfillment order does not have.
    """
    fo = _load(uow, fo_id)
    fo.require("pick")
    if fo.kind == "dropship":
        raise InvalidTransition(
            f"fulfillment order {fo.id}", "dropship", "pick", ["ship", "pickup"]
        )
    if not any(x.to_pick for x in fo.lines):
        raise ValidationError("fulfillment_order", fo.id, "every unit is picked already")
    counts = _pick_counts(fo, picked, complete)
    short = _apply_picks(fo, counts, complete)
    now = ctx.clock.now()
    created = _move_short(ctx, uow, fo, short) if short else []
    if all(x.picked == 0 and x.to_pick == 0 for x in fo.lines):
        fo.status = "cancelled"
        fo.reason = "nothing could be picked"
    else:
        fo.settle()
    fo.note(
        now,
        "picked",
        ", ".join(f"{r} x{q}" for r, q in counts.items() if q)
        + (f"; short {', '.join(f'{r} x{q}' for r, q in short.items())}" if short else ""),
        actor=current_actor(),
    )
    fo.record(
        ItemsPicked(
            fulfillment_order_id=fo.id,
            order_id=fo.order_id,
            picked=tuple(counts.items()),
            short=tuple(short.items()),
        )
    )
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    return fo, created


def _apply_picks(fo: FulfillmentOrder, counts: Mapping[str, int], complete: bool) -> dict[str, int]:
    """Count the picked units on ``fo``'s lines; return what is short (when ``complete``)."""
    short: dict[str, int] = {}
    for x in fo.lines:
        got = counts.get(x.line_ref)
        if got is None:
            continue
        x.picked += got
        if complete and x.to_pick:
            short[x.line_ref] = x.to_pick
            x.short += x.to_pick
    return short


def _move_short(
    ctx: FulfillmentContext, uow: UnitOfWork, fo: FulfillmentOrder, short: Mapping[str, int]
) -> list[FulfillmentOrder]:
    """Short units leave the location: hold released, stock written off, routed elsewhere."""
    release_units_in(ctx, uow, fo, short, f"short pick at {fo.location}")
    _write_off(ctx, uow, fo, short)
    order = _order(uow, fo.order_id)
    created, _missing = reroute_in(
        ctx,
        uow,
        order,
        short,
        exclude={fo.location},
        why=f"short pick at {fo.location}",
        started=True,
    )
    return created


def _pick_counts(
    fo: FulfillmentOrder, picked: Mapping[str, int] | None, complete: bool
) -> dict[str, int]:
    counts: dict[str, int] = {}
    if picked is not None:
        for ref, raw in check_mapping(picked, "picked").items():
            line = fo.line(ref)
            if line is None:
                known = ", ".join(x.line_ref for x in fo.lines)
                raise NotFound("line", ref, f"fulfillment order {fo.id} has lines {known}")
            qty = check_quantity(raw, f"picked.{ref}", minimum=0)
            if qty > line.to_pick:
                raise OverConfirmation(
                    f"picked.{ref}", line.sku, qty, line.to_pick, "are left to pick on this line"
                )
            counts[ref] = qty
    if complete:
        for x in fo.lines:
            counts.setdefault(x.line_ref, x.to_pick)
    return counts


def _write_off(
    ctx: FulfillmentContext, uow: UnitOfWork, fo: FulfillmentOrder, short: Mapping[str, int]
) -> None:
    """Correct on-hand stock for units the shelf did not have (as far as it is free)."""
    skus = {x.line_ref: x.sku for x in fo.lines}
    per_sku: dict[str, int] = {}
    for ref, qty in short.items():
        per_sku[skus[ref]] = per_sku.get(skus[ref], 0) + qty
    inventory = ctx.inventory
    for sku, qty in per_sku.items():
        level = inventory.level_in(uow, sku, fo.location)
        free = level.on_hand - max(level.reserved, 0) - level.quarantined
        if min(qty, free) > 0:
            inventory.adjust_in(
                uow,
                sku,
                location=fo.location,
                delta=-min(qty, free),
                reason=f"short pick for {fo.id}",
                actor=current_actor(),
                reference=fo.id,
            )
