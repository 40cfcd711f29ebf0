"""Packing, labels, hand-over, tracking and drop-ship confirmations.

Tracking moves shipments through a listener the carrier service calls inside the
webhook's transaction; every effect is keyed to a fact that only ever becomes true
(a parcel left, every parcel arrived), so replays and reordering change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from omskit.carriers.model import Label, ParcelSpec, RateRequest, TrackingEvent, add_business_days
from omskit.carriers.purchases import LabelPurchase
from omskit.carriers.records import LabelRecord
from omskit.carriers.tracking import EXCEPTION_STATUSES, combine_statuses
from omskit.catalog.model import PRODUCTS
from omskit.customers.address import Address
from omskit.errors import InvalidTransition, NotFound, ValidationError
from omskit.events import current_actor
from omskit.fulfillment.errors import OverConfirmation
from omskit.fulfillment.events import (
    ItemsPacked,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentException,
    ShipmentStatusChanged,
)
from omskit.fulfillment.model import (
    FULFILLMENT_ORDERS,
    LOCATION_SETUPS,
    SHIPMENTS,
    FulfillmentOrder,
    LocationSetup,
    PackedBox,
    Shipment,
    ShipmentParcel,
)
from omskit.fulfillment.packing import PackingResult, PackItem, pack
from omskit.fulfillment.release import claim_order
from omskit.inventory.locations import LOCATIONS
from omskit.money import sum_money
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_mapping, check_quantity

if TYPE_CHECKING:
    from omskit.fulfillment.service import FulfillmentService

__all__ = [
    "add_shipment_in",
    "dispatch_in",
    "hand_over_in",
    "on_tracking",
    "pack_in",
    "setup_in",
    "ship_from_in",
    "ship_in",
]


def setup_in(uow: UnitOfWork, location: str) -> LocationSetup:
    """The location's setup (defaults when none was configured)."""
    return uow.repo(LOCATION_SETUPS).find(location) or LocationSetup(id=location)


def ship_from_in(uow: UnitOfWork, location: str) -> Address:
    """Where parcels from ``location`` start: its configured address, else a minimal one.

    Without
    [`configure_location`][omskit.fulfillment.service.FulfillmentService.configure_location], the
    address is what inventory knows of the location: its name (as the addressee), its country and
    its coordinates. No street or city is made up.
    """
    setup = setup_in(uow, location)
    if setup.address is not None:
        return setup.address
    site = uow.repo(LOCATIONS).get(location)
    return Address(country=site.country, name=site.name, point=site.point)


def pack_in(
    svc: FulfillmentService, uow: UnitOfWork, fo_id: str, quantities: Mapping[str, int] | None
) -> PackingResult:
    """Pack picked units (all of them, or ``quantities`` per line) into boxes.

    Raises:
        OverConfirmation: more units than are picked and unpacked on a line.
        ValidationError: nothing to pack.
        ItemTooLarge: an item fits no box of the location (nothing is packed).
    """
    fo = uow.repo(FULFILLMENT_ORDERS).get(fo_id)
    fo.require("pack")
    if fo.kind != "ship":
        raise InvalidTransition(f"fulfillment order {fo.id}", fo.kind, "pack", ["ship"])
    units = _units(fo, quantities)
    products = uow.repo(PRODUCTS)
    items: list[PackItem] = []
    for ref, qty in units.items():
        line = fo.line(ref)
        assert line is not None
        p = products.get(line.sku)
        items.extend(
            PackItem(line.sku, p.weight_grams, p.dimensions, p.ship_alone, ref, fo.id)
            for _ in range(qty)
        )
    result = pack(
        items, setup_in(uow, fo.location).boxes, fill_factor=svc.settings.packing_fill_factor
    )
    first = len(fo.boxes) + 1
    for n, parcel in enumerate(result.parcels, first):
        lines = tuple(sorted(parcel.line_quantities().items()))
        fo.boxes.append(PackedBox(n, parcel.box, parcel.weight_grams, lines))
    for ref, qty in units.items():
        line = fo.line(ref)
        assert line is not None
        line.packed += qty
    fo.settle()
    fo.note(
        svc.runtime.clock.now(), "packed", result.explain().splitlines()[0], actor=current_actor()
    )
    fo.record(
        ItemsPacked(
            fulfillment_order_id=fo.id,
            order_id=fo.order_id,
            boxes=tuple(p.box.code for p in result.parcels),
            lower_bound=result.lower_bound,
        )
    )
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    return result


