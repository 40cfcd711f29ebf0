"""Approvals: a rule holds a call for a second principal; approval runs it exactly once."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS, InvalidTransition, OmskitError, ValidationError
from omskit.admin import AccessDenied, ApprovalRequired, SelfApproval, UnknownApproval
from omskit.admin.model import APPROVAL_TRANSITIONS
from omskit.testing import FakeClock

from .conftest import order_payload


def _queued(call: Any) -> str:
    with pytest.raises(ApprovalRequired) as caught:
        call()
    return caught.value.request_id


@pytest.fixture
def strict(make: Any) -> OMS:
    return make({"approvals": {"refund_above": {"EUR": "20"}, "cancel_shipped": True,
                               "release_fraud_hold": True,
                               "price_override_above_percent": "10",
                               "expire_after_hours": 24}})  # fmt: skip


def test_a_refund_above_the_limit_waits_and_runs_once_on_approval(strict: OMS) -> None:
    order = strict.orders.capture(order_payload(), actor="cara")
    strict.orders.capture_payment(order.id, actor="fin")
    rid = _queued(lambda: strict.orders.refund(order.id, "25.00", reason="late", actor="cara"))
    assert strict.payments.get(order.id).refunded.amount == 0  # nothing happened yet
    (pending,) = strict.admin.approvals()
    assert (pending.id, pending.requester, pending.permission) == (rid, "cara", "payments.refund")
    assert "25.00 EUR is above 20" in pending.rule
    assert pending.target == f"order:{order.id}"
    txn = strict.admin.approve(rid, actor="fin", reason="checked the delay")
    assert txn.amount.amount == 25
    assert strict.payments.get(order.id).refunded.amount == 25
    done = strict.admin.approval(rid)
    assert (done.status, done.decided_by, done.decision_reason) == (
        "approved",
        "fin",
        "checked the delay",
    )
    with pytest.raises(InvalidTransition):
        strict.admin.approve(rid, actor="fay", reason="again")
    assert strict.payments.get(order.id).refunded.amount == 25  # ran exactly once
    audited = strict.admin.audit(target=f"order:{order.id}")
    assert any(r.action == "orders.refund" and r.approval_id == rid for r in audited)


def test_a_small_refund_needs_no_approval(strict: OMS) -> None:
    order = strict.orders.capture(order_payload(), actor="cara")
    strict.orders.capture_payment(order.id, actor="fin")
    strict.orders.refund(order.id, "5.00", reason="scratch", actor="cara")
    assert strict.admin.approvals() == []


def test_the_requester_cannot_approve_their_own_request(strict: OMS) -> None:
    order = strict.orders.capture(order_payload(), actor="mia")
    strict.orders.capture_payment(order.id, actor="mia")
    rid = _queued(lambda: strict.payments.refund(order.id, "30.00", reason="goodwill", actor="mia"))
    with pytest.raises(SelfApproval) as caught:
        strict.admin.approve(rid, actor="mia", reason="me")
    assert caught.value.field == "actor"
    assert strict.admin.approval(rid).status == "pending"


def test_the_approver_needs_the_permission_in_the_scope(strict: OMS) -> None:
    order = strict.orders.capture(order_payload(), actor="cara")
    strict.orders.capture_payment(order.id, actor="fin")
    rid = _queued(lambda: strict.orders.refund(order.id, "30.00", reason="x", actor="cara"))
    with pytest.raises(AccessDenied, match=r"payments.refund"):
        strict.admin.approve(rid, actor="wes", reason="sure")
    assert strict.admin.approval(rid).status == "pending"
    assert strict.payments.get(order.id).refunded.amount == 0


def test_a_declined_request_never_runs(strict: OMS) -> None:
    order = strict.orders.capture(order_payload(), actor="cara")
    strict.orders.capture_payment(order.id, actor="fin")
    rid = _queued(lambda: strict.orders.refund(order.id, "30.00", reason="x", actor="cara"))
    declined = strict.admin.decline(rid, actor="fin", reason="not our fault")
    assert declined.status == "declined"
    assert declined.decision_reason == "not our fault"
    with pytest.raises(InvalidTransition):
        strict.admin.approve(rid, actor="fay", reason="after all")
    assert strict.payments.get(order.id).refunded.amount == 0


def test_the_requester_may_withdraw(strict: OMS) -> None:
    order = strict.orders.capture(order_payload(), actor="cara")
    strict.orders.capture_payment(order.id, actor="fin")
    rid = _queued(lambda: strict.orders.refund(order.id, "30.00", reason="x", actor="cara"))
    assert strict.admin.decline(rid, actor="cara", reason="typo").status == "declined"


def test_requests_expire(strict: OMS, clock: FakeClock) -> None:
    order = strict.orders.capture(order_payload(), actor="cara")
    strict.orders.capture_payment(order.id, actor="fin")
    first = _queued(lambda: strict.orders.refund(order.id, "30.00", reason="x", actor="cara"))
    clock.advance(hours=25)
    with pytest.raises(InvalidTransition, match="expired"):
        strict.admin.approve(first, actor="fin", reason="late")
    assert strict.admin.approval(first).status == "expired"
    second = _queued(lambda: strict.orders.refund(order.id, "30.00", reason="x", actor="cara"))
    clock.advance(hours=25)
    assert strict.admin.expire_approvals(actor="mia") == [second]
    assert strict.payments.get(order.id).refunded.amount == 0


def test_cancelling_lines_of_a_shipped_order_needs_approval(strict: OMS) -> None:
    lines = [{"sku": "TEE-M", "quantity": 1}, {"sku": "VASE-1", "quantity": 1}]
    order = strict.orders.capture(order_payload(lines=lines), actor="cara")
    with strict.admin.acting_as("mia"):
        released = strict.fulfillment.release(order.id)
        berlin = next(fo for fo in released if fo.location == "BER")
        munich = next(fo for fo in released if fo.location == "MUC")
        strict.fulfillment.cancel(munich.id, reason="vase broke")
    with strict.admin.acting_as("wes"):
        strict.fulfillment.accept(berlin.id)
        strict.fulfillment.confirm_pick(berlin.id)
        strict.fulfillment.pack(berlin.id)
        strict.fulfillment.hand_over(strict.fulfillment.ship(berlin.id).id)
    vase = next(line.id for line in strict.orders.get(order.id).lines if line.sku == "VASE-1")
    rid = _queued(lambda: strict.orders.cancel_lines(order.id, {vase: 1}, reason="broken",
                                                     actor="cara"))  # fmt: skip
    request = strict.admin.approval(rid)
    assert request.permission == "orders.cancel"
    assert "shipped 1 unit" in request.rule
    assert strict.orders.get(order.id).lines[1].cancelled == 0
    strict.admin.approve(rid, actor="mia", reason="supplier confirmed")
    assert strict.orders.get(order.id).lines[1].cancelled == 1
    unshipped = strict.orders.capture(order_payload("W-2"), actor="cara")
    assert strict.orders.cancel(unshipped.id, reason="dup", actor="cara").status == "cancelled"


def test_an_approved_action_that_fails_ends_failed(strict: OMS) -> None:
    order = strict.orders.capture(order_payload(), actor="cara")
    strict.orders.capture_payment(order.id, actor="fin")
    rid = _queued(lambda: strict.orders.refund(order.id, "40.00", reason="x", actor="cara"))
    strict.orders.refund(order.id, "20.00", reason="part", actor="fin")
    strict.orders.refund(order.id, "20.00", reason="part", actor="fin")
    with pytest.raises(OmskitError) as caught:
        strict.admin.approve(rid, actor="fay", reason="ok")
    failed = strict.admin.approval(rid)
    assert failed.status == "failed"
    assert failed.error == str(caught.value)


def test_releasing_a_fraud_hold_needs_approval(strict: OMS) -> None:
    risky = strict.orders.capture(
        order_payload("W-9", customer={"email": "new@example.org"},
                      lines=[{"sku": "LAMP-1", "quantity": 12}]), actor="cara")  # fmt: skip
    assert strict.orders.get(risky.id).on_hold
    rid = _queued(lambda: strict.orders.release(risky.id, reason="ok", actor="cara"))
    strict.admin.approve(rid, actor="mia", reason="called the customer")
    assert not strict.orders.get(risky.id).on_hold


def test_approving_a_risk_hold_needs_a_second_principal_like_releasing_it(
    strict: OMS,
) -> None:
    risky = strict.orders.capture(
        order_payload("W-10", customer={"email": "new@example.org"},
                      lines=[{"sku": "LAMP-1", "quantity": 12}]), actor="cara")  # fmt: skip
    rid = _queued(lambda: strict.orders.approve(risky.id, actor="cara"))
    assert strict.orders.get(risky.id).on_hold  # nothing happened yet
    approved = strict.admin.approve(rid, actor="mia", reason="called the customer")
    assert (approved.on_hold, approved.approved) == (False, True)
    assert strict.orders.get(risky.id).history[-1].action == "approved"


def test_a_price_override_far_below_list_needs_approval(strict: OMS) -> None:
    cheap = order_payload(
        "A-1", channel="amazon-de", lines=[{"sku": "LAMP-1", "quantity": 1, "unit_price": "200.00"}]
    )
    rid = _queued(lambda: strict.orders.capture(cheap, actor="cara"))
    assert "20.0% below" in strict.admin.approval(rid).rule
    assert strict.orders.find_by_external("amazon-de", "A-1") is None
    order = strict.admin.approve(rid, actor="mia", reason="promo agreed")
    assert strict.orders.find_by_external("amazon-de", "A-1").id == order.id
    near = order_payload(
        "A-2", channel="amazon-de", lines=[{"sku": "LAMP-1", "quantity": 1, "unit_price": "240.00"}]
    )
    strict.orders.capture(near, actor="cara")


def test_rules_change_at_run_time_and_are_audited(strict: OMS) -> None:
    rules = strict.admin.set_approval_rule("refund_above", {"EUR": "500"}, actor="root")
    assert rules["refund_above"] == {"EUR": "500"}
    with pytest.raises(AccessDenied):
        strict.admin.set_approval_rule("refund_above", None, actor="mia")
    with pytest.raises(ValidationError):
        strict.admin.set_approval_rule("refund_below", "1", actor="root")
    (record,) = [r for r in strict.admin.audit(actor="root")
                 if r.action == "admin.set_approval_rule"]  # fmt: skip
    assert record.arguments == {"rule": "refund_above", "value": {"EUR": "500"}}


def test_unknown_requests(strict: OMS) -> None:
    with pytest.raises(UnknownApproval):
        strict.admin.approve("apr_nope", actor="mia", reason="x")


def test_approval_moves_follow_the_table() -> None:
    assert APPROVAL_TRANSITIONS["pending"] == {
        "approve": "approved",
        "decline": "declined",
        "expire": "expired",
    }
    for status in ("declined", "expired", "failed"):
        assert APPROVAL_TRANSITIONS[status] == {}
