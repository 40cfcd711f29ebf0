"""Turns a request into a problem (constraints applied), runs a strategy, explains the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from omskit.catalog.model import PRODUCTS, Product
from omskit.customers.address import Address
from omskit.errors import UnknownSku
from omskit.inventory.locations import LOCATIONS, Location
from omskit.inventory.reservations import Allocation, holds_of
from omskit.inventory.stock import STOCK, StockLevel, level_id
from omskit.money import Money
from omskit.routing.constraints import line_block, location_block
from omskit.routing.explain import Details
from omskit.routing.model import Plan, Shortfall, SourcingRequest
from omskit.routing.problem import LineSpec, Pick, Site, SourcingProblem
from omskit.routing.running import run_strategy
from omskit.routing.settings import CostModel
from omskit.routing.shortfalls import shortfalls_of
from omskit.routing.strategies import PriorityStrategy, RoutingStrategy, fill_in_order
from omskit.storage.ports import UnitOfWork

__all__ = ["Context", "CostCache", "build_problem", "make_plan"]

Converter = Callable[[Money, str], Decimal]

_DIRECT = 16  # up to this many locations, stock levels are read by id, not by SKU index


class Context:
    """What the planner read for one request: stock per line, eligible locations, reasons.

    The [`SourcingProblem`][] strategies see is built from it when first asked for
    (`problem`): the planner's shortcut for the default strategy does without it,
    and then only an explanation builds it.
    """

    __slots__ = ("_problem", "_source", "eligible", "excluded", "lines", "request",
                 "unique_skus", "used", "wanted")  # fmt: skip

    def __init__(
        self, request: SourcingRequest, lines: list[tuple[Product, dict[str, int],
        tuple[tuple[str, str], ...]]], eligible: dict[str, Location],
        excluded: tuple[tuple[str, str], ...], *, used: set[str], source: _Costing,
        wanted: int, unique_skus: bool,
    ) -> None:  # fmt: skip
        self.request = request
        self.lines = lines  # per request line: product, usable stock, blocked locations
        self.eligible = eligible
        self.excluded = excluded
        self.used = used  # locations that can ship something
        self.wanted = wanted  # units asked for
        self.unique_skus = unique_skus  # no two lines ask for the same SKU (the usual case)
        self._source = source
        self._problem: SourcingProblem | None = None

    @property
    def problem(self) -> SourcingProblem:
        """The problem as strategies see it (built once, on first use)."""
        problem = self._problem
        if problem is None:
            problem = self._problem = self._build()
        return problem

    def _build(self) -> SourcingProblem:
        request, used, source = self.request, self.used, self._source
        specs = tuple(
            LineSpec(line.line_ref, line.sku, line.quantity, product.weight_grams,
                     product.ship_alone, stock, blocked)
            for line, (product, stock, blocked) in zip(request.lines, self.lines, strict=True)
        )  # fmt: skip
        deferred = Site.deferred
        sites = {code: deferred(code, where.kind, where.priority, source)
                 for code, where in self.eligible.items() if code in used}  # fmt: skip
        return SourcingProblem(specs, sites, request.allow_split, source.currency)


#: Per location: (handling per shipment, handling per line) as read, and what they add up
#: to in the cost model's currency. Valid while the location still has those very Money
#: objects: changing a location replaces them, so the entry is recomputed.
CostCache = dict[str, tuple[Money, Money, Decimal, Decimal]]


class _Costing:
    """Distances and costs of one request's deferred sites (a [`SiteSource`][])."""

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

    @property
    def currency(self) -> str:
        """The cost model's currency."""
        return self._model.currency

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
) -> tuple[dict[str, Location], list[tuple[str, str]]]:
    """The locations that may ship to the destination, and why the active others may not."""
    country = request.ship_to.country
    exclude = request.exclude
    excluded: list[tuple[str, str]] = []
    eligible: dict[str, Location] = {}
    for loc in uow.repo(LOCATIONS).scan_view():
        reason = location_block(loc, country, exclude)
        if reason is None:
            eligible[loc.id] = loc
        elif loc.active:
            excluded.append((loc.id, reason))
    return eligible, excluded


def _own_holds(uow: UnitOfWork, request: SourcingRequest) -> dict[str, int]:
    """Units the request's reference holds, by stock level id."""
    own: dict[str, int] = {}
    for res in holds_of(uow, request.reference).values():
        if res.quantity:
            key = level_id(res.sku, res.location)
            own[key] = own.get(key, 0) + res.quantity
    return own


