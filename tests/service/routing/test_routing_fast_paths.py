"""The planner's shortcuts give the very plans the general path gives."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from omskit import OMS
from omskit.customers import Address
from omskit.routing import PriorityStrategy, SourcingLine, SourcingRequest
from omskit.routing.planner import build_problem, make_plan

BERLIN = Address(country="DE", line1="Invalidenstr. 1", city="Berlin", postal_code="10115")
TODAY = dt.date(2026, 11, 24)


class _GeneralPriority(PriorityStrategy):
    """The priority strategy, but not the exact built-in type: the planner runs it as is."""


def _today() -> dt.date:
    return TODAY


@st.composite
def shops(draw: st.DrawFn) -> tuple[OMS, SourcingRequest]:
    """Random locations (some abroad, blocked or inactive), stock received in any order."""
    oms = OMS.in_memory(autoload=False)
    skus = [f"S{i}" for i in range(draw(st.integers(1, 4)))]
    for sku in skus:
        oms.catalog.add_product(sku, name=sku, weight_grams=draw(st.integers(0, 3000)),
                                hazmat=draw(st.booleans()))  # fmt: skip
    n = draw(st.integers(1, 20))  # over 16: stock is read through the SKU index
    codes = [f"L{i:02d}" for i in range(n)]
    for code in codes:
        oms.inventory.add_location(
            code, name=code, country=draw(st.sampled_from(("DE", "DE", "AT"))), lat=50, lon=10,
            priority=draw(st.integers(0, 3)),
            capabilities={"hazmat": draw(st.booleans()),
                          "max_parcel_grams": draw(st.sampled_from((None, 1000, 5000)))},
        )  # fmt: skip
    receipts = [(sku, code, q) for sku in skus for code in codes
                if (q := draw(st.integers(0, 4)))]  # fmt: skip
    for sku, code, q in draw(st.permutations(receipts)):  # levels created in any order
        oms.inventory.receive(sku, location=code, quantity=q)
    for code in codes:
        if draw(st.integers(0, 5)) == 0:
            oms.inventory.deactivate_location(code)
    lines = tuple(SourcingLine(f"l{i}", draw(st.sampled_from(skus)), draw(st.integers(1, 6)))
                  for i in range(draw(st.integers(1, 4))))  # fmt: skip
    request = SourcingRequest.trusted("ord-1", lines, BERLIN, count_own_holds=False)
    return oms, request


@settings(max_examples=60, deadline=None)
@given(shops())
def test_the_priority_shortcut_plans_exactly_what_the_priority_strategy_plans(
    shop: tuple[OMS, SourcingRequest],
) -> None:
    oms, request = shop
    model = oms.routing.settings.cost_model
    with oms.runtime.storage.unit_of_work() as uow:
        quick = make_plan(uow, build_problem(uow, request, model, oms.routing._money),
                          PriorityStrategy(), _today)  # fmt: skip
        general = make_plan(uow, build_problem(uow, request, model, oms.routing._money),
                            _GeneralPriority(), _today)  # fmt: skip
    assert quick == general
    assert quick.decisions == general.decisions
    assert quick.estimated_cost == general.estimated_cost
    assert quick.explain() == general.explain()


@settings(max_examples=40, deadline=None)
@given(shops())
def test_a_line_lists_its_locations_in_location_order_however_its_stock_arrived(
    shop: tuple[OMS, SourcingRequest],
) -> None:
    oms, request = shop
    with oms.runtime.storage.unit_of_work() as uow:
        ctx = build_problem(uow, request, oms.routing.settings.cost_model, oms.routing._money)
        order = list(ctx.eligible)
        for line in ctx.problem.lines:
            codes = list(line.stock)
            assert codes == sorted(codes, key=order.index)
            for code, units in line.stock.items():
                assert units == oms.inventory.level(line.sku, code).available
        assert list(ctx.problem.sites) == [c for c in order if c in ctx.used]


def test_with_many_locations_stock_received_backwards_is_still_listed_in_location_order() -> None:
    oms = OMS.in_memory(autoload=False)
    oms.catalog.add_product("TEE", name="Tee")
    codes = [f"L{i:02d}" for i in range(20)]  # over 16: stock is read through the SKU index
    for code in codes:
        oms.inventory.add_location(code, name=code, country="DE", lat=50, lon=10)
    for i, code in enumerate(reversed(codes)):
        oms.inventory.receive("TEE", location=code, quantity=i + 1)
    request = SourcingRequest.trusted("ord-1", (SourcingLine("1", "TEE", 3),), BERLIN)
    with oms.runtime.storage.unit_of_work() as uow:
        ctx = build_problem(uow, request, oms.routing.settings.cost_model, oms.routing._money)
    stock = ctx.problem.lines[0].stock
    assert list(stock) == codes
    assert stock["L00"] == 20
    assert stock["L19"] == 1
