"""Backorders, preorders and available-to-promise.

Each SKU has a [`SkuPolicy`][]: ``deny`` (never sell what is not there; the default),
``backorder`` (take orders now, ship when stock arrives) or ``preorder`` (take orders
before a ``release_date``). Backorders and preorders may carry a ``cap``: the most units
that may be sold beyond what is available, across all locations.

[`promise`][] combines on-hand stock, open purchase orders and reservations into a
promise date for a quantity of a SKU.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

from omskit.inventory.stock import STOCK, StockLevel
from omskit.storage.ports import Aggregate, Collection, UnitOfWork

__all__ = [
    "BACKORDER_MODES",
    "SKU_POLICIES",
    "Promise",
    "SkuPolicy",
    "oversold",
    "promise",
]

BackorderMode = Literal["deny", "backorder", "preorder"]

#: The backorder modes a SKU can have.
BACKORDER_MODES: tuple[str, ...] = ("deny", "backorder", "preorder")


@attrs.define(eq=False)
class SkuPolicy(Aggregate):
    """How a SKU may be sold beyond its stock. ``id`` is the SKU.

    Attributes:
        mode: ``"deny"``, ``"backorder"`` or ``"preorder"``.
        cap: at most this many units oversold across all locations (``None``: no cap).
        release_date: for preorders, the day the product comes out.
    """

    mode: BackorderMode = "deny"
    cap: int | None = None
    release_date: dt.date | None = None

    @property
    def sku(self) -> str:
        """The SKU this policy governs."""
        return self.id

    @property
    def allows_overselling(self) -> bool:
        """True for backorders and preorders."""
        return self.mode != "deny"

    def clone(self) -> SkuPolicy:
        """A cheap copy (all fields are immutable values)."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


SKU_POLICIES: Collection[SkuPolicy] = Collection(
    "sku_backorder_policies", SkuPolicy, label="backorder policy"
)


def oversold(levels: Iterable[StockLevel]) -> int:
    """Units reserved beyond what is available, summed over ``levels``."""
    return sum(-lv.available for lv in levels if lv.available < 0)


def sku_levels(uow: UnitOfWork, sku: str) -> list[StockLevel]:
    """Every level of ``sku`` (the unit of work's own copies)."""
    return uow.repo(STOCK).list_by("sku", sku)


@attrs.frozen
class Promise:
    """When ``quantity`` units of ``sku`` can be promised.

    Attributes:
        date: the promise date; ``None`` when nothing can be promised.
        location: where it will come from (``None``: several locations or none).
        basis: ``"in_stock"``, ``"incoming"``, ``"preorder"``, ``"backorder"`` or
            ``"unavailable"``.
        note: the reason in words.
    """

    sku: str
    quantity: int
    date: dt.date | None
    location: str | None
    basis: str
    note: str


def _earliest(level: StockLevel, quantity: int, today: dt.date) -> tuple[dt.date, str] | None:
    atp = level.available
    if atp >= quantity:
        return today, ""
    for inc in sorted(level.incoming, key=lambda i: (i.expected, i.po)):
        atp += inc.quantity
        if atp >= quantity:
            return max(inc.expected, today), inc.po
    return None


def promise(
    sku: str,
    quantity: int,
    levels: Sequence[StockLevel],
    policy: SkuPolicy | None,
    today: dt.date,
) -> Promise:
    """Available-to-promise by date for ``quantity`` x ``sku``.

    ATP at a location on a day = available now (on hand less reservations, safety stock
    and quarantine; backorders already taken make it lower) plus purchase-order units
    expected by that day. The promise is the earliest day one location reaches
    ``quantity``; failing that, the earliest day all locations together do. Preorders are
    never promised before their release date; ``deny`` SKUs only promise stock on hand.
    """
    mode = policy.mode if policy is not None else "deny"
    best: tuple[dt.date, str, str] | None = None
    for level in levels:
        found = _earliest(level, quantity, today)
        if found is not None and (best is None or (found[0], level.location) < best[:2]):
            best = (found[0], level.location, found[1])
    location: str | None
    date: dt.date | None
    if best is not None:
        date, location, po = best
    else:
        date, location, po = _combined(levels, quantity, today), None, ""
    if mode == "preorder" and policy is not None and policy.release_date is not None:
        release = policy.release_date
        if release > today:
            when = max(release, date) if date is not None else release
            return Promise(sku, quantity, when, location, "preorder",
                           f"preorder: released on {release.isoformat()}")  # fmt: skip
    if date == today:
        return Promise(sku, quantity, today, location, "in_stock", "in stock")
    if date is not None and mode != "deny":
        basis = "backorder" if mode == "backorder" else "incoming"
        if location is None:
            note = f"stock and purchase orders of several locations together by {date}"
        else:
            note = f"purchase order {po} due at {location} {date.isoformat()}"
        return Promise(sku, quantity, date, location, basis, note)
    if date is not None:
        return Promise(sku, quantity, None, None, "unavailable",
                       f"not in stock; restock expected {date.isoformat()} but {sku} "
                       "does not take backorders")  # fmt: skip
    return Promise(sku, quantity, None, None, "unavailable",
                   "not in stock and no purchase order covers it")  # fmt: skip


def _combined(levels: Sequence[StockLevel], quantity: int, today: dt.date) -> dt.date | None:
    atp = sum(lv.available for lv in levels)
    if atp >= quantity:
        return today
    arrivals = sorted((i.expected, i.quantity) for lv in levels for i in lv.incoming)
    for expected, qty in arrivals:
        atp += qty
        if atp >= quantity:
            return max(expected, today)
    return None
