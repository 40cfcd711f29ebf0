"""The PayPal gateway plugged into an OMS: the payment service drives it end to end."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omskit import OMS
from omskit.integrations.paypal import PayPalGateway, PayPalPlugin
from omskit.money import Money
from omskit.payments import PaymentDeclined
from omskit.testing import FakeClock

from ...unit.integrations.paypal_fake import API, FakePayPal  # noqa: TID252 - the shared fake


@pytest.fixture
def fake() -> FakePayPal:
    return FakePayPal()


@pytest.fixture
def paypal_oms(clock: FakeClock, fake: FakePayPal) -> OMS:
    gateway = PayPalGateway(client_id="AYclient", client_secret="EGsecret", transport=fake,
                            base_url=API)  # fmt: skip
    return OMS.in_memory(clock=clock, autoload=False, plugins=[PayPalPlugin(gateway)])


def open_payment(oms: OMS, method: str) -> None:
    with oms.runtime.transaction() as uow:
        oms.payments.open_in(uow, reference="ord_1", currency="USD", gateway="paypal",
                             method=method)  # fmt: skip


def test_authorize_partial_captures_and_a_refund_reconcile(
    paypal_oms: OMS, fake: FakePayPal
) -> None:
    assert "paypal" in paypal_oms.payments.names()
    open_payment(paypal_oms, fake.approved_order("80.00"))
    auth = paypal_oms.payments.authorize("ord_1", "80.00")
    paypal_oms.payments.capture("ord_1", "30.00")
    paypal_oms.payments.capture("ord_1", "20.00")
    paypal_oms.payments.refund("ord_1", "25.00", reason="damaged in transit")
    payment = paypal_oms.payments.get("ord_1")
    assert (payment.captured, payment.refunded) == (Money("50", "USD"), Money("25", "USD"))
    assert fake.auths[auth.authorization]["captured"] == Decimal("50.00")
    assert sum(c["refunded"] for c in fake.captures.values()) == Decimal("25.00")
    keys = [r.header("PayPal-Request-Id") for r in fake.requests if r.method == "POST"
            and "oauth2" not in r.url]  # fmt: skip
    assert len(keys) == len(set(keys))  # each operation sent once under its own key
    assert fake.tokens == 1


def test_a_declined_instrument_is_a_payment_declined_with_paypals_issue(
    paypal_oms: OMS, fake: FakePayPal
) -> None:
    open_payment(paypal_oms, fake.approved_order("10.00", declines=True))
    with pytest.raises(PaymentDeclined) as info:
        paypal_oms.payments.authorize("ord_1", "10.00")
    assert info.value.code == "INSTRUMENT_DECLINED"
