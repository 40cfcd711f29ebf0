"""Drop-ship: the supplier's confirmation with tracking becomes the shipment."""

from __future__ import annotations

from omskit.carriers.model import Label
from omskit.catalog.model import PRODUCTS
from omskit.events import current_actor
from omskit.fulfillment.model import FULFILLMENT_ORDERS, Shipment, ShipmentParcel
from omskit.fulfillment.ports import FulfillmentContext
from omskit.fulfillment.release import claim_order
from omskit.fulfillment.shipping import add_shipment_in, hand_over_in, ship_from_in
from omskit.money import Money
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_text

__all__ = ["confirm_dropship_in"]


def confirm_dropship_in(
    ctx: FulfillmentContext,
    uow: UnitOfWork,
    fo_id: str,
    *,
    carrier: str,
    tracking_number: str,
    service: str,
) -> Shipment:
    """The supplier shipped the purchase order: register its label, ship the units."""
    fo = uow.repo(FULFILLMENT_ORDERS).get(fo_id)
    fo.require("confirm")
    number = check_text(tracking_number, "tracking_number", max_length=64)
    order = claim_order(uow, fo.order_id)
    now = ctx.clock.now()
    shipment_id = ctx.ids.new_id("shp")
    weight = sum(uow.repo(PRODUCTS).get(x.sku).weight_grams * x.quantity for x in fo.lines)
    lines = tuple((x.line_ref, x.quantity) for x in fo.lines)
    supplier = ship_from_in(uow, fo.location)
    label = Label(
        carrier=carrier,
        service=service,
        tracking_number=number,
        document=f"(label printed by supplier {fo.location} for {fo.po_number})",
        price=Money.zero(order.currency),
        created_at=now,
        ship_from=supplier,
        ship_to=order.ship_to,
        weight_grams=weight,
        reference=shipment_id,
    )
    ctx.carriers.register_label_in(uow, label, reference=shipment_id, owner="fulfillment")
    for x in fo.lines:
        x.picked = x.packed = x.quantity
    shipment = Shipment(
        id=shipment_id,
        order_id=fo.order_id,
        fulfillment_order_id=fo.id,
        location=fo.location,
        carrier=carrier,
        service=service,
        kind="dropship",
        created_at=now,
        parcels=[ShipmentParcel(number, "supplier", weight, lines)],
    )
    add_shipment_in(uow, shipment)
    fo.status = "confirmed"
    fo.note(now, "supplier_confirmed", f"{carrier} {number}", actor=current_actor())
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    hand_over_in(ctx, uow, shipment_id)
    return shipment
