"""Packing, labels, hand-over, tracking and drop-ship confirmations.

A hand-over is reported by fulfillment itself, in one direction (see `hand_over_in`);
the carrier's own scans move shipments through a listener the carrier service calls
inside the webhook's transaction. Every effect is keyed to a fact that only ever becomes
true (a parcel left, every parcel arrived), so replays and reordering change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

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
from omskit.fulfillment.ports import FulfillmentContext
from omskit.fulfillment.release import claim_order
from omskit.inventory.locations import LOCATIONS
from omskit.money import sum_money
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_mapping, check_quantity

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
    ctx: FulfillmentContext, uow: UnitOfWork, fo_id: str, quantities: Mapping[str, int] | None
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
        items, setup_in(uow, fo.location).boxes, fill_factor=ctx.settings.packing_fill_factor
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
    fo.note(ctx.clock.now(), "packed", result.explain().splitlines()[0], actor=current_actor())
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
    ctx: FulfillmentContext,
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
    carrier, service, explanation = _choose_service(
        ctx, request, carrier, service, objective=objective, deliver_by=deliver_by
    )
    shipment_id = ctx.ids.new_id("shp")
    records = ctx.carriers.buy_label_in(
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
    shipment = _labelled_shipment(
        ctx,
        fo,
        shipment_id,
        waiting,
        records,
        carrier=carrier,
        service=service,
        explanation=explanation,
    )
    add_shipment_in(uow, shipment)
    _mark_labelled(uow, fo, shipment, {b.number for b in waiting})
    return shipment


def _mark_labelled(
    uow: UnitOfWork, fo: FulfillmentOrder, shipment: Shipment, numbers: set[int]
) -> None:
    """The boxes ``numbers`` of ``fo`` now travel in ``shipment``."""
    fo.boxes = [
        attrs.evolve(b, shipment_id=shipment.id) if b.number in numbers else b for b in fo.boxes
    ]
    detail = f"{shipment.id}: {shipment.carrier}/{shipment.service}"
    fo.note(shipment.created_at, "labelled", detail, actor=current_actor())
    uow.repo(FULFILLMENT_ORDERS).save(fo)


def _choose_service(
    ctx: FulfillmentContext,
    request: RateRequest,
    carrier: str | None,
    service: str | None,
    *,
    objective: str | None,
    deliver_by: dt.date | None,
) -> tuple[str, str, str]:
    """The carrier and service to buy from, and why: as told, configured, or rate-shopped."""
    settings = ctx.settings
    if carrier is None and settings.default_carrier:
        carrier, service = settings.default_carrier, service or settings.default_service or None
    if carrier is not None and service is not None:
        return carrier, service, ""
    goal = objective or settings.rate_objective
    if goal == "promise" and deliver_by is None:
        deliver_by = add_business_days(ctx.clock.now().date(), settings.promise_days)
    choice = ctx.carriers.shop(
        request, goal, deliver_by=deliver_by, carriers=None if carrier is None else [carrier]
    )
    return choice.chosen.carrier, choice.chosen.service, choice.explain()


def _labelled_shipment(
    ctx: FulfillmentContext,
    fo: FulfillmentOrder,
    shipment_id: str,
    waiting: list[PackedBox],
    records: list[LabelRecord],
    *,
    carrier: str,
    service: str,
    explanation: str,
) -> Shipment:
    """The new shipment of the ``waiting`` parcels, one bought label each."""
    now = ctx.clock.now()
    first = records[0].label
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
        price=sum_money((r.label.price for r in records), first.price.currency),
        promised_date=first.promised_date,
        rate_explanation=explanation,
    )
    shipment.note(now, "label_purchased", f"{carrier}/{service}", actor=current_actor())
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


def hand_over_in(ctx: FulfillmentContext, uow: UnitOfWork, shipment_id: str) -> Shipment:
    """The carrier took the parcels: a hand-over scan on each (a no-op when done before).

    Fulfillment reports its own hand-over in one direction: carriers records the scan on
    each label (no tracking listener is called), and the shipment moves here directly:
    inventory consumes the stock, orders records the shipment and, when configured, takes
    the payment (see `dispatch_in`).
    """
    shipment = uow.repo(SHIPMENTS).get(shipment_id)
    now = ctx.clock.now()
    event = TrackingEvent(
        at=now,
        status="handed_over",
        code="HANDOVER",
        location=shipment.location,
        description=f"handed over at {shipment.location}",
    )
    for parcel in shipment.parcels:
        record = ctx.carriers.find_in(uow, parcel.tracking_number, shipment.carrier)
        new = ctx.carriers.hand_over_in(uow, record, event)
        if new:
            _move(ctx, uow, shipment, parcel, record=record, new=new)
    return shipment


def on_tracking(
    ctx: FulfillmentContext,
    uow: UnitOfWork,
    record: LabelRecord,
    new: tuple[TrackingEvent, ...],
) -> None:
    """Move the shipment a fulfillment label belongs to (the carriers' tracking listener).

    Carries the carrier's own scans (webhooks, pulled tracking) to the shipment; a
    hand-over fulfillment records itself does not come this way (see `hand_over_in`).
    """
    if record.owner != "fulfillment" or not record.reference:
        return
    shipment = uow.repo(SHIPMENTS).find(record.reference)
    parcel = shipment.parcel(record.tracking_number) if shipment is not None else None
    if shipment is None or parcel is None:
        return
    _move(ctx, uow, shipment, parcel, record=record, new=new)


def _move(
    ctx: FulfillmentContext,
    uow: UnitOfWork,
    shipment: Shipment,
    parcel: ShipmentParcel,
    *,
    record: LabelRecord,
    new: tuple[TrackingEvent, ...],
) -> None:
    """Apply the label's tracking status to its parcel, then to the shipment and order."""
    parcel.status = record.tracking_status
    before = shipment.status
    if record.shipped and not shipment.dispatched:
        dispatch_in(ctx, uow, shipment)
    status = combine_statuses(p.status for p in shipment.parcels)
    if shipment.dispatched and status == "label_purchased":
        status = "handed_over"
    shipment.status = status
    if status != before:
        _status_changed(ctx, shipment, before, record.tracking_number, new)
    if not shipment.delivered and all(p.status == "delivered" for p in shipment.parcels):
        _deliver(ctx, uow, shipment)
    uow.repo(SHIPMENTS).save(shipment)


def _status_changed(
    ctx: FulfillmentContext,
    shipment: Shipment,
    before: str,
    tracking_number: str,
    new: tuple[TrackingEvent, ...],
) -> None:
    """Note and record the shipment's new status (and an exception when it is one)."""
    status = shipment.status
    shipment.note(ctx.clock.now(), status, tracking_number, actor=current_actor("carrier"))
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


def _deliver(ctx: FulfillmentContext, uow: UnitOfWork, shipment: Shipment) -> None:
    """Every parcel arrived: tell the order (once) and record the delivery."""
    shipment.delivered = True
    ctx.orders.record_delivery_in(uow, shipment.order_id, shipment.lines, shipment_id=shipment.id)
    shipment.record(
        ShipmentDelivered(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            lines=tuple(shipment.lines.items()),
        )
    )


def dispatch_in(ctx: FulfillmentContext, uow: UnitOfWork, shipment: Shipment) -> None:
    """The shipment left: consume its stock, count it shipped, tell the order (once)."""
    fo = uow.repo(FULFILLMENT_ORDERS).get(shipment.fulfillment_order_id)
    lines = shipment.lines
    for ref, qty in lines.items():
        line = fo.line(ref)
        assert line is not None
        ctx.inventory.consume_in(
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
    ctx.orders.record_shipment_in(uow, fo.order_id, lines, shipment_id=shipment.id)
    shipment.dispatched = True
    shipment.record(
        ShipmentDispatched(
            shipment_id=shipment.id, order_id=shipment.order_id, lines=tuple(lines.items())
        )
    )
