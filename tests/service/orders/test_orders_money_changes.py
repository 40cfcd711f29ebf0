"""Money through edits, refunds and cancellations: the payment always matches the order.

The rule under test: after every change, what the payment covers (captured and not
refunded, plus what is still authorized) is what the order is due less the goodwill
already given; refunds draw on what each authorization captured, oldest first; a
cancelled order holds nothing and shows nothing (no shipping, no coupon use).
"""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS
from omskit.money import Money
from omskit.payments import PaymentDeclined
from omskit.pricing import CouponExhausted

from .conftest import payload, sandbox


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


@pytest.fixture
def ten(make: Any) -> Any:
    """``ten(config)``: the stocked shop plus TEN, a product at 10.00 gross."""

    def build(config: dict[str, Any] | None = None) -> OMS:
        oms: OMS = make(config)
        oms.catalog.add_product("TEN", name="Ten", price="10.00", currency="EUR")
        oms.inventory.receive("TEN", location="BER", quantity=40)
        return oms

    return build


def two_tens(oms: OMS, external_id: str = "W-1", **overrides: Any) -> Any:
    return oms.orders.capture(
        payload(external_id, lines=[{"sku": "TEN", "quantity": 2}], **overrides)
    )


def gateway_agrees(oms: OMS, order_id: str) -> None:
    """Each of the payment's authorizations has exactly the sandbox's amounts."""
    payment = oms.payments.get(order_id)
    for ledger in payment.authorizations:
        assert sandbox(oms).ledger(ledger.id) == {
            "authorized": ledger.authorized.amount,
            "captured": ledger.captured.amount,
            "voided": ledger.voided.amount,
            "refunded": ledger.refunded.amount,
        }
    assert all(t.succeeded for t in payment.transactions if t.kind != "authorize")


# -- 20.1: refunds draw on what was captured, across authorizations ------------------------
def test_a_refund_after_an_upward_edit_draws_on_the_authorization_that_captured(
    ten: Any,
) -> None:
    oms = ten({"payments": {"capture": "order"}})
    order = two_tens(oms)
    oms.orders.edit(order.id, {"quantities": {"L1": 3}})
    txn = oms.orders.refund(order.id, "5.00", reason="late delivery")
    payment = oms.payments.get(order.id)
    assert len(payment.authorizations) == 2  # the first was fully captured: a new one
    first = payment.authorizations[0]
    assert txn.authorization == first.id
    assert first.refunded == eur("5.00")
    assert payment.balance == eur("25.00")
    gateway_agrees(oms, order.id)


def test_a_refund_larger_than_one_capture_is_spread_oldest_first(ten: Any) -> None:
    oms = ten({"payments": {"capture": "order"}})
    order = two_tens(oms)
    oms.orders.edit(order.id, {"quantities": {"L1": 3}})
    oms.orders.refund(order.id, "25.00", reason="goodwill")
    payment = oms.payments.get(order.id)
    first, second = payment.authorizations
    assert (first.refunded, second.refunded) == (eur("20.00"), eur("5.00"))
    refunds = [t for t in payment.transactions if t.kind == "refund"]
    assert [t.amount for t in refunds] == [eur("20.00"), eur("5.00")]
    assert len({t.idempotency_key for t in refunds}) == 2
    [goodwill] = payment.adjustments
    assert goodwill.amount == eur("25.00")
    assert goodwill.transactions == tuple(t.id for t in refunds)
    gateway_agrees(oms, order.id)


# -- 20.2: cancelling after an upward edit ------------------------------------------------
@pytest.mark.parametrize("mode", ["order", "manual"])
def test_cancelling_after_an_upward_edit_refunds_every_capture_and_voids_the_rest(
    ten: Any, mode: str
) -> None:
    oms = ten({"payments": {"capture": mode}})
    order = two_tens(oms)
    if mode == "manual":
        oms.orders.capture_payment(order.id)
    oms.orders.edit(order.id, {"quantities": {"L1": 3}})
    oms.orders.cancel(order.id, reason="changed mind")
    payment = oms.payments.get(order.id)
    assert payment.balance == payment.open_amount == eur("0")
    assert payment.status == "refunded"
    assert sandbox(oms).open_authorizations() == {}
    gateway_agrees(oms, order.id)


# -- 20.3: goodwill refunds are their own records ---------------------------------------
def test_a_later_cancellation_does_not_claw_back_a_goodwill_refund(ten: Any) -> None:
    oms = ten({"payments": {"capture": "order"}})
    order = two_tens(oms)
    oms.orders.refund(order.id, "5.00", reason="scratched box", actor="ops")
    oms.orders.cancel_lines(order.id, {"L1": 1}, reason="one less")
    payment = oms.payments.get(order.id)
    assert payment.refunded == eur("15.00")  # the goodwill plus the unit's 10.00
    assert payment.balance == eur("5.00")
    [goodwill] = payment.adjustments
    assert (goodwill.amount, goodwill.reason, goodwill.actor) == (
        eur("5.00"),
        "scratched box",
        "ops",
    )
    oms.orders.cancel(order.id, reason="all of it")
    payment = oms.payments.get(order.id)
    assert payment.refunded == eur("20.00")
    assert payment.balance == eur("0")
    gateway_agrees(oms, order.id)


