"""The lowest-cost strategy: handling plus estimated shipping, minimised by local search.

Given a set of open locations, the cheapest way to ship each line from them is found
exactly (every subset of the open locations that stock the line is tried, cheapest units
first), so the search is only over *which locations ship*. It starts from several seeds
(the priority, nearest and fewest-shipments plans and a greedy build) and improves each by
dropping, adding and swapping one location at a time until no move helps. Shipping every
unit that can be shipped always comes before cost. ``benchmarks/routing_quality.py``
compares the result with the exhaustive optimum.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import combinations
from typing import Any

from omskit.routing.problem import LineSpec, Pick, Site, SourcingProblem, plan_cost
from omskit.routing.strategies import (
    FewestShipmentsStrategy,
    NearestStrategy,
    PriorityStrategy,
    RankedStrategy,
    single_site,
)

__all__ = ["Evaluator", "LowestCostStrategy"]

_EXACT_SITES = 6  # per line, try every subset of up to this many open sites
_POOL = 40  # candidate sites considered for add / swap moves (fewer for long orders)
_BUDGET = 6000  # set evaluations per plan; the search stops improving after this many

Score = tuple[int, Decimal]


class Evaluator:
    """Scores sets of open sites: (units left unshipped, estimated cost); lower is better."""

    def __init__(self, problem: SourcingProblem, exact_sites: int = _EXACT_SITES) -> None:
        self.problem = problem
        self.exact_sites = exact_sites
        self._line_cache: dict[tuple[str, frozenset[str]], tuple[int, Decimal, dict[str, int]]] = {}
        self.evaluations = 0

    def _line(
        self, line: LineSpec, open_sites: frozenset[str]
    ) -> tuple[int, Decimal, dict[str, int]]:
        stock = line.stock
        relevant = frozenset(c for c in open_sites if c in stock)
        key = (line.line_ref, relevant)
        found = self._line_cache.get(key)
        if found is not None:
            return found
        target = line.coverable
        sites = [self.problem.sites[c] for c in sorted(relevant)]
        unit = {s.code: self.problem.unit_cost(line, s) for s in sites}
        best: tuple[int, Decimal, dict[str, int]] = (target, Decimal(0), {})
        if sites:
            subsets: Any
            if len(sites) <= self.exact_sites:
                subsets = (c for r in range(1, len(sites) + 1) for c in combinations(sites, r))
            else:
                subsets = [sorted(sites, key=lambda s: unit[s.code])]
            for subset in subsets:
                result = self._fill(line, subset, unit, target)
                if (result[0], result[1]) < (best[0], best[1]):
                    best = result
        self._line_cache[key] = best
        return best

    @staticmethod
    def _fill(line: LineSpec, subset: Sequence[Site], unit: dict[str, Decimal],
              target: int) -> tuple[int, Decimal, dict[str, int]]:  # fmt: skip
        need, cost, take = target, Decimal(0), {}
        for site in sorted(subset, key=lambda s: (unit[s.code], s.code)):
            if not need:
                break
            q = min(need, line.stock.get(site.code, 0))
            take[site.code] = q
            cost += site.line + unit[site.code] * q
            need -= q
        return need, cost, take

    def score(self, open_sites: frozenset[str]) -> tuple[Score, frozenset[str]]:
        """Score of ``open_sites`` and the subset of them actually used."""
        self.evaluations += 1
        left, cost = 0, Decimal(0)
        used: set[str] = set()
        for line in self.problem.lines:
            n, c, take = self._line(line, open_sites)
            left += n
            cost += c
            used.update(take)
        cost += sum((self.problem.sites[c].fixed for c in used), Decimal(0))
        return (left, cost), frozenset(used)

    def picks(self, open_sites: frozenset[str]) -> list[Pick]:
        """The cheapest picks from ``open_sites``."""
        out: list[Pick] = []
        for line in self.problem.lines:
            _n, _c, take = self._line(line, open_sites)
            out.extend(Pick(line.line_ref, code, q) for code, q in sorted(take.items()) if q)
        return out


def local_search(
    ev: Evaluator, start: frozenset[str], pool: Sequence[str]
) -> tuple[Score, frozenset[str]]:
    """Improve ``start`` by dropping, adding or swapping one site until nothing helps."""
    best, current = ev.score(start)

    def neighbours(swaps: bool) -> list[frozenset[str]]:
        outside = [c for c in pool if c not in current]
        if swaps:
            return [(current - {s}) | {c} for s in current for c in outside]
        return [current - {s} for s in current] + [current | {c} for c in outside]

    while ev.evaluations < _BUDGET:
        improved = False
        for swaps in (False, True):  # cheap moves first; swaps only when they are stuck
            if swaps and len(current) > 6:
                break
            for move in neighbours(swaps):
                score, used = ev.score(move)
                if score < best:
                    best, current, improved = score, used, True
                    break  # first improvement: start again from the better set
            if improved:
                break
        if not improved:
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
        candidates = [c for c, _s in problem.sites.items()
                      if any(ln.stock.get(c) for ln in problem.lines)]  # fmt: skip
        if not candidates:
            return []
        pool = _pool(problem, candidates)
        seeds = {frozenset(p.location for p in s().assign(problem))
                 for s in (PriorityStrategy, NearestStrategy, FewestShipmentsStrategy)}  # fmt: skip
        seeds.add(_greedy(ev, pool))
        ranked = sorted(seeds, key=lambda s: (ev.score(s)[0], sorted(s)))
        best: tuple[Score, frozenset[str]] | None = None
        for seed in ranked[:2]:
            found = local_search(ev, seed, pool)
            if best is None or found[0] < best[0]:
                best = found
        assert best is not None
        picks = ev.picks(best[1])
        return self._explained(problem, picks)

    def _single(self, problem: SourcingProblem) -> list[Pick]:
        options = []
        for code, site in problem.sites.items():
            picks = single_site(problem, [site], lambda _p, _s: "")
            if picks:
                units = sum(p.quantity for p in picks)
                options.append((-units, plan_cost(problem, picks), code, picks))
        if not options:
            return []
        options.sort(key=lambda o: o[:3])
        return self._explained(problem, options[0][3])

    def _explained(self, problem: SourcingProblem, picks: list[Pick]) -> list[Pick]:
        by_site: dict[str, list[Pick]] = {}
        for p in picks:
            by_site.setdefault(p.location, []).append(p)
        out: list[Pick] = []
        for code, items in by_site.items():
            cost = plan_cost(problem, items)
            why = (f"lowest total cost: this shipment est. {cost:.2f} {problem.currency} "
                   f"(handling + shipping, {problem.sites[code].distance_km:.0f} km)")  # fmt: skip
            out.extend(Pick(p.line_ref, p.location, p.quantity, why) for p in items)
        return out


def _pool(problem: SourcingProblem, candidates: list[str]) -> list[str]:
    size = _POOL if len(problem.lines) <= 10 else 15
    if len(candidates) <= size:
        return candidates

    def standalone(code: str) -> Decimal:
        site = problem.sites[code]
        units = sum(min(ln.quantity, ln.stock.get(code, 0)) for ln in problem.lines)
        cost = site.fixed + sum((site.line + problem.unit_cost(ln, site) * min(
            ln.quantity, ln.stock.get(code, 0)) for ln in problem.lines if ln.stock.get(code)),
            Decimal(0))  # fmt: skip
        return cost / units

    return sorted(candidates, key=lambda c: (standalone(c), c))[:size]


def _greedy(ev: Evaluator, pool: Sequence[str]) -> frozenset[str]:
    current: frozenset[str] = frozenset()
    score, _ = ev.score(current)
    while True:
        options = [(ev.score(current | {c}), c) for c in pool if c not in current]
        if not options:
            return current
        (best, used), _c = min(options, key=lambda o: (o[0][0], o[1]))
        if best >= score:
            return current
        score, current = best, used
