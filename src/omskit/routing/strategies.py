"""The built-in sourcing strategies: priority, nearest, fewest, highest stock, drop-ship.

A strategy is any object with a ``name``, a ``description``, ``assign(problem)``
returning [`Pick`][] items, and ``detail(problem, site)``
describing a location in its own terms for the explanation ("504 km", "priority 20").
The planner checks every pick against the problem, so a third-party strategy cannot ship
more than ordered or from a location without stock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from omskit.routing.problem import LineSpec, Pick, Site, SourcingProblem

__all__ = [
    "DropshipStrategy",
    "FewestShipmentsStrategy",
    "HighestStockStrategy",
    "NearestStrategy",
    "PriorityStrategy",
    "RankedStrategy",
    "RoutingStrategy",
    "fill_in_order",
    "shipment_count",
]


@runtime_checkable
class RoutingStrategy(Protocol):
    """The port every sourcing strategy implements."""

    name: str
    description: str

    def assign(self, problem: SourcingProblem) -> Sequence[Pick]:
        """Decide which location ships how much of each line."""
        ...

    def detail(self, problem: SourcingProblem, site: Site) -> str:
        """How this strategy sees ``site``, in a few words."""
        ...


def shipment_count(picks: Sequence[Pick]) -> int:
    """How many distinct locations ``picks`` ship from."""
    return len({p.location for p in picks if p.quantity})


class RankedStrategy:
    """Fill each line from locations in rank order (lowest [`rank`][] first).

    Without splitting, the whole order goes to the best-ranked location that has all of
    it; if none has, to the one that has the most units (the rest is unfulfilled).
    """

    name = "ranked"
    description = "fills lines from locations in a fixed order"

    def rank(self, problem: SourcingProblem, site: Site) -> tuple[Any, ...]:
        """Sort key: lower is preferred."""
        return (site.priority, site.code)

    def why(self, problem: SourcingProblem, site: Site) -> str:
        """Why ``site`` won, in words."""
        return f"first in order ({self.detail(problem, site)})"

    def detail(self, problem: SourcingProblem, site: Site) -> str:
        """How this strategy sees ``site``."""
        return f"priority {site.priority}"

    def ordered(self, problem: SourcingProblem) -> list[Site]:
        """Sites in rank order."""
        sites = problem.sites
        if len(sites) == 1:
            return list(sites.values())
        return sorted(sites.values(), key=lambda s: self.rank(problem, s))

    def assign(self, problem: SourcingProblem) -> list[Pick]:
        """Fill lines in rank order (or pick one site when splitting is not allowed)."""
        order = self.ordered(problem)
        if not problem.allow_split:
            return single_site(problem, order, self.why)
        sites = {site.code: site for site in order}
        whys: dict[str, str] = {}
        picks: list[Pick] = []
        wanted = ((line.line_ref, line.quantity, line.stock) for line in problem.lines)
        for line_ref, code, take in fill_in_order(wanted, list(sites)):
            why = whys.get(code)
            if why is None:
                why = whys[code] = self.why(problem, sites[code])
            picks.append(Pick(line_ref, code, take, why))
        return picks


def fill_in_order(
    wanted: Iterable[tuple[str, int, Mapping[str, int]]], order: Sequence[str]
) -> Iterator[tuple[str, str, int]]:
    """Greedy fill: each line takes what it needs from locations in ``order``.

    ``wanted`` gives ``(line_ref, quantity, stock by location code)`` per line; yields
    ``(line_ref, location, units)`` for every take, never zero. The ranked strategies and
    the planner's shortcut for the default strategy both source through this one loop.
    """
    for line_ref, quantity, stock in wanted:
        need = quantity
        if not need or not stock:
            continue
        for code in order:
            have = stock.get(code, 0)
            if have:
                take = min(need, have)
                yield line_ref, code, take
                need -= take
                if not need:
                    break


def single_site(problem: SourcingProblem, order: Sequence[Site], why: Any) -> list[Pick]:
    """The whole order from one site: the first in ``order`` with the most units."""
    best: Site | None = None
    best_units = 0
    for site in order:
        units = sum(min(ln.quantity, ln.stock.get(site.code, 0)) for ln in problem.lines)
        if units > best_units:
            best, best_units = site, units
    if best is None:
        return []
    complete = best_units == sum(ln.quantity for ln in problem.lines)
    reason = why(problem, best) + ("" if complete else "; has the most of this unsplittable order")
    return [
        Pick(ln.line_ref, best.code, min(ln.quantity, ln.stock.get(best.code, 0)), reason)
        for ln in problem.lines
        if ln.stock.get(best.code, 0)
    ]


class PriorityStrategy(RankedStrategy):
    """Locations in priority order (what Magento MSI and Saleor do by default)."""

    name = "priority"
    description = "locations in their configured priority order"

    def why(self, problem: SourcingProblem, site: Site) -> str:
        """Why ``site`` won."""
        return f"highest-priority location with stock (priority {site.priority})"


class NearestStrategy(RankedStrategy):
    """The location closest to the customer (great-circle distance) first."""

    name = "nearest"
    description = "closest location to the destination first"

    def rank(self, problem: SourcingProblem, site: Site) -> tuple[Any, ...]:
        """Nearest first; priority breaks ties."""
        return (round(site.distance_km, 3), site.priority, site.code)

    def why(self, problem: SourcingProblem, site: Site) -> str:
        """Why ``site`` won."""
        return f"nearest location with stock, {site.distance_km:.0f} km"

    def detail(self, problem: SourcingProblem, site: Site) -> str:
        """The distance."""
        return f"{site.distance_km:.0f} km"


class HighestStockStrategy(RankedStrategy):
    """Saleor's "highest stock first": each line from the location with the most of it.

    Each line takes what it needs from the locations that can ship it, the one with the
    most usable units of that line's SKU first, then the next; priority, then the code,
    breaks ties, so the same input always gives the same plan. Without splitting, the
    whole order goes to the location that can ship the most of it, the one with the most
    stock of the order's SKUs first among equals.
    """

    name = "highest_stock"
    description = "the location with the most stock of the line first"

    def rank(self, problem: SourcingProblem, site: Site) -> tuple[Any, ...]:
        """Most units of the order's SKUs first; priority, then code, breaks ties."""
        units = sum(ln.stock.get(site.code, 0) for ln in problem.lines)
        return (-units, site.priority, site.code)

    def why(self, problem: SourcingProblem, site: Site) -> str:
        """Why ``site`` won (the whole order from one location)."""
        return f"most stock of the order ({self.detail(problem, site)})"

    def detail(self, problem: SourcingProblem, site: Site) -> str:
        """Units of the order's SKUs it holds."""
        units = sum(ln.stock.get(site.code, 0) for ln in problem.lines)
        return f"{units} unit(s) in stock"

    def assign(self, problem: SourcingProblem) -> list[Pick]:
        """Fill each line from its best-stocked locations (or pick one when unsplittable)."""
        if not problem.allow_split:
            return single_site(problem, self.ordered(problem), self.why)
        sites = problem.sites
        picks: list[Pick] = []
        for line in problem.lines:
            stock = line.stock
            order = sorted(stock, key=lambda c: (-stock[c], sites[c].priority, c))
            taken = 0
            for ref, code, take in fill_in_order([(line.line_ref, line.quantity, stock)], order):
                first = "most" if not taken else "next most"
                why = (f"{first} {line.sku} in stock ({stock[code]} unit(s), "
                       f"priority {sites[code].priority})")  # fmt: skip
                picks.append(Pick(ref, code, take, why))
                taken += take
        return picks


