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
    └── StockShortfall           lines that cannot be reserved, every one listed
        └── BackorderLimitReached    a backorder / preorder cap would be exceeded

Every one pickles with its data (``__reduce__`` rebuilds it from its constructor
arguments), so a host running captures in a process pool gets them back intact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from omskit.errors import InsufficientStock, InvalidTransition, NotFound, Problem

__all__ = [
    "BackorderLimitReached",
    "LocationInactive",
    "NotEnoughToMove",
    "ShortLine",
    "StockShortfall",
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

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.code,)


class UnknownReservation(NotFound):
    """Nothing is (or ever was) reserved under this reference or line."""

    def __init__(self, reference: str, line_ref: str | None = None) -> None:
        self.reference = reference
        self.line_ref = line_ref
        key = reference if line_ref is None else f"{reference}/{line_ref}"
        super().__init__("reservation for", key, "reserve stock for it first")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.reference, self.line_ref)


class UnknownSupplier(NotFound):
    """No supplier exists with this code."""

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__("supplier", code, "add it with oms.inventory.add_supplier() first")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.code,)


class UnknownPurchaseOrder(NotFound):
    """No purchase order exists with this id."""

    def __init__(self, po_id: object) -> None:
        self.po_id = po_id
        super().__init__("purchase order", po_id)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.po_id,)


class LocationInactive(InvalidTransition):
    """The location is deactivated: it takes in no more stock."""

    def __init__(self, code: str, action: str) -> None:
        self.code = code
        self.verb = action
        super().__init__(f"location {code!r}", "inactive", action, ("active",))

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.code, self.verb)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.sku, self.requested, self.available, self.location,
                            self.action)  # fmt: skip


@attrs.frozen
class ShortLine:
    """One line that cannot be reserved as asked.

    Attributes:
        sku: the SKU.
        requested: units asked for.
        available: units of them that stock could cover (the rest is short).
        line_ref: the order (or cart) line, when there is one.
        location: where, when the line was asked of one location.
        reason: why the short units are refused, in words (empty: no stock, that's all).
    """

    sku: str
    requested: int
    available: int
    line_ref: str | None = None
    location: str | None = None
    reason: str = ""

    @property
    def short(self) -> int:
        """Units that cannot be reserved."""
        return self.requested - self.available

    def __str__(self) -> str:
        line = f"line {self.line_ref}: " if self.line_ref else ""
        where = f" at {self.location!r}" if self.location else ""
        why = f"; {self.reason}" if self.reason else ""
        return (f"{line}{self.requested} x {self.sku!r}{where} (only {self.available} "
                f"available{why})")  # fmt: skip


def _listed(shortfalls: Sequence[ShortLine]) -> str:
    if len(shortfalls) == 1:
        return ""
    return f"; {len(shortfalls)} lines are short: " + "; ".join(str(s) for s in shortfalls)


class StockShortfall(InsufficientStock):
    """Lines that cannot be reserved, every one of them at once.

    Raised by capture (and by reservations) with one `ShortLine` per short line
    in `shortfalls`, so a channel can correct the whole basket in one round trip.
    ``sku``, ``requested``, ``available`` and ``location`` describe the first of them
    (the whole story when only one line is short).

    Attributes:
        shortfalls: every short line: SKU, units requested, units available, line, why.
    """

    def __init__(self, shortfalls: Sequence[ShortLine]) -> None:
        found = tuple(shortfalls)
        if not found:
            raise ValueError("StockShortfall needs at least one short line")
        first = found[0]
        super().__init__(first.sku, first.requested, first.available, first.location)
        self.shortfalls: tuple[ShortLine, ...] = found
        if len(found) > 1:
            listed = "; ".join(str(s) for s in found)
            self.args = (f"cannot reserve {len(found)} lines: {listed}",)
        elif first.reason:
            self.args = (f"{self.args[0]} ({first.reason})",)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The short lines as validation-style problems (field ``lines.<line>.quantity``)."""
        return tuple(
            Problem(f"lines.{s.line_ref}.quantity" if s.line_ref else f"{s.sku}.quantity",
                    f"only {s.available} of {s.requested} x {s.sku} available"
                    + (f"; {s.reason}" if s.reason else ""), s.requested)
            for s in self.shortfalls
        )  # fmt: skip

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.shortfalls,)


class BackorderLimitReached(StockShortfall):
    """Reserving would oversell beyond the SKU's backorder / preorder cap.

    ``shortfalls`` lists every line refused with it (the capped one first).
    """

    def __init__(  # noqa: PLR0917 - positional, so pickling rebuilds it from its args
        self, sku: str, requested: int, available: int, cap: int, mode: str,
        shortfalls: Sequence[ShortLine] = (),
    ) -> None:  # fmt: skip
        why = f"the {mode} cap of {cap} unit(s) would be exceeded"
        found = tuple(shortfalls) or (ShortLine(sku, requested, available, reason=why),)
        super().__init__(found)
        self.sku, self.requested, self.available = sku, requested, available
        self.cap = cap
        self.mode = mode
        self.args = (
            f"cannot reserve {requested} x {sku!r}: {available} available and the {mode} "
            f"cap of {cap} unit(s) would be exceeded{_listed(found)}",
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.sku, self.requested, self.available, self.cap, self.mode,
                            self.shortfalls)  # fmt: skip
