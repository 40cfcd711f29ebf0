"""Inventory: stock per location, the ledger, atomic reservations, backorders, replenishment.

Reached as ``oms.inventory`` ([`InventoryService`][]).
"""

from omskit.inventory.backorders import BACKORDER_MODES, Backorder, Promise, SkuPolicy
from omskit.inventory.basket import BasketCheck, BasketLine
from omskit.inventory.errors import (
    BackorderLimitReached,
    LocationInactive,
    NotEnoughToMove,
    ShortLine,
    StockShortfall,
    UnknownLocation,
    UnknownPurchaseOrder,
    UnknownReservation,
    UnknownSupplier,
)
from omskit.inventory.events import (
    BackInStock,
    LocationAdded,
    LocationDeactivated,
    LocationUpdated,
    LowStock,
    LowStockThresholdSet,
    OutOfStock,
    PurchaseOrderPlaced,
    PurchaseOrderReceived,
    ReservationExpired,
    SafetyStockSet,
    StockAdjusted,
    StockConsumed,
    StockReceived,
    StockReleased,
    StockReserved,
    StockTransferred,
)
from omskit.inventory.ledger import MOVEMENT_KINDS, Drift, LevelTotals, Movement
from omskit.inventory.locations import LOCATION_KINDS, Capabilities, Location
from omskit.inventory.replenishment import (
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderPolicy,
    SuggestedLine,
    SuggestedPurchaseOrder,
    Supplier,
    SupplyTerms,
)
from omskit.inventory.reservations import Allocation, Reservation
from omskit.inventory.service import InventoryService
from omskit.inventory.settings import InventorySettings
from omskit.inventory.stock import Incoming, StockLevel

__all__ = [
    "BACKORDER_MODES",
    "LOCATION_KINDS",
    "MOVEMENT_KINDS",
    "Allocation",
    "BackInStock",
    "Backorder",
    "BackorderLimitReached",
    "BasketCheck",
    "BasketLine",
    "Capabilities",
    "Drift",
    "Incoming",
    "InventoryService",
    "InventorySettings",
    "LevelTotals",
    "Location",
    "LocationAdded",
    "LocationDeactivated",
    "LocationInactive",
    "LocationUpdated",
    "LowStock",
    "LowStockThresholdSet",
    "Movement",
    "NotEnoughToMove",
    "OutOfStock",
    "Promise",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderPlaced",
    "PurchaseOrderReceived",
    "ReorderPolicy",
    "Reservation",
    "ReservationExpired",
    "SafetyStockSet",
    "ShortLine",
    "SkuPolicy",
    "StockAdjusted",
    "StockConsumed",
    "StockLevel",
    "StockReceived",
    "StockReleased",
    "StockReserved",
    "StockShortfall",
    "StockTransferred",
    "SuggestedLine",
    "SuggestedPurchaseOrder",
    "Supplier",
    "SupplyTerms",
    "UnknownLocation",
    "UnknownPurchaseOrder",
    "UnknownReservation",
    "UnknownSupplier",
]
