"""Routing properties on random problems: every strategy respects stock and quantities."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from omskit.routing import (
    DropshipStrategy,
    FewestShipmentsStrategy,
    HighestStockStrategy,
    LineSpec,
    LowestCostStrategy,
    NearestStrategy,
    PriorityStrategy,
    Site,
    SourcingProblem,
    plan_cost,
)
from omskit.routing.strategies import shipment_count

STRATEGIES = (PriorityStrategy(), NearestStrategy(), FewestShipmentsStrategy(),
              LowestCostStrategy(), DropshipStrategy(), HighestStockStrategy())  # fmt: skip


@st.composite
def problems(draw: st.DrawFn, max_sites: int = 8) -> SourcingProblem:
    n_sites = draw(st.integers(1, max_sites))
    sites = {}
    for i in range(n_sites):
        code = f"L{i}"
        sites[code] = Site(
            code=code, kind=draw(st.sampled_from(("warehouse", "store", "supplier"))),
            priority=draw(st.integers(0, 5)), distance_km=draw(st.integers(0, 2000)) / 1.0,
            fixed=Decimal(draw(st.integers(0, 900))) / 100,
            line=Decimal(draw(st.integers(0, 200))) / 100,
            per_kg=Decimal(draw(st.integers(0, 300))) / 100, base_fee=Decimal("4.50"),
        )  # fmt: skip
    lines = []
    for j in range(draw(st.integers(1, 5))):
        stock = {code: q for code in sites if (q := draw(st.integers(0, 6)))}
        lines.append(LineSpec(str(j), f"S{j}", draw(st.integers(1, 8)),
                              draw(st.integers(0, 5000)), draw(st.booleans()), stock))  # fmt: skip
    return SourcingProblem(tuple(lines), sites, draw(st.booleans()))


@given(problems())
def test_no_strategy_ships_more_than_ordered_or_from_a_location_without_stock(
    problem: SourcingProblem,
) -> None:
    for strategy in STRATEGIES:
        picks = strategy.assign(problem)
        lines = {ln.line_ref: ln for ln in problem.lines}
        per_line: dict[str, int] = {}
        per_site: dict[tuple[str, str], int] = {}
        for p in picks:
            assert p.quantity > 0
            assert lines[p.line_ref].stock.get(p.location, 0) > 0, (strategy.name, p)
            per_line[p.line_ref] = per_line.get(p.line_ref, 0) + p.quantity
            per_site[(p.line_ref, p.location)] = per_site.get((p.line_ref, p.location), 0) + (
                p.quantity
            )
        for ref, qty in per_line.items():
            assert qty <= lines[ref].quantity, strategy.name
        for (ref, code), qty in per_site.items():
            assert qty <= lines[ref].stock[code], strategy.name
        if not problem.allow_split:
            assert shipment_count(picks) <= 1, strategy.name


@given(problems())
def test_split_plans_ship_every_unit_that_can_be_shipped(problem: SourcingProblem) -> None:
    if not problem.allow_split:
        return
    best = sum(ln.coverable for ln in problem.lines)
    for strategy in STRATEGIES:
        assert sum(p.quantity for p in strategy.assign(problem)) == best, strategy.name


@given(problems(max_sites=12))
def test_fewest_shipments_never_uses_more_shipments_than_priority(problem: SourcingProblem) -> None:
    fewest = FewestShipmentsStrategy().assign(problem)
    priority = PriorityStrategy().assign(problem)
    assert shipment_count(fewest) <= shipment_count(priority)
    assert sum(p.quantity for p in fewest) == sum(p.quantity for p in priority)


@given(problems())
def test_lowest_cost_is_never_dearer_than_another_strategy_shipping_as_much(
    problem: SourcingProblem,
) -> None:
    cheapest = LowestCostStrategy().assign(problem)
    units = sum(p.quantity for p in cheapest)
    cost = plan_cost(problem, cheapest)
    for strategy in STRATEGIES:
        other = strategy.assign(problem)
        if sum(p.quantity for p in other) == units:
            assert cost <= plan_cost(problem, other), strategy.name


def test_plan_cost_counts_fixed_once_per_site_and_line_cost_once_per_line() -> None:
    site = Site("A", "warehouse", 1, 100.0, fixed=Decimal("5"), line=Decimal("1"),
                per_kg=Decimal("2"), base_fee=Decimal("4.5"))  # fmt: skip
    problem = SourcingProblem(
        (LineSpec("1", "X", 2, 500, False, {"A": 5}), LineSpec("2", "Y", 1, 1000, True, {"A": 1})),
        {"A": site},
    )
    from omskit.routing import Pick

    picks = [Pick("1", "A", 1), Pick("1", "A", 1), Pick("2", "A", 1)]
    # 5 fixed + 2 lines x 1 + 2 units x 0.5 kg x 2 + 1 unit x (1 kg x 2 + 4.5 alone)
    assert plan_cost(problem, picks) == Decimal("5") + 2 + 2 + Decimal("6.5")


@given(problems())
def test_highest_stock_takes_each_line_from_its_best_stocked_locations_first(
    problem: SourcingProblem,
) -> None:
    picks = HighestStockStrategy().assign(problem)
    if not problem.allow_split:
        return
    for line in problem.lines:
        mine = [p for p in picks if p.line_ref == line.line_ref]
        used = [p.location for p in mine]
        # every location used has at least as much as any location left out
        unused = [c for c in line.stock if c not in used]
        if unused and used:
            assert min(line.stock[c] for c in used) >= max(line.stock[c] for c in unused)
        # and they are used most-stocked first, each emptied except perhaps the last
        assert [line.stock[c] for c in used] == sorted((line.stock[c] for c in used),
                                                       reverse=True)  # fmt: skip
        for p in mine[:-1]:
            assert p.quantity == line.stock[p.location]


@given(problems())
def test_highest_stock_gives_the_same_plan_for_the_same_problem_whatever_the_site_order(
    problem: SourcingProblem,
) -> None:
    reversed_sites = dict(reversed(list(problem.sites.items())))
    shuffled = SourcingProblem(
        tuple(LineSpec(ln.line_ref, ln.sku, ln.quantity, ln.weight_grams, ln.ship_alone,
                       dict(reversed(list(ln.stock.items())))) for ln in problem.lines),
        reversed_sites, problem.allow_split,
    )  # fmt: skip
    strategy = HighestStockStrategy()
    assert [(p.line_ref, p.location, p.quantity) for p in strategy.assign(problem)] == [
        (p.line_ref, p.location, p.quantity) for p in strategy.assign(shuffled)]  # fmt: skip
