"""Events recorded by fulfillment, for notifications and integrations."""

from __future__ import annotations

import datetime as dt

import attrs

from omskit.events import Event

__all__ = [
    "DropshipOrderSent",
    "FulfillmentOrderAccepted",
    "FulfillmentOrderCancelled",
    "FulfillmentOrderRejected",
    "FulfillmentOrderReleased",
    "ItemsPacked",
    "ItemsPicked",
    "LocationConfigured",
    "PickupCollected",
    "PickupExpired",
    "ReadyForPickup",
    "ShipmentCreated",
    "ShipmentDelivered",
    "ShipmentDispatched",
    "ShipmentException",
    "ShipmentStatusChanged",
]


@attrs.frozen(kw_only=True)
class LocationConfigured(Event):
    """How a location ships changed; ``changed`` names what (``address``, ``bins``...)."""

    location: str
    changed: tuple[str, ...]


@attrs.frozen(kw_only=True)
class FulfillmentOrderReleased(Event):
    """Work for one location was released: ``lines`` as ``(line_ref, sku, quantity)``."""

    fulfillment_order_id: str
    order_id: str
    location: str
    kind: str
    lines: tuple[tuple[str, str, int], ...]


@attrs.frozen(kw_only=True)
class FulfillmentOrderAccepted(Event):
    """The location accepted the work."""

    fulfillment_order_id: str
    order_id: str
    location: str


@attrs.frozen(kw_only=True)
class FulfillmentOrderRejected(Event):
    """The location refused the work; ``rerouted_to`` lists where it went instead."""

    fulfillment_order_id: str
    order_id: str
    location: str
    reason: str
    rerouted_to: tuple[str, ...]
    backordered: tuple[tuple[str, int], ...]


@attrs.frozen(kw_only=True)
class FulfillmentOrderCancelled(Event):
    """Open work was withdrawn from a location before picking was confirmed.

    ``lines`` are the ``(line_ref, quantity)`` units given back: their stock is released
    and they are unallocated on the order again.
    """

    fulfillment_order_id: str
    order_id: str
    location: str
    reason: str
    actor: str
    lines: tuple[tuple[str, int], ...]


@attrs.frozen(kw_only=True)
class ItemsPicked(Event):
    """Units were picked; ``short`` lists units that were not found."""

    fulfillment_order_id: str
    order_id: str
    picked: tuple[tuple[str, int], ...]
    short: tuple[tuple[str, int], ...]


@attrs.frozen(kw_only=True)
class ItemsPacked(Event):
    """Picked units were packed into ``boxes`` (box codes, one per parcel)."""

    fulfillment_order_id: str
    order_id: str
    boxes: tuple[str, ...]
    lower_bound: int


@attrs.frozen(kw_only=True)
class ShipmentCreated(Event):
    """Labels were bought for packed parcels."""

    shipment_id: str
    order_id: str
    location: str
    carrier: str
    service: str
    tracking_numbers: tuple[str, ...]
    promised_date: dt.date | None


@attrs.frozen(kw_only=True)
class ShipmentDispatched(Event):
    """The parcels left the location (handed over); stock was consumed."""

    shipment_id: str
    order_id: str
    lines: tuple[tuple[str, int], ...]


@attrs.frozen(kw_only=True)
class ShipmentStatusChanged(Event):
    """The shipment's status moved (from tracking)."""

    shipment_id: str
    order_id: str
    status: str
    previous_status: str


@attrs.frozen(kw_only=True)
class ShipmentException(Event):
    """Tracking reported a problem: delayed, failed attempt, lost, returned to sender."""

    shipment_id: str
    order_id: str
    status: str
    description: str


@attrs.frozen(kw_only=True)
class ShipmentDelivered(Event):
    """Every parcel of the shipment was delivered."""

    shipment_id: str
    order_id: str
    lines: tuple[tuple[str, int], ...]


@attrs.frozen(kw_only=True)
class ReadyForPickup(Event):
    """A click & collect order is waiting at a store with its pickup code."""

    fulfillment_order_id: str
    order_id: str
    location: str
    pickup_code: str
    expires_at: dt.datetime


@attrs.frozen(kw_only=True)
class PickupCollected(Event):
    """The customer collected their order."""

    fulfillment_order_id: str
    order_id: str
    location: str


@attrs.frozen(kw_only=True)
class PickupExpired(Event):
    """Nobody collected in time; the units went back to stock."""

    fulfillment_order_id: str
    order_id: str
    location: str
    lines: tuple[tuple[str, int], ...]


@attrs.frozen(kw_only=True)
class DropshipOrderSent(Event):
    """A purchase order went to a drop-ship supplier for the customer's units."""

    fulfillment_order_id: str
    order_id: str
    supplier: str
    po_number: str
    lines: tuple[tuple[str, str, int], ...]