def _units(fo: FulfillmentOrder, quantities: Mapping[str, int] | None) -> dict[str, int]:
    if quantities is None:
        units = {x.line_ref: x.to_pack for x in fo.lines if x.to_pack}
    else:
        units = {}
        for ref, raw in check_mapping(quantities, "quantities").items():
            line = fo.line(ref)
            if line is None:
                known = ", ".join(x.line_ref for x in fo.lines)
                raise NotFound("line", ref, f"fulfillment order {fo.id} has lines {known}")
            qty = check_quantity(raw, f"quantities.{ref}")
            if qty > line.to_pack:
                raise OverConfirmation(
                    f"quantities.{ref}",
                    line.sku,
                    qty,
                    line.to_pack,
                    "are picked and not yet packed",
                )
            units[ref] = qty
    if not units:
        raise ValidationError("fulfillment_order", fo.id, "nothing is picked and unpacked")
    return units


def ship_in(
    svc: FulfillmentService,
    uow: UnitOfWork,
    fo_id: str,
    *,
    carrier: str | None,
    service: str | None,
    objective: str | None,
    deliver_by: dt.date | None,
    options: Mapping[str, str] | None,
    bought: list[Label],
    attempts: list[LabelPurchase] | None = None,
) -> Shipment:
    """Buy labels for every packed parcel not yet shipped; rate-shop unless told.

    The purchase is keyed by the fulfillment order and its parcel numbers, not by the
    new shipment's id: a retry after a failure (even one whose answer was lost) gets the
    labels already bought back instead of buying a second set.
    """
    fo = uow.repo(FULFILLMENT_ORDERS).get(fo_id)
    fo.require("ship")
    waiting = [b for b in fo.boxes if not b.shipment_id]
    if not waiting:
        raise ValidationError("fulfillment_order", fo.id, "no packed parcel is waiting; pack first")
    order = claim_order(uow, fo.order_id)
    request = RateRequest(
        ship_from_in(uow, fo.location),
        order.ship_to,
        tuple(ParcelSpec(b.weight_grams, b.box.inner) for b in waiting),
        order.total.gross,
    )
    settings = svc.settings
    if carrier is None and settings.default_carrier:
        carrier, service = settings.default_carrier, service or settings.default_service or None
    explanation = ""
    if carrier is None or service is None:
        goal = objective or settings.rate_objective
        if goal == "promise" and deliver_by is None:
            today = svc.runtime.clock.now().date()
            deliver_by = add_business_days(today, settings.promise_days)
        choice = svc.services.carriers.shop(
            request, goal, deliver_by=deliver_by, carriers=None if carrier is None else [carrier]
        )
        carrier, service = choice.chosen.carrier, choice.chosen.service
        explanation = choice.explain()
    shipment_id = svc.runtime.ids.new_id("shp")
    records = svc.services.carriers.buy_label_in(
        uow,
        request,
        carrier=carrier,
        service=service,
        reference=shipment_id,
        options=options,
        owner="fulfillment",
        bought=bought,
        purchase=f"{fo.id}:parcels-{'+'.join(str(b.number) for b in waiting)}",
        attempts=attempts,
    )
    now = svc.runtime.clock.now()
    shipment = Shipment(
        id=shipment_id,
        order_id=fo.order_id,
        fulfillment_order_id=fo.id,
        location=fo.location,
        carrier=carrier,
        service=service,
        created_at=now,
        parcels=[
            ShipmentParcel(r.tracking_number, b.box.code, b.weight_grams, b.lines)
            for r, b in zip(records, waiting, strict=True)
        ],
        price=sum_money((r.label.price for r in records), records[0].label.price.currency),
        promised_date=records[0].label.promised_date,
        rate_explanation=explanation,
    )
    shipment.note(now, "label_purchased", f"{carrier}/{service}", actor=current_actor())
    add_shipment_in(uow, shipment)
    ids = {b.number for b in waiting}
    fo.boxes = [
        attrs.evolve(b, shipment_id=shipment_id) if b.number in ids else b for b in fo.boxes
    ]
    fo.note(now, "labelled", f"{shipment_id}: {carrier}/{service}", actor=current_actor())
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    return shipment