def test_goodwill_is_kept_when_an_order_is_edited_up_after_it(ten: Any) -> None:
    oms = ten({"payments": {"capture": "order"}})
    order = two_tens(oms)
    oms.orders.refund(order.id, "5.00", reason="goodwill")
    edited = oms.orders.edit(order.id, {"quantities": {"L1": 3}})
    payment = oms.payments.get(order.id)
    assert edited.total.gross == eur("30.00")
    assert payment.balance == eur("25.00")  # 30.00 due less the 5.00 given
    assert payment.open_amount == eur("0")


# -- 20.4: zero-value orders edited up ------------------------------------------------------
def test_a_zero_value_order_edited_up_authorizes_the_new_total(ten: Any) -> None:
    oms = ten()
    oms.pricing.add_promotion(
        "FREE20", name="20 off", kind="amount", amount={"EUR": "20.00"}, coupon_only=True
    )
    oms.pricing.add_coupon("FREE20", "FREE20")
    order = two_tens(oms, coupons=["FREE20"])
    assert order.total.gross == eur("0")
    assert oms.payments.get(order.id).status == "pending"
    edited = oms.orders.edit(order.id, {"quantities": {"L1": 3}})
    payment = oms.payments.get(order.id)
    assert edited.total.gross == eur("10.00")
    assert payment.open_amount == eur("10.00")
    assert edited.payment_status == "authorized"
    gateway_agrees(oms, order.id)


# -- 20.5: totals, lines and shipping agree after every change --------------------------
def test_a_cancelled_order_shows_no_shipping_charge(ten: Any) -> None:
    oms = ten({"payments": {"capture": "order"}})
    order = two_tens(oms, shipping="4.90")
    assert order.shipping.gross == eur("4.90")
    cancelled = oms.orders.cancel(order.id, reason="changed mind")
    assert cancelled.shipping.gross.is_zero
    assert cancelled.total.gross.is_zero
    assert oms.payments.get(order.id).refunded == eur("24.90")


def test_cancelling_every_line_clears_the_shipping_charge_too(ten: Any) -> None:
    oms = ten({"payments": {"capture": "order"}})
    order = two_tens(oms, shipping="4.90")
    cancelled = oms.orders.cancel_lines(order.id, {"L1": 2}, reason="none left")
    assert cancelled.status == "cancelled"
    assert cancelled.shipping.gross.is_zero
    assert oms.payments.get(order.id).balance == eur("0")


def test_an_edit_keeps_the_shipping_charge_the_order_was_captured_with(ten: Any) -> None:
    oms = ten({"payments": {"capture": "order"}})
    order = two_tens(oms, shipping="4.90")
    edited = oms.orders.edit(order.id, {"quantities": {"L1": 3}})
    assert edited.shipping == order.shipping
    assert edited.total.gross == eur("34.90")
    lines = sum((x.total.gross for x in edited.lines), eur("0"))
    assert edited.total.gross == lines + edited.shipping.gross
    assert oms.payments.get(order.id).balance == eur("34.90")


# -- 20.6: a declined call's key is never reused by a different operation -----------------
def test_a_declined_increase_does_not_poison_the_next_edit(shop: Any) -> None:
    order = shop.orders.capture(payload())
    shop.catalog.add_product("GIFT-1", name="Gift card", price="666.66", currency="EUR")
    shop.inventory.receive("GIFT-1", location="BER", quantity=5)
    with pytest.raises(PaymentDeclined):  # the sandbox declines exactly 666.66
        shop.orders.edit(order.id, {"add": [{"sku": "GIFT-1", "quantity": 1}]})
    edited = shop.orders.edit(order.id, {"add": [{"sku": "CAP-RED", "quantity": 1}]})
    payment = shop.payments.get(order.id)
    assert payment.open_amount == edited.total.gross
    gateway_agrees(shop, order.id)


def test_a_declined_refund_is_not_replayed_by_the_next_refund(ten: Any) -> None:
    oms = ten({"payments": {"capture": "order"}})
    order = two_tens(oms)
    txn = oms.orders.refund(order.id, "3.00", reason="goodwill")
    again = oms.orders.refund(order.id, "3.00", reason="goodwill, again")
    assert txn.idempotency_key != again.idempotency_key  # a new call is a new operation
    assert oms.payments.get(order.id).refunded == eur("6.00")


