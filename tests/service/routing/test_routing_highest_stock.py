"""Saleor's "highest stock first" strategy, through ``oms.routing``."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS
from omskit.inventory import Allocation
from omskit.routing import HighestStockStrategy, SourcingRequest

BERLIN = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
          "postal_code": "10115", "lat": 52.53, "lon": 13.38}  # fmt: skip


@pytest.fixture
def net(oms: OMS) -> OMS:
    oms.catalog.add_product("TEE-M", name="Tee", weight_grams=180)
    oms.catalog.add_product("MUG-1", name="Mug", weight_grams=320)
    for code, prio in (("BER", 30), ("MUC", 10), ("HAM", 20), ("FRA", 40)):
        oms.inventory.add_location(code, name=code, country="DE", lat=50.0, lon=10.0,
                                   priority=prio)  # fmt: skip
    for code, items in {"BER": {"TEE-M": 7, "MUG-1": 5}, "MUC": {"TEE-M": 3},
                        "HAM": {"TEE-M": 7, "MUG-1": 6}, "FRA": {"TEE-M": 12}}.items():  # fmt: skip
        for sku, qty in items.items():
            oms.inventory.receive(sku, location=code, quantity=qty)
    return oms


def req(*lines: tuple[str, int], **kw: Any) -> SourcingRequest:
    return SourcingRequest(reference="O-1", ship_to=BERLIN, **kw,
                           lines=[{"line_ref": str(i + 1), "sku": s, "quantity": q}
                                  for i, (s, q) in enumerate(lines)])  # fmt: skip


def test_highest_stock_is_a_registered_strategy(net: OMS) -> None:
    assert isinstance(net.routing.strategy("highest_stock"), HighestStockStrategy)


def test_each_line_ships_from_the_location_with_the_most_of_it(net: OMS) -> None:
    plan = net.routing.plan(req(("TEE-M", 4), ("MUG-1", 2)), "highest_stock")
    assert plan.allocations == (Allocation("FRA", "TEE-M", 4, "1"),
                                Allocation("HAM", "MUG-1", 2, "2"))  # fmt: skip
    text = plan.explain()
    assert "most TEE-M in stock (12 unit(s)" in text
    assert "most MUG-1 in stock (6 unit(s)" in text


def test_a_tie_goes_to_the_higher_priority_and_a_large_line_spills_over(net: OMS) -> None:
    # FRA 12, then BER and HAM with 7 each: HAM has priority 20, BER 30
    plan = net.routing.plan(req(("TEE-M", 22)), "highest_stock")
    assert [(a.location, a.quantity) for a in plan.allocations] == [
        ("FRA", 12), ("HAM", 7), ("BER", 3)]  # fmt: skip
    assert "next most TEE-M in stock" in plan.decisions[1].why
    assert plan.complete


def test_units_reserved_elsewhere_do_not_count_as_stock(net: OMS) -> None:
    net.inventory.reserve(reference="X", allocations=[Allocation("FRA", "TEE-M", 10, "1")])
    plan = net.routing.plan(req(("TEE-M", 2)), "highest_stock")
    assert [a.location for a in plan.allocations] == ["HAM"]  # FRA has 2 left, HAM 7


def test_an_unsplittable_order_goes_to_the_location_with_the_most_of_it(net: OMS) -> None:
    plan = net.routing.plan(req(("TEE-M", 5), ("MUG-1", 5), allow_split=False),
                            "highest_stock")  # fmt: skip
    assert {a.location for a in plan.allocations} == {"HAM"}
    assert "most stock of the order" in plan.explain()


def test_the_same_request_always_gives_the_same_plan(net: OMS) -> None:
    plans = {net.routing.plan(req(("TEE-M", 15), ("MUG-1", 8)), "highest_stock")
             for _ in range(3)}  # fmt: skip
    assert len(plans) == 1
