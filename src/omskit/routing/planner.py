"""Turns a request into a problem (constraints applied), runs a strategy, explains the plan."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from omskit.catalog.model import PRODUCTS, Product
from omskit.customers.address import Address
from omskit.errors import PluginError, UnknownSku
from omskit.inventory.backorders import SKU_POLICIES, promise
from omskit.inventory.locations import LOCATIONS, Location
from omskit.inventory.reservations import RESERVATIONS, Allocation
from omskit.inventory.stock import STOCK, StockLevel, level_id
from omskit.money import Money
from omskit.routing.constraints import line_block, location_block
from omskit.routing.model import Alternative, Decision, Plan, Shortfall, SourcingRequest
from omskit.routing.problem import LineSpec, Pick, Site, SourcingProblem, plan_cost
from omskit.routing.settings import CostModel
from omskit.routing.strategies import RoutingStrategy
from omskit.storage.ports import UnitOfWork

__all__ = ["Context", "CostCache", "build_problem", "make_plan"]

Converter = Callable[[Money, str], Decimal]

_ALTERNATIVES = 4  # alternatives listed per decision


@attrs.frozen
class Context:
    """What the planner learned while building the problem, for explanations."""

    problem: SourcingProblem
    locations: dict[str, Location]
    excluded: tuple[tuple[str, str], ...]
    levels: dict[str, list[StockLevel]]
    eligible: frozenset[str] = frozenset()


#: Per location: (handling per shipment, handling per line) as read, and what they add up
#: to in the cost model's currency. Valid while the location still has those very Money
#: objects: changing a location replaces them, so the entry is recomputed.
CostCache = dict[str, tuple[Money, Money, Decimal, Decimal]]


class _Costing:
    """Distances and costs of one request's deferred sites (a :class:`SiteSource`)."""

    __slots__ = ("_cache", "_dest", "_locations", "_model", "_money")

    def __init__(self, locations: dict[str, Location], dest: Address, model: CostModel,
                 money: Converter, cache: CostCache | None) -> None:  # fmt: skip
        self._locations = locations
        self._dest = dest
        self._model = model
        self._money = money
        self._cache: CostCache = {} if cache is None else cache

    def distance_km(self, code: str) -> float:
        loc, dest = self._locations[code], self._dest
        if dest.point is not None:
            return loc.point.distance_km(dest.point)
        return 0.0 if dest.country == loc.country else float(self._model.unknown_distance_km)

    def costs(self, code: str, distance_km: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        model = self._model
        ship, line = self._constant(self._locations[code])
        dkm = Decimal(f"{distance_km:.1f}")
        return (ship + model.per_km * dkm, line,
                model.per_kg + model.per_kg_per_100km * dkm / 100, model.base_fee)  # fmt: skip

    def _constant(self, loc: Location) -> tuple[Decimal, Decimal]:
        per_shipment, per_line = loc.handling_per_shipment, loc.handling_per_line
        hit = self._cache.get(loc.id)
        if hit is not None and hit[0] is per_shipment and hit[1] is per_line:
            return hit[2], hit[3]
        currency = self._model.currency
        ship = self._money(per_shipment, currency) + self._model.base_fee
        line = self._money(per_line, currency)
        if per_shipment.currency == currency and per_line.currency == currency:
            # converted amounts are not kept: exchange rates move
            self._cache[loc.id] = (per_shipment, per_line, ship, line)
        return ship, line


def _products(uow: UnitOfWork, request: SourcingRequest) -> dict[str, Product]:
    repo = uow.repo(PRODUCTS)
    products: dict[str, Product] = {}
    for line in request.lines:
        if line.sku not in products:
            product = repo.view(line.sku)
            if product is None:
                raise UnknownSku(line.sku)
            products[line.sku] = product
    return products


def _locations(
    uow: UnitOfWork, request: SourcingRequest
) -> tuple[dict[str, Location], dict[str, Location], list[tuple[str, str]]]:
    """Every location, those that may ship to the destination, and why the others may not."""
    country = request.ship_to.country
    exclude = request.exclude
    locations: dict[str, Location] = {}
    excluded: list[tuple[str, str]] = []
    eligible: dict[str, Location] = {}
    for loc in uow.repo(LOCATIONS).scan_view():
        locations[loc.id] = loc
        reason = location_block(loc, country, exclude)
        if reason is None:
            eligible[loc.id] = loc
        elif loc.active:
            excluded.append((loc.id, reason))
    return locations, eligible, excluded


def _own_holds(uow: UnitOfWork, request: SourcingRequest) -> dict[str, int]:
    """Units the request's reference holds, by stock level id."""
    own: dict[str, int] = {}
    for res in uow.repo(RESERVATIONS).list_view("reference", request.reference):
        if res.quantity:
            key = level_id(res.sku, res.location)
            own[key] = own.get(key, 0) + res.quantity
    return own


def build_problem(
    uow: UnitOfWork, request: SourcingRequest, model: CostModel, money: Converter,
    cache: CostCache | None = None,
) -> Context:  # fmt: skip
    """Load locations, products and stock, and apply every constraint.

    Everything is read through read-only views (no copies): planning never changes what
    it reads, and the problem it builds is plain data. Sites are deferred: a site's
    distance and costs are computed only if a strategy (or the explanation) reads them.
    ``cache`` keeps each location's constant cost parts between plans.
    """
    products = _products(uow, request)
    locations, eligible, excluded = _locations(uow, request)
    own = _own_holds(uow, request) if request.count_own_holds else {}
    source = _Costing(eligible, request.ship_to, model, money, cache)
    found_sites: dict[str, Site] = {}  # only locations that can ship something
    levels: dict[str, list[StockLevel]] = {}
    stock_repo = uow.repo(STOCK)
    specs = []
    for line in request.lines:
        product = products[line.sku]
        found = levels.get(line.sku)
        if found is None:
            found = levels[line.sku] = stock_repo.list_view("sku", line.sku)
        stock: dict[str, int] = {}
        blocked: list[tuple[str, str]] = []
        for level in found:
            code = level.location
            where = eligible.get(code)
            if where is None:
                continue
            usable = level.available + own.get(level.id, 0) if own else level.available
            if usable <= 0:
                continue
            why = line_block(where, product)
            if why is None:
                stock[code] = usable
                if code not in found_sites:
                    found_sites[code] = Site.deferred(code, where.kind, where.priority, source)
            else:
                blocked.append((code, why))
        specs.append(LineSpec(line.line_ref, line.sku, line.quantity, product.weight_grams,
                              product.ship_alone, stock, tuple(blocked)))  # fmt: skip
    if len(found_sites) > 1:  # in location order
        found_sites = {code: found_sites[code] for code in eligible if code in found_sites}
    problem = SourcingProblem(tuple(specs), found_sites, request.allow_split, model.currency)
    return Context(problem, locations, tuple(excluded), levels, frozenset(eligible))


def _checked(problem: SourcingProblem, picks: Sequence[Pick], name: str) -> list[Pick]:
    """Reject a strategy's picks that ship too much or from where there is no stock."""
    lines = problem.by_ref
    per_line: dict[str, int] = {}
    per_site: dict[tuple[str, str], int] = {}
    for p in picks:
        line = lines.get(p.line_ref)
        if line is None or p.quantity < 0:
            raise PluginError(f"routing strategy {name!r} picked an unknown line {p.line_ref!r}")
        per_line[p.line_ref] = per_line.get(p.line_ref, 0) + p.quantity
        key = (p.line_ref, p.location)
        per_site[key] = per_site.get(key, 0) + p.quantity
        if per_site[key] > line.stock.get(p.location, 0):
            raise PluginError(f"routing strategy {name!r} took {per_site[key]} x {line.sku} "
                              f"from {p.location!r}, which may ship only "
                              f"{line.stock.get(p.location, 0)}")  # fmt: skip
        if per_line[p.line_ref] > line.quantity:
            raise PluginError(f"routing strategy {name!r} allocated more of line "
                              f"{p.line_ref!r} than ordered")  # fmt: skip
    return [p for p in picks if p.quantity]


def make_plan(
    uow: UnitOfWork, ctx: Context, request: SourcingRequest, strategy: RoutingStrategy,
    today: dt.date,
) -> Plan:  # fmt: skip
    """Run ``strategy`` on the problem and explain the result."""
    problem = ctx.problem
    merged, groups = _merge_same_sku(problem)
    picks = _checked(merged, strategy.assign(merged), strategy.name)
    if groups:
        picks = _split_back(picks, groups, problem)
    by_ref = problem.by_ref
    allocations = tuple(Allocation(p.location, by_ref[p.line_ref].sku, p.quantity, p.line_ref)
                        for p in picks)  # fmt: skip
    shortfalls = tuple(_shortfalls(uow, ctx, request, picks, today))
    return Plan(strategy.name, allocations, shortfalls, excluded=ctx.excluded, request=request,
                details=_Details(problem, strategy, picks))  # fmt: skip


class _Details:
    """A plan's decisions and cost estimate, worked out from the problem when first read."""

    __slots__ = ("_picks", "_problem", "_strategy")

    def __init__(self, problem: SourcingProblem, strategy: RoutingStrategy,
                 picks: Sequence[Pick]) -> None:  # fmt: skip
        self._problem = problem
        self._strategy = strategy
        self._picks = picks

    def decisions(self) -> tuple[Decision, ...]:
        return _decisions(self._problem, self._strategy, self._picks)

    def estimated_cost(self) -> Money | None:
        if not self._picks:
            return None
        return Money(plan_cost(self._problem, self._picks), self._problem.currency).quantize()


def _merge_same_sku(
    problem: SourcingProblem,
) -> tuple[SourcingProblem, dict[str, list[LineSpec]]]:
    """One line per SKU, so lines of one SKU cannot each count the same stock.

    Strategies see the merged problem; :func:`_split_back` hands their picks back to the
    original lines in order. Returns the problem unchanged (and no groups) when every SKU
    appears once, which is the usual case.
    """
    lines = problem.lines
    if len(lines) == 1 or len({ln.sku for ln in lines}) == len(lines):
        return problem, {}
    by_sku: dict[str, list[LineSpec]] = {}
    for line in lines:
        by_sku.setdefault(line.sku, []).append(line)
    groups: dict[str, list[LineSpec]] = {}
    merged = []
    for same in by_sku.values():
        first = same[0]
        if len(same) > 1:
            groups[first.line_ref] = same
            first = LineSpec(first.line_ref, first.sku, sum(ln.quantity for ln in same),
                             first.weight_grams, first.ship_alone, first.stock,
                             first.blocked)  # fmt: skip
        merged.append(first)
    return SourcingProblem(tuple(merged), problem.sites, problem.allow_split,
                           problem.currency), groups  # fmt: skip


def _split_back(
    picks: Sequence[Pick], groups: dict[str, list[LineSpec]], problem: SourcingProblem
) -> list[Pick]:
    """Spread picks made for merged lines over the original lines, first line first."""
    need = {ln.line_ref: ln.quantity for ln in problem.lines}
    out: list[Pick] = []
    for pick in picks:
        same = groups.get(pick.line_ref)
        if same is None:
            out.append(pick)
            continue
        left = pick.quantity
        for line in same:
            take = min(left, need[line.line_ref])
            if take:
                out.append(Pick(line.line_ref, pick.location, take, pick.why))
                need[line.line_ref] -= take
                left -= take
    return out


def _decisions(
    problem: SourcingProblem, strategy: RoutingStrategy, picks: Sequence[Pick]
) -> tuple[Decision, ...]:
    """One decision per pick; alternatives are what was still left when it was made.

    Picks are taken in plan order: units an earlier pick took from a location (for any
    line of the same SKU) are no longer offered as an alternative, and a location left
    with none is reported as exhausted.
    """
    by_ref = problem.by_ref
    sites = problem.sites
    rank = getattr(strategy, "rank", None)
    taken: dict[tuple[str, str], int] = {}  # (sku, location) -> units earlier picks took
    out: list[Decision] = []
    for pick in picks:
        line = by_ref[pick.line_ref]
        sku = line.sku
        others: list[tuple[Site, int]] = []
        exhausted: list[str] = []
        for code, units in line.stock.items():
            if code == pick.location:
                continue
            left = units - taken.get((sku, code), 0) if taken else units
            if left > 0:
                others.append((sites[code], left))
            else:
                exhausted.append(code)
        if rank is not None and len(others) > 1:

            def key(o: tuple[Site, int]) -> Any:
                return rank(problem, o[0])

            others = (heapq.nsmallest(_ALTERNATIVES, others, key=key)
                      if len(others) > _ALTERNATIVES else sorted(others, key=key))  # fmt: skip
        alternatives = tuple(Alternative(s.code, left, strategy.detail(problem, s))
                             for s, left in others[:_ALTERNATIVES])  # fmt: skip
        why = pick.why or f"chosen by {strategy.name}"
        if pick.quantity < line.quantity:
            why += f" (part of {line.quantity})"
        out.append(Decision(line.line_ref, sku, pick.quantity, pick.location, why,
                            alternatives, tuple(exhausted)))  # fmt: skip
        spot = (sku, pick.location)
        taken[spot] = taken.get(spot, 0) + pick.quantity
    return tuple(out)


def _shortfalls(uow: UnitOfWork, ctx: Context, request: SourcingRequest, picks: Sequence[Pick],
                today: dt.date) -> list[Shortfall]:  # fmt: skip
    problem = ctx.problem
    done: dict[str, int] = {}
    for p in picks:
        done[p.line_ref] = done.get(p.line_ref, 0) + p.quantity
    out = []
    for line in problem.lines:
        left = line.quantity - done.get(line.line_ref, 0)
        if not left:
            continue
        policy = uow.repo(SKU_POLICIES).view(line.sku)
        blocked = "; ".join(f"{c} {why}" for c, why in line.blocked)
        extra = f" ({blocked})" if blocked else ""
        if not problem.allow_split and line.coverable >= line.quantity:
            why = "this order may not be split and no single location has everything"
        else:
            why = f"only {line.coverable} available at locations that may ship it{extra}"
        if policy is not None and policy.allows_overselling:
            usable = [lv for lv in ctx.levels.get(line.sku, ()) if lv.location in ctx.eligible]
            ok = promise(line.sku, line.quantity, usable, policy, today)
            if ok.date is not None:
                out.append(Shortfall(line.line_ref, line.sku, left,
                                     f"{policy.mode}ed: promised for {ok.date.isoformat()} "
                                     f"({ok.note}); {why}", policy.mode, ok.date,
                                     ok.location))  # fmt: skip
                continue
            out.append(Shortfall(line.line_ref, line.sku, left,
                                 f"{policy.mode}ed without a date ({ok.note}); {why}",
                                 policy.mode))  # fmt: skip
            continue
        out.append(
            Shortfall(
                line.line_ref,
                line.sku,
                left,
                f"rejected: {why}; {line.sku} does not take backorders",
            )
        )
    return out
