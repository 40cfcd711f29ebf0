"""The sourcing problem as plain data: lines, candidate locations, stock and costs.

Strategies only ever see a [`SourcingProblem`][], so they are pure functions that can
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
from functools import cached_property
from typing import Protocol

import attrs

__all__ = [
    "LineSpec",
    "Pick",
    "Site",
    "SiteSource",
    "SourcingProblem",
    "plan_cost",
    "units_by_line",
]


_ZERO = Decimal(0)
_set = object.__setattr__


class SiteSource(Protocol):
    """Computes a deferred [`Site`][]'s distance and costs when first asked."""

    def distance_km(self, code: str) -> float:
        """Great-circle distance from location ``code`` to the destination."""
        ...

    def costs(self, code: str, distance_km: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """``(fixed, line, per_kg, base_fee)`` of location ``code`` (see [`Site`][])."""
        ...


class Site:
    """A candidate location as the strategies see it (an immutable value).

    The planner builds sites *deferred* ([`deferred`][]): the distance and the costs are
    computed the first time a strategy reads them, so a strategy that ranks by priority
    never pays for distances or cost estimates of locations it does not use.

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

    __slots__ = ("_costs", "_distance", "_source", "code", "kind", "priority")

    code: str
    kind: str
    priority: int
    _distance: float
    _costs: tuple[Decimal, Decimal, Decimal, Decimal]
    _source: SiteSource | None

    def __init__(  # noqa: PLR0917 - positional, like the attrs class it was
        self, code: str, kind: str, priority: int, distance_km: float = 0.0,
        fixed: Decimal = _ZERO, line: Decimal = _ZERO, per_kg: Decimal = _ZERO,
        base_fee: Decimal = _ZERO,
    ) -> None:  # fmt: skip
        _set(self, "code", code)
        _set(self, "kind", kind)
        _set(self, "priority", priority)
        _set(self, "_distance", distance_km)
        _set(self, "_costs", (fixed, line, per_kg, base_fee))
        _set(self, "_source", None)

    @classmethod
    def deferred(cls, code: str, kind: str, priority: int, source: SiteSource) -> Site:
        """A site whose distance and costs ``source`` computes on first use."""
        site = object.__new__(cls)  # distance and costs stay unset until first read
        _set(site, "code", code)
        _set(site, "kind", kind)
        _set(site, "priority", priority)
        _set(site, "_source", source)
        return site

    def __setattr__(self, name: str, value: object) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError

    @property
    def distance_km(self) -> float:
        """Great-circle distance to the destination, in km."""
        try:
            return self._distance
        except AttributeError:
            assert self._source is not None
            km = self._source.distance_km(self.code)
            _set(self, "_distance", km)
            return km

    def _cost_parts(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        try:
            return self._costs
        except AttributeError:
            assert self._source is not None
            parts = self._source.costs(self.code, self.distance_km)
            _set(self, "_costs", parts)
            return parts

    @property
    def fixed(self) -> Decimal:
        """Cost of one shipment from here."""
        return self._cost_parts()[0]

    @property
    def line(self) -> Decimal:
        """Cost per line picked here."""
        return self._cost_parts()[1]

    @property
    def per_kg(self) -> Decimal:
        """Cost per kg shipped from here to the destination."""
        return self._cost_parts()[2]

    @property
    def base_fee(self) -> Decimal:
        """The carrier's fee per parcel."""
        return self._cost_parts()[3]

    def _key(self) -> tuple[object, ...]:
        return (self.code, self.kind, self.priority, self.distance_km, *self._cost_parts())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Site):
            return NotImplemented
        return self is other or self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        fixed, line, per_kg, base_fee = self._cost_parts()
        return (f"Site(code={self.code!r}, kind={self.kind!r}, priority={self.priority!r}, "
                f"distance_km={self.distance_km!r}, fixed={fixed!r}, line={line!r}, "
                f"per_kg={per_kg!r}, base_fee={base_fee!r})")  # fmt: skip


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

    @cached_property
    def by_ref(self) -> Mapping[str, LineSpec]:
        """The lines by ``line_ref`` (built once per problem)."""
        return {ln.line_ref: ln for ln in self.lines}

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
    lines = problem.by_ref
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
