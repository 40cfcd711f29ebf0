"""A whole basket's availability in one read: per line, per location, and as a split.

Stock is read, never reserved: the answer is what capture could source now, under the
same rules `available` applies (`omskit.inventory.selling`). Whether one location can
ship everything, and otherwise one way to split it, is worked out greedily: each step
takes the location that covers the most units still missing (ties: lower priority
number, then code). Routing decides the real split at capture, by its strategy and the
customer's address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from omskit.catalog.model import PRODUCTS
from omskit.errors import UnknownSku, ValidationError
from omskit.inventory.locations import LOCATIONS
from omskit.inventory.selling import salable_at
from omskit.storage.ports import UnitOfWork
from omskit.validation import Problems, check_quantity, check_sku

__all__ = ["MAX_LINES", "BasketCheck", "BasketLine", "check_basket_in", "parse_basket"]

#: The most lines one basket check takes.
MAX_LINES = 500


@attrs.frozen
class BasketLine:
    """One SKU of the basket: what is asked, what is there, and where.

    Attributes:
        sku: the SKU.
        quantity: units asked for.
        available: units capture could reserve now over every location.
        locations: ``(location, free units)`` where it may be sold, most units first.
    """

    sku: str
    quantity: int
    available: int
    locations: tuple[tuple[str, int], ...]

    @property
    def ok(self) -> bool:
        """Whether there are enough units in total."""
        return self.available >= self.quantity

    @property
    def missing(self) -> int:
        """Units there are not (0 when ``ok``)."""
        return max(0, self.quantity - self.available)


@attrs.frozen
class BasketCheck:
    """The basket's availability: per line, single locations, and a split.

    Attributes:
        lines: one [`BasketLine`][omskit.inventory.BasketLine] per SKU, in the order
            given.
        country: the destination the check was made for (``None``: any).
        single: locations that could ship the whole basket alone (lower priority
            number first, then code); empty when none can.
        split: ``(location, ((sku, units), ...))`` per location, in the order taken:
            all of ``single[0]`` when there is one, else the greedy split of what
            there is.
        short: ``(sku, units)`` no location has; empty when the basket can ship.
    """

    lines: tuple[BasketLine, ...]
    country: str | None
    single: tuple[str, ...]
    split: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    short: tuple[tuple[str, int], ...]

    @property
    def ok(self) -> bool:
        """Whether every unit of the basket is available."""
        return not self.short

    def explain(self) -> str:
        """The check as readable lines."""
        out = [
            f"{x.sku}: {x.quantity} asked, {x.available} available"
            + (f" ({', '.join(f'{loc} {n}' for loc, n in x.locations)})" if x.locations else "")
            for x in self.lines
        ]
        if self.single:
            out.append(f"ships whole from {', '.join(self.single)}")
        elif self.split:
            parts = "; ".join(
                f"{loc}: {', '.join(f'{sku} x{n}' for sku, n in units)}"
                for loc, units in self.split
            )
            out.append(f"ships in {len(self.split)} parts: {parts}")
        if self.short:
            out.append("short: " + ", ".join(f"{sku} x{n}" for sku, n in self.short))
        return "\n".join(out)


def parse_basket(lines: Any) -> list[tuple[str, int]]:
    """``[(sku, quantity)]`` from ``{sku: quantity}`` or ``[{"sku", "quantity"}, ...]``.

    Every problem is reported at once; a SKU given twice is refused (add the
    quantities into one line).
    """
    problems = Problems()
    raw: list[tuple[str, Any, Any]] = []
    if isinstance(lines, Mapping):
        raw = [(f"lines.{k}", k, v) for k, v in lines.items()]
    elif isinstance(lines, Sequence) and not isinstance(lines, str | bytes):
        for i, line in enumerate(lines):
            if not isinstance(line, Mapping):
                problems.add(f"lines[{i}]", "expected a mapping with sku and quantity", line)
                continue
            raw.append((f"lines[{i}]", line.get("sku"), line.get("quantity")))
    else:
        raise ValidationError(
            "lines", lines, "expected {sku: quantity} or a list of {sku, quantity} mappings"
        )
    if not raw and not problems:
        raise ValidationError("lines", lines, "give at least one line")
    if len(raw) > MAX_LINES:
        raise ValidationError("lines", len(raw), f"at most {MAX_LINES} lines")
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    for field, sku, quantity in raw:
        name = field if field.startswith("lines.") else f"{field}.sku"
        clean_sku = problems.check(name, check_sku, sku)
        amount = field if field.startswith("lines.") else f"{field}.quantity"
        clean_qty = problems.check(amount, check_quantity, quantity)
        if clean_sku is not None and clean_sku in seen:
            problems.add(name, f"{sku!r} is on an earlier line too; give each SKU once", sku)
        elif clean_sku is not None and clean_qty is not None:
            seen.add(clean_sku)
            out.append((clean_sku, clean_qty))
    problems.raise_if_any()
    return out


def _split(
    wanted: dict[str, int], stock: dict[str, dict[str, int]], rank: dict[str, tuple[int, str]]
) -> tuple[list[tuple[str, tuple[tuple[str, int], ...]]], dict[str, int]]:
    """Greedy: take the location covering most missing units until nothing more helps."""
    missing = {sku: n for sku, n in wanted.items() if n}
    parts: list[tuple[str, tuple[tuple[str, int], ...]]] = []
    left = set(rank)
    while missing and left:

        def covers(loc: str) -> int:
            return sum(min(stock[sku].get(loc, 0), n) for sku, n in missing.items())

        best = min(left, key=lambda loc: (-covers(loc), rank[loc]))
        if covers(best) == 0:
            break
        left.discard(best)
        taken = []
        for sku, n in list(missing.items()):
            units = min(stock[sku].get(best, 0), n)
            if units:
                taken.append((sku, units))
                missing[sku] = n - units
                if not missing[sku]:
                    del missing[sku]
        parts.append((best, tuple(taken)))
    return parts, missing


def check_basket_in(
    uow: UnitOfWork, lines: Sequence[tuple[str, int]], country: str | None
) -> BasketCheck:
    """The availability of ``lines`` (parsed) for ``country``, read inside ``uow``."""
    stock: dict[str, dict[str, int]] = {}
    for sku, _ in lines:
        if uow.repo(PRODUCTS).view(sku) is None:
            raise UnknownSku(sku)
        stock[sku] = salable_at(uow, sku, country)
    locations = uow.repo(LOCATIONS)
    rank: dict[str, tuple[int, str]] = {}
    for where in {loc for per in stock.values() for loc in per}:
        view = locations.view(where)
        rank[where] = (view.priority if view is not None else 0, where)
    basket = []
    for sku, quantity in lines:
        per = sorted(stock[sku].items(), key=lambda kv: (-kv[1], rank[kv[0]]))
        basket.append(BasketLine(sku, quantity, sum(stock[sku].values()), tuple(per)))
    wanted = dict(lines)
    single = tuple(
        sorted(
            (loc for loc in rank if all(stock[sku].get(loc, 0) >= n for sku, n in lines)),
            key=rank.__getitem__,
        )
    )
    if single:
        split = [(single[0], tuple(lines))]
        missing: dict[str, int] = {}
    else:
        split, missing = _split(wanted, stock, rank)
    short = tuple((sku, missing[sku]) for sku, _ in lines if sku in missing)
    return BasketCheck(tuple(basket), country, single, tuple(split), short)