# -- 20.7: re-authorization from any state where money is owed ----------------------------
def test_an_order_edited_up_after_a_full_refund_is_authorized_again(ten: Any) -> None:
    oms = ten({"payments": {"capture": "order"}})
    order = two_tens(oms)
    oms.orders.refund(order.id, reason="everything back, as goodwill")
    assert oms.payments.get(order.id).status == "refunded"
    oms.orders.edit(order.id, {"quantities": {"L1": 3}})
    payment = oms.payments.get(order.id)
    assert payment.status == "partially_refunded"
    assert payment.balance == eur("10.00")  # 30.00 due less 20.00 goodwill
    gateway_agrees(oms, order.id)


def test_an_order_edited_up_after_its_authorization_was_voided_is_authorized_again(
    shop: Any,
) -> None:
    order = shop.orders.capture(payload())
    shop.payments.void(order.id)
    assert shop.payments.get(order.id).status == "voided"
    edited = shop.orders.edit(order.id, {"quantities": {"L1": 3}})
    payment = shop.payments.get(order.id)
    assert payment.open_amount == edited.total.gross
    assert payment.status == "authorized"


# -- 9.1: coupons are given back ------------------------------------------------------------
@pytest.fixture
def couponed(ten: Any) -> OMS:
    oms: OMS = ten()
    oms.pricing.add_promotion(
        "WELCOME",
        name="Welcome",
        kind="amount",
        amount={"EUR": "5.00"},
        coupon_only=True,
        min_subtotal={"EUR": "25.00"},
    )
    oms.pricing.add_coupon("ONCE", "WELCOME", max_uses=1)
    return oms


def three_tens(oms: OMS, external_id: str = "W-1", **overrides: Any) -> Any:
    return oms.orders.capture(
        payload(external_id, lines=[{"sku": "TEN", "quantity": 3}], coupons=["ONCE"], **overrides)
    )


def test_cancelling_an_order_gives_its_coupon_back(couponed: OMS) -> None:
    order = three_tens(couponed)
    assert couponed.pricing.coupon("ONCE").uses == 1
    couponed.orders.cancel(order.id, reason="changed mind")
    assert couponed.pricing.coupon("ONCE").uses == 0
    again = three_tens(couponed, "W-2")
    assert again.total.gross == eur("25.00")


def test_cancelling_every_line_gives_the_coupon_back(couponed: OMS) -> None:
    order = three_tens(couponed)
    couponed.orders.cancel_lines(order.id, {"L1": 3}, reason="none")
    assert couponed.pricing.coupon("ONCE").uses == 0


def test_an_order_cancelled_by_a_declined_card_gives_its_coupon_back(make: Any) -> None:
    oms: OMS = make({"payments": {"on_failure": "cancel"}})
    oms.pricing.add_promotion(
        "WELCOME", name="Welcome", kind="amount", amount={"EUR": "5.00"}, coupon_only=True
    )
    oms.pricing.add_coupon("ONCE", "WELCOME", max_uses=1)
    order = oms.orders.capture(payload(coupons=["ONCE"], payment={"method": "tok_declined"}))
    assert order.status == "cancelled"
    assert oms.pricing.coupon("ONCE").uses == 0


def test_an_order_holding_a_single_use_coupon_can_still_be_edited(couponed: OMS) -> None:
    order = three_tens(couponed)
    edited = couponed.orders.edit(order.id, {"quantities": {"L1": 4}})
    assert edited.total.gross == eur("35.00")
    assert edited.quote.coupons == ("ONCE",)
    coupon = couponed.pricing.coupon("ONCE")
    assert (coupon.uses, set(coupon.redemptions)) == (1, {order.id})


def test_an_edit_after_which_the_coupon_no_longer_applies_gives_it_back(couponed: OMS) -> None:
    order = three_tens(couponed)
    edited = couponed.orders.edit(order.id, {"quantities": {"L1": 2}})  # under 25.00
    assert edited.quote.coupons == ()
    assert edited.total.gross == eur("20.00")
    assert couponed.pricing.coupon("ONCE").uses == 0
    other = three_tens(couponed, "W-2")  # the use given back goes to the next order
    assert other.total.gross == eur("25.00")
    with pytest.raises(CouponExhausted):  # now it would apply again, but it is used up
        couponed.orders.edit(order.id, {"quantities": {"L1": 3}})
    assert couponed.orders.get(order.id).version == edited.version


# -- found by the stateful test ----------------------------------------------------------
def test_capture_at_shipment_takes_all_that_is_owed_after_a_refund_for_cancelled_units(
    ten: Any,
) -> None:
    oms = ten()  # capture at shipment
    order = two_tens(oms)
    oms.orders.capture_payment(order.id, "15.00")  # some taken early, by hand
    oms.orders.cancel_lines(order.id, {"L1": 1}, reason="one less")  # voids 5, refunds 5
    oms.orders.edit(order.id, {"quantities": {"L1": 2}}, reason="two after all")
    with oms.runtime.transaction() as uow:
        oms.orders.record_shipment_in(uow, order.id, {"L1": 2}, shipment_id="shp-1")
    payment = oms.payments.get(order.id)
    assert payment.balance == eur("20.00")
    assert payment.open_amount == eur("0")
    gateway_agrees(oms, order.id)
