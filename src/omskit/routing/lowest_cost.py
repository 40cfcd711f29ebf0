"""The lowest-cost strategy: handling plus estimated shipping, minimised.

The search is over *which locations ship* (the open set). For a given open set, the
cheapest way to ship each line from it is found exactly by dynamic programming over the
units (each location used for a line costs its per-line handling plus a price per unit,
so this is a small fixed-charge knapsack), as long as the line's locations times its
units stay within `FILL_LIMIT`; beyond that the fill is greedy (cheapest units
first, then dropping a location while that helps).

Which locations ship is then decided exactly, by trying every open set, when at most
`EXHAUSTIVE_SITES` locations hold stock of the order; with more, by local search
from several seeds (the priority, nearest and fewest-shipments plans and a greedy build),
dropping, adding and swapping one location at a time until no move helps, within a fixed
budget of evaluations. Shipping every unit that can be shipped always comes before cost;
among plans of equal cost the one with fewer shipments wins, then the lower location
codes. Everything is iterated in a fixed order, so the same problem always gets the same
plan whatever the interpreter's hash seed. ``benchmarks/routing_quality.py`` compares the
result with an optimum computed independently (a MILP solved by HiGHS).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from decimal import Decimal

from omskit.routing.problem import Pick, Site, SourcingProblem, plan_cost
from omskit.routing.strategies import (
    FewestShipmentsStrategy,
    NearestStrategy,
    PriorityStrategy,
    RankedStrategy,
    single_site,
)

__all__ = ["EXHAUSTIVE_SITES", "FILL_LIMIT", "Evaluator", "LowestCostStrategy"]

#: With at most this many locations holding stock of the order, every open set is tried.
EXHAUSTIVE_SITES = 10
#: A line's fill is exact while (its locations in the open set) x (its units) is at most this.
FILL_LIMIT = 20_000
_POOL = 40  # candidate sites considered for add / swap moves (fewer for long orders)
_BUDGET = 6000  # set evaluations per plan in the local search
_STALE = 40  # kicks in a row that find nothing better end the search

Score = tuple[int, Decimal]
#: (units left, cost in scaled integer units, shipments): lower is better.
_Rank = tuple[int, int, int]
#: One candidate location for one line: (bit, code, units there, unit cost, per-line cost),
#: costs in scaled integer units.
_Entry = tuple[int, str, int, int, int]
#: A line's fill from an open set: (units left, cost, mask of sites used, takes).
_Fill = tuple[int, int, int, tuple[tuple[str, int], ...]]


class Evaluator:
    """Scores open sets of sites: (units left unshipped, estimated cost); lower is better.

    Sites are the locations that hold stock of at least one line, in code order; an open
    set is a bit mask over them (`score` and `picks` also take code sets).
    ``exact`` turns ``False`` once a line was filled by the greedy fallback. Costs are
    kept as integers of ``10 ** -scale`` (every cost of the problem is a whole number of
    them), which is exact and much faster than Decimal arithmetic.
    """

    def __init__(self, problem: SourcingProblem, fill_limit: int = FILL_LIMIT) -> None:
        self.problem = problem
        self.fill_limit = fill_limit
        self.codes = sorted({c for ln in problem.lines for c in ln.stock if c in problem.sites})
        self.bit = {code: 1 << i for i, code in enumerate(self.codes)}
        sites = [problem.sites[c] for c in self.codes]
        units = {(i, c): problem.unit_cost(ln, problem.sites[c])
                 for i, ln in enumerate(problem.lines) for c in self.codes
                 if ln.stock.get(c, 0) > 0}  # fmt: skip
        every = [s.fixed for s in sites] + [s.line for s in sites] + list(units.values())
        self.scale = max([0] + [-int(d.as_tuple().exponent) for d in every])

        def whole(d: Decimal) -> int:
            return int(d.scaleb(self.scale))

        self._fixed = [whole(s.fixed) for s in sites]
        self._lines: list[tuple[int, int, list[_Entry]]] = []  # (mask, target, entries)
        for i, line in enumerate(problem.lines):
            entries: list[_Entry] = [
                (self.bit[c], c, line.stock[c], whole(units[i, c]), whole(problem.sites[c].line))
                for c in self.codes if (i, c) in units
            ]  # fmt: skip
            entries.sort(key=lambda e: (e[3], e[1]))  # cheapest units first, then code
            mask = 0
            for e in entries:
                mask |= e[0]
            self._lines.append((mask, line.coverable, entries))
        self._cache: dict[tuple[int, int], _Fill] = {}
        self._fixed_of: dict[int, int] = {}
        self.evaluations = 0
        self.exact = True

    @property
    def full(self) -> int:
        """The mask with every site open."""
        return (1 << len(self.codes)) - 1

    def mask(self, open_sites: frozenset[str] | set[str]) -> int:
        """The bit mask of ``open_sites`` (codes without stock are ignored)."""
        out = 0
        for code in open_sites:
            out |= self.bit.get(code, 0)
        return out

    def sites_of(self, mask: int) -> frozenset[str]:
        """The codes in ``mask``."""
        return frozenset(c for c in self.codes if mask & self.bit[c])

    def _line(self, i: int, open_mask: int) -> _Fill:
        line_mask, target, entries = self._lines[i]
        relevant = open_mask & line_mask
        key = (i, relevant)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._fill([e for e in entries if e[0] & relevant], target)
        return found

    def _fill(self, entries: list[_Entry], target: int) -> _Fill:
        """The cheapest way to ship ``target`` units from ``entries`` (or all they have)."""
        total = sum(e[2] for e in entries)
        if total <= target or len(entries) == 1:
            return _take(entries, target)
        if len(entries) * target <= self.fill_limit:
            return _exact_fill(entries, target)
        self.exact = False
        return _greedy_fill(entries, target)

    def score_mask(self, open_mask: int) -> tuple[_Rank, int]:
        """(units left, scaled cost, shipments) of ``open_mask``, and the mask used."""
        self.evaluations += 1
        left, cost, used = 0, 0, 0
        cache = self._cache
        for i, (line_mask, target, entries) in enumerate(self._lines):
            relevant = open_mask & line_mask
            found = cache.get((i, relevant))
            if found is None:
                found = cache[i, relevant] = self._fill(
                    [e for e in entries if e[0] & relevant], target
                )
            left += found[0]
            cost += found[1]
            used |= found[2]
        fixed = self._fixed_of.get(used)
        if fixed is None:
            fixed = sum(f for i, f in enumerate(self._fixed) if used >> i & 1)
            self._fixed_of[used] = fixed
        return (left, cost + fixed, used.bit_count()), used

    def score(self, open_sites: frozenset[str]) -> tuple[Score, frozenset[str]]:
        """Score of ``open_sites`` and the subset of them actually used."""
        (left, cost, _n), used = self.score_mask(self.mask(open_sites))
        return (left, Decimal(cost).scaleb(-self.scale)), self.sites_of(used)

    def picks_mask(self, open_mask: int) -> list[Pick]:
        """The cheapest picks from ``open_mask``, line by line, locations in code order."""
        out: list[Pick] = []
        for i, line in enumerate(self.problem.lines):
            for code, q in sorted(self._line(i, open_mask)[3]):
                out.append(Pick(line.line_ref, code, q))
        return out

    def picks(self, open_sites: frozenset[str]) -> list[Pick]:
        """The cheapest picks from ``open_sites``."""
        return self.picks_mask(self.mask(open_sites))


def _take(entries: Sequence[_Entry], target: int) -> _Fill:
    """Fill from ``entries`` in their order (cheapest units first) until ``target``."""
    need, cost, used = target, 0, 0
    takes: list[tuple[str, int]] = []
    for bit, code, units, unit, fee in entries:
        if not need:
            break
        q = min(need, units)
        takes.append((code, q))
        cost += fee + unit * q
        used |= bit
        need -= q
    return need, cost, used, tuple(takes)


def _exact_fill(entries: Sequence[_Entry], target: int) -> _Fill:
    """Exactly ``target`` units at the least cost (``target`` < the units there).

    ``best[u]`` is the least cost of ``u`` units from the locations seen so far; adding a
    location with ``s`` units at ``fee + unit * q`` for ``q`` units gives
    ``min(best[u], fee + unit * u + min(best[v] - unit * v for u - s <= v < u))``,
    the inner minimum kept by a sliding window, so each location costs O(target).
    """
    best: list[int | None] = [0] + [None] * target
    chosen: list[list[int]] = []
    for _bit, _code, units, unit, fee in entries:
        new = best[:]
        took = [0] * (target + 1)
        window: deque[tuple[int, int]] = deque()
        for u in range(1, target + 1):
            prev = best[u - 1]
            if prev is not None:
                key = prev - unit * (u - 1)
                while window and window[-1][1] >= key:
                    window.pop()
                window.append((u - 1, key))
            while window and window[0][0] < u - units:
                window.popleft()
            if window:
                v, key = window[0]
                cost = fee + unit * u + key
                current = new[u]
                if current is None or cost < current:
                    new[u], took[u] = cost, u - v
        best = new
        chosen.append(took)
    total = best[target]
    assert total is not None  # more units are there than asked for
    takes: list[tuple[str, int]] = []
    used, u = 0, target
    for k in range(len(entries) - 1, -1, -1):
        q = chosen[k][u]
        if q:
            takes.append((entries[k][1], q))
            used |= entries[k][0]
            u -= q
    return 0, total, used, tuple(sorted(takes))


def _greedy_fill(entries: Sequence[_Entry], target: int) -> _Fill:
    """Cheapest units first, then drop a location while the rest covers more cheaply."""
    current = list(entries)
    best = _take(current, target)
    improved = True
    while improved:
        improved = False
        for bit, *_rest in [e for e in current if e[0] & best[2]]:
            rest = [e for e in current if e[0] != bit]
            if sum(e[2] for e in rest) < target:
                continue
            found = _take(rest, target)
            if found[1] < best[1]:
                current, best, improved = rest, found, True
                break
    return best


def _bits(mask: int) -> list[int]:
    return [1 << i for i in range(mask.bit_length()) if mask >> i & 1]


def local_search(ev: Evaluator, start: int, pool: Sequence[int]) -> tuple[_Rank, int]:
    """Improve ``start`` by dropping, adding or swapping one site until nothing helps.

    Moves are tried in a fixed order (drops, adds, swaps, then two sites replaced by one,
    each by site code), taking the first that improves.
    """
    best, current = ev.score_mask(start)
    while ev.evaluations < _BUDGET:
        inside = _bits(current)
        outside = [b for b in pool if not current & b]
        moves = [current & ~b for b in inside] + [current | b for b in outside]
        if len(inside) <= 6:  # swaps, and two sites merged into one, while the set is small
            moves += [(current & ~s) | b for s in inside for b in outside]
            moves += [(current & ~s & ~t) | b for i, s in enumerate(inside)
                      for t in inside[i + 1:] for b in outside]  # fmt: skip
        for move in moves:
            score, used = ev.score_mask(move)
            if score < best:
                best, current = score, used
                break
        else:
            break
    return best, current


class LowestCostStrategy(RankedStrategy):
    """The plan with the lowest estimated handling and shipping cost."""

    name = "lowest_cost"
    description = "lowest handling plus estimated shipping cost"

    def detail(self, problem: SourcingProblem, site: Site) -> str:
        """The cost of one shipment from the site, before units."""
        return f"est. {site.fixed + site.line:.2f} {problem.currency} per shipment + weight"

    def assign(self, problem: SourcingProblem) -> list[Pick]:
        """Search for the cheapest set of shipping locations."""
        if not problem.allow_split:
            return self._single(problem)
        ev = Evaluator(problem)
        if not ev.codes:
            return []
        if len(ev.codes) <= EXHAUSTIVE_SITES:
            best = _exhaustive(ev)
            proven = ev.exact
        else:
            best = _searched(ev, problem)
            proven = False
        return self._explained(problem, ev.picks_mask(best), proven)

    def _single(self, problem: SourcingProblem) -> list[Pick]:
        options = []
        for code, site in sorted(problem.sites.items()):
            picks = single_site(problem, [site], lambda _p, _s: "")
            if picks:
                units = sum(p.quantity for p in picks)
                options.append((-units, plan_cost(problem, picks), code, picks))
        if not options:
            return []
        options.sort(key=lambda o: o[:3])
        return self._explained(problem, options[0][3], True)

    def _explained(self, problem: SourcingProblem, picks: list[Pick],
                   proven: bool) -> list[Pick]:  # fmt: skip
        by_site: dict[str, list[Pick]] = {}
        for p in picks:
            by_site.setdefault(p.location, []).append(p)
        how = "lowest total cost" if proven else "lowest total cost found"
        out: list[Pick] = []
        for code, items in by_site.items():
            cost = plan_cost(problem, items)
            why = (f"{how}: this shipment est. {cost:.2f} {problem.currency} "
                   f"(handling + shipping, {problem.sites[code].distance_km:.0f} km)")  # fmt: skip
            out.extend(Pick(p.line_ref, p.location, p.quantity, why) for p in items)
        return out


def _exhaustive(ev: Evaluator) -> int:
    """The best open set among all of them (the first found of equal score)."""
    best: tuple[_Rank, int] | None = None
    for mask in range(1, ev.full + 1):
        found = ev.score_mask(mask)
        if best is None or found[0] < best[0]:
            best = found
    assert best is not None
    return best[1]


def _searched(ev: Evaluator, problem: SourcingProblem) -> int:
    """Iterated local search: from the seeds, then from kicked copies of the best set.

    Each round improves a set until no single move helps; a kick then swaps one, two or
    three of the best set's sites for others (chosen by a generator with a fixed seed, so the
    search is the same on every run) and searches again, until the budget is spent.
    """
    pool = _pool(problem, ev)
    seeds = {ev.mask({p.location for p in s().assign(problem)})
             for s in (PriorityStrategy, NearestStrategy, FewestShipmentsStrategy)}  # fmt: skip
    seeds.add(_greedy(ev, pool))
    best: tuple[_Rank, int] | None = None
    for seed in sorted(seeds, key=lambda m: (ev.score_mask(m)[0], m)):
        found = local_search(ev, seed, pool)
        if best is None or found[0] < best[0]:
            best = found
    assert best is not None
    kicks = random.Random(len(ev.codes))  # noqa: S311 - the same kicks for the same size
    stale = rounds = 0
    while ev.evaluations < _BUDGET and stale < _STALE:
        inside = _bits(best[1])
        outside = [b for b in pool if not best[1] & b]
        kicked, size = best[1], 1 + rounds % 3  # kick 1, 2 or 3 sites in turn
        rounds += 1
        for b in kicks.sample(inside, min(size, len(inside))):
            kicked &= ~b
        for b in kicks.sample(outside, min(size, len(outside))):
            kicked |= b
        found = local_search(ev, kicked, pool)
        if found[0] < best[0]:
            best, stale = found, 0
        else:
            stale += 1
    return best[1]


def _pool(problem: SourcingProblem, ev: Evaluator) -> list[int]:
    """The sites worth adding or swapping in: the cheapest per unit on their own."""
    size = _POOL if len(problem.lines) <= 10 else 15
    if len(ev.codes) <= size:
        return [ev.bit[c] for c in ev.codes]

    def standalone(code: str) -> Decimal:
        site = problem.sites[code]
        units = sum(min(ln.quantity, ln.stock.get(code, 0)) for ln in problem.lines)
        cost = site.fixed + sum((site.line + problem.unit_cost(ln, site) * min(
            ln.quantity, ln.stock.get(code, 0)) for ln in problem.lines if ln.stock.get(code)),
            Decimal(0))  # fmt: skip
        return cost / units

    chosen = sorted(ev.codes, key=lambda c: (standalone(c), c))[:size]
    return [ev.bit[c] for c in sorted(chosen)]


def _greedy(ev: Evaluator, pool: Sequence[int]) -> int:
    """Open, one at a time, the site that improves the score most; stop when none does."""
    current = 0
    score, _ = ev.score_mask(current)
    while True:
        options = [(ev.score_mask(current | b), b) for b in pool if not current & b]
        if not options:
            return current
        (best, used), _b = min(options, key=lambda o: (o[0][0], o[1]))
        if best >= score:
            return current
        score, current = best, used
