"""The payment service on the in-memory store: gateway calls, idempotency, settings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omskit import OMS
from omskit.errors import (
    CurrencyMismatch,
    InvalidTransition,
    NotFound,
    UnknownProvider,
    ValidationError,
)
from omskit.money import Money
from omskit.payments import GatewayUnavailable, PaymentDeclined, PaymentSettings, SandboxGateway
from omskit.plugins import hookimpl
from omskit.testing import FakeClock


def open_payment(oms: OMS, reference: str = "ord_x", method: str = "tok_visa") -> None:
    with oms.runtime.transaction() as uow:
        oms.payments.open_in(uow, reference=reference, currency="EUR", gateway="sandbox",
                             method=method)  # fmt: skip


def test_the_sandbox_is_registered_by_default(oms: OMS) -> None:
    assert "sandbox" in oms.payments.names()
    assert isinstance(oms.payments.gateway("sandbox"), SandboxGateway)


def test_an_unknown_gateway_is_an_unknown_provider(oms: OMS) -> None:
    with pytest.raises(UnknownProvider):
        oms.payments.gateway("stripe")


def test_authorize_capture_refund_through_the_service(oms: OMS) -> None:
    open_payment(oms)
    oms.payments.authorize("ord_x", "30.00")
    oms.payments.capture("ord_x", "20.00")
    oms.payments.void("ord_x")
    oms.payments.refund("ord_x", "5.00", reason="goodwill")
    p = oms.payments.get("ord_x")
    assert (p.authorized, p.captured, p.voided, p.refunded) == (
        Money("30", "EUR"),
        Money("20", "EUR"),
        Money("10", "EUR"),
        Money("5", "EUR"),
    )
    assert p.status == "partially_refunded"
    assert p.balance == Money("15", "EUR")
    assert [t.kind for t in p.transactions] == ["authorize", "capture", "void", "refund"]


def test_a_replayed_idempotency_key_returns_the_first_transaction(oms: OMS) -> None:
    open_payment(oms)
    oms.payments.authorize("ord_x", "30.00")
    first = oms.payments.capture("ord_x", "10.00", idempotency_key="cap-1")
    again = oms.payments.capture("ord_x", "10.00", idempotency_key="cap-1")
    assert first == again
    assert oms.payments.get("ord_x").captured == Money("10", "EUR")


def test_a_declined_card_is_recorded_and_raised(oms: OMS) -> None:
    open_payment(oms, method="tok_declined")
    with pytest.raises(PaymentDeclined) as info:
        oms.payments.authorize("ord_x", "30.00")
    assert info.value.code == "card_declined"
    p = oms.payments.get("ord_x")
    assert p.status == "failed"
    assert p.transactions[-1].status == "declined"


def test_a_transient_failure_is_retried_with_the_same_key(oms: OMS) -> None:
    open_payment(oms, method="tok_flaky")
    txn = oms.payments.authorize("ord_x", "30.00")
    assert txn.succeeded


def test_a_gateway_that_stays_down_raises_gateway_unavailable(oms: OMS) -> None:
    open_payment(oms)
    with pytest.raises(GatewayUnavailable) as info:
        oms.payments.authorize("ord_x", "555.55")
    assert info.value.attempts == 3
    assert oms.payments.get("ord_x").status == "failed"


def test_refunding_more_than_the_balance_changes_nothing(oms: OMS) -> None:
    open_payment(oms)
    oms.payments.authorize("ord_x", "30.00")
    oms.payments.capture("ord_x", "10.00")
    before = oms.payments.get("ord_x")
    with pytest.raises(ValidationError):
        oms.payments.refund("ord_x", "10.01", reason="goodwill")
    after = oms.payments.get("ord_x")
    assert (after.refunded, after.version) == (before.refunded, before.version)


def test_bad_amounts_are_refused(oms: OMS) -> None:
    open_payment(oms)
    for bad in ("0", "-1", "1.001"):
        with pytest.raises(ValidationError):
            oms.payments.authorize("ord_x", bad)
    with pytest.raises(CurrencyMismatch):
        oms.payments.authorize("ord_x", Money("1", "USD"))


def test_capturing_a_pending_payment_is_an_invalid_transition(oms: OMS) -> None:
    open_payment(oms)
    with pytest.raises(InvalidTransition):
        oms.payments.capture("ord_x")


def test_an_unknown_reference_is_not_found(oms: OMS) -> None:
    with pytest.raises(NotFound):
        oms.payments.get("ord_missing")


def test_settings_come_from_the_payments_section(clock: FakeClock) -> None:
    section = {"capture": "order", "on_failure": "cancel", "transient_retries": 0}
    oms = OMS.in_memory({"payments": section}, clock=clock, autoload=False)
    assert oms.payments.settings == PaymentSettings("order", "cancel", 0)


def test_bad_settings_are_reported_together(clock: FakeClock) -> None:
    with pytest.raises(ValidationError) as info:
        OMS.in_memory({"payments": {"capture": "later", "on_failure": "ignore", "x": 1}},
                      clock=clock, autoload=False)  # fmt: skip
    assert len(info.value.problems) == 3


def test_a_host_gateway_registers_through_the_hook(clock: FakeClock) -> None:
    class Plugin:
        @hookimpl
        def omskit_register_payment_gateways(self) -> list[SandboxGateway]:
            return [SandboxGateway("acme")]

    oms = OMS.in_memory(plugins=[Plugin()], clock=clock, autoload=False)
    assert oms.payments.names() == ["sandbox", "acme"]
    with oms.runtime.transaction() as uow:
        oms.payments.open_in(uow, reference="r", currency="EUR", gateway="acme", method="tok_visa")
    assert oms.payments.authorize("r", "1.00").gateway == "acme"


def test_compensate_voids_and_refunds_at_the_gateway(oms: OMS) -> None:
    open_payment(oms)
    oms.payments.authorize("ord_x", "30.00")
    oms.payments.capture("ord_x", "10.00")
    payment = oms.payments.get("ord_x")
    done = oms.payments.compensate(payment)
    assert [t.kind for t in done] == ["refund", "void"]
    gw = oms.payments.gateway("sandbox")
    assert isinstance(gw, SandboxGateway)
    assert gw.open_amount(payment.authorization) == Decimal(0)
