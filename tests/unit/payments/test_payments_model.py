"""The payment aggregate: statuses follow the amounts, and only move along the table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import IdempotencyConflict, InvalidTransition
from omskit.money import Money
from omskit.payments import PAYMENT_STATUSES, PAYMENT_TRANSITIONS, Payment, Transaction
from omskit.payments.model import payment_status


def txn(kind: str, amount: str, status: str = "succeeded", key: str = "") -> Transaction:
    return Transaction(
        id=f"t-{kind}-{amount}", kind=kind, status=status, amount=Money(amount, "EUR"),  # type: ignore[arg-type]
        gateway="sandbox", idempotency_key=key or f"{kind}-{amount}-{status}",
        authorization="auth-1",
    )  # fmt: skip


def fresh() -> Payment:
    return Payment(id="pay_1", reference="ord_1", gateway="sandbox", currency="EUR")


def test_a_new_payment_is_pending_with_zero_amounts() -> None:
    p = fresh()
    assert p.status == "pending"
    assert p.balance == Money("0", "EUR")
    assert p.open_amount == Money("0", "EUR")


def test_amounts_move_the_status_along_the_table() -> None:
    p = fresh()
    seen = [p.status]
    for t in (txn("authorize", "100"), txn("capture", "40"), txn("capture", "60"),
              txn("refund", "10"), txn("refund", "90")):  # fmt: skip
        p.apply(t)
        seen.append(p.status)
    assert seen == ["pending", "authorized", "partially_captured", "captured",
                    "partially_refunded", "refunded"]  # fmt: skip
    assert p.balance == Money("0", "EUR")


def test_a_declined_authorization_marks_the_payment_failed() -> None:
    p = fresh()
    p.apply(txn("authorize", "50", status="declined"))
    assert p.status == "failed"
    p.apply(txn("authorize", "50", key="retry"))
    assert p.status == "authorized"


def test_a_voided_payment_allows_only_a_new_authorization() -> None:
    p = fresh()
    p.apply(txn("authorize", "30"))
    p.apply(txn("void", "30"))
    assert p.status == "voided"
    for action in ("capture", "void", "refund"):
        with pytest.raises(InvalidTransition) as info:
            p.require(action)
        assert info.value.state == "voided"
    p.require("authorize")  # an order edited up after the void owes money again
    p.apply(txn("authorize", "12", key="again"))
    assert p.status == "authorized"


def test_refund_before_any_capture_is_an_invalid_transition_naming_the_allowed_states() -> None:
    p = fresh()
    p.apply(txn("authorize", "30"))
    with pytest.raises(InvalidTransition) as info:
        p.require("refund")
    assert "captured" in info.value.allowed_from
    assert "authorized" not in info.value.allowed_from


def test_a_key_replayed_for_another_amount_is_an_idempotency_conflict() -> None:
    p = fresh()
    p.apply(txn("authorize", "30", key="k1"))
    assert p.replay("k1", "authorize", Money("30", "EUR")) is p.transactions[0]
    with pytest.raises(IdempotencyConflict):
        p.replay("k1", "authorize", Money("31", "EUR"))
    assert p.replay("k2", "authorize", Money("31", "EUR")) is None


def test_clone_is_independent_of_the_original() -> None:
    p = fresh()
    p.apply(txn("authorize", "30"))
    copy = p.clone()
    copy.apply(txn("capture", "30"))
    assert p.status == "authorized"
    assert len(p.transactions) == 1
    assert copy.status == "captured"


def test_every_status_is_in_the_table() -> None:
    assert set(PAYMENT_TRANSITIONS) == set(PAYMENT_STATUSES)
    for moves in PAYMENT_TRANSITIONS.values():
        for targets in moves.values():
            assert targets <= set(PAYMENT_STATUSES)


amounts = st.integers(0, 5).map(lambda n: Money(Decimal(n), "EUR"))


@given(amounts, amounts, amounts, amounts, st.booleans())
def test_the_status_is_always_a_known_one(a: Money, c: Money, v: Money, r: Money, f: bool) -> None:
    assert payment_status(a, c, v, r, f) in PAYMENT_STATUSES
