"""Errors raised by the inventory capability, all subclasses of the kernel's errors.

The tree (under [`OmskitError`][])::

    NotFound
    ├── UnknownLocation          no location with that code
    ├── UnknownReservation       nothing reserved under that reference (or line)
    ├── UnknownSupplier          no supplier with that code
    └── UnknownPurchaseOrder     no purchase order with that id
    InvalidTransition
    └── LocationInactive         receiving into / transferring to a deactivated location
    InsufficientStock
    ├── NotEnoughToMove          transfer, consume or adjust more than is there
    └── BackorderLimitReached    a backorder / preorder cap would be exceeded
"""

from __future__ import annotations

from omskit.errors import InsufficientStock, InvalidTransition, NotFound

__all__ = [
    "BackorderLimitReached",
    "LocationInactive",
    "NotEnoughToMove",
    "UnknownLocation",
    "UnknownPurchaseOrder",
    "UnknownReservation",
    "UnknownSupplier",
]


class UnknownLocation(NotFound):
    """No stock location exists with this code."""

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__("location", code, "add it with oms.inventory.add_location() first")


class UnknownReservation(NotFound):
    """Nothing is (or ever was) reserved under this reference or line."""

    def __init__(self, reference: str, line_ref: str | None = None) -> None:
        self.reference = reference
        self.line_ref = line_ref
        key = reference if line_ref is None else f"{reference}/{line_ref}"
        super().__init__("reservation for", key, "reserve stock for it first")


class UnknownSupplier(NotFound):
    """No supplier exists with this code."""

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__("supplier", code, "add it with oms.inventory.add_supplier() first")


class UnknownPurchaseOrder(NotFound):
    """No purchase order exists with this id."""

    def __init__(self, po_id: object) -> None:
        self.po_id = po_id
        super().__init__("purchase order", po_id)


class LocationInactive(InvalidTransition):
    """The location is deactivated: it takes in no more stock."""

    def __init__(self, code: str, action: str) -> None:
        self.code = code
        super().__init__(f"location {code!r}", "inactive", action, ("active",))


class NotEnoughToMove(InsufficientStock):
    """A transfer, consumption or adjustment asks for more units than the location holds."""

    def __init__(
        self, sku: str, requested: int, available: int, location: str, action: str
    ) -> None:
        super().__init__(sku, requested, available, location)
        self.action = action
        self.args = (
            f"cannot {action} {requested} x {sku!r} at {location!r}: only {available} "
            f"available there",
        )


class BackorderLimitReached(InsufficientStock):
    """Reserving would oversell beyond the SKU's backorder / preorder cap."""

    def __init__(self, sku: str, requested: int, available: int, cap: int, mode: str) -> None:
        super().__init__(sku, requested, available)
        self.cap = cap
        self.mode = mode
        self.args = (
            f"cannot reserve {requested} x {sku!r}: {available} available and the {mode} "
            f"cap of {cap} unit(s) would be exceeded",
        )
