"""The sandbox gateway: magic cards and amounts, idempotency keys, its own ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omskit.errors import IdempotencyConflict, PaymentError
from omskit.money import Money
from omskit.payments import SANDBOX_CARDS, PaymentGateway, SandboxGateway

EUR = "EUR"


def m(amount: str) -> Money:
    return Money(amount, EUR)


def test_the_sandbox_implements_the_gateway_port() -> None:
    assert isinstance(SandboxGateway(), PaymentGateway)


def test_a_good_card_authorizes_captures_and_refunds() -> None:
    gw = SandboxGateway()
    auth = gw.authorize(amount=m("50"), method="4242 4242 4242 4242", idempotency_key="a1")
    assert auth.succeeded
    assert auth.authorization
    cap = gw.capture(authorization=auth.authorization, amount=m("50"), idempotency_key="c1")
    assert cap.succeeded
    ref = gw.refund(authorization=auth.authorization, amount=m("20"), idempotency_key="r1")
    assert ref.succeeded
    expected = {"authorized": Decimal(50), "captured": Decimal(50), "voided": Decimal(0),
                "refunded": Decimal(20)}  # fmt: skip
    assert gw.ledger(auth.authorization) == expected


@pytest.mark.parametrize(
    ("method", "code"),
    [("tok_declined", "card_declined"), ("4000000000009995", "insufficient_funds"),
     ("", "missing_payment_method")],
)  # fmt: skip
def test_declining_cards_are_declined_with_their_code(method: str, code: str) -> None:
    gw = SandboxGateway()
    auth = gw.authorize(amount=m("10"), method=method, idempotency_key="k")
    assert auth.status == "declined"
    assert auth.code == code
    assert gw.open_authorizations() == {}


def test_magic_amounts_decline_flag_review_or_fail() -> None:
    gw = SandboxGateway()
    assert gw.authorize(amount=m("666.66"), method="tok_visa", idempotency_key="1").code == (
        "amount_declined"
    )
    review = gw.authorize(amount=m("777.77"), method="tok_visa", idempotency_key="2")
    assert review.succeeded
    assert review.review
    down = gw.authorize(amount=m("555.55"), method="tok_visa", idempotency_key="3")
    assert down.status == "failed"
    assert gw.authorize(amount=m("555.55"), method="tok_visa", idempotency_key="3").status == (
        "failed"
    )


def test_the_flaky_card_fails_once_per_key_then_succeeds() -> None:
    gw = SandboxGateway()
    first = gw.authorize(amount=m("10"), method="tok_flaky", idempotency_key="k")
    second = gw.authorize(amount=m("10"), method="tok_flaky", idempotency_key="k")
    assert first.status == "failed"
    assert second.succeeded


def test_the_capture_fails_card_authorizes_but_never_captures() -> None:
    gw = SandboxGateway()
    auth = gw.authorize(amount=m("10"), method="tok_capture_fails", idempotency_key="a")
    cap = gw.capture(authorization=auth.authorization, amount=m("10"), idempotency_key="c")
    assert auth.succeeded
    assert cap.status == "declined"
    assert gw.open_amount(auth.authorization) == Decimal(10)


def test_a_replayed_key_returns_the_first_transaction_without_charging_again() -> None:
    gw = SandboxGateway()
    auth = gw.authorize(amount=m("10"), method="tok_visa", idempotency_key="a")
    cap1 = gw.capture(authorization=auth.authorization, amount=m("10"), idempotency_key="c")
    cap2 = gw.capture(authorization=auth.authorization, amount=m("10"), idempotency_key="c")
    assert cap1 == cap2
    assert gw.ledger(auth.authorization)["captured"] == Decimal(10)


def test_a_key_reused_for_another_request_is_refused() -> None:
    gw = SandboxGateway()
    gw.authorize(amount=m("10"), method="tok_visa", idempotency_key="a")
    with pytest.raises(IdempotencyConflict):
        gw.authorize(amount=m("11"), method="tok_visa", idempotency_key="a")


def test_capturing_or_voiding_more_than_is_open_is_declined() -> None:
    gw = SandboxGateway()
    auth = gw.authorize(amount=m("10"), method="tok_visa", idempotency_key="a")
    assert gw.capture(authorization=auth.authorization, amount=m("11"),
                      idempotency_key="c").code == "exceeds_authorization"  # fmt: skip
    assert gw.void(authorization=auth.authorization, amount=m("11"),
                   idempotency_key="v").code == "exceeds_authorization"  # fmt: skip
    assert gw.refund(authorization=auth.authorization, amount=m("1"),
                     idempotency_key="r").code == "exceeds_captured"  # fmt: skip


def test_unknown_authorizations_and_missing_keys_are_payment_errors() -> None:
    gw = SandboxGateway()
    with pytest.raises(PaymentError):
        gw.capture(authorization="nope", amount=m("1"), idempotency_key="c")
    with pytest.raises(PaymentError):
        gw.authorize(amount=m("1"), method="tok_visa", idempotency_key="")


def test_an_authorization_can_be_increased() -> None:
    gw = SandboxGateway()
    auth = gw.authorize(amount=m("10"), method="tok_visa", idempotency_key="a")
    more = gw.authorize(amount=m("5"), method="tok_visa", idempotency_key="b",
                        authorization=auth.authorization)  # fmt: skip
    assert more.authorization == auth.authorization
    assert gw.open_amount(auth.authorization) == Decimal(15)


def test_every_documented_card_has_a_behaviour() -> None:
    assert set(SANDBOX_CARDS.values()) == {"approve", "card_declined", "insufficient_funds",
                                          "review", "flaky", "capture_fails"}  # fmt: skip
