"""Price lists: per channel and currency, with tiers, sale windows and group prices.

A price list is named (a channel points at one by name, ``"default"`` unless set) and
holds the prices of one currency. Its prices are either entered explicitly, or converted
from the same-named list in a ``base_currency`` through the exchange-rate provider and
the currency's rounding policy. Prices are entered tax-inclusive or tax-exclusive, per
list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import attrs

from omskit.storage.ports import Aggregate, Collection

__all__ = ["PRICE_LISTS", "PriceEntry", "PriceIndex", "PriceList", "price_list_id"]


def price_list_id(name: str, currency: str) -> str:
    """The storage id of list ``name`` in ``currency``: ``"default:EUR"``."""
    return f"{name}:{currency}"


@attrs.frozen
class PriceEntry:
    """One price of one SKU.

    The base price has ``min_quantity=1``, no group and no window. A *tier* starts at a
    larger ``min_quantity``; a *group price* names a ``customer_group``; a *sale price*
    has a validity window ``[valid_from, valid_to)``. When several apply, the lowest wins.
    """

    sku: str
    amount: Decimal
    min_quantity: int = 1
    customer_group: str = ""
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None

    @property
    def key(self) -> tuple[str, int, str, dt.datetime | None, dt.datetime | None]:
        """What makes two entries the same price slot (setting it again replaces it)."""
        return (self.sku, self.min_quantity, self.customer_group, self.valid_from, self.valid_to)

    def applies(self, quantity: int, group: str, now: dt.datetime) -> bool:
        """Whether this price is available for ``quantity`` units to ``group`` at ``now``."""
        return (
            quantity >= self.min_quantity
            and (not self.customer_group or self.customer_group == group)
            and (self.valid_from is None or self.valid_from <= now)
            and (self.valid_to is None or now < self.valid_to)
        )

    def describe(self) -> str:
        """``"tier from 10 units, group 'wholesale', sale until 2026-11-30"``."""
        parts = []
        if self.min_quantity > 1:
            parts.append(f"tier from {self.min_quantity} units")
        if self.customer_group:
            parts.append(f"group {self.customer_group!r}")
        if self.valid_from or self.valid_to:
            window = []
            if self.valid_from:
                window.append(f"from {self.valid_from:%Y-%m-%d %H:%M}")
            if self.valid_to:
                window.append(f"until {self.valid_to:%Y-%m-%d %H:%M}")
            parts.append("sale " + " ".join(window))
        return ", ".join(parts) or "base price"


@attrs.define(eq=False)
class PriceList(Aggregate):
    """The prices of one named list in one currency. Its id is ``"name:CUR"``."""

    name: str
    currency: str
    includes_tax: bool
    base_currency: str | None = None
    entries: tuple[PriceEntry, ...] = ()

    def set(self, entries: Iterable[PriceEntry]) -> int:
        """Add or replace entries (same SKU, tier, group and window); returns how many."""
        slots = {e.key: e for e in self.entries}
        count = 0
        for entry in entries:
            slots[entry.key] = entry
            count += 1
        self.entries = tuple(slots.values())
        return count

    def remove(self, sku: str) -> int:
        """Drop every price of ``sku``; returns how many were dropped."""
        kept = tuple(e for e in self.entries if e.sku != sku)
        dropped = len(self.entries) - len(kept)
        self.entries = kept
        return dropped

    def clone(self) -> PriceList:
        """A cheap copy: the entries tuple is immutable and shared."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


PRICE_LISTS: Collection[PriceList] = Collection(
    "price_lists", PriceList, indexes={"name": lambda p: p.name}, label="price list"
)


class PriceIndex:
    """Entries of a price list grouped by SKU, for fast lookups while quoting."""

    __slots__ = ("_by_sku", "currency", "includes_tax", "name")

    def __init__(
        self, name: str, currency: str, includes_tax: bool, entries: Iterable[PriceEntry]
    ) -> None:
        self.name = name
        self.currency = currency
        self.includes_tax = includes_tax
        by_sku: dict[str, list[PriceEntry]] = {}
        for entry in entries:
            by_sku.setdefault(entry.sku, []).append(entry)
        self._by_sku = {sku: tuple(found) for sku, found in by_sku.items()}

    def __contains__(self, sku: object) -> bool:
        return sku in self._by_sku

    def __len__(self) -> int:
        return len(self._by_sku)

    def best(self, sku: str, quantity: int, group: str, now: dt.datetime) -> PriceEntry | None:
        """The lowest price that applies, or ``None`` (ties go to the base price)."""
        found = self._by_sku.get(sku)
        if not found:
            return None
        best: PriceEntry | None = None
        for entry in found:
            if entry.applies(quantity, group, now) and (best is None or entry.amount < best.amount):
                best = entry
        return best

    def base(self, sku: str) -> PriceEntry | None:
        """The plain base price of ``sku`` (no tier, group or window), if any."""
        for entry in self._by_sku.get(sku, ()):
            if (
                entry.min_quantity == 1
                and not entry.customer_group
                and entry.valid_from is None
                and entry.valid_to is None
            ):
                return entry
        return None

    def entries(self) -> Iterable[PriceEntry]:
        """Every entry."""
        for found in self._by_sku.values():
            yield from found

    def converted(self, currency: str, rate: Decimal, rounding: str, unit: Decimal) -> PriceIndex:
        """This list's entries converted at ``rate`` and rounded to ``unit`` with ``rounding``."""
        return PriceIndex(
            self.name,
            currency,
            self.includes_tax,
            (
                attrs.evolve(e, amount=(e.amount * rate).quantize(unit, rounding=rounding))
                for e in self.entries()
            ),
        )
