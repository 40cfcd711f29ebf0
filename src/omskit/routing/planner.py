"""Turns a request into a problem (constraints applied), runs a strategy, explains the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs

from omskit.catalog.model import PRODUCTS, Product
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

__all__ = ["Context", "build_problem", "make_plan"]

Converter = Callable[[Money, str], Decimal]


@attrs.frozen
class Context:
    """What the planner learned while building the problem, for explanations."""

    problem: SourcingProblem
    locations: dict[str, Location]
    excluded: tuple[tuple[str, str], ...]
    levels: dict[str, list[StockLevel]]
    eligible: frozenset[str] = frozenset()


def _site(loc: Location, request: SourcingRequest, model: CostModel, money: Converter) -> Site:
    dest = request.ship_to
    if dest.point is not None:
        km = loc.point.distance_km(dest.point)
    else:
        km = 0.0 if dest.country == loc.country else float(model.unknown_distance_km)
    dkm = Decimal(f"{km:.1f}")
    return Site(
        code=loc.id, kind=loc.kind, priority=loc.priority, distance_km=km,
        fixed=money(loc.handling_per_shipment, model.currency) + model.base_fee
        + model.per_km * dkm,
        line=money(loc.handling_per_line, model.currency),
        per_kg=model.per_kg + model.per_kg_per_100km * dkm / 100,
        base_fee=model.base_fee,
    )  # fmt: skip


def build_problem(
    uow: UnitOfWork, request: SourcingRequest, model: CostModel, money: Converter
) -> Context:
    """Load locations, products and stock, and apply every constraint.

    Everything is read through read-only views (no copies): planning never changes what
    it reads, and the problem it builds is plain data.
    """
    products: dict[str, Product] = {}
    for line in request.lines:
        if line.sku not in products:
            product = uow.repo(PRODUCTS).view(line.sku)
            if product is None:
                raise UnknownSku(line.sku)
            products[line.sku] = product
    country = request.ship_to.country
    locations: dict[str, Location] = {}
    excluded: list[tuple[str, str]] = []
    eligible: dict[str, Location] = {}  # may ship to this destination
    for loc in uow.repo(LOCATIONS).scan_view():
        locations[loc.id] = loc
        reason = location_block(loc, country, request.exclude)
        if reason is None:
            eligible[loc.id] = loc
        elif loc.active:
            excluded.append((loc.id, reason))
    costed: dict[str, Site] = {}  # costs only for locations that can ship something
    own: dict[str, int] = {}
    for res in uow.repo(RESERVATIONS).list_view("reference", request.reference):
        if res.quantity:
            key = level_id(res.sku, res.location)
            own[key] = own.get(key, 0) + res.quantity
    levels: dict[str, list[StockLevel]] = {}
    specs = []
    for line in request.lines:
        product = products[line.sku]
        found = levels.get(line.sku)
        if found is None:
            found = levels[line.sku] = uow.repo(STOCK).list_view("sku", line.sku)
        stock: dict[str, int] = {}
        blocked: list[tuple[str, str]] = []
        for level in found:
            usable = level.available + own.get(level.id, 0)
            where = eligible.get(level.location)
            if usable <= 0 or where is None:
                continue
            why = line_block(where, product)
            if why is None:
                stock[level.location] = usable
                if where.id not in costed:
                    costed[where.id] = _site(where, request, model, money)
            else:
                blocked.append((level.location, why))
        specs.append(LineSpec(line.line_ref, line.sku, line.quantity, product.weight_grams,
                              product.ship_alone, stock, tuple(blocked)))  # fmt: skip
    sites = {code: costed[code] for code in eligible if code in costed}  # location order
    problem = SourcingProblem(tuple(specs), sites, request.allow_split, model.currency)
    return Context(problem, locations, tuple(excluded), levels, frozenset(eligible))


def _checked(problem: SourcingProblem, picks: Sequence[Pick], name: str) -> list[Pick]:
    """Reject a strategy's picks that ship too much or from where there is no stock."""
    lines = {ln.line_ref: ln for ln in problem.lines}
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
    allocations = tuple(Allocation(p.location, _sku(problem, p), p.quantity, p.line_ref)
                        for p in picks)  # fmt: skip
    decisions = tuple(_decision(problem, strategy, p) for p in picks)
    shortfalls = tuple(_shortfalls(uow, ctx, request, picks, today))
    cost = plan_cost(problem, picks)
    estimated = Money(cost, problem.currency).quantize() if picks else None
    return Plan(strategy.name, allocations, shortfalls, decisions, ctx.excluded, estimated,
                request)  # fmt: skip


def _merge_same_sku(
    problem: SourcingProblem,
) -> tuple[SourcingProblem, dict[str, list[LineSpec]]]:
    """One line per SKU, so lines of one SKU cannot each count the same stock.

    Strategies see the merged problem; :func:`_split_back` hands their picks back to the
    original lines in order. Returns the problem unchanged (and no groups) when every SKU
    appears once, which is the usual case.
    """
    by_sku: dict[str, list[LineSpec]] = {}
    for line in problem.lines:
        by_sku.setdefault(line.sku, []).append(line)
    if len(by_sku) == len(problem.lines):
        return problem, {}
    groups: dict[str, list[LineSpec]] = {}
    lines = []
    for same in by_sku.values():
        first = same[0]
        if len(same) > 1:
            groups[first.line_ref] = same
            first = attrs.evolve(first, quantity=sum(ln.quantity for ln in same))
        lines.append(first)
    return attrs.evolve(problem, lines=tuple(lines)), groups


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
                out.append(attrs.evolve(pick, line_ref=line.line_ref, quantity=take))
                need[line.line_ref] -= take
                left -= take
    return out


def _sku(problem: SourcingProblem, pick: Pick) -> str:
    return next(ln.sku for ln in problem.lines if ln.line_ref == pick.line_ref)


def _decision(problem: SourcingProblem, strategy: RoutingStrategy, pick: Pick) -> Decision:
    line = next(ln for ln in problem.lines if ln.line_ref == pick.line_ref)
    others = [problem.sites[c] for c in line.stock if c != pick.location]
    rank = getattr(strategy, "rank", None)
    if rank is not None:
        others.sort(key=lambda s: rank(problem, s))
    alternatives = tuple(Alternative(s.code, line.stock[s.code], strategy.detail(problem, s))
                         for s in others[:4])  # fmt: skip
    why = pick.why or f"chosen by {strategy.name}"
    if pick.quantity < line.quantity:
        why += f" (part of {line.quantity})"
    return Decision(line.line_ref, line.sku, pick.quantity, pick.location, why, alternatives)


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
