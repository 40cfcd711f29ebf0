"""Running a strategy on a problem: same-SKU lines merged, picks checked and split back."""

from __future__ import annotations

from collections.abc import Sequence

from omskit.errors import PluginError
from omskit.routing.problem import LineSpec, Pick, SourcingProblem
from omskit.routing.strategies import (
    DropshipStrategy,
    FewestShipmentsStrategy,
    HighestStockStrategy,
    NearestStrategy,
    PriorityStrategy,
    RoutingStrategy,
)

__all__ = ["run_strategy"]

#: Built-in strategies whose picks need no checking: each takes at most what a line still
#: needs and what a location has (property tests hold them to it), and never zero.
_TRUSTED = frozenset({PriorityStrategy, NearestStrategy, DropshipStrategy,
                      FewestShipmentsStrategy, HighestStockStrategy})  # fmt: skip


def run_strategy(problem: SourcingProblem, strategy: RoutingStrategy) -> Sequence[Pick]:
    """``strategy``'s picks for ``problem``: checked, without zero picks, per original line.

    Lines of one SKU are merged first so they cannot each count the same stock; the picks
    are handed back to the original lines in order.
    """
    merged, groups = _merge_same_sku(problem)
    found = strategy.assign(merged)
    if type(strategy) in _TRUSTED:
        picks: Sequence[Pick] = found  # they only ever pick stock that is there, never 0
    else:
        picks = _checked(merged, found, strategy.name)
    if groups:
        picks = _split_back(picks, groups, problem)
    return picks


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


def _merge_same_sku(
    problem: SourcingProblem,
) -> tuple[SourcingProblem, dict[str, list[LineSpec]]]:
    """One line per SKU, so lines of one SKU cannot each count the same stock.

    Strategies see the merged problem; `_split_back` hands their picks back to the
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
