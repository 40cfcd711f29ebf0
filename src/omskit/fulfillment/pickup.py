"""Click & collect: ready for pickup with a code, collected, or expired back to stock."""

from __future__ import annotations

from omskit.carriers.base import serial_for
from omskit.errors import InvalidTransition
from omskit.events import current_actor
from omskit.fulfillment.errors import PickupCodeMismatch
from omskit.fulfillment.events import PickupCollected, PickupExpired, ReadyForPickup
from omskit.fulfillment.model import FULFILLMENT_ORDERS, FulfillmentOrder
from omskit.fulfillment.ports import FulfillmentContext
from omskit.storage.ports import UnitOfWork

__all__ = ["collect_in", "expire_in", "ready_in"]


def _pickup(uow: UnitOfWork, fo_id: str, action: str) -> FulfillmentOrder:
    fo = uow.repo(FULFILLMENT_ORDERS).get(fo_id)
    if fo.kind != "pickup":
        raise InvalidTransition(f"fulfillment order {fo.id}", fo.kind, action, ["pickup"])
    fo.require(action)
    return fo


def ready_in(ctx: FulfillmentContext, uow: UnitOfWork, fo_id: str) -> FulfillmentOrder:
    """Everything is picked at the store: issue the pickup code and start the clock."""
    fo = _pickup(uow, fo_id, "ready_for_pickup")
    now = ctx.clock.now()
    fo.pickup_code = serial_for("pickup", fo.id, fo.order_id, digits=6)
    fo.pickup_expires_at = now + ctx.settings.pickup_window
    fo.status = "ready_for_pickup"
    fo.note(
        now,
        "ready_for_pickup",
        f"until {fo.pickup_expires_at:%Y-%m-%d %H:%M}",
        actor=current_actor(),
    )
    fo.record(
        ReadyForPickup(
            fulfillment_order_id=fo.id,
            order_id=fo.order_id,
            location=fo.location,
            pickup_code=fo.pickup_code,
            expires_at=fo.pickup_expires_at,
        )
    )
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    return fo


def collect_in(ctx: FulfillmentContext, uow: UnitOfWork, fo_id: str, code: str) -> FulfillmentOrder:
    """The customer shows ``code`` and takes the goods: shipped and delivered at once.

    Raises:
        PickupCodeMismatch: the code is wrong (nothing changes).
        InvalidTransition: not ready, or the pickup window has passed.
    """
    fo = _pickup(uow, fo_id, "collect")
    now = ctx.clock.now()
    if fo.pickup_expires_at is not None and now > fo.pickup_expires_at:
        raise InvalidTransition(
            f"fulfillment order {fo.id}",
            f"expired at {fo.pickup_expires_at:%Y-%m-%d %H:%M}",
            "collect",
            ["ready_for_pickup (within the pickup window)"],
        )
    if not isinstance(code, str) or code.strip() != fo.pickup_code:
        raise PickupCodeMismatch("pickup_code", code, "show the code from the pickup message")
    lines = {x.line_ref: x.picked for x in fo.lines if x.picked}
    for x in fo.lines:
        if x.picked:
            ctx.inventory.consume_in(
                uow,
                reference=fo.order_id,
                line_ref=x.line_ref,
                location=fo.location,
                quantity=x.picked,
                actor=current_actor(),
                sku=x.sku,
            )
            x.packed = x.shipped = x.picked
    orders = ctx.orders
    orders.record_shipment_in(uow, fo.order_id, lines, shipment_id=fo.id, actor=current_actor())
    orders.record_delivery_in(uow, fo.order_id, lines, shipment_id=fo.id, actor=current_actor())
    fo.status = "collected"
    fo.note(now, "collected", actor=current_actor())
    fo.record(
        PickupCollected(fulfillment_order_id=fo.id, order_id=fo.order_id, location=fo.location)
    )
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    return fo


def expire_in(ctx: FulfillmentContext, uow: UnitOfWork) -> list[FulfillmentOrder]:
    """Pickups nobody collected in time: cancel those units, their stock goes back."""
    now = ctx.clock.now()
    repo = uow.repo(FULFILLMENT_ORDERS)
    expired = []
    for fo in repo.list_by("status", "ready_for_pickup"):
        if fo.pickup_expires_at is None or fo.pickup_expires_at > now:
            continue
        units = fo.open_units
        # Closed first: the order only cancels units no live fulfillment order holds.
        fo.status = "expired"
        repo.save(fo)
        ctx.orders.cancel_lines_in(
            uow,
            fo.order_id,
            units,
            actor=current_actor(),
            reason=f"not collected at {fo.location} by {fo.pickup_expires_at:%Y-%m-%d}",
        )
        fo.note(now, "expired", "units returned to stock", actor=current_actor())
        fo.record(
            PickupExpired(
                fulfillment_order_id=fo.id,
                order_id=fo.order_id,
                location=fo.location,
                lines=tuple(units.items()),
            )
        )
        repo.save(fo)
        expired.append(fo)
    return expired
