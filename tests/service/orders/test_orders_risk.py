"""Risk checks at capture: scored signals, hold for review, reject, host rules."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS
from omskit.errors import PluginError
from omskit.orders import ORDERS, OrderRejected, RiskSignal
from omskit.plugins import hookimpl

BIG = [{"sku": "TEE-M", "quantity": 50}, {"sku": "MUG-01", "quantity": 10}]  # 1120.00 EUR


def rules(order: Any) -> set[str]:
    return {s.rule for s in order.risk.signals}


def test_a_plain_order_is_approved_with_no_signals(shop: OMS, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    assert order.risk.outcome == "approve"
    assert order.risk.signals == ()
    assert order.approved


def test_a_first_high_value_order_to_another_billing_country_is_held(
    shop: OMS, order_payload: Any
) -> None:
    bill_to = {"country": "FR", "line1": "1 rue X", "city": "Paris", "postal_code": "75001"}
    order = shop.orders.capture(order_payload(lines=BIG, bill_to=bill_to))
    assert rules(order) == {"high_value", "country_mismatch", "first_order_high_value"}
    assert order.status == "on_hold"
    assert order.hold_reason.startswith("risk review")
    assert "high_value" in order.risk.explain()
    assert [x.allocated for x in order.lines] == [50, 10]  # a held order keeps its stock


def test_enough_signals_reject_the_order_and_nothing_is_stored(
    make: Any, order_payload: Any, gateway: Any
) -> None:
    oms = make({"orders": {"risk": {"high_risk_countries": ["DE"]}}})
    with pytest.raises(OrderRejected) as info:
        oms.orders.capture(order_payload(lines=BIG))
    assert info.value.assessment.outcome == "reject"
    assert "high_risk_destination" in str(info.value)
    with oms.runtime.storage.unit_of_work() as uow:
        assert uow.repo(ORDERS).count() == 0
    assert oms.inventory.available("TEE-M") == 50
    assert gateway(oms).calls == 0


def test_velocity_by_email_flags_the_order_over_the_limit(
    make: Any, order_payload: Any, clock: Any
) -> None:
    oms = make({"orders": {"risk": {"velocity_limit": 2, "velocity_score": 30}}})
    first = oms.orders.capture(order_payload("V-1"))
    clock.advance(hours=1)
    second = oms.orders.capture(order_payload("V-2"))
    clock.advance(hours=1)
    third = oms.orders.capture(order_payload("V-3"))
    assert first.risk.signals == second.risk.signals == ()
    assert {"velocity_email", "velocity_address"} <= rules(third)
    assert "velocity_card" not in rules(third)  # "tok_visa" is a token, not a card
    assert third.status == "on_hold"
    clock.advance(hours=30)
    later = oms.orders.capture(order_payload("V-4"))
    assert later.risk.signals == ()


def test_host_risk_checks_add_signals(make: Any, order_payload: Any) -> None:
    seen: list[Any] = []

    class Blocklist:
        @hookimpl
        def omskit_risk_checks(self, order: Any, context: Any) -> list[Any]:
            seen.append(context)
            if order.customer_email.endswith("@example.com"):
                return [RiskSignal("blocklist", 40, "domain on the blocklist"),
                        {"rule": "manual", "score": 10, "reason": "mapping form"}]  # fmt: skip
            return []

    oms = make(plugins=[Blocklist()])
    order = oms.orders.capture(order_payload())
    assert rules(order) == {"blocklist", "manual"}
    assert order.status == "on_hold"
    assert seen[0]["email_orders"] == 0


def test_a_host_risk_check_returning_garbage_is_a_plugin_error(
    make: Any, order_payload: Any
) -> None:
    class Broken:
        @hookimpl
        def omskit_risk_checks(self, order: Any, context: Any) -> list[Any]:
            return ["oops"]

    oms = make(plugins=[Broken()])
    with pytest.raises(PluginError):
        oms.orders.capture(order_payload())


def test_a_held_order_is_released_or_cancelled_by_an_actor(shop: OMS, order_payload: Any) -> None:
    held = shop.orders.capture(order_payload("H-1", lines=BIG))
    assert held.status == "on_hold"
    released = shop.orders.release(held.id, reason="called the customer", actor="ops:kim")
    assert released.status == "allocated"
    entry = shop.orders.history(held.id)[-1]
    assert (entry.actor, entry.action, entry.reason) == ("ops:kim", "released",
                                                         "called the customer")  # fmt: skip
    bill_to = {"country": "FR", "line1": "1 rue X", "city": "Paris", "postal_code": "75001"}
    other = shop.orders.capture(order_payload("H-2", lines=[{"sku": "CAP-RED", "quantity": 40}],
                                              customer={"email": "new@example.org"},
                                              bill_to=bill_to))  # fmt: skip
    assert other.status == "on_hold"
    cancelled = shop.orders.cancel(other.id, reason="fraud confirmed", actor="ops:kim")
    assert cancelled.status == "cancelled"
    assert shop.inventory.available("CAP-RED") == 50


def test_bad_risk_settings_are_reported_together(make: Any) -> None:
    from omskit.errors import ValidationError

    with pytest.raises(ValidationError) as info:
        make({"orders": {"risk": {"hold_at": -1, "high_value": {"ZZZ": "1"}, "nope": 1}}})
    assert len(info.value.problems) == 3
