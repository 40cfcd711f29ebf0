"""Payments under gateway and store faults: the stored ledger always ends up the gateway's.

A gateway call changes money outside omskit's transaction. These tests fail the gateway
or the store at chosen points (``tests/faults.py``) and check, against the sandbox's own
ledger, that every call the gateway carried out is either recorded on the stored payment
or undone, and that what cannot be done at once is kept for retry.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from omskit import OMS, ConcurrencyConflict
from omskit.money import Money
from omskit.orders import ORDERS
from omskit.payments import PAYMENTS, GatewayUnavailable
from omskit.payments.running import RECONCILE_ATTEMPTS
from omskit.testing import FakeClock

from ...faults import Faults, InjectedFault, faulty_oms  # noqa: TID252 - shared fakes

LINES = [{"sku": "TEN", "quantity": 2}]


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def shop(clock: FakeClock, capture: str = "order") -> Faults:
    faults = faulty_oms(clock, {"payments": {"capture": capture}})
    oms = faults.oms
    oms.catalog.add_product("TEN", name="Ten", price="10.00", currency="EUR")
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    oms.inventory.receive("TEN", location="BER", quantity=50)
    return faults


def capture(oms: OMS, external_id: str = "W-1", quantity: int = 2) -> Any:
    return oms.orders.capture(
        channel="web",
        external_id=external_id,
        customer={"email": "dana@example.com"},
        ship_to={
            "country": "DE",
            "line1": "Invalidenstr. 117",
            "city": "Berlin",
            "postal_code": "10115",
        },
        lines=[{"sku": "TEN", "quantity": quantity}],
        payment={"method": "tok_visa"},
    )


def agrees(faults: Faults, order_id: str) -> None:
    """The stored payment lists exactly what the sandbox did on each authorization."""
    payment = faults.oms.payments.get(order_id)
    ledgers = faults.gateway.inner.ledgers()
    assert {a.id for a in payment.authorizations} == set(ledgers)
    for a in payment.authorizations:
        assert ledgers[a.id] == {
            "authorized": a.authorized.amount,
            "captured": a.captured.amount,
            "voided": a.voided.amount,
            "refunded": a.refunded.amount,
        }


def test_a_manual_capture_whose_answer_is_lost_is_recorded_once_it_is_known(
    clock: FakeClock,
) -> None:
    faults = shop(clock, capture="manual")
    order = capture(faults.oms)
    faults.gateway.fail("capture", "during")
    with pytest.raises(GatewayUnavailable):
        faults.oms.payments.capture(order.id, "15.00")
    assert faults.oms.payments.get(order.id).captured == eur("0")  # not known yet
    [pending] = faults.oms.payments.pending_compensations()
    assert pending.action == "record"
    faults.gateway.heal()
    [done] = faults.oms.payments.retry_compensations()
    assert done.status == "done"
    payment = faults.oms.payments.get(order.id)
    assert payment.captured == eur("15.00")
    assert faults.oms.orders.get(order.id).payment_status == "partially_captured"
    agrees(faults, order.id)


def test_a_goodwill_refund_whose_commit_failed_is_still_recorded_as_goodwill(
    clock: FakeClock,
) -> None:
    faults = shop(clock)
    order = capture(faults.oms)
    faults.store.fail_commit("before", writing=PAYMENTS)
    with pytest.raises(InjectedFault):
        faults.oms.orders.refund(order.id, "5.00", reason="scratched")
    payment = faults.oms.payments.get(order.id)
    assert payment.refunded == eur("5.00")
    assert [a.amount for a in payment.adjustments] == [eur("5.00")]
    assert faults.oms.payments.pending_compensations() == []
    faults.oms.orders.cancel_lines(order.id, {"L1": 1}, reason="one less")
    assert faults.oms.payments.get(order.id).balance == eur("5.00")  # goodwill kept
    agrees(faults, order.id)


def test_an_edit_up_whose_commit_failed_releases_the_new_authorization(
    clock: FakeClock,
) -> None:
    faults = shop(clock, capture="shipment")
    order = capture(faults.oms)
    faults.store.fail_commit("before", writing=ORDERS)
    with pytest.raises(InjectedFault):
        faults.oms.orders.edit(order.id, {"quantities": {"L1": 3}})
    stored = faults.oms.orders.get(order.id)
    payment = faults.oms.payments.get(order.id)
    assert stored.total.gross == eur("20.00")
    assert payment.covered == eur("20.00")
    assert [t.kind for t in payment.transactions] == ["authorize", "authorize", "void"]
    assert list(faults.gateway.open_authorizations().values()) == [Decimal("20.00")]
    assert faults.oms.payments.pending_compensations() == []
    agrees(faults, order.id)


def test_money_voided_for_an_edit_that_did_not_commit_is_authorized_again_at_once(
    clock: FakeClock,
) -> None:
    faults = shop(clock, capture="shipment")
    order = capture(faults.oms, quantity=3)
    faults.store.fail_commit("before", writing=ORDERS)
    with pytest.raises(InjectedFault):
        faults.oms.orders.edit(order.id, {"quantities": {"L1": 1}})
    payment = faults.oms.payments.get(order.id)
    assert payment.voided == eur("20.00")  # recorded: the gateway did void it
    assert payment.covered == faults.oms.orders.get(order.id).total.gross == eur("30.00")
    assert [t.kind for t in payment.transactions] == ["authorize", "void", "authorize"]
    assert faults.oms.payments.pending_compensations() == []
    agrees(faults, order.id)


def test_a_settlement_that_cannot_run_at_once_waits_for_retry(clock: FakeClock) -> None:
    faults = shop(clock, capture="shipment")
    order = capture(faults.oms, quantity=3)
    faults.store.fail_commit("before", writing=ORDERS)
    faults.gateway.fail("authorize", "before")  # the settlement cannot authorize again
    with pytest.raises(InjectedFault):
        faults.oms.orders.edit(order.id, {"quantities": {"L1": 1}})
    [pending] = faults.oms.payments.pending_compensations()
    assert (pending.action, pending.status) == ("settle", "pending")
    assert "InjectedFault" in pending.last_error
    assert faults.oms.payments.get(order.id).covered == eur("10.00")  # 20.00 voided
    faults.gateway.heal()
    [done] = faults.oms.payments.retry_compensations()
    assert done.status == "done"
    assert faults.oms.payments.get(order.id).covered == eur("30.00")
    agrees(faults, order.id)


def test_a_cancel_whose_acknowledgement_was_lost_is_not_undone(clock: FakeClock) -> None:
    faults = shop(clock)
    order = capture(faults.oms)
    faults.store.fail_commit("after", writing=ORDERS)
    with pytest.raises(InjectedFault):
        faults.oms.orders.cancel(order.id, reason="changed mind")
    assert faults.oms.orders.get(order.id).status == "cancelled"
    payment = faults.oms.payments.get(order.id)
    assert (payment.balance, payment.open_amount) == (eur("0"), eur("0"))
    assert faults.oms.payments.pending_compensations() == []
    agrees(faults, order.id)


def conflict(what: str) -> ConcurrencyConflict:
    return ConcurrencyConflict("payment", what, 1, 2)


def test_a_capture_retried_after_a_conflict_charges_once(clock: FakeClock) -> None:
    faults = shop(clock, capture="manual")
    order = capture(faults.oms)
    faults.store.fail_commit("before", error=conflict, writing=PAYMENTS)
    txn = faults.oms.payments.capture(order.id, "15.00")
    assert txn.succeeded
    assert [op for op, _ in faults.gateway.calls].count("capture") == 1
    assert faults.oms.payments.get(order.id).captured == eur("15.00")
    agrees(faults, order.id)


def test_a_settlement_retried_after_a_conflict_authorizes_the_increase_once(
    clock: FakeClock,
) -> None:
    faults = shop(clock, capture="shipment")
    order = capture(faults.oms)
    faults.store.fail_commit("before", error=conflict, writing=ORDERS)
    edited = faults.oms.orders.edit(order.id, {"quantities": {"L1": 3}})
    payment = faults.oms.payments.get(order.id)
    assert payment.covered == edited.total.gross == eur("30.00")
    assert faults.gateway.totals()["authorized"] == Decimal("30.00")
    agrees(faults, order.id)


def test_a_reconciliation_the_store_refuses_once_is_tried_again(clock: FakeClock) -> None:
    faults = shop(clock, capture="manual")
    order = capture(faults.oms)
    faults.store.fail_commit("before", times=2)  # the use case's commit, then the first try
    with pytest.raises(InjectedFault):
        faults.oms.payments.capture(order.id, "15.00")
    assert faults.oms.payments.get(order.id).captured == eur("15.00")
    agrees(faults, order.id)


def test_when_even_the_reconciliation_cannot_be_stored_the_error_says_what_the_gateway_did(
    clock: FakeClock,
) -> None:
    faults = shop(clock, capture="manual")
    order = capture(faults.oms)
    faults.store.fail_commit("before", times=1 + RECONCILE_ATTEMPTS)
    with pytest.raises(InjectedFault) as info:
        faults.oms.payments.capture(order.id, "15.00")
    notes = "\n".join(info.value.__notes__)
    assert "could not reconcile" in notes
    assert "capture 15.00 EUR" in notes


def test_a_subscriber_that_captures_money_gets_its_own_journal(clock: FakeClock) -> None:
    faults = shop(clock, capture="manual")
    oms = faults.oms

    def capture_when_captured(event: Any) -> None:
        if type(event).__name__ == "OrderCaptured":
            oms.payments.capture(event.order_id)

    oms.runtime.subscribe("capture-at-once", capture_when_captured)
    faults.gateway.fail("capture", "during")
    order = capture(oms)  # the order commits; the subscriber's capture fails after it
    [pending] = oms.payments.pending_compensations()
    assert (pending.reference, pending.action) == (order.id, "record")
    faults.gateway.heal()
    oms.payments.retry_compensations()
    assert oms.payments.get(order.id).captured == order.total.gross
    agrees(faults, order.id)
