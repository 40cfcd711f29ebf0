"""Deferred sites, and explanations that only offer stock still left."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omskit.routing import (
    FewestShipmentsStrategy,
    LineSpec,
    NearestStrategy,
    PriorityStrategy,
    Site,
    SourcingProblem,
)
from omskit.routing.explain import _decisions
from omskit.routing.running import _merge_same_sku, _split_back
from omskit.routing.strategies import RoutingStrategy


class CountingSource:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def distance_km(self, code: str) -> float:
        self.asked.append(("distance", code))
        return 120.0

    def costs(self, code: str, distance_km: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        self.asked.append(("costs", code))
        return Decimal(5), Decimal(1), Decimal("0.9"), Decimal("4.5")


def test_a_deferred_site_computes_distance_and_costs_once_and_only_when_read() -> None:
    source = CountingSource()
    site = Site.deferred("BER", "warehouse", 3, source)
    assert (site.code, site.kind, site.priority) == ("BER", "warehouse", 3)
    assert source.asked == []
    assert site.fixed == 5
    assert site.line == 1
    assert site.per_kg == Decimal("0.9")
    assert site.distance_km == 120.0
    assert source.asked == [("distance", "BER"), ("costs", "BER")]


def test_a_deferred_site_equals_the_eager_one_with_the_same_values() -> None:
    eager = Site("BER", "warehouse", 3, 120.0, fixed=Decimal(5), line=Decimal(1),
                 per_kg=Decimal("0.9"), base_fee=Decimal("4.5"))  # fmt: skip
    lazy = Site.deferred("BER", "warehouse", 3, CountingSource())
    assert lazy == eager
    assert hash(lazy) == hash(eager)
    assert lazy != Site("BER", "warehouse", 4, 120.0)
    assert repr(eager) == repr(lazy)
    assert "distance_km=120.0" in repr(eager)


def test_sites_cannot_be_changed() -> None:
    site = Site("BER", "warehouse", 3, 10.0)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        site.priority = 1
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del site.code
    assert site.priority == 3


def test_ranking_by_priority_never_reads_distances_or_costs() -> None:
    source = CountingSource()
    sites = {c: Site.deferred(c, "warehouse", p, source) for c, p in (("A", 2), ("B", 1))}
    problem = SourcingProblem((LineSpec("1", "X", 3, 100, False, {"A": 2, "B": 2}),), sites)
    picks = PriorityStrategy().assign(problem)
    decisions = _decisions(problem, PriorityStrategy(), picks)
    assert [(p.location, p.quantity) for p in picks] == [("B", 2), ("A", 1)]
    assert decisions[1].exhausted == ("B",)
    assert source.asked == []


@st.composite
def problems(draw: st.DrawFn) -> SourcingProblem:
    codes = [f"L{i}" for i in range(draw(st.integers(1, 6)))]
    sites = {c: Site(c, "warehouse", draw(st.integers(1, 5)), float(draw(st.integers(0, 900))))
             for c in codes}  # fmt: skip
    lines = []
    skus = draw(st.lists(st.sampled_from("XYZ"), min_size=1, max_size=4))
    stock_by_sku = {
        sku: {c: q for c in codes if (q := draw(st.integers(0, 5)))} for sku in set(skus)
    }
    for j, sku in enumerate(skus):
        lines.append(LineSpec(str(j), sku, draw(st.integers(1, 8)), 100, False, stock_by_sku[sku]))
    return SourcingProblem(tuple(lines), sites, draw(st.booleans()))


STRATEGIES: tuple[RoutingStrategy, ...] = (
    PriorityStrategy(),
    NearestStrategy(),
    FewestShipmentsStrategy(),
)


@settings(max_examples=150, deadline=None)
@given(problems(), st.sampled_from(STRATEGIES))
def test_alternatives_offer_exactly_what_earlier_picks_left(
    problem: SourcingProblem, strategy: RoutingStrategy
) -> None:

    merged, groups = _merge_same_sku(problem)
    picks = list(strategy.assign(merged))
    if groups:
        picks = _split_back(picks, groups, problem)
    taken: dict[tuple[str, str], int] = {}
    for pick, decision in zip(picks, _decisions(problem, strategy, picks), strict=True):
        line = problem.by_ref[pick.line_ref]
        left = {c: q - taken.get((line.sku, c), 0) for c, q in line.stock.items()
                if c != pick.location}  # fmt: skip
        offered = {a.location: a.available for a in decision.alternatives}
        assert all(q > 0 for q in offered.values())
        assert all(offered[c] == left[c] for c in offered)
        assert set(decision.exhausted) == {c for c, q in left.items() if q <= 0}
        assert len(offered) == min(4, sum(1 for q in left.values() if q > 0))
        key = (line.sku, pick.location)
        taken[key] = taken.get(key, 0) + pick.quantity
