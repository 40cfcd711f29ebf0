"""Refunds: discount shares, fees, shipping by rule, the cap, idempotency, currencies."""

from __future__ import annotations

import pytest

from omskit import OMS, IdempotencyConflict, InvalidTransition
from omskit.money import Money
from omskit.testing import FakeClock

from .returns_helpers import Sell, build_world, make_seller


def returned(oms: OMS, order_id: str, lines: object, dispositions: object = None) -> str:
    rma = oms.returns.request(order_id, lines, authorize=True)  # type: ignore[arg-type]
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id, dispositions)  # type: ignore[arg-type]
    return rma.id


def seller(clock: FakeClock, returns: dict[str, object]) -> tuple[OMS, Sell]:
    oms = OMS.in_memory({"returns": returns}, clock=clock, autoload=False)
    build_world(oms)
    return oms, make_seller(oms)


def test_an_order_level_discount_is_shared_by_the_units_exactly(world: OMS, sell: Sell) -> None:
    world.pricing.add_promotion("TENOFF", name="10% off", kind="percent", percent="10")
    order = sell({"TEE": 3})
    line = order.line("L1")
    assert str(line.total.gross) == "53.98 EUR"  # 3 x 19.99 less 10 % (5.99, rounded down)
    parts = []
    for _ in range(3):
        rma = returned(world, order.id, {"L1": 1})
        parts.append(world.returns.simulate(rma).total)
        world.returns.refund(rma)
    assert [str(p) for p in parts] == ["17.99 EUR", "18.00 EUR", "17.99 EUR"]
    assert world.payments.get(order.id).balance.is_zero


def test_a_restocking_fee_is_kept_unless_the_reason_is_our_fault(clock: FakeClock) -> None:
    oms, sell = seller(clock, {"restocking_fee_percent": "10"})
    order = sell({"TEE": 2, "MUG": 2}, shipping="4.90")
    rma = returned(oms, order.id, [{"line": "L1", "quantity": 1, "reason": "changed_mind"}])
    breakdown = oms.returns.simulate(rma)
    assert (str(breakdown.fees), str(breakdown.total)) == ("2.00 EUR", "17.99 EUR")
    assert "fee -2.00 EUR = 17.99 EUR" in breakdown.explain()
    fault = returned(oms, order.id, [{"line": "L2", "quantity": 1, "reason": "defective"}])
    waived = oms.returns.simulate(fault)
    assert waived.fees.is_zero
    assert str(waived.shipping) == "4.90 EUR"  # our fault: the shipping comes back too
    assert "restocking fee waived: the reason is our fault" in waived.notes


def test_shipping_comes_back_only_with_the_last_unit_unless_the_policy_keeps_it(
    clock: FakeClock,
) -> None:
    oms, sell = seller(clock, {"refund_shipping": "never"})
    order = sell({"TEE": 1}, shipping="4.90")
    rma = returned(oms, order.id, {"L1": 1})
    kept = oms.returns.simulate(rma)
    assert kept.full_return
    assert kept.shipping.is_zero
    assert str(kept.total) == "19.99 EUR"


def test_partial_acceptance_refunds_only_the_units_inspection_accepted(
    world: OMS, sell: Sell
) -> None:
    order = sell({"TEE": 3})
    rma = returned(world, order.id, {"L1": 3}, {"L1": {"restock": 2, "rejected": 1}})
    assert str(world.returns.simulate(rma).total) == "39.98 EUR"
    assert world.orders.get(order.id).line("L1").returned == 2
    restocked = [m.on_hand for m in world.inventory.ledger(reference=rma)]
    assert restocked == [2]
    world.returns.refund(rma)
    assert world.returns.check(order.id, {"L1": 1}).allowed  # the rejected unit is still out


def test_a_refund_is_capped_at_what_the_payment_still_holds(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2})
    world.orders.refund(order.id, "30.00", reason="late delivery, goodwill")
    rma = returned(world, order.id, {"L1": 2})
    breakdown = world.returns.simulate(rma)
    assert (str(breakdown.goods), str(breakdown.capped), str(breakdown.total)) == (
        "39.98 EUR", "30.00 EUR", "9.98 EUR")  # fmt: skip
    world.returns.refund(rma)
    payment = world.payments.get(order.id)
    assert payment.refunded == payment.captured


def test_refunding_twice_with_one_key_pays_once(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2})
    first = returned(world, order.id, {"L1": 1})
    world.returns.refund(first, idempotency_key="refund-A")
    again = world.returns.refund(first, idempotency_key="refund-A")
    assert len(again.refunds) == 1
    assert str(world.payments.get(order.id).refunded) == "19.99 EUR"
    with pytest.raises(InvalidTransition, match="status is 'closed'; refund is allowed from"):
        world.returns.refund(first)
    second = returned(world, order.id, {"L1": 1})
    with pytest.raises(IdempotencyConflict, match="refund-A"):
        world.returns.refund(second, idempotency_key="refund-A")
    assert world.returns.get(second).status == "inspected"
    assert str(world.payments.get(order.id).refunded) == "19.99 EUR"


@pytest.mark.parametrize(("channel", "expected"), [("jp-shop", "JPY"), ("kw-shop", "KWD")])
def test_a_full_return_refunds_the_capture_to_the_minor_unit_in_any_currency(
    world: OMS, sell: Sell, channel: str, expected: str
) -> None:
    order = sell({"TEE": 3, "MUG": 7}, channel=channel, shipping="7")
    assert order.currency == expected
    for lines in ({"L1": 1}, {"L2": 3}, {"L1": 2, "L2": 4}):
        world.returns.refund(returned(world, order.id, lines))
    payment = world.payments.get(order.id)
    assert payment.refunded == payment.captured == order.total.gross
    assert payment.refunded == Money(payment.refunded.amount, expected).quantize()
