"""Order capture under gateway and store faults: no money held or taken for no order.

Every test uses the fault-injection fakes of ``tests/faults.py``: a gateway that fails
before, during (after the sandbox acted) or after its side effect, and a store whose
commit raises before or after writing. What the sandbox's own ledger says is the truth
each test checks.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from omskit.orders import ORDERS
from omskit.payments import GatewayUnavailable
from omskit.testing import FakeClock

from ...faults import Faults, InjectedFault, faulty_oms  # noqa: TID252 - shared fakes
from .conftest import payload, stock_shop

ORDER_MODE = {"payments": {"capture": "order"}}


def shop(clock: FakeClock, config: dict[str, Any] | None = None) -> Faults:
    faults = faulty_oms(clock, config)
    stock_shop(faults.oms)
    return faults


def stored_orders(faults: Faults) -> int:
    with faults.oms.runtime.storage.unit_of_work() as uow:
        return uow.repo(ORDERS).count()


def test_a_capture_that_raises_before_the_gateway_acts_leaves_no_authorization_open(
    clock: FakeClock,
) -> None:
    faults = shop(clock, ORDER_MODE)
    faults.gateway.fail("capture", "before")
    with pytest.raises(GatewayUnavailable) as info:
        faults.oms.orders.capture(payload())
    assert isinstance(info.value.__cause__, InjectedFault)  # the gateway's own error
    assert "outcome is unknown" in str(info.value)
    assert stored_orders(faults) == 0
    assert faults.gateway.open_authorizations() == {}
    assert faults.gateway.totals()["captured"] == 0
    # whether the capture happened is still unknown: kept for retry, not forgotten
    [pending] = faults.oms.payments.pending_compensations()
    assert (pending.action, pending.status) == ("undo", "pending")
    faults.gateway.heal()
    [done] = faults.oms.payments.retry_compensations()
    assert done.status == "done"
    assert faults.oms.payments.pending_compensations() == []
    assert faults.gateway.totals()["captured"] == 0


def test_a_capture_done_at_the_gateway_whose_answer_is_lost_is_refunded_once_it_is_known(
    clock: FakeClock,
) -> None:
    faults = shop(clock, ORDER_MODE)
    faults.gateway.fail("capture", "during")
    with pytest.raises(GatewayUnavailable):
        faults.oms.orders.capture(payload())
    assert stored_orders(faults) == 0
    totals = faults.gateway.totals()
    assert totals["captured"] > 0  # the sandbox took the money; omskit could not yet know
    [pending] = faults.oms.payments.pending_compensations()
    assert pending.status == "pending"
    assert "unknown" in pending.explain()
    faults.gateway.heal()
    [done] = faults.oms.payments.retry_compensations()
    assert done.status == "done"
    totals = faults.gateway.totals()
    assert totals["refunded"] == totals["captured"] > 0
    assert faults.gateway.open_authorizations() == {}


def test_a_capture_whose_answer_is_lost_once_is_learned_by_the_retry_with_the_same_key(
    clock: FakeClock,
) -> None:
    faults = shop(clock, ORDER_MODE)
    faults.gateway.fail("capture", "during", times=1)
    order = faults.oms.orders.capture(payload())
    payment = faults.oms.payments.get(order.id)
    assert payment.status == "captured"
    assert (
        faults.gateway.totals()["captured"] == payment.captured.amount == order.total.gross.amount
    )
    captures = [key for op, key in faults.gateway.calls if op == "capture"]
    assert len(captures) == 2
    assert len(set(captures)) == 1  # the retry reused its key
    assert faults.oms.payments.pending_compensations() == []


def test_when_the_gateway_goes_down_after_authorizing_the_void_is_kept_for_retry(
    clock: FakeClock,
) -> None:
    faults = shop(clock, ORDER_MODE)
    faults.gateway.fail("authorize", "after")  # answers, then every later call raises
    with pytest.raises(GatewayUnavailable) as info:
        faults.oms.orders.capture(payload())
    assert stored_orders(faults) == 0
    assert "pending" in "\n".join(info.value.__notes__)
    [pending] = faults.oms.payments.pending_compensations()
    held = faults.gateway.open_authorizations()
    assert list(held.values()) == [Decimal("52.30")]  # still held: the void could not run
    assert faults.oms.payments.retry_compensations()[0].status == "pending"  # still down
    assert faults.oms.payments.pending_compensations()[0].attempts == 2
    faults.gateway.heal()
    assert faults.oms.payments.retry_compensations()[0].status == "done"
    assert faults.gateway.open_authorizations() == {}
    assert pending.id not in {c.id for c in faults.oms.payments.pending_compensations()}


def test_a_commit_that_fails_before_writing_voids_the_authorization(clock: FakeClock) -> None:
    faults = shop(clock)
    faults.store.fail_commit("before", writing=ORDERS)
    with pytest.raises(InjectedFault):
        faults.oms.orders.capture(payload())
    assert stored_orders(faults) == 0
    assert faults.gateway.open_authorizations() == {}
    totals = faults.gateway.totals()
    assert totals["voided"] == totals["authorized"] > 0
    assert faults.oms.payments.pending_compensations() == []


def test_a_lost_commit_acknowledgement_keeps_the_live_authorization_and_returns_the_order(
    clock: FakeClock,
) -> None:
    faults = shop(clock)
    faults.store.fail_commit("after", writing=ORDERS)
    order = faults.oms.orders.capture(payload())
    assert faults.store.raised == ["after"]
    stored = faults.oms.orders.get(order.id)
    payment = faults.oms.payments.get(order.id)
    assert (stored.payment_status, payment.status) == ("authorized", "authorized")
    assert faults.gateway.open_authorizations() == {payment.authorization: order.total.gross.amount}
    assert faults.gateway.totals()["voided"] == 0
    assert faults.oms.orders.capture(payload()).id == order.id  # a replay finds it too


def test_a_lost_acknowledgement_with_capture_at_order_refunds_nothing(clock: FakeClock) -> None:
    faults = shop(clock, ORDER_MODE)
    faults.store.fail_commit("after", writing=ORDERS)
    order = faults.oms.orders.capture(payload())
    payment = faults.oms.payments.get(order.id)
    assert payment.status == "captured"
    totals = faults.gateway.totals()
    assert totals["captured"] == order.total.gross.amount
    assert totals["refunded"] == totals["voided"] == 0
