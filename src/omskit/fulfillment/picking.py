"""Pick lists: bin locations, merging by SKU, a serpentine walking order and its length.

A bin code reads ``zone-aisle-shelf-bin`` (``"A-03-2-B"``: zone A, aisle 3, the second
shelving unit along the aisle, bin B). The warehouse model behind the path metric:

* every aisle runs from a front cross-aisle (``y = 0``) to a back cross-aisle;
* aisles sit ``aisle_spacing_m`` apart; zones sit side by side ``zone_span_m`` apart;
* a picker walks from the depot (``x = 0, y = 0``) through the picks and back; between
  aisles they leave by the front or the back, whichever is shorter.

The serpentine order walks the visited aisles left to right, up the first, down the
next, and so on, which never walks an aisle twice.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence

import attrs

from omskit.fulfillment.errors import InvalidBinCode

__all__ = [
    "BinLocation",
    "Layout",
    "PickDemand",
    "PickList",
    "PickSource",
    "PickTask",
    "build_pick_list",
    "path_length",
    "serpentine",
]

_BIN = re.compile(r"([A-Z]{1,3})-(\d{1,3})-(\d{1,3})-([A-Z0-9]{1,4})")


@attrs.frozen(order=True)
class BinLocation:
    """Where a SKU sits: zone, aisle, shelf (position along the aisle) and bin."""

    zone: str
    aisle: int
    shelf: int
    bin: str

    @classmethod
    def parse(cls, code: object, field: str = "bin") -> BinLocation:
        """Read ``"A-03-2-B"`` (case and surrounding spaces do not matter)."""
        if isinstance(code, BinLocation):
            return code
        text = code.strip().upper() if isinstance(code, str) else ""
        match = _BIN.fullmatch(text)
        if match is None:
            raise InvalidBinCode(field, code, "expected zone-aisle-shelf-bin such as 'A-03-2-B'")
        zone, aisle, shelf, bin_ = match.groups()
        return cls(zone, int(aisle), int(shelf), bin_)

    @property
    def code(self) -> str:
        """The canonical code, ``"A-03-2-B"``."""
        return f"{self.zone}-{self.aisle:02d}-{self.shelf}-{self.bin}"

    def __str__(self) -> str:
        return self.code


@attrs.frozen
class Layout:
    """Distances of the warehouse model used for the path metric (metres)."""

    aisle_spacing_m: float = 3.0
    shelf_length_m: float = 1.2
    shelves_per_aisle: int = 20
    zone_span_m: float = 100.0

    def point(self, where: BinLocation, zones: Sequence[str]) -> tuple[float, float]:
        """The (x, y) position of a bin."""
        x = zones.index(where.zone) * self.zone_span_m + where.aisle * self.aisle_spacing_m
        return x, where.shelf * self.shelf_length_m

    def aisle_length(self, bins: Iterable[BinLocation]) -> float:
        """Length between the cross-aisles (long enough for every bin given)."""
        deepest = max((b.shelf for b in bins), default=0)
        return (max(self.shelves_per_aisle, deepest) + 1) * self.shelf_length_m


def serpentine(bins: Iterable[BinLocation]) -> list[BinLocation]:
    """``bins`` in serpentine walking order (duplicates kept next to each other)."""
    found = sorted(bins)
    aisles = sorted({(b.zone, b.aisle) for b in found})
    upward = {aisle: i % 2 == 0 for i, aisle in enumerate(aisles)}

    def key(b: BinLocation) -> tuple[str, int, int, str]:
        up = upward[(b.zone, b.aisle)]
        return (b.zone, b.aisle, b.shelf if up else -b.shelf, b.bin)

    return sorted(found, key=key)


def path_length(route: Sequence[BinLocation], layout: Layout | None = None) -> float:
    """Metres walked from the depot through ``route`` in the given order and back."""
    lay = layout or Layout()
    if not route:
        return 0.0
    zones = sorted({b.zone for b in route})
    length = lay.aisle_length(route)
    points = [(0.0, 0.0), *(lay.point(b, zones) for b in route), (0.0, 0.0)]
    total = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        if x1 == x2:
            total += abs(y1 - y2)
        else:
            total += abs(x1 - x2) + min(y1 + y2, 2 * length - y1 - y2)
    return round(total, 2)


@attrs.frozen
class PickDemand:
    """Units of a SKU that one fulfillment order line needs picked."""

    reference: str
    line_ref: str
    sku: str
    quantity: int


@attrs.frozen
class PickSource:
    """Which fulfillment order line a share of a pick task belongs to."""

    reference: str
    line_ref: str
    quantity: int


@attrs.frozen
class PickTask:
    """One stop on the pick walk: take ``quantity`` of ``sku`` from ``bin``."""

    sku: str
    quantity: int
    bin: BinLocation | None
    sources: tuple[PickSource, ...]


@attrs.frozen
class PickList:
    """Pick tasks for one location, merged by SKU, in serpentine order.

    ``path_length_m`` is the walk in this order; ``line_order_length_m`` the walk in the
    order the lines were given (what picking "as the orders read" would cost).
    """

    location: str
    references: tuple[str, ...]
    tasks: tuple[PickTask, ...]
    path_length_m: float
    line_order_length_m: float

    @property
    def unlocated(self) -> tuple[PickTask, ...]:
        """Tasks for SKUs with no bin assigned (listed last)."""
        return tuple(t for t in self.tasks if t.bin is None)

    @property
    def units(self) -> int:
        """Units to pick in all."""
        return sum(t.quantity for t in self.tasks)


def build_pick_list(
    location: str,
    demands: Sequence[PickDemand],
    bins: Mapping[str, BinLocation],
    layout: Layout | None = None,
) -> PickList:
    """Merge ``demands`` by SKU and order them along the serpentine path.

    SKUs without a bin in ``bins`` come last, by SKU.
    """
    merged: dict[str, list[PickSource]] = {}
    for d in demands:
        merged.setdefault(d.sku, []).append(PickSource(d.reference, d.line_ref, d.quantity))
    tasks = [
        PickTask(sku, sum(s.quantity for s in sources), bins.get(sku), tuple(sources))
        for sku, sources in merged.items()
    ]
    located = {t.bin: t for t in tasks if t.bin is not None}
    by_bin: dict[BinLocation, list[PickTask]] = {}
    for t in tasks:
        if t.bin is not None:
            by_bin.setdefault(t.bin, []).append(t)
    ordered = [t for b in serpentine(set(located)) for t in sorted(by_bin[b], key=_sku)]
    ordered += sorted((t for t in tasks if t.bin is None), key=_sku)
    line_order = [bins[d.sku] for d in demands if d.sku in bins]
    references = tuple(dict.fromkeys(d.reference for d in demands))
    return PickList(
        location,
        references,
        tuple(ordered),
        path_length([t.bin for t in ordered if t.bin is not None], layout),
        path_length(line_order, layout),
    )


def _sku(task: PickTask) -> str:
    return task.sku
