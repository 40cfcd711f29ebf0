"""Packing: a box catalogue and a first-fit-decreasing heuristic with a lower bound.

Rules the packer keeps (and the tests prove):

* an item goes in a box only if it fits in one of its six axis-aligned rotations (the
  same as: its sorted dimensions are each no larger than the box's sorted inner
  dimensions);
* a parcel of several items fills at most ``fill_factor`` of the box's inner volume
  (default `DEFAULT_FILL_FACTOR`, 0.85): rigid items never tile a box perfectly,
  and two 200x200x50 mm items do not fit a 300x300x50 mm box although their volume
  would. A parcel of one item needs only that item to fit;
* items plus tare never exceed the box's maximum weight;
* ``ship_alone`` items get a parcel of their own.

Items are placed largest volume first into the first open parcel with room, else into a
new parcel of the largest box that takes them; every parcel is then shrunk to the
smallest box that still holds its contents. The result reports the number of parcels
against a simple lower bound: the largest of ``ceil(total volume / largest box volume)``
(the full volume, so it stays a bound whatever the fill factor),
``ceil(total weight / largest box payload)`` and the number of ship-alone items.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from omskit.catalog.model import Dimensions
from omskit.errors import ValidationError
from omskit.fulfillment.errors import ItemTooLarge

#: The share of a box's inner volume a parcel of several items may fill.
DEFAULT_FILL_FACTOR = 0.85

__all__ = [
    "DEFAULT_BOXES",
    "DEFAULT_FILL_FACTOR",
    "Box",
    "PackItem",
    "PackedParcel",
    "PackingResult",
    "check_fill_factor",
    "lower_bound",
    "pack",
]


@attrs.frozen
class Box:
    """A shipping box: inner dimensions, maximum gross weight and its own (tare) weight."""

    code: str
    inner: Dimensions
    max_weight_grams: int
    tare_grams: int = 0

    @property
    def volume_mm3(self) -> int:
        """Inner volume."""
        return self.inner.volume_mm3

    @property
    def payload_grams(self) -> int:
        """How much the contents may weigh."""
        return self.max_weight_grams - self.tare_grams

    def takes(self, item: PackItem) -> bool:
        """True when ``item`` alone fits (some orientation, weight included)."""
        if item.weight_grams > self.payload_grams:
            return False
        if item.dimensions is None:
            return True
        return all(
            i <= b
            for i, b in zip(_sorted_dims(item.dimensions), _sorted_dims(self.inner), strict=True)
        )

    def holds(self, items: Sequence[PackItem], fill_factor: float = DEFAULT_FILL_FACTOR) -> bool:
        """True when all ``items`` fit together: each by its shape, all by weight and volume.

        Several items may fill at most ``fill_factor`` of the inner volume; one item
        alone needs only to fit.
        """
        if len(items) == 1:
            return self.takes(items[0])
        return (
            sum(i.volume_mm3 for i in items) <= self.volume_mm3 * fill_factor
            and sum(i.weight_grams for i in items) <= self.payload_grams
            and all(self.takes(i) for i in items)
        )


def _sorted_dims(d: Dimensions) -> tuple[int, int, int]:
    a, b, c = sorted((d.length_mm, d.width_mm, d.height_mm))
    return a, b, c


#: A small default catalogue for locations that configure none.
DEFAULT_BOXES: tuple[Box, ...] = (
    Box("S", Dimensions(250, 175, 100), 5_000, 120),
    Box("M", Dimensions(350, 250, 150), 10_000, 250),
    Box("L", Dimensions(500, 350, 250), 20_000, 450),
    Box("XL", Dimensions(800, 600, 400), 31_500, 900),
)


@attrs.frozen
class PackItem:
    """One unit to pack; ``reference``/``line_ref`` say which order line it belongs to."""

    sku: str
    weight_grams: int
    dimensions: Dimensions | None = None
    ship_alone: bool = False
    line_ref: str = ""
    reference: str = ""

    @property
    def volume_mm3(self) -> int:
        """Outer volume (zero when the dimensions are unknown)."""
        return self.dimensions.volume_mm3 if self.dimensions else 0


@attrs.frozen
class PackedParcel:
    """A box and what goes in it."""

    box: Box
    items: tuple[PackItem, ...]

    @property
    def weight_grams(self) -> int:
        """Gross weight: contents plus tare."""
        return self.box.tare_grams + sum(i.weight_grams for i in self.items)

    @property
    def fill_ratio(self) -> float:
        """Share of the box's volume taken by the contents."""
        return sum(i.volume_mm3 for i in self.items) / self.box.volume_mm3

    def quantities(self) -> dict[str, int]:
        """Units per SKU."""
        counts: dict[str, int] = {}
        for i in self.items:
            counts[i.sku] = counts.get(i.sku, 0) + 1
        return counts

    def line_quantities(self) -> dict[str, int]:
        """Units per order line reference."""
        counts: dict[str, int] = {}
        for i in self.items:
            counts[i.line_ref] = counts.get(i.line_ref, 0) + 1
        return counts


