"""Events recorded by the inventory capability (past tense, delivered after commit)."""

from __future__ import annotations

import datetime as dt

import attrs

from omskit.events import Event

__all__ = [
    "BackInStock",
    "LocationAdded",
    "LocationDeactivated",
    "LocationUpdated",
    "LowStock",
    "LowStockThresholdSet",
    "OutOfStock",
    "PurchaseOrderPlaced",
    "PurchaseOrderReceived",
    "ReservationExpired",
    "SafetyStockSet",
    "StockAdjusted",
    "StockConsumed",
    "StockReceived",
    "StockReleased",
    "StockReserved",
    "StockTransferred",
]


@attrs.frozen(kw_only=True)
class LocationAdded(Event):
    """A stock location was set up."""

    location: str
    kind: str


@attrs.frozen(kw_only=True)
class LocationUpdated(Event):
    """Settings of a location changed; ``changed`` names them."""

    location: str
    changed: tuple[str, ...]


@attrs.frozen(kw_only=True)
class LocationDeactivated(Event):
    """A location stopped taking in stock and is no longer routed to."""

    location: str
    reason: str


@attrs.frozen(kw_only=True)
class StockReceived(Event):
    """Units arrived at a location (goods-in, a purchase order, a return restock)."""

    sku: str
    location: str
    quantity: int
    reference: str


@attrs.frozen(kw_only=True)
class StockAdjusted(Event):
    """On-hand stock was corrected (a count, damage, a manual adjustment)."""

    sku: str
    location: str
    delta: int
    reason: str


@attrs.frozen(kw_only=True)
class StockReserved(Event):
    """Stock was held for ``reference``: ``lines`` are (line_ref, sku, location, quantity)."""

    reference: str
    lines: tuple[tuple[str, str, str, int], ...]


@attrs.frozen(kw_only=True)
class StockReleased(Event):
    """Held stock went back to available."""

    reference: str
    lines: tuple[tuple[str, str, str, int], ...]
    reason: str


@attrs.frozen(kw_only=True)
class ReservationExpired(Event):
    """A cart's reservation ran out of time and was released."""

    reference: str
    expired_at: dt.datetime


@attrs.frozen(kw_only=True)
class StockConsumed(Event):
    """Reserved stock left the building (shipped)."""

    reference: str
    line_ref: str
    sku: str
    location: str
    quantity: int


@attrs.frozen(kw_only=True)
class StockTransferred(Event):
    """Units moved from one location (``source``) to another (``target``)."""

    sku: str
    source: str
    target: str
    quantity: int

    @property
    def from_location(self) -> str:
        """The location the units left (``source``), named as the ``transfer`` call names it."""
        return self.source

    @property
    def to_location(self) -> str:
        """The location the units went to (``target``), named as ``transfer`` names it."""
        return self.target


@attrs.frozen(kw_only=True)
class SafetyStockSet(Event):
    """Units of a SKU at a location are kept back from sale (``quantity``, 0: none)."""

    sku: str
    location: str
    quantity: int
    previous: int


@attrs.frozen(kw_only=True)
class LowStockThresholdSet(Event):
    """The level at which [`LowStock`][] is raised changed (``None``: alerts off)."""

    sku: str
    location: str
    threshold: int | None
    previous: int | None


@attrs.frozen(kw_only=True)
class LowStock(Event):
    """Available stock fell to or below the level's low-stock threshold."""

    sku: str
    location: str
    available: int
    threshold: int


@attrs.frozen(kw_only=True)
class OutOfStock(Event):
    """Nothing is available any more at this location."""

    sku: str
    location: str


@attrs.frozen(kw_only=True)
class BackInStock(Event):
    """A level that was out of stock has units available again."""

    sku: str
    location: str
    available: int


@attrs.frozen(kw_only=True)
class PurchaseOrderPlaced(Event):
    """A purchase order was placed with a supplier."""

    purchase_order: str
    supplier: str
    location: str
    expected: dt.date


@attrs.frozen(kw_only=True)
class PurchaseOrderReceived(Event):
    """Goods of a purchase order arrived; ``complete`` once everything has."""

    purchase_order: str
    lines: tuple[tuple[str, int], ...]
    complete: bool
