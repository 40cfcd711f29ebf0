"""Own holds (``count_own_holds``), explanations of split plans, and cost-cache freshness."""

from __future__ import annotations

import attrs
import pytest

from omskit import OMS, ValidationError
from omskit.inventory import Allocation
from omskit.routing import SourcingRequest
from omskit.storage.ports import UnitOfWork

BERLIN = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
          "postal_code": "10115", "lat": 52.53, "lon": 13.38}  # fmt: skip


@pytest.fixture
def net(oms: OMS) -> OMS:
    oms.catalog.add_product("TEE", name="Tee", weight_grams=180)
    for code, lat, lon, prio, qty in (("BER", 52.52, 13.40, 30, 2), ("MUC", 48.14, 11.58, 10, 9),
                                      ("HAM", 53.55, 9.99, 20, 4)):  # fmt: skip
        oms.inventory.add_location(code, name=code, country="DE", lat=lat, lon=lon, priority=prio)
        oms.inventory.receive("TEE", location=code, quantity=qty)
    return oms


def req(*quantities: int, **kw: object) -> SourcingRequest:
    return SourcingRequest(
        reference="O-1",
        lines=tuple({"line_ref": f"L{i + 1}", "sku": "TEE", "quantity": q}
                    for i, q in enumerate(quantities)),
        ship_to=BERLIN, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_later_split_decision_does_not_offer_stock_an_earlier_pick_took(net: OMS) -> None:
    plan = net.routing.plan(req(10), "nearest")  # BER 2, HAM 4, MUC 4
    assert [(a.location, a.quantity) for a in plan.allocations] == [
        ("BER", 2), ("HAM", 4), ("MUC", 4)]  # fmt: skip
    ber, ham, muc = plan.decisions
    assert [(a.location, a.available) for a in ber.alternatives] == [("HAM", 4), ("MUC", 9)]
    assert ber.exhausted == ()
    assert [(a.location, a.available) for a in ham.alternatives] == [("MUC", 9)]
    assert ham.exhausted == ("BER",)
    assert muc.alternatives == ()
    assert muc.exhausted == ("BER", "HAM")
    lines = plan.explain().splitlines()
    ham_line = next(x for x in lines if x.startswith("- HAM chosen"))
    assert "also had stock: MUC (9 available, 505 km)" in ham_line
    assert "BER (" not in ham_line
    assert ham_line.endswith("had none left (taken by earlier picks): BER")


def test_priority_split_reports_the_first_location_as_used_up(net: OMS) -> None:
    plan = net.routing.plan(req(12), "priority")  # MUC 9, then HAM 3
    first, second = plan.decisions
    assert (second.location, second.quantity) == ("HAM", 3)
    assert [(a.location, a.available) for a in second.alternatives] == [("BER", 2)]
    assert second.exhausted == ("MUC",)
    assert "also had stock: MUC" not in second.sentence()
    assert "MUC" in first.sentence()


def test_lines_of_one_sku_share_what_is_left(net: OMS) -> None:
    plan = net.routing.plan(req(2, 3), "nearest")  # one pool: BER 2 -> L1, HAM 3 -> L2
    one, two = plan.decisions
    assert (one.line_ref, one.location, two.line_ref, two.location) == ("L1", "BER", "L2", "HAM")
    assert two.exhausted == ("BER",)
    assert [(a.location, a.available) for a in two.alternatives] == [("MUC", 9)]


def test_units_on_top_of_own_holds_are_planned_elsewhere(net: OMS) -> None:
    net.inventory.reserve(reference="O-1", allocations=[Allocation("MUC", "TEE", 9, "L1")])
    counted = net.routing.plan(req(3), "priority")
    assert [(a.location, a.quantity) for a in counted.allocations] == [("MUC", 3)]
    extra = net.routing.plan(req(3, count_own_holds=False), "priority")
    assert [(a.location, a.quantity) for a in extra.allocations] == [("HAM", 3)]
    net.inventory.reserve(reference="O-1", allocations=extra.allocations)  # fits as it is
    held = {r.location: r.quantity for r in net.inventory.reservations("O-1")}
    assert held == {"MUC": 9, "HAM": 3}


def test_a_replacement_plan_is_reserved_after_releasing_the_holds(net: OMS) -> None:
    net.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE", 2, "L1")])
    plan = net.routing.plan(req(11), "nearest")  # counts BER's 2 as its own
    assert [(a.location, a.quantity) for a in plan.allocations] == [
        ("BER", 2), ("HAM", 4), ("MUC", 5)]  # fmt: skip

    def replace(uow: UnitOfWork) -> None:
        net.inventory.release_in(uow, reference="O-1")
        net.inventory.reserve_in(uow, reference="O-1", allocations=plan.allocations)

    net.runtime.run(replace)
    assert net.inventory.available("TEE") == 4
    assert not net.inventory.reconcile()


def test_replanning_keeps_the_holds_flag(net: OMS) -> None:
    net.inventory.reserve(reference="O-1", allocations=[Allocation("MUC", "TEE", 9, "L1")])
    plan = net.routing.plan(req(5, count_own_holds=False), "priority")
    assert [(a.location, a.quantity) for a in plan.allocations] == [("HAM", 4), ("BER", 1)]
    again = net.routing.replan(plan, exclude={"HAM"})
    assert again.request is not None
    assert again.request.count_own_holds is False
    # MUC (priority 10) is all the order's own hold, so only BER's 2 are offered
    assert [(a.location, a.quantity) for a in again.allocations] == [("BER", 2)]
    assert [(s.line_ref, s.quantity) for s in again.unfulfilled] == [("L1", 2)]


def test_the_holds_flag_comes_from_mappings_and_is_checked(net: OMS) -> None:
    lines = [{"line_ref": "1", "sku": "TEE", "quantity": 1}]
    plan = net.routing.plan(
        {"reference": "O-1", "ship_to": BERLIN, "count_own_holds": False, "lines": lines}
    )
    assert plan.request is not None
    assert plan.request.count_own_holds is False
    with pytest.raises(ValidationError) as caught:
        req(1, count_own_holds="no")
    assert caught.value.problems[0].field == "count_own_holds"
    with pytest.raises(ValidationError):
        attrs.evolve(req(1), count_own_holds=None)  # type: ignore[arg-type]


def test_cost_estimates_follow_a_changed_location(net: OMS) -> None:
    before = net.routing.plan(req(1), "priority").estimated_cost
    net.inventory.update_location("MUC", handling_per_shipment="3.00")
    after = net.routing.plan(req(1), "priority").estimated_cost
    assert before is not None
    assert after is not None
    assert str(after - before) == "3.00 EUR"
    net.inventory.update_location("MUC", handling_per_shipment="0.50")
    last = net.routing.plan(req(1), "priority").estimated_cost
    assert last is not None
    assert str(last - before) == "0.50 EUR"


def test_explanations_and_estimates_are_stable_once_read(net: OMS) -> None:
    plan = net.routing.plan(req(10), "lowest_cost")
    text, cost = plan.explain(), plan.estimated_cost
    net.inventory.receive("TEE", location="BER", quantity=50)  # after planning
    assert plan.explain() == text
    assert plan.estimated_cost == cost
    fresh = net.routing.plan(req(10), "lowest_cost")
    assert fresh != plan
