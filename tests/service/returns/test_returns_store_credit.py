"""Refunds to store credit, split refunds, and returns of orders paid partly with credit."""

from __future__ import annotations

import pytest

from omskit import OMS, ValidationError
from omskit.money import Money

from .returns_helpers import Sell

EMAIL = "dana@example.com"


def inspected(oms: OMS, order_id: str, lines: dict[str, int]) -> str:
    rma = oms.returns.request(order_id, lines, authorize=True)
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id)
    return rma.id


def eur(value: str) -> Money:
    return Money(value, "EUR")


def test_a_refund_to_store_credit_leaves_the_card_alone(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2})
    rma = world.returns.refund(inspected(world, order.id, {"L1": 1}), to="store_credit")
    record = rma.refunds[-1]
    assert (record.paid, record.credit, record.to_card) == (eur("19.99"), eur("19.99"), eur("0"))
    assert record.transactions == ()
    payment = world.payments.get(order.id)
    assert payment.refunded.is_zero
    assert payment.refundable == eur("19.99")  # one tee is left to refund
    assert world.payments.store_credit(EMAIL, "EUR") == eur("19.99")
    entry = world.payments.credit_account(EMAIL, "EUR").entries[-1]
    assert entry.reference == order.id
    # the second tee goes to the card; the cap counts the credit refund
    second = world.returns.refund(inspected(world, order.id, {"L1": 1}))
    assert second.refunds[-1].to_card == eur("19.99")
    assert world.payments.get(order.id).refundable.is_zero


def test_a_split_refund_sends_part_to_store_credit_and_the_rest_to_the_card(
    world: OMS, sell: Sell
) -> None:
    order = sell({"TEE": 1, "MUG": 1})
    rma_id = inspected(world, order.id, {"L1": 1, "L2": 1})
    with pytest.raises(ValidationError, match="store_credit"):
        world.returns.refund(rma_id, store_credit="40.00")  # more than the refund
    with pytest.raises(ValidationError, match=r"^to: "):
        world.returns.refund(rma_id, to="cash")
    assert world.returns.get(rma_id).status == "inspected"  # nothing half-done
    rma = world.returns.refund(rma_id, store_credit="10.00", idempotency_key="r1")
    record = rma.refunds[-1]
    assert record.paid == eur("32.49")
    assert (record.credit, record.to_card) == (eur("10.00"), eur("22.49"))
    assert world.payments.get(order.id).refunded == eur("22.49")
    assert world.payments.store_credit(EMAIL, "EUR") == eur("10.00")
    again = world.returns.refund(rma_id, store_credit="10.00", idempotency_key="r1")
    assert len(again.refunds) == 1
    assert world.payments.store_credit(EMAIL, "EUR") == eur("10.00")


def test_returning_an_order_paid_partly_with_credit_gives_each_part_back(
    world: OMS, sell: Sell
) -> None:
    world.payments.issue_credit(EMAIL, "30.00", currency="EUR", reason="gift card")
    order = sell({"TEE": 2}, payment={"method": "tok_visa", "store_credit": "30.00"})
    payment = world.payments.get(order.id)
    assert payment.captured == eur("9.98")  # 39.98 less the 30.00 of credit
    assert payment.refundable == eur("39.98")
    rma = world.returns.refund(inspected(world, order.id, {"L1": 2}))
    record = rma.refunds[-1]
    assert record.paid == eur("39.98")
    assert (record.to_card, record.credit) == (eur("9.98"), eur("30.00"))
    payment = world.payments.get(order.id)
    assert payment.refunded == payment.captured
    assert payment.refundable.is_zero
    assert world.payments.store_credit(EMAIL, "EUR") == eur("30.00")
