"""Payments inside the order flow: failures hold or cancel, review holds, capture modes."""

from __future__ import annotations

from typing import Any

import pytest

from omskit.money import Money
from omskit.payments import PaymentDeclined


def test_a_declined_card_holds_the_order_by_default(shop: Any, order_payload: Any,
                                                    gateway: Any) -> None:  # fmt: skip
    order = shop.orders.capture(order_payload(payment={"method": "tok_declined"}))
    assert order.status == "on_hold"
    assert order.payment_status == "failed"
    assert "card_declined" in order.hold_reason
    assert gateway(shop).open_authorizations() == {}
    assert [x.allocated for x in order.lines] == [2, 1]


def test_a_held_order_with_a_failed_payment_needs_a_new_method_before_release(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload(payment={"method": "tok_declined"}))
    with pytest.raises(Exception, match="another payment method"):
        shop.orders.release(order.id, reason="ok")
    with pytest.raises(PaymentDeclined):
        shop.orders.pay(order.id, "tok_no_funds")
    txn = shop.orders.pay(order.id, "tok_visa")
    assert txn.amount == order.total.gross
    released = shop.orders.release(order.id, reason="paid with another card")
    assert released.status == "allocated"
    assert released.payment_status == "authorized"


def test_a_declined_card_cancels_the_order_when_configured(make: Any, order_payload: Any) -> None:
    oms = make({"payments": {"on_failure": "cancel"}})
    order = oms.orders.capture(order_payload(payment={"method": "tok_declined"}))
    assert order.status == "cancelled"
    assert oms.inventory.available("TEE-M") == 50
    assert all(r.quantity == 0 for r in oms.inventory.reservations(order.id))


def test_a_gateway_review_flag_holds_the_order(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload(payment={"method": "tok_review"}))
    assert order.status == "on_hold"
    assert order.payment_status == "authorized"
    assert "review" in order.hold_reason


def test_a_transient_failure_is_retried_at_capture(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload(payment={"method": "tok_flaky"}))
    assert order.payment_status == "authorized"
    assert order.status == "allocated"


def test_capture_at_order_time_takes_the_money_at_once(make: Any, order_payload: Any) -> None:
    oms = make({"payments": {"capture": "order"}})
    order = oms.orders.capture(order_payload())
    payment = oms.payments.get(order.id)
    assert order.payment_status == "captured"
    assert payment.balance == order.total.gross


def test_capture_at_shipment_takes_what_shipped(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    with shop.runtime.transaction() as uow:
        shop.orders.record_shipment_in(uow, order.id, {"L2": 1}, shipment_id="shp-1")
    payment = shop.payments.get(order.id)
    expected = order.lines[1].total.gross + order.shipping.gross
    assert payment.captured == expected
    with shop.runtime.transaction() as uow:
        shop.orders.record_shipment_in(uow, order.id, {"L1": 2}, shipment_id="shp-2")
    payment = shop.payments.get(order.id)
    assert payment.captured == order.total.gross
    assert payment.status == "captured"
    assert shop.orders.get(order.id).payment_status == "captured"


def test_manual_capture_and_refund_keep_the_balance(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    shop.orders.capture_payment(order.id, "10.00", actor="ops")
    shop.orders.refund(order.id, "4.00", reason="goodwill", actor="ops")
    payment = shop.payments.get(order.id)
    captured = sum(t.amount.amount for t in payment.transactions
                   if t.kind == "capture" and t.succeeded)  # fmt: skip
    refunded = sum(t.amount.amount for t in payment.transactions
                   if t.kind == "refund" and t.succeeded)  # fmt: skip
    assert payment.balance == Money(captured - refunded, "EUR") == Money("6.00", "EUR")
    actions = [e.action for e in shop.orders.history(order.id)]
    assert actions[-2:] == ["payment_capture", "payment_refund"]


def test_an_order_without_a_payment_method_stays_pending(shop: Any, order_payload: Any) -> None:
    data = order_payload()
    del data["payment"]
    order = shop.orders.capture(data)
    assert order.payment_status == "pending"
    assert shop.payments.find(order.id) is None
    txn = shop.orders.pay(order.id, "tok_visa")
    assert txn.amount == order.total.gross
    assert shop.orders.get(order.id).payment_status == "authorized"
