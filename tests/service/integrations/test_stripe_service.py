"""The Stripe gateway plugged into an OMS: the payment service drives it like the sandbox."""

from __future__ import annotations

import pytest

from omskit import OMS
from omskit.integrations.stripe import FakeStripe, StripeGateway, StripePlugin
from omskit.money import Money
from omskit.payments import GatewayUnavailable, PaymentDeclined
from omskit.testing import FakeClock


@pytest.fixture
def fake() -> FakeStripe:
    return FakeStripe()


@pytest.fixture
def stripe_oms(clock: FakeClock, fake: FakeStripe) -> OMS:
    gateway = StripeGateway(api_key="sk_test_123", transport=fake)
    return OMS.in_memory(clock=clock, autoload=False, plugins=[StripePlugin(gateway)])


def open_payment(oms: OMS, method: str = "pm_card_visa", currency: str = "USD") -> None:
    with oms.runtime.transaction() as uow:
        oms.payments.open_in(uow, reference="ord_1", currency=currency, gateway="stripe",
                             method=method)  # fmt: skip


def test_the_plugin_registers_the_gateway_by_name(stripe_oms: OMS) -> None:
    assert {"sandbox", "stripe"} <= set(stripe_oms.payments.gateways.names())


def test_authorize_capture_and_refund_reach_stripe_and_reconcile(
    stripe_oms: OMS, fake: FakeStripe
) -> None:
    open_payment(stripe_oms)
    auth = stripe_oms.payments.authorize("ord_1", "80.00")
    stripe_oms.payments.capture("ord_1", "50.00")
    stripe_oms.payments.refund("ord_1", "20.00", reason="damaged in transit")
    payment = stripe_oms.payments.get("ord_1")
    assert (payment.captured, payment.refunded) == (Money("50", "USD"), Money("20", "USD"))
    intent = fake.intents[auth.authorization]
    assert (intent["amount"], intent["amount_received"]) == (8000, 5000)
    assert sum(r["amount"] for r in fake.refunds.values()) == 2000
    keys = [r.header("Idempotency-Key") for r in fake.requests if r.method == "POST"]
    assert len(keys) == len(set(keys)) == 3  # one key per operation, each sent once


def test_a_yen_payment_is_sent_in_whole_yen(stripe_oms: OMS, fake: FakeStripe) -> None:
    open_payment(stripe_oms, currency="JPY")
    auth = stripe_oms.payments.authorize("ord_1", "1980")
    assert fake.intents[auth.authorization]["amount"] == 1980


def test_a_declined_card_is_a_payment_declined_with_stripes_code(stripe_oms: OMS) -> None:
    open_payment(stripe_oms, method="pm_card_chargeDeclinedInsufficientFunds")
    with pytest.raises(PaymentDeclined) as info:
        stripe_oms.payments.authorize("ord_1", "10.00")
    assert info.value.code == "insufficient_funds"


def test_a_stripe_outage_is_gateway_unavailable_and_charges_nothing(
    stripe_oms: OMS, fake: FakeStripe
) -> None:
    open_payment(stripe_oms)
    fake.fail_next(429, times=10)
    with pytest.raises(GatewayUnavailable):
        stripe_oms.payments.authorize("ord_1", "10.00")
    assert fake.intents == {}
