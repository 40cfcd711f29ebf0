"""Fulfillment aggregates: per-location setup, fulfillment orders and shipments.

Unit accounting on a fulfillment order line (the invariant the property tests check)::

    quantity = picked + short + still to pick       (short units left this location)
    picked   >= packed >= shipped

A fulfillment order's status follows from its lines once it is accepted.
"""

from __future__ import annotations

import datetime as dt

import attrs

from omskit.customers.address import Address
from omskit.errors import InvalidTransition
from omskit.fulfillment.packing import DEFAULT_BOXES, Box
from omskit.fulfillment.picking import BinLocation, Layout
from omskit.money import Money
from omskit.storage.ports import Aggregate, Collection

__all__ = [
    "FO_ACTIONS",
    "FULFILLMENT_ORDERS",
    "LOCATION_SETUPS",
    "SHIPMENTS",
    "FOLine",
    "FulfillmentOrder",
    "HistoryEntry",
    "LocationSetup",
    "PackedBox",
    "Shipment",
    "ShipmentParcel",
]


@attrs.frozen
class HistoryEntry:
    """One step of a fulfillment order or shipment: when, who, what, and details.

    Attributes:
        at: when it happened (the OMS clock).
        actor: who did it (the call's ``actor``; ``"carrier"`` for tracking updates).
        action: what happened (``"released"``, ``"accepted"``, a tracking status...).
        detail: a short description (units, box, tracking number, reason).
    """

    at: dt.datetime
    actor: str
    action: str
    detail: str = ""

    def describe(self) -> str:
        """One readable line: ``2026-11-24 09:00 picker:ana accepted``."""
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}" + (
            f": {self.detail}" if self.detail else ""
        )


#: What each fulfillment order status allows.
FO_ACTIONS: dict[str, frozenset[str]] = {
    "released": frozenset({"accept", "reject", "cancel"}),
    "accepted": frozenset({"pick", "reject", "cancel"}),
    "picked": frozenset({"pick", "pack", "ready_for_pickup"}),
    "packed": frozenset({"pick", "pack", "ship"}),
    "partially_shipped": frozenset({"pick", "pack", "ship"}),
    "shipped": frozenset(),
    "ready_for_pickup": frozenset({"collect", "expire"}),
    "collected": frozenset(),
    "expired": frozenset(),
    "sent_to_supplier": frozenset({"confirm", "reject", "cancel"}),
    "confirmed": frozenset(),
    "rejected": frozenset(),
    "cancelled": frozenset(),
}


@attrs.define(eq=False)
class LocationSetup(Aggregate):
    """How a location works: its ship-from address, bins, boxes and walking layout.

    ``id`` is the location code.
    """

    address: Address | None = None
    bins: dict[str, BinLocation] = attrs.field(factory=dict)
    boxes: tuple[Box, ...] = DEFAULT_BOXES
    layout: Layout = attrs.field(factory=Layout)

    def clone(self) -> LocationSetup:
        """A copy with its own bin map."""
        copy = attrs.evolve(self, bins=dict(self.bins))
        copy.version = self.version
        return copy


@attrs.define(eq=False)
class FOLine:
    """One order line's units at one location."""

    line_ref: str
    sku: str
    quantity: int
    picked: int = 0
    short: int = 0
    packed: int = 0
    shipped: int = 0

    @property
    def to_pick(self) -> int:
        """Units not yet picked nor found short."""
        return self.quantity - self.picked - self.short

    @property
    def to_pack(self) -> int:
        """Picked units not yet in a parcel."""
        return self.picked - self.packed

    @property
    def to_ship(self) -> int:
        """Packed units not yet shipped."""
        return self.packed - self.shipped

    def copy(self) -> FOLine:
        """An independent copy."""
        return attrs.evolve(self)


@attrs.frozen
class PackedBox:
    """A packed parcel waiting at the location: box, gross weight, units per line."""

    number: int
    box: Box
    weight_grams: int
    lines: tuple[tuple[str, int], ...]
    shipment_id: str = ""


