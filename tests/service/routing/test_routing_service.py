"""Routing on the in-memory store: constraints, explanations, re-planning, plugins."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from omskit import OMS, PluginError, UnknownProvider, UnknownSku, ValidationError
from omskit.errors import DuplicateRegistration
from omskit.inventory import Allocation
from omskit.plugins import hookimpl
from omskit.routing import Pick, Site, SourcingProblem, SourcingRequest
from omskit.testing import FakeClock

BERLIN = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
          "postal_code": "10115", "lat": 52.53, "lon": 13.38}  # fmt: skip


@pytest.fixture
def net(oms: OMS) -> OMS:
    oms.catalog.add_product("TEE-M", name="Tee", weight_grams=180)
    oms.catalog.add_product("MUG-1", name="Mug", weight_grams=320)
    oms.catalog.add_product("GAS", name="Camping gas", weight_grams=500, hazmat=True)
    oms.catalog.add_product("SOFA", name="Sofa", weight_grams=40_000)
    for code, lat, lon, prio in (("BER", 52.52, 13.40, 30), ("MUC", 48.14, 11.58, 10),
                                 ("HAM", 53.55, 9.99, 20)):  # fmt: skip
        oms.inventory.add_location(code, name=code, country="DE", lat=lat, lon=lon,
                                   priority=prio, capabilities={"hazmat": code == "HAM",
                                   "max_parcel_grams": 30_000})  # fmt: skip
    for code, items in {"BER": {"TEE-M": 2, "MUG-1": 5}, "MUC": {"TEE-M": 9, "GAS": 3},
                        "HAM": {"TEE-M": 4, "MUG-1": 1, "GAS": 2}}.items():  # fmt: skip
        for sku, qty in items.items():
            oms.inventory.receive(sku, location=code, quantity=qty)
    return oms


def req(*lines: tuple[str, int], **kw: object) -> SourcingRequest:
    return SourcingRequest(
        reference=str(kw.pop("reference", "O-1")),
        lines=tuple({"line_ref": str(i + 1), "sku": s, "quantity": q}
                    for i, (s, q) in enumerate(lines)),
        ship_to=kw.pop("ship_to", BERLIN), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_all_built_in_strategies_are_registered(net: OMS) -> None:
    assert net.routing.names() == [
        "priority",
        "nearest",
        "fewest_shipments",
        "lowest_cost",
        "dropship",
        "highest_stock",
    ]


def test_priority_fills_from_the_highest_priority_location_first(net: OMS) -> None:
    plan = net.routing.plan(req(("TEE-M", 3)), "priority")
    assert plan.allocations == (Allocation("MUC", "TEE-M", 3, "1"),)
    assert "priority 10" in plan.explain()


def test_nearest_explains_the_choice_and_the_alternatives(net: OMS) -> None:
    plan = net.routing.plan(req(("TEE-M", 2)), "nearest")
    assert plan.allocations == (Allocation("BER", "TEE-M", 2, "1"),)
    text = plan.explain()
    assert "BER chosen for TEE-M x2: nearest location with stock, 2 km" in text
    assert "also had stock: HAM (4 available, 253 km), MUC (9 available, 505 km)" in text


def test_split_plans_ship_the_rest_from_the_next_location(net: OMS) -> None:
    plan = net.routing.plan(req(("TEE-M", 5)), "nearest")
    assert [(a.location, a.quantity) for a in plan.allocations] == [("BER", 2), ("HAM", 3)]
    assert plan.shipment_count == 2
    assert plan.complete


def test_no_split_sends_everything_from_one_location_or_reports_the_rest(net: OMS) -> None:
    plan = net.routing.plan(req(("TEE-M", 2), ("MUG-1", 1), allow_split=False), "nearest")
    assert {a.location for a in plan.allocations} == {"BER"}
    plan = net.routing.plan(req(("TEE-M", 5), ("MUG-1", 2), allow_split=False), "priority")
    assert plan.shipment_count == 1
    assert not plan.complete
    assert plan.unfulfilled[0].kind == "rejected"


def test_hazmat_only_ships_from_locations_allowed_to_handle_it(net: OMS) -> None:
    plan = net.routing.plan(req(("GAS", 3)), "priority")
    assert [(a.location, a.quantity) for a in plan.allocations] == [("HAM", 2)]
    (short,) = plan.unfulfilled
    assert short.quantity == 1
    assert "MUC cannot ship hazardous goods" in short.reason


def test_units_over_the_parcel_limit_are_not_routed(net: OMS) -> None:
    net.inventory.receive("SOFA", location="BER", quantity=1)
    plan = net.routing.plan(req(("SOFA", 1)))
    assert plan.allocations == ()
    assert "over its 30 kg parcel limit" in plan.unfulfilled[0].reason


def test_protected_store_stock_and_countries_are_honoured(net: OMS) -> None:
    net.inventory.add_location("SHOP", name="Shop", kind="store", country="DE", lat=52.53,
                               lon=13.38, priority=0)  # fmt: skip
    net.inventory.receive("TEE-M", location="SHOP", quantity=50)
    plan = net.routing.plan(req(("TEE-M", 2)), "nearest")
    assert "SHOP" not in {a.location for a in plan.allocations}
    assert "SHOP (its stock is kept for walk-in customers)" in plan.explain()
    net.inventory.update_location("HAM", capabilities={"international": False})
    paris = {"country": "FR", "line1": "1 rue", "city": "Paris", "postal_code": "75001",
             "lat": 48.85, "lon": 2.35}  # fmt: skip
    plan = net.routing.plan(req(("TEE-M", 15), ship_to=paris), "nearest")
    assert "HAM" not in {a.location for a in plan.allocations}
    assert "does not ship abroad" in plan.explain()


def test_backordered_remainder_gets_a_promise_date(net: OMS, clock: FakeClock) -> None:
    net.inventory.set_backorder_policy("MUG-1", "backorder")
    net.inventory.add_supplier("ACME", name="Acme", lead_time_days=5)
    net.inventory.set_supply_terms("ACME", "MUG-1", unit_cost="2.00")
    net.inventory.place_purchase_order(supplier="ACME", location="BER", lines={"MUG-1": 10})
    plan = net.routing.plan(req(("MUG-1", 8)), "nearest")
    (short,) = plan.unfulfilled
    assert (short.kind, short.quantity, short.location) == ("backorder", 2, "BER")
    assert short.promise_date is not None
    assert (short.promise_date - clock.now().date()).days == 5
    assert "backordered: promised for" in plan.explain()


def test_replan_after_a_rejection_routes_only_that_locations_work_elsewhere(net: OMS) -> None:
    plan = net.routing.plan(req(("TEE-M", 5), ("MUG-1", 1)), "nearest")
    again = net.routing.replan(plan, exclude={"HAM"})
    assert "HAM" not in {a.location for a in again.allocations}
    assert sum(a.quantity for a in again.allocations) == sum(
        a.quantity for a in plan.allocations if a.location == "HAM"
    )
    assert again.request is not None
    assert "HAM" in again.request.exclude
    short = net.routing.replan(plan, exclude={"HAM"}, remaining={"1": 1})
    assert [(a.sku, a.quantity) for a in short.allocations] == [("TEE-M", 1)]
    with pytest.raises(ValidationError):
        net.routing.replan(plan, exclude={"HAM"}, remaining={"9": 1})


def test_an_orders_own_reservations_count_as_available_to_it(net: OMS) -> None:
    net.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 2, "1")])
    own = net.routing.plan(req(("TEE-M", 2), reference="O-1"), "nearest")
    other = net.routing.plan(req(("TEE-M", 2), reference="O-2"), "nearest")
    assert own.allocations[0].location == "BER"
    assert other.allocations[0].location == "HAM"


def test_plans_from_plain_mappings_and_bad_requests(net: OMS) -> None:
    plan = net.routing.plan(
        {
            "reference": "O-1",
            "ship_to": BERLIN,
            "lines": [{"line_ref": "a", "sku": "TEE-M", "quantity": 1}],
        }
    )
    assert plan.allocations[0].line_ref == "a"
    with pytest.raises(UnknownSku):
        net.routing.plan(req(("NOPE", 1)))
    with pytest.raises(ValidationError) as info:
        SourcingRequest(
            reference="x",
            lines=[{"sku": "TEE-M", "quantity": 0}, {"sku": "bad sku", "quantity": 1}],
            ship_to=BERLIN,
        )
    assert len(info.value.problems) == 2
    with pytest.raises(UnknownProvider, match="known: 'dropship'"):
        net.routing.plan(req(("TEE-M", 1)), "cheapest-please")


def test_unknown_default_strategy_in_configuration_fails_early(clock: FakeClock) -> None:
    with pytest.raises(UnknownProvider):
        OMS.in_memory({"routing": {"strategy": "nope"}}, clock=clock, autoload=False)


def test_lowest_cost_uses_the_configured_cost_model(clock: FakeClock) -> None:
    oms = OMS.in_memory({"routing": {"strategy": "lowest_cost", "cost_model": {
        "base_fee": "5", "per_km": "0", "per_kg": "0", "per_kg_per_100km": "0"}}},
        clock=clock, autoload=False)  # fmt: skip
    oms.catalog.add_product("TEE-M", name="Tee", weight_grams=180)
    oms.inventory.add_location("NEAR", name="n", country="DE", lat=52.5, lon=13.4,
                               handling_per_shipment="3.00")  # fmt: skip
    oms.inventory.add_location("FAR", name="f", country="DE", lat=48.1, lon=11.6,
                               handling_per_shipment="1.00")  # fmt: skip
    for code in ("NEAR", "FAR"):
        oms.inventory.receive("TEE-M", location=code, quantity=5)
    plan = oms.routing.plan(req(("TEE-M", 1)))
    assert plan.strategy == "lowest_cost"
    assert plan.allocations[0].location == "FAR"
    assert str(plan.estimated_cost) == "6.00 EUR"


class Greedy:
    """A third-party strategy that breaks the rules."""

    name = "greedy"
    description = "takes everything from the first site"

    def assign(self, problem: SourcingProblem) -> Sequence[Pick]:
        return [Pick(ln.line_ref, next(iter(problem.sites)), ln.quantity * 10)
                for ln in problem.lines]  # fmt: skip

    def detail(self, problem: SourcingProblem, site: Site) -> str:
        return "whatever"


class Plugin:
    @hookimpl
    def omskit_register_routing_strategies(self) -> list[object]:
        return [Greedy()]


class Clash:
    @hookimpl
    def omskit_register_routing_strategies(self) -> list[object]:
        class Fake(Greedy):
            name = "priority"

        return [Fake()]


def test_plugin_strategies_register_by_name_and_cannot_break_the_rules(clock: FakeClock) -> None:
    oms = OMS.in_memory(plugins=[Plugin()], clock=clock, autoload=False)
    assert "greedy" in oms.routing.registry
    oms.catalog.add_product("TEE-M", name="Tee")
    oms.inventory.add_location("BER", name="b", country="DE", lat=52.5, lon=13.4)
    oms.inventory.receive("TEE-M", location="BER", quantity=5)
    with pytest.raises(PluginError, match="greedy"):
        oms.routing.plan(req(("TEE-M", 1)), "greedy")
    with pytest.raises(DuplicateRegistration):
        OMS.in_memory(plugins=[Clash()], clock=clock, autoload=False)


def test_a_plan_reserves_in_one_step(net: OMS) -> None:
    plan = net.routing.plan(req(("TEE-M", 5), ("MUG-1", 1)), "fewest_shipments")
    held = net.inventory.reserve(reference="O-1", allocations=plan.allocations)
    assert sum(r.quantity for r in held) == 6
    with net.runtime.storage.unit_of_work() as uow:
        again = net.routing.plan_in(uow, req(("TEE-M", 11), reference="O-2"))
    assert again.allocated("1") == 15 - 5
    assert again.unfulfilled[0].quantity == 1
