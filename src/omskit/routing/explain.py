"""A plan's explanation: decisions with alternatives, and the cost estimate, when read."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import Any

from omskit.money import Money
from omskit.routing.model import Alternative, Decision
from omskit.routing.problem import Pick, Site, SourcingProblem, plan_cost
from omskit.routing.running import run_strategy
from omskit.routing.strategies import RoutingStrategy

__all__ = ["Details"]

_ALTERNATIVES = 4  # alternatives listed per decision


class Details:
    """A plan's decisions and cost estimate, worked out when first read (a ``PlanDetails``).

    ``problem`` builds the problem the plan was made for (it is only built if asked);
    ``picks`` are the strategy's picks, or ``None`` when the planner took a shortcut that
    yields the same allocations without them: the strategy is then run on the problem
    again (strategies are deterministic) for the reasons.
    """

    __slots__ = ("_picks", "_problem", "_strategy")

    def __init__(self, problem: Callable[[], SourcingProblem], strategy: RoutingStrategy,
                 picks: Sequence[Pick] | None) -> None:  # fmt: skip
        self._problem = problem
        self._strategy = strategy
        self._picks = picks

    def _worked_out(self) -> tuple[SourcingProblem, Sequence[Pick]]:
        problem = self._problem()
        if self._picks is None:
            self._picks = run_strategy(problem, self._strategy)
        return problem, self._picks

    def decisions(self) -> tuple[Decision, ...]:
        """One decision per pick, with the alternatives still available to it."""
        problem, picks = self._worked_out()
        return _decisions(problem, self._strategy, picks)

    def estimated_cost(self) -> Money | None:
        """Handling plus estimated shipping of the picks (``None`` without any)."""
        problem, picks = self._worked_out()
        if not picks:
            return None
        return Money(plan_cost(problem, picks), problem.currency).quantize()


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
