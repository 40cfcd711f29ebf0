"""Errors raised by fulfillment.

They extend the kernel tree (see [`omskit.errors`][])::

    ValidationError
    ├── InvalidBinCode           a bin location code that is not zone-aisle-shelf-bin
    ├── ItemTooLarge             an item fits no box of the location's catalogue
    ├── OverConfirmation         confirming more units than were picked / ordered
    └── PickupCodeMismatch       the code shown at the store is not the order's
"""

from __future__ import annotations

from omskit.errors import ValidationError

__all__ = ["InvalidBinCode", "ItemTooLarge", "OverConfirmation", "PickupCodeMismatch"]


class InvalidBinCode(ValidationError):
    """A bin location code such as ``"A-03-2-B"`` could not be read."""


class ItemTooLarge(ValidationError):
    """An item is bigger or heavier than every box it could be packed in."""

    def __init__(self, sku: str, detail: str, *, field: str = "items") -> None:
        self.sku = sku
        self.detail = detail
        super().__init__(field, sku, f"fits no box: {detail}")


class OverConfirmation(ValidationError):
    """More units were confirmed than the step before made available."""

    def __init__(self, field: str, sku: str, requested: int, available: int, what: str) -> None:
        self.sku = sku
        self.requested = requested
        self.available = available
        super().__init__(
            field, requested, f"only {available} x {sku!r} {what}; confirm at most that"
        )


class PickupCodeMismatch(ValidationError):
    """The code shown at the store is not this order's pickup code."""
