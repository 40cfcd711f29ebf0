"""Stock levels: what one location holds of one SKU, and what of it can be sold."""

from __future__ import annotations

import datetime as dt

import attrs

from omskit.events import Event
from omskit.inventory.events import BackInStock, LowStock, OutOfStock
from omskit.storage.ports import Aggregate, Collection

__all__ = ["STOCK", "Incoming", "StockLevel", "level_id"]


def level_id(sku: str, location: str) -> str:
    """The id of the stock level of ``sku`` at ``location`` (``"BER:TEE-M"``).

    Location codes and SKUs cannot contain ``:``, so the id is unambiguous, and a level is
    found by its id in O(1) without an index.
    """
    return f"{location}:{sku}"


@attrs.frozen
class Incoming:
    """Units on order for a level: ``quantity`` still expected from purchase order ``po``."""

    po: str
    quantity: int
    expected: dt.date


@attrs.define(eq=False)
class StockLevel(Aggregate):
    """How much of one SKU one location holds. ``id`` is [`level_id`][].

    ``available = on_hand - reserved - safety_stock - quarantined``; it goes below zero
    only when the SKU's backorder policy lets reservations run ahead of stock.

    Attributes:
        on_hand: units physically there (including quarantined ones).
        reserved: units held for orders and carts, not yet shipped.
        safety_stock: units kept back from sale.
        quarantined: damaged or blocked units, on hand but not sellable.
        incoming: open purchase-order quantities with their expected dates.
        low_threshold: raise [`LowStock`][] when available falls to this (or below).
        alert: the last alert state: ``"new"``, ``"ok"``, ``"low"`` or ``"out"``.
    """

    sku: str
    location: str
    on_hand: int = 0
    reserved: int = 0
    safety_stock: int = 0
    quarantined: int = 0
    incoming: tuple[Incoming, ...] = ()
    low_threshold: int | None = None
    alert: str = "new"

    @property
    def available(self) -> int:
        """Units that can be promised now: on hand less reserved, safety stock, quarantine."""
        return self.on_hand - self.reserved - self.safety_stock - self.quarantined

    @property
    def incoming_total(self) -> int:
        """Units expected from open purchase orders."""
        return sum(i.quantity for i in self.incoming)

    def clone(self) -> StockLevel:
        """A fast field-by-field copy (this is the hot path of every reservation)."""
        copy = object.__new__(StockLevel)
        copy.id = self.id
        copy.version = self.version
        copy._events = []
        copy.sku = self.sku
        copy.location = self.location
        copy.on_hand = self.on_hand
        copy.reserved = self.reserved
        copy.safety_stock = self.safety_stock
        copy.quarantined = self.quarantined
        copy.incoming = self.incoming
        copy.low_threshold = self.low_threshold
        copy.alert = self.alert
        return copy

    def check_alerts(self) -> None:
        """Record [`LowStock`][], [`OutOfStock`][] or [`BackInStock`][] on a change.

        Events are raised only when the state moves (``ok`` -> ``low`` -> ``out`` and
        back), never on every movement.
        """
        available = self.available
        threshold = self.low_threshold
        if available <= 0:
            state = "out"
        elif threshold is not None and available <= threshold:
            state = "low"
        else:
            state = "ok"
        previous = self.alert
        if state == previous:
            return
        self.alert = state
        event: Event | None = None
        if state == "out" and previous != "new":
            event = OutOfStock(sku=self.sku, location=self.location)
        elif state == "low" and threshold is not None:
            if previous == "out":
                self.record(BackInStock(sku=self.sku, location=self.location, available=available))
            event = LowStock(
                sku=self.sku, location=self.location, available=available, threshold=threshold
            )
        elif state == "ok" and previous == "out":
            event = BackInStock(sku=self.sku, location=self.location, available=available)
        if event is not None:
            self.record(event)


STOCK: Collection[StockLevel] = Collection(
    "stock_levels",
    StockLevel,
    indexes={"sku": lambda s: s.sku, "location": lambda s: s.location},
    label="stock level",
    fixed_keys=True,  # a level's SKU and location never change
)