def add_shipment_in(uow: UnitOfWork, shipment: Shipment) -> None:
    """Store a new ``shipment`` with its [`ShipmentCreated`][] event."""
    shipment.record(
        ShipmentCreated(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            location=shipment.location,
            carrier=shipment.carrier,
            service=shipment.service,
            tracking_numbers=shipment.tracking_numbers,
            promised_date=shipment.promised_date,
        )
    )
    uow.repo(SHIPMENTS).add(shipment)


def hand_over_in(svc: FulfillmentService, uow: UnitOfWork, shipment_id: str) -> Shipment:
    """The carrier took the parcels: a hand-over scan on each (a no-op when done before)."""
    shipment = uow.repo(SHIPMENTS).get(shipment_id)
    now = svc.runtime.clock.now()
    event = TrackingEvent(
        at=now,
        status="handed_over",
        code="HANDOVER",
        location=shipment.location,
        description=f"handed over at {shipment.location}",
    )
    for parcel in shipment.parcels:
        record = svc.services.carriers.find_in(uow, parcel.tracking_number, shipment.carrier)
        svc.services.carriers.add_events_in(uow, record, [event])
    return shipment


def on_tracking(
    svc: FulfillmentService,
    uow: UnitOfWork,
    record: LabelRecord,
    new: tuple[TrackingEvent, ...],
) -> None:
    """Move the shipment a fulfillment label belongs to (called by the carrier service)."""
    if record.owner != "fulfillment" or not record.reference:
        return
    shipment = uow.repo(SHIPMENTS).find(record.reference)
    parcel = shipment.parcel(record.tracking_number) if shipment is not None else None
    if shipment is None or parcel is None:
        return
    parcel.status = record.tracking_status
    before = shipment.status
    if record.shipped and not shipment.dispatched:
        dispatch_in(svc, uow, shipment)
    status = combine_statuses(p.status for p in shipment.parcels)
    if shipment.dispatched and status == "label_purchased":
        status = "handed_over"
    shipment.status = status
    now = svc.runtime.clock.now()
    if status != before:
        shipment.note(now, status, record.tracking_number, actor=current_actor("carrier"))
        shipment.record(
            ShipmentStatusChanged(
                shipment_id=shipment.id,
                order_id=shipment.order_id,
                status=status,
                previous_status=before,
            )
        )
        if status in EXCEPTION_STATUSES:
            latest = max(new, key=lambda e: e.at)
            shipment.record(
                ShipmentException(
                    shipment_id=shipment.id,
                    order_id=shipment.order_id,
                    status=status,
                    description=latest.description,
                )
            )
    if not shipment.delivered and all(p.status == "delivered" for p in shipment.parcels):
        shipment.delivered = True
        svc.services.orders.record_delivery_in(
            uow, shipment.order_id, shipment.lines, shipment_id=shipment.id
        )
        shipment.record(
            ShipmentDelivered(
                shipment_id=shipment.id,
                order_id=shipment.order_id,
                lines=tuple(shipment.lines.items()),
            )
        )
    uow.repo(SHIPMENTS).save(shipment)


def dispatch_in(svc: FulfillmentService, uow: UnitOfWork, shipment: Shipment) -> None:
    """The shipment left: consume its stock, count it shipped, tell the order (once)."""
    fo = uow.repo(FULFILLMENT_ORDERS).get(shipment.fulfillment_order_id)
    lines = shipment.lines
    for ref, qty in lines.items():
        line = fo.line(ref)
        assert line is not None
        svc.services.inventory.consume_in(
            uow,
            reference=fo.order_id,
            line_ref=ref,
            location=fo.location,
            quantity=qty,
            actor=current_actor(),
            sku=line.sku,
        )
        line.shipped += qty
    if fo.kind == "dropship":
        fo.status = "shipped" if all(x.shipped == x.quantity for x in fo.lines) else fo.status
    else:
        fo.settle()
    uow.repo(FULFILLMENT_ORDERS).save(fo)
    svc.services.orders.record_shipment_in(uow, fo.order_id, lines, shipment_id=shipment.id)
    shipment.dispatched = True
    shipment.record(
        ShipmentDispatched(
            shipment_id=shipment.id, order_id=shipment.order_id, lines=tuple(lines.items())
        )
    )
