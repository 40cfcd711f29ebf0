"""The policy engine: each built-in rule, composition per channel and category, the hook."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from omskit import OMS, hookimpl
from omskit.errors import UnknownProvider
from omskit.orders.storage import ORDERS
from omskit.returns import LineContext, ReturnNotEligible
from omskit.testing import FakeClock

from .returns_helpers import Sell, build_world, make_seller

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def verdict(oms: OMS, order_id: str, lines: object) -> list[str]:
    return [v.describe() for v in oms.returns.check(order_id, lines).lines]  # type: ignore[arg-type]


def test_only_delivered_units_less_those_on_open_returns_may_come_back(
    world: OMS, sell: Sell
) -> None:
    order = sell({"TEE": 2, "MUG": 1})
    undelivered = sell({"MUG": 1}, deliver=False)
    assert "has no delivered units yet (0 of 1)" in verdict(world, undelivered.id, {"L1": 1})[0]
    assert "only 2 unit(s) of line L1" in verdict(world, order.id, {"L1": 3})[0]
    first = world.returns.request(order.id, {"L1": 1})
    assert "only 1 unit(s)" in verdict(world, order.id, {"L1": 2})[0]
    world.returns.cancel(first.id, reason="changed my mind")
    assert verdict(world, order.id, {"L1": 2})[0].endswith("allowed (until 2026-12-24)")


def test_the_window_closes_thirty_days_after_delivery(
    world: OMS, sell: Sell, clock: FakeClock
) -> None:
    order = sell({"TEE": 1})
    clock.advance(days=30)
    assert world.returns.check(order.id, {"L1": 1}).allowed
    clock.advance(days=1)
    result = world.returns.check(order.id, {"L1": 1})
    assert not result.allowed
    assert (
        "the return window closed on 2026-12-24 (delivered 2026-11-24, 30 days) [window]"
        in (result.lines[0].reasons[0])
    )
    with pytest.raises(ReturnNotEligible, match=r"lines\.L1: got 1; the return window closed"):
        world.returns.request(order.id, {"L1": 1})
    assert world.returns.for_order(order.id) == []


def test_a_holiday_extension_keeps_the_window_open_until_its_date(clock: FakeClock) -> None:
    holiday = {"from": "2026-11-20", "to": "2026-12-24", "until": "2027-01-31"}
    oms = OMS.in_memory({"returns": {"holiday": holiday}}, clock=clock, autoload=False)
    build_world(oms)
    order = make_seller(oms)({"TEE": 1})
    clock.set(dt.datetime(2027, 1, 31, 20, 0, tzinfo=dt.UTC))
    assert oms.returns.check(order.id, {"L1": 1}).allowed
    clock.advance(days=1)
    assert not oms.returns.check(order.id, {"L1": 1}).allowed


def test_final_sale_hazmat_and_personalised_products_are_refused_with_their_rule(
    world: OMS, sell: Sell
) -> None:
    order = sell({"FINAL": 1, "GLUE": 1, "NAMEMUG": 1, "TEE": 1})
    lines = verdict(world, order.id, {"L1": 1, "L2": 1, "L3": 1, "L4": 1})
    assert lines[0].endswith("FINAL is not returnable [returnable]")
    assert lines[1].endswith("GLUE is dangerous goods and cannot be sent back [hazmat]")
    assert "personalised; only a fault makes it returnable [personalised]" in lines[2]
    assert lines[3].endswith("allowed (until 2026-12-24)")
    defective = world.returns.check(
        order.id, [{"line": "L3", "quantity": 1, "reason": "defective"}]
    )
    assert defective.allowed
    with pytest.raises(ReturnNotEligible) as caught:
        world.returns.request(order.id, {"L1": 1, "L2": 1, "L4": 1})
    assert [p.field for p in caught.value.problems] == ["lines.L1", "lines.L2"]
    assert world.returns.for_order(order.id) == []


def test_policies_compose_per_channel_and_category(clock: FakeClock) -> None:
    config = {"returns": {
        "categories": {"hygiene": {"window_days": 0}},
        "countries": ["DE", "AT"],
        "channels": {"web": {"require_condition": True}},
    }}  # fmt: skip
    oms = OMS.in_memory(config, clock=clock, autoload=False)
    build_world(oms)
    sell = make_seller(oms)
    order = sell({"BRUSH": 1, "TEE": 1})
    lines = verdict(oms, order.id, [{"line": "L1", "quantity": 1, "condition": "unopened"},
                                    {"line": "L2", "quantity": 1}])  # fmt: skip
    assert "BRUSH cannot be returned (its return window is 0 days) [window]" in lines[0]
    assert "state the condition of the units" in lines[1]
    french = sell(
        {"TEE": 1}, ship_to={"country": "FR", "line1": "1 rue de Rivoli", "city": "Paris",
                             "postal_code": "75001"})  # fmt: skip
    assert "returns are accepted from AT, DE, not FR [countries]" in verdict(
        oms, french.id, [{"line": "L1", "quantity": 1, "condition": "opened"}])[0]  # fmt: skip


def test_an_rma_for_another_customers_order_is_refused(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 1})
    with pytest.raises(ReturnNotEligible, match=r"customer: got 'eve@example.com'; order .* "
                       r"belongs to another customer"):  # fmt: skip
        world.returns.request(order.id, {"L1": 1}, customer="eve@example.com")
    assert world.returns.for_order(order.id) == []
    assert world.returns.request(order.id, {"L1": 1}, customer="Dana@Example.com").id


@attrs.frozen
class NoReturnsOnSundays:
    name: str = "no-sundays"

    def check(self, ctx: LineContext) -> str | None:
        return "no returns are opened on Sundays" if ctx.now.weekday() == 6 else None


class SundayRules:
    @hookimpl
    def omskit_register_return_rules(self) -> list[NoReturnsOnSundays]:
        return [NoReturnsOnSundays()]


def test_hook_register_return_rules_adds_a_rule_a_policy_names(clock: FakeClock) -> None:
    config = {"returns": {"rules": ["delivered", "no-sundays"]}}
    oms = OMS.in_memory(config, plugins=[SundayRules()], clock=clock, autoload=False)
    build_world(oms)
    order = make_seller(oms)({"TEE": 1})
    assert oms.returns.check(order.id, {"L1": 1}).allowed  # a Tuesday
    clock.set(dt.datetime(2026, 11, 29, 10, tzinfo=dt.UTC))
    result = oms.returns.check(order.id, {"L1": 1})
    assert result.lines[0].reasons == ("no returns are opened on Sundays [no-sundays]",)
    assert result.lines[0].policy_rules == ("delivered", "no-sundays")


def test_hook_register_return_rules_a_policy_naming_an_unknown_rule_is_refused(
    clock: FakeClock,
) -> None:
    oms = OMS.in_memory({"returns": {"rules": ["delivered", "nope"]}}, clock=clock,
                        autoload=False)  # fmt: skip
    build_world(oms)
    order = make_seller(oms)({"TEE": 1})
    with pytest.raises(UnknownProvider, match="no return rule 'nope'"):
        oms.returns.check(order.id, {"L1": 1})


def test_the_window_runs_from_the_lines_delivered_at_field(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 1, "MUG": 1})
    assert order.line("L1").delivered_at == world.clock.now()
    assert world.returns.check(order.id, {"L1": 1}).allowed
    with world.runtime.transaction() as uow:  # the field, not the timeline text, decides
        stored = uow.repo(ORDERS).get(order.id)
        stored.line("L1").delivered_at = world.clock.now() - dt.timedelta(days=90)
        uow.repo(ORDERS).save(stored)
    verdict = world.returns.check(order.id, {"L1": 1, "L2": 1})
    assert [x.allowed for x in verdict.lines] == [False, True]
    assert "window" in verdict.explain()