@attrs.frozen
class PackingResult:
    """The parcels chosen and how close to the lower bound they came."""

    parcels: tuple[PackedParcel, ...]
    lower_bound: int

    @property
    def boxes_used(self) -> int:
        """Number of parcels."""
        return len(self.parcels)

    def explain(self) -> str:
        """One line per parcel, plus the bound."""
        lines = [f"{self.boxes_used} parcel(s) (lower bound {self.lower_bound})"]
        for n, p in enumerate(self.parcels, 1):
            contents = ", ".join(f"{q} x {sku}" for sku, q in sorted(p.quantities().items()))
            lines.append(
                f"  #{n} box {p.box.code}: {contents}; {p.weight_grams} g, {p.fill_ratio:.0%} full"
            )
        return "\n".join(lines)


def lower_bound(items: Sequence[PackItem], boxes: Sequence[Box]) -> int:
    """No packing can use fewer parcels than this."""
    if not items:
        return 0
    largest_volume = max(b.volume_mm3 for b in boxes)
    largest_payload = max(b.payload_grams for b in boxes)
    by_volume = math.ceil(sum(i.volume_mm3 for i in items) / largest_volume)
    by_weight = math.ceil(sum(i.weight_grams for i in items) / largest_payload)
    alone = sum(1 for i in items if i.ship_alone)
    return max(by_volume, by_weight, alone, 1)


def _check_items(items: Sequence[PackItem], boxes: Sequence[Box]) -> None:
    for n, item in enumerate(items):
        if not any(b.takes(item) for b in boxes):
            dims = item.dimensions
            shape = f"{dims.length_mm}x{dims.width_mm}x{dims.height_mm} mm, " if dims else ""
            biggest = max(boxes, key=lambda b: b.volume_mm3)
            raise ItemTooLarge(
                item.sku,
                f"{shape}{item.weight_grams} g; the largest box {biggest.code} is "
                f"{biggest.inner.length_mm}x{biggest.inner.width_mm}x{biggest.inner.height_mm}"
                f" mm for {biggest.payload_grams} g",
                field=f"items[{n}]",
            )


def _smallest(boxes: Iterable[Box], items: Sequence[PackItem], fill_factor: float) -> Box:
    fitting = [b for b in boxes if b.holds(items, fill_factor)]
    return min(fitting, key=lambda b: (b.volume_mm3, b.max_weight_grams, b.code))


def check_fill_factor(value: object, field: str = "fill_factor") -> float:
    """A share of a box's volume: a number above 0 and at most 1 (``0.85``, ``"0.85"``)."""
    try:
        number = float(value) if isinstance(value, int | float | str | Decimal) else None
    except ValueError:
        number = None
    if isinstance(value, bool) or number is None or not 0 < number <= 1:
        raise ValidationError(field, value, "expected a share above 0 and at most 1, e.g. 0.85")
    return number


def pack(
    items: Sequence[PackItem],
    boxes: Sequence[Box] = DEFAULT_BOXES,
    *,
    fill_factor: float = DEFAULT_FILL_FACTOR,
) -> PackingResult:
    """Choose boxes for ``items`` (see the module docstring for the rules).

    Args:
        items: the units to pack.
        boxes: the box catalogue.
        fill_factor: the share of a box's inner volume several items may fill.

    Raises:
        ItemTooLarge: an item fits no box (nothing is packed).
        ValidationError: ``fill_factor`` is not above 0 and at most 1.
        ValueError: ``boxes`` is empty.
    """
    if not boxes:
        raise ValueError("pack() needs at least one box")
    fill_factor = check_fill_factor(fill_factor)
    _check_items(items, boxes)
    parcels: list[list[PackItem]] = []
    chosen: list[Box] = []
    for item in (i for i in items if i.ship_alone):
        parcels.append([item])
        chosen.append(_smallest(boxes, [item], fill_factor))
    by_size = sorted(
        (i for i in items if not i.ship_alone),
        key=lambda i: (-i.volume_mm3, -i.weight_grams, i.sku, i.line_ref),
    )
    open_from = len(parcels)
    for item in by_size:
        for n in range(open_from, len(parcels)):
            if chosen[n].holds([*parcels[n], item], fill_factor):
                parcels[n].append(item)
                break
        else:
            fitting = [b for b in boxes if b.takes(item)]
            parcels.append([item])
            chosen.append(max(fitting, key=lambda b: (b.volume_mm3, b.payload_grams, b.code)))
    packed = tuple(
        PackedParcel(_smallest(boxes, contents, fill_factor), tuple(contents))
        for contents in parcels
    )
    return PackingResult(packed, lower_bound(items, boxes))
