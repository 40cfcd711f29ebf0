"""The payment aggregate: statuses follow the amounts, and only move along the table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import IdempotencyConflict, InvalidTransition
from omskit.money import Money
from omskit.payments import PAYMENT_STATUSES, PAYMENT_TRANSITIONS, Payment, Transaction
from omskit.payments.model import Adjustment, payment_status


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


def on(auth: str, kind: str, amount: str, key: str) -> Transaction:
    return Transaction(
        id=f"t-{key}",
        kind=kind,  # type: ignore[arg-type]
        status="succeeded",
        amount=Money(amount, "EUR"),
        gateway="sandbox",
        idempotency_key=key,
        authorization=auth,
    )


def two_authorizations() -> Payment:
    """20.00 captured on A, then 10.00 authorized on B and 4.00 of it captured."""
    p = fresh()
    for t in (
        on("A", "authorize", "20", "1"),
        on("A", "capture", "20", "2"),
        on("B", "authorize", "10", "3"),
        on("B", "capture", "4", "4"),
    ):
        p.apply(t)
    return p


def test_each_authorization_keeps_its_own_ledger() -> None:
    a, b = two_authorizations().authorizations
    assert (a.id, a.captured, a.open, a.refundable) == ("A", m("20"), m("0"), m("20"))
    assert (b.id, b.captured, b.open, b.refundable) == ("B", m("4"), m("6"), m("4"))


def test_refunds_spread_over_captures_oldest_first_and_captures_over_what_is_open() -> None:
    p = two_authorizations()
    assert p.plan("refund", m("22")) == [("A", m("20")), ("B", m("2"))]
    assert p.plan("refund", m("5")) == [("A", m("5"))]
    assert p.plan("capture", m("6")) == [("B", m("6"))]
    assert p.plan("void", m("1")) == [("B", m("1"))]
    assert p.newest_open() == "B"


def m(amount: str) -> Money:
    return Money(amount, "EUR")


ledgers = st.lists(
    st.tuples(st.integers(1, 5000), st.integers(0, 100), st.integers(0, 100)),
    min_size=1,
    max_size=4,
)


@given(ledgers, st.sampled_from(["capture", "void", "refund"]), st.integers(1, 20000))
def test_a_plan_never_asks_an_authorization_for_more_than_it_has_and_sums_to_the_amount(
    spec: list[tuple[int, int, int]], kind: str, cents: int
) -> None:
    p = fresh()
    for i, (auth_c, cap_pct, ref_pct) in enumerate(spec):
        auth = f"A{i}"
        captured = auth_c * cap_pct // 100
        refunded = captured * ref_pct // 100
        p.apply(on(auth, "authorize", str(Decimal(auth_c) / 100), f"{i}a"))
        if captured:
            p.apply(on(auth, "capture", str(Decimal(captured) / 100), f"{i}c"))
        if refunded:
            p.apply(on(auth, "refund", str(Decimal(refunded) / 100), f"{i}r"))
    limit = p.balance if kind == "refund" else p.open_amount
    amount = min(Money(Decimal(cents) / 100, "EUR"), limit)
    plan = p.plan(kind, amount)
    room = {a.id: (a.refundable if kind == "refund" else a.open) for a in p.authorizations}
    assert sum((part for _, part in plan), m("0")) == amount
    assert all(Money.zero("EUR") < part <= room[auth] for auth, part in plan)
    ids = [a.id for a in p.authorizations]
    assert [auth for auth, _ in plan] == sorted((auth for auth, _ in plan), key=ids.index)


def test_goodwill_lowers_what_is_owed_but_never_below_zero() -> None:
    p = two_authorizations()
    p.adjustments.append(Adjustment(amount=m("5"), reason="late", key="g1"))
    assert p.goodwill == m("5")
    assert p.owed(m("30")) == m("25")
    assert p.owed(m("3")) == m("0")


def test_a_request_replays_its_transactions_and_refuses_another_amount() -> None:
    p = two_authorizations()
    p.requests["op-1"] = ("refund", m("22"), (0, 1))
    assert p.replay_request("op-1", "refund", m("22")) == p.transactions[:2]
    assert p.replay_request("op-1", "refund", None) == p.transactions[:2]
    assert p.replay_request("op-2", "refund", m("22")) is None
    with pytest.raises(IdempotencyConflict):
        p.replay_request("op-1", "refund", m("21"))


def test_explain_lists_every_authorization_and_goodwill() -> None:
    p = two_authorizations()
    p.adjustments.append(Adjustment(amount=m("5"), reason="late", actor="ops", key="g1"))
    text = p.explain()
    assert "A " in text
    assert "B " in text
    assert "goodwill refund 5.00 by ops (late)" in text


def test_clone_copies_adjustments_and_requests() -> None:
    p = two_authorizations()
    p.adjustments.append(Adjustment(amount=m("5"), key="g1"))
    p.requests["k"] = ("capture", m("4"), (3,))
    copy = p.clone()
    copy.adjustments.clear()
    copy.requests.clear()
    assert len(p.adjustments) == 1
    assert "k" in p.requests