def _line_stock(
    uow: UnitOfWork, product: Product, eligible: dict[str, Location],
    position: dict[str, int] | None, own: dict[str, int],
) -> tuple[dict[str, int], tuple[tuple[str, str], ...]]:  # fmt: skip
    """Usable stock of ``product`` per eligible location (in location order), and blocks.

    With few locations (``position`` is ``None``) each level is looked up by its id, one
    dict read per location; with many, the SKU's index lists only the locations that
    stock it (``position`` puts them in location order).
    """
    sku = product.sku
    repo = uow.repo(STOCK)
    found: list[tuple[Location, StockLevel]]
    if position is None:
        view = repo.view
        found = [(loc, level) for code, loc in eligible.items()
                 if (level := view(level_id(sku, code))) is not None]  # fmt: skip
    else:
        get = eligible.get
        found = [(where, level) for level in repo.list_view("sku", sku)
                 if (where := get(level.location)) is not None]  # fmt: skip
        keys = [position[where.id] for where, _ in found]
        if keys != sorted(keys):  # levels are listed as they were created
            found.sort(key=lambda pair: position[pair[0].id])
    plain, weight = not product.hazmat, product.weight_grams
    stock: dict[str, int] = {}
    blocked: list[tuple[str, str]] = []
    for where, level in found:
        usable = level.available + own.get(level.id, 0) if own else level.available
        if usable > 0:
            limit = where.capabilities.max_parcel_grams
            fits = plain and (limit is None or weight <= limit)  # the usual case: no checks
            why = None if fits else line_block(where, product)
            if why is None:
                stock[where.id] = usable
            else:
                blocked.append((where.id, why))
    return stock, tuple(blocked)


def build_problem(
    uow: UnitOfWork, request: SourcingRequest, model: CostModel, money: Converter,
    cache: CostCache | None = None,
) -> Context:  # fmt: skip
    """Load locations, products and stock, and apply every constraint.

    Everything is read through read-only views (no copies): planning never changes what
    it reads, and the problem it builds is plain data. Sites are deferred: a site's
    distance and costs are computed only if a strategy (or the explanation) reads them.
    ``cache`` keeps each location's constant cost parts between plans. A line's stock
    lists its locations in location order.
    """
    products = _products(uow, request)
    eligible, excluded = _locations(uow, request)
    own = _own_holds(uow, request) if request.count_own_holds else {}
    source = _Costing(eligible, request.ship_to, model, money, cache)
    position = {code: i for i, code in enumerate(eligible)} if len(eligible) > _DIRECT else None
    used: set[str] = set()  # locations that can ship something
    per_sku: dict[str, tuple[Product, dict[str, int], tuple[tuple[str, str], ...]]] = {}
    lines = []
    wanted = 0
    for line in request.lines:
        wanted += line.quantity
        known = per_sku.get(line.sku)
        if known is None:
            product = products[line.sku]
            stock, blocked = _line_stock(uow, product, eligible, position, own)
            used.update(stock)
            known = per_sku[line.sku] = (product, stock, blocked)
        lines.append(known)
    return Context(
        request,
        lines,
        eligible,
        tuple(excluded),
        used=used,
        source=source,
        wanted=wanted,
        unique_skus=len(per_sku) == len(lines),
    )


def make_plan(
    uow: UnitOfWork, ctx: Context, strategy: RoutingStrategy, today: Callable[[], dt.date]
) -> Plan:
    """Run ``strategy`` on the problem; the plan explains itself when asked.

    ``today`` is asked for the date only when a shortfall needs a promise date.
    """
    request = ctx.request
    picks: Sequence[Pick] | None
    if type(strategy) is PriorityStrategy and request.allow_split and ctx.unique_skus:
        allocations, shipped = _by_priority(ctx)
        picks = None
    else:
        picks = run_strategy(ctx.problem, strategy)
        skus = {ln.line_ref: ln.sku for ln in request.lines}
        allocations = tuple(Allocation(p.location, skus[p.line_ref], p.quantity, p.line_ref)
                            for p in picks)  # fmt: skip
        shipped = sum(p.quantity for p in picks)
    shortfalls: tuple[Shortfall, ...] = ()
    if shipped != ctx.wanted:  # no line gets more than it asks for
        shortfalls = tuple(shortfalls_of(uow, ctx.problem, ctx.eligible, allocations, today,
                                         reference=request.reference))  # fmt: skip
    return Plan(strategy.name, allocations, shortfalls, excluded=ctx.excluded, request=request,
                details=Details(lambda: ctx.problem, strategy, picks))  # fmt: skip


def _by_priority(ctx: Context) -> tuple[tuple[Allocation, ...], int]:
    """What [`PriorityStrategy`][] allocates when splitting is allowed, without a problem.

    Each line takes what it needs from the locations in priority order (code breaks
    ties) through the same [`fill_in_order`][] as the strategy's
    [`assign`][omskit.routing.strategies.RankedStrategy.assign]; only building the sourcing problem
    is skipped. SKUs must be unique (the strategy would see merged lines). Returns the allocations
    and the units they ship.
    """
    eligible = ctx.eligible
    used = ctx.used
    order = sorted(used, key=lambda code: (eligible[code].priority, code)) if len(used) > 1 \
        else list(used)  # fmt: skip
    skus = {line.line_ref: line.sku for line in ctx.request.lines}
    wanted = ((line.line_ref, line.quantity, stock)
              for line, (_product, stock, _blocked) in zip(ctx.request.lines, ctx.lines,
                                                           strict=True))  # fmt: skip
    out = tuple(Allocation(code, skus[ref], take, ref)
                for ref, code, take in fill_in_order(wanted, order))  # fmt: skip
    return out, sum(a.quantity for a in out)