class DropshipStrategy(RankedStrategy):
    """Own stock first, in priority order; drop-ship suppliers only for what is left.

    SKUs that only suppliers stock are therefore drop-shipped, and nothing that a
    warehouse or store holds is sent by a supplier.
    """

    name = "dropship"
    description = "own stock first; drop-ship suppliers for supplier-only SKUs"

    def rank(self, problem: SourcingProblem, site: Site) -> tuple[Any, ...]:
        """Own locations before suppliers, then priority."""
        return (site.kind == "supplier", site.priority, site.code)

    def why(self, problem: SourcingProblem, site: Site) -> str:
        """Why ``site`` won."""
        if site.kind == "supplier":
            return f"no own location has it; drop-shipped by supplier {site.code}"
        return f"own stock first (priority {site.priority})"

    def detail(self, problem: SourcingProblem, site: Site) -> str:
        """Own stock or supplier."""
        kind = "supplier" if site.kind == "supplier" else "own stock"
        return f"{kind}, priority {site.priority}"


class FewestShipmentsStrategy(RankedStrategy):
    """As few shipments as possible.

    Greedy: repeatedly take the location that can ship the most of what is still
    needed (priority breaks ties). The result is compared with the priority plan and the
    one with fewer shipments is kept, so this strategy never uses more shipments than
    ``priority`` on the same input; both ship every unit that can be shipped.
    """

    name = "fewest_shipments"
    description = "as few shipments (locations) as possible"

    def why(self, problem: SourcingProblem, site: Site) -> str:
        """Why ``site`` won."""
        return f"ships the most of the order in one shipment ({self.detail(problem, site)})"

    def detail(self, problem: SourcingProblem, site: Site) -> str:
        """How much of the order the site has."""
        total = sum(ln.quantity for ln in problem.lines)
        has = sum(min(ln.quantity, ln.stock.get(site.code, 0)) for ln in problem.lines)
        return f"has {has} of {total} units"

    def assign(self, problem: SourcingProblem) -> list[Pick]:
        """Greedy cover, then keep whichever of it and the priority plan ships less often."""
        if not problem.allow_split:
            return single_site(problem, self.ordered(problem), self.why)
        greedy = self._greedy(problem)
        baseline = PriorityStrategy().assign(problem)
        if shipment_count(baseline) < shipment_count(greedy):
            why = "fewer shipments than the greedy cover; taken in priority order"
            return [Pick(p.line_ref, p.location, p.quantity, why) for p in baseline]
        return greedy

    def _greedy(self, problem: SourcingProblem) -> list[Pick]:
        need = {ln.line_ref: ln.quantity for ln in problem.lines}
        sites = self.ordered(problem)
        picks: list[Pick] = []
        used: set[str] = set()
        while True:
            best, best_units = None, 0
            for site in sites:
                if site.code in used:
                    continue
                units = _coverage(problem.lines, need, site.code)
                if units > best_units:
                    best, best_units = site, units
            if best is None:
                return picks
            used.add(best.code)
            total = sum(need.values())
            why = (
                f"ships {best_units} of the {total} unit(s) still needed in one shipment"
                if best_units < total
                else "has everything still needed: one shipment"
            )
            for ln in problem.lines:
                take = min(need[ln.line_ref], ln.stock.get(best.code, 0))
                if take:
                    picks.append(Pick(ln.line_ref, best.code, take, why))
                    need[ln.line_ref] -= take


def _coverage(lines: Sequence[LineSpec], need: dict[str, int], code: str) -> int:
    return sum(min(need[ln.line_ref], ln.stock.get(code, 0)) for ln in lines)
