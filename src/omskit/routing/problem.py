"""The sourcing problem as plain data: lines, candidate locations, stock and costs.

Strategies only ever see a :class:`SourcingProblem`, so they are pure functions that can
be tested and benchmarked without a store. Constraints have already been applied when a
problem is built: a location appears in a line's ``stock`` only if it may ship that line
to that destination.

Cost model (documented in ``docs/routing.md``): one shipment from a location costs
``fixed`` (its handling per shipment + the carrier's base fee + a per-km charge); each
line picked there costs ``line`` (its handling per line); each unit costs its weight in
kg times ``per_kg`` (a per-kg rate that grows with distance), plus one more base fee per
unit that must ship alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

__all__ = ["LineSpec", "Pick", "Site", "SourcingProblem", "plan_cost", "units_by_line"]


@attrs.frozen
class Site:
    """A candidate location as the strategies see it.

    Attributes:
        code: the location code.
        kind: ``"warehouse"``, ``"store"`` or ``"supplier"``.
        priority: lower first.
        distance_km: great-circle distance to the destination.
        fixed: cost of one shipment from here.
        line: cost per line picked here.
        per_kg: cost per kg shipped from here to the destination.
        base_fee: the carrier's fee per parcel (charged again per ship-alone unit).
    """

    code: str
    kind: str
    priority: int
    distance_km: float
    fixed: Decimal = Decimal(0)
    line: Decimal = Decimal(0)
    per_kg: Decimal = Decimal(0)
    base_fee: Decimal = Decimal(0)


@attrs.frozen
class LineSpec:
    """One line to source and the locations that may ship it, with usable stock."""

    line_ref: str
    sku: str
    quantity: int
    weight_grams: int = 0
    ship_alone: bool = False
    stock: Mapping[str, int] = attrs.field(factory=dict)
    blocked: tuple[tuple[str, str], ...] = ()

    @property
    def coverable(self) -> int:
        """The most units all eligible locations together can ship."""
        return min(self.quantity, sum(self.stock.values()))


@attrs.frozen
class SourcingProblem:
    """Lines, candidate sites and whether the order may be split.

    ``sites`` holds the locations that may ship to the destination *and* hold usable
    stock of at least one line (in location order): a location with nothing to ship is
    no candidate, so the planner does not cost it.
    """

    lines: tuple[LineSpec, ...]
    sites: Mapping[str, Site]
    allow_split: bool = True
    currency: str = "EUR"

    def unit_cost(self, line: LineSpec, site: Site) -> Decimal:
        """Variable cost of one unit of ``line`` from ``site``."""
        cost = Decimal(line.weight_grams) / 1000 * site.per_kg
        return cost + site.base_fee if line.ship_alone else cost


@attrs.frozen
class Pick:
    """A strategy's decision: ``quantity`` of ``line_ref`` from ``location``, and why."""

    line_ref: str
    location: str
    quantity: int
    why: str = ""


def units_by_line(picks: Iterable[Pick]) -> dict[str, int]:
    """Units picked per line."""
    out: dict[str, int] = {}
    for p in picks:
        out[p.line_ref] = out.get(p.line_ref, 0) + p.quantity
    return out


def plan_cost(problem: SourcingProblem, picks: Iterable[Pick]) -> Decimal:
    """Estimated cost of ``picks`` under the problem's cost model (not rounded)."""
    lines = {ln.line_ref: ln for ln in problem.lines}
    used: set[str] = set()
    used_lines: set[tuple[str, str]] = set()
    total = Decimal(0)
    for p in picks:
        if not p.quantity:
            continue
        site = problem.sites[p.location]
        line = lines[p.line_ref]
        if p.location not in used:
            used.add(p.location)
            total += site.fixed
        if (p.location, p.line_ref) not in used_lines:
            used_lines.add((p.location, p.line_ref))
            total += site.line
        total += problem.unit_cost(line, site) * p.quantity
    return total