@attrs.define(eq=False)
class FulfillmentOrder(Aggregate):
    """The part of an order one location (warehouse, store or supplier) fulfils.

    ``kind`` is ``"ship"`` (pick, pack, ship), ``"pickup"`` (click & collect at a store)
    or ``"dropship"`` (a purchase order to a supplier, who ships).
    """

    order_id: str
    location: str
    kind: str
    lines: list[FOLine]
    created_at: dt.datetime
    status: str = "released"
    boxes: list[PackedBox] = attrs.field(factory=list)
    reason: str = ""
    pickup_code: str = ""
    pickup_expires_at: dt.datetime | None = None
    po_number: str = ""
    history: list[HistoryEntry] = attrs.field(factory=list)

    def require(self, action: str) -> None:
        """Raise [`InvalidTransition`][] unless the status allows ``action``."""
        if action not in FO_ACTIONS[self.status]:
            allowed = [s for s, acts in FO_ACTIONS.items() if action in acts]
            raise InvalidTransition(f"fulfillment order {self.id}", self.status, action, allowed)

    def line(self, line_ref: str) -> FOLine | None:
        """The line for order line ``line_ref``, if this location has one."""
        return next((x for x in self.lines if x.line_ref == line_ref), None)

    def note(self, at: dt.datetime, action: str, detail: str = "", *, actor: str) -> None:
        """Add a history entry made by ``actor``."""
        self.history.append(HistoryEntry(at, actor, action, detail))

    def settle(self) -> str:
        """Recompute the status of accepted ship work from the line quantities."""
        if self.status not in ("accepted", "picked", "packed", "partially_shipped"):
            return self.status
        lines = self.lines
        if all(x.to_pick == 0 for x in lines) and all(x.shipped == x.picked for x in lines):
            shipped_any = any(x.shipped for x in lines)
            self.status = "shipped" if shipped_any else ("picked" if self._picked() else "accepted")
        elif any(x.shipped for x in lines):
            self.status = "partially_shipped"
        elif any(x.packed for x in lines):
            self.status = "packed"
        elif self._picked():
            self.status = "picked"
        return self.status

    def _picked(self) -> bool:
        return any(x.picked for x in self.lines) and all(x.to_pick == 0 for x in self.lines)

    @property
    def open_units(self) -> dict[str, int]:
        """Units per line still held for this order here (picked or to pick, not shipped)."""
        return {
            x.line_ref: x.quantity - x.short - x.shipped
            for x in self.lines
            if x.quantity - x.short - x.shipped
        }

    def clone(self) -> FulfillmentOrder:
        """A copy with its own lines, boxes and history."""
        copy = attrs.evolve(
            self,
            lines=[x.copy() for x in self.lines],
            boxes=list(self.boxes),
            history=list(self.history),
        )
        copy.version = self.version
        return copy


@attrs.define(eq=False)
class ShipmentParcel:
    """One labelled parcel of a shipment and its tracking status."""

    tracking_number: str
    box: str
    weight_grams: int
    lines: tuple[tuple[str, int], ...]
    status: str = "label_purchased"

    def copy(self) -> ShipmentParcel:
        """An independent copy."""
        return attrs.evolve(self)


@attrs.define(eq=False)
class Shipment(Aggregate):
    """Parcels that leave one location together for one order.

    ``dispatched`` and ``delivered`` record that the order was told (once each).
    """

    order_id: str
    fulfillment_order_id: str
    location: str
    carrier: str
    service: str
    parcels: list[ShipmentParcel]
    created_at: dt.datetime
    kind: str = "carrier"
    status: str = "label_purchased"
    price: Money | None = None
    promised_date: dt.date | None = None
    rate_explanation: str = ""
    dispatched: bool = False
    delivered: bool = False
    history: list[HistoryEntry] = attrs.field(factory=list)

    @property
    def lines(self) -> dict[str, int]:
        """Units per order line across every parcel."""
        totals: dict[str, int] = {}
        for p in self.parcels:
            for ref, qty in p.lines:
                totals[ref] = totals.get(ref, 0) + qty
        return totals

    @property
    def tracking_numbers(self) -> tuple[str, ...]:
        """One per parcel."""
        return tuple(p.tracking_number for p in self.parcels)

    def parcel(self, tracking_number: str) -> ShipmentParcel | None:
        """The parcel with ``tracking_number``."""
        return next((p for p in self.parcels if p.tracking_number == tracking_number), None)

    def note(self, at: dt.datetime, action: str, detail: str = "", *, actor: str) -> None:
        """Add a history entry made by ``actor``."""
        self.history.append(HistoryEntry(at, actor, action, detail))

    def clone(self) -> Shipment:
        """A copy with its own parcels and history."""
        copy = attrs.evolve(
            self, parcels=[p.copy() for p in self.parcels], history=list(self.history)
        )
        copy.version = self.version
        return copy


LOCATION_SETUPS: Collection[LocationSetup] = Collection(
    "fulfillment_locations", LocationSetup, label="location setup"
)
FULFILLMENT_ORDERS: Collection[FulfillmentOrder] = Collection(
    "fulfillment_orders",
    FulfillmentOrder,
    indexes={
        "order": lambda f: f.order_id,
        "location_status": lambda f: (f.location, f.status),
        "status": lambda f: f.status,
    },
    label="fulfillment order",
)
SHIPMENTS: Collection[Shipment] = Collection(
    "shipments",
    Shipment,
    indexes={"order": lambda s: s.order_id, "status": lambda s: s.status},
    label="shipment",
)
