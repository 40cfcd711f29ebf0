"""Finding fulfillment work: queues, tracking numbers, the order's timeline entries.

A location's work queue, the shipment a tracking number belongs to, and the entries
fulfillment adds to an order's merged timeline. Every function here reads; none
changes anything.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from omskit.carriers.errors import UnknownTrackingNumber
from omskit.carriers.service import CarrierService
from omskit.errors import ValidationError
from omskit.fulfillment.model import (
    FO_ACTIONS,
    FULFILLMENT_ORDERS,
    SHIPMENTS,
    FulfillmentOrder,
    Shipment,
    ShipmentParcel,
)
from omskit.inventory.locations import check_location_code
from omskit.inventory.operations import load_location
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS
from omskit.orders.timeline import TimelineEvent
from omskit.paging import Page, check_page
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_text

__all__ = [
    "FO_STATUSES",
    "KINDS",
    "OPEN_STATUSES",
    "TrackedShipment",
    "find_by_tracking_in",
    "queue_in",
    "timeline_entries",
]

#: Every status a fulfillment order can be in.
FO_STATUSES: tuple[str, ...] = tuple(FO_ACTIONS)
#: The statuses of work a location still has to do something about.
OPEN_STATUSES: tuple[str, ...] = tuple(s for s, actions in FO_ACTIONS.items() if actions)
#: The kinds of fulfillment order.
KINDS = ("ship", "pickup", "dropship")


@attrs.frozen
class TrackedShipment:
    """What a tracking number belongs to: the order, its shipment and the parcel."""

    order: Order
    shipment: Shipment
    parcel: ShipmentParcel


def check_statuses(status: object) -> tuple[str, ...]:
    """``"open"``, one status or a list of them, as a tuple of known statuses."""
    if status == "open":
        return OPEN_STATUSES
    listed = [status] if isinstance(status, str) else status
    if not isinstance(listed, list | tuple) or not listed:
        raise ValidationError(
            "status", status, "expected 'open', a fulfillment order status or a list of them"
        )
    for value in listed:
        if value not in FO_STATUSES:
            raise ValidationError(
                "status", value, f"expected 'open' or one of {', '.join(FO_STATUSES)}"
            )
    return tuple(dict.fromkeys(listed))


def queue_in(
    uow: UnitOfWork,
    args: tuple[str | None, tuple[str, ...], str | None, int, int],
) -> Page[FulfillmentOrder]:
    """The fulfillment orders ``args`` ask for (from `check_queue_args`), oldest first."""
    location, statuses, kind, offset, limit = args
    repo = uow.repo(FULFILLMENT_ORDERS)
    if location is not None:
        load_location(uow, location)
        found = [f for s in statuses for f in repo.list_view("location_status", (location, s))]
    else:
        found = [f for s in statuses for f in repo.list_view("status", s)]
    matched = sorted((f for f in found if kind is None or f.kind == kind),
                     key=lambda f: (f.created_at, f.id))  # fmt: skip
    items = tuple(repo.get(f.id) for f in matched[offset : offset + limit])
    return Page(items, len(matched), offset, limit)


def check_queue_args(
    location: object, status: object, kind: object, offset: object, limit: object
) -> tuple[str | None, tuple[str, ...], str | None, int, int]:
    """The queue's arguments checked, each error naming its field."""
    code = None if location is None else check_location_code(location)
    if kind is not None and kind not in KINDS:
        raise ValidationError("kind", kind, f"expected one of {', '.join(KINDS)}")
    first, size = check_page(offset, limit)
    return code, check_statuses(status), kind, first, size


def find_by_tracking_in(
    uow: UnitOfWork, carriers: CarrierService, tracking_number: object, carrier: object
) -> TrackedShipment | None:
    """The shipment (and order) a fulfillment label's tracking number belongs to."""
    number = check_text(tracking_number, "tracking_number", max_length=100)
    name = None
    if carrier is not None:
        name = check_text(carrier, "carrier", max_length=64)
        if name not in carriers.names():
            raise ValidationError("carrier", name, f"expected one of {', '.join(carriers.names())}")
    for candidate in [name] if name is not None else carriers.names():
        try:
            record = carriers.find_in(uow, number, candidate)
        except UnknownTrackingNumber:
            continue
        if record.owner != "fulfillment" or not record.reference:
            continue
        shipment = uow.repo(SHIPMENTS).find(record.reference)
        parcel = None if shipment is None else shipment.parcel(number)
        if shipment is not None and parcel is not None:
            return TrackedShipment(uow.repo(ORDERS).get(shipment.order_id), shipment, parcel)
    return None


def timeline_entries(uow: UnitOfWork, order_id: str) -> Iterable[TimelineEvent]:
    """The order's fulfillment orders' and shipments' steps, for its merged timeline."""
    for fo in uow.repo(FULFILLMENT_ORDERS).list_view("order", order_id):
        for step in fo.history:
            where = f"{fo.id} at {fo.location} {step.action}"
            text = where + (f": {step.detail}" if step.detail else "")
            yield TimelineEvent(step.at, "fulfillment", step.action, step.actor, text, fo.id)
    for shipment in uow.repo(SHIPMENTS).list_view("order", order_id):
        for step in shipment.history:
            what = f"{shipment.id} {shipment.carrier} {step.action}"
            text = what + (f": {step.detail}" if step.detail else "")
            yield TimelineEvent(step.at, "shipment", step.action, step.actor, text, shipment.id)
