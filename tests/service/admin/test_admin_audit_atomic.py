"""The audit record commits in the same unit of work as the change it records.

A store fault injected at commit proves both halves: a commit that fails before writing
leaves neither the change nor its record; one whose acknowledgement is lost after
writing leaves both; and a fault aimed at the commit that writes the audit record takes
the change down with it, which only happens when they share one transaction.
"""

from __future__ import annotations

import pytest

from omskit import OMS
from omskit.admin.model import AUDIT
from omskit.clock import Clock
from omskit.config import OMSConfig
from omskit.errors import ConcurrencyConflict
from omskit.ids import IdGenerator
from omskit.orders.storage import ORDERS
from omskit.payments import GatewayUnavailable
from omskit.plugins.spec import hookimpl
from omskit.storage.memory import MemoryStore, MemoryUnitOfWork
from omskit.testing import FakeClock

from ...faults import Faults, InjectedFault, faulty_oms  # noqa: TID252 - shared fakes
from .conftest import build, order_payload


@pytest.fixture
def faults(clock: FakeClock) -> Faults:
    found = faulty_oms(clock, {"admin": {"owner": "root"}})
    build(found.oms)
    found.oms.admin.enable(actor="root")
    return found


def _orders(oms: OMS) -> list[str]:
    return [o.id for o in oms.orders.list().items]


def _records(oms: OMS, action: str) -> int:
    return sum(1 for r in oms.admin.audit() if r.action == action)


def test_a_commit_that_fails_before_writing_leaves_no_record(faults: Faults) -> None:
    oms = faults.oms
    faults.store.fail_commit("before", writing=ORDERS)
    with pytest.raises(InjectedFault):
        oms.orders.capture(order_payload("F-1"), actor="cara")
    assert faults.store.raised == ["before"]
    assert _orders(oms) == []
    assert _records(oms, "orders.capture") == 0


def test_a_lost_acknowledgement_keeps_the_change_and_its_one_record(faults: Faults) -> None:
    oms = faults.oms
    faults.store.fail_commit("after", writing=ORDERS)
    order = oms.orders.capture(order_payload("F-2"), actor="cara")  # the stored order
    assert faults.store.raised == ["after"]
    assert _orders(oms) == [order.id]
    records = oms.admin.audit(target=f"order:{order.id}")
    assert [(r.action, r.actor) for r in records] == [("orders.capture", "cara")]
    assert records[0].after["status"] == order.status


def test_failing_the_audit_write_fails_the_change_too(faults: Faults) -> None:
    """The fault hits the commit that writes the audit: the order goes with it."""
    oms = faults.oms
    faults.store.fail_commit("before", writing=AUDIT)
    with pytest.raises(InjectedFault):
        oms.orders.capture(order_payload("F-3"), actor="cara")
    assert _orders(oms) == []
    assert _records(oms, "orders.capture") == 0
    order = oms.orders.capture(order_payload("F-3"), actor="cara")  # healed: both, once
    assert _orders(oms) == [order.id]
    assert _records(oms, "orders.capture") == 1


def test_a_state_change_on_an_existing_order_is_recorded_with_it(faults: Faults) -> None:
    oms = faults.oms
    order = oms.orders.capture(order_payload("F-4"), actor="cara")
    faults.store.fail_commit("before", writing=AUDIT)
    with pytest.raises(InjectedFault):
        oms.orders.hold(order.id, reason="customer called", actor="cara")
    assert not oms.orders.get(order.id).on_hold
    assert _records(oms, "orders.hold") == 0
    oms.orders.hold(order.id, reason="customer called", actor="cara")
    assert oms.orders.get(order.id).on_hold
    [record] = oms.admin.audit(target=f"order:{order.id}")[1:]
    assert (record.action, record.before["on_hold"], record.after["on_hold"]) == (
        "orders.hold", False, True,
    )  # fmt: skip


class _NoJoinStore(MemoryStore):
    """A store that ignores ``reading_in``: every unit of work is a fresh one."""

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


def test_a_store_that_cannot_join_reads_still_gets_every_record(clock: FakeClock) -> None:
    class Plugin:
        @hookimpl(tryfirst=True)
        def omskit_storage(self, config: OMSConfig, clock: Clock, ids: IdGenerator) -> MemoryStore:
            return _NoJoinStore(clock, ids)

    oms = OMS(OMSConfig.coerce({"admin": {"owner": "root"}}), [Plugin()], clock=clock,
              autoload=False)  # fmt: skip
    assert isinstance(oms.runtime.storage, _NoJoinStore)
    build(oms)
    oms.admin.enable(actor="root")
    order = oms.orders.capture(order_payload("N-1"), actor="cara")
    oms.orders.hold(order.id, reason="customer called", actor="cara")
    actions = [r.action for r in oms.admin.audit(target=f"order:{order.id}")]
    assert actions == ["orders.capture", "orders.hold"]


def test_a_retried_capture_names_the_order_the_retry_stored(faults: Faults) -> None:
    oms = faults.oms
    faults.store.fail_commit(
        "before", writing=ORDERS, error=lambda what: ConcurrencyConflict("order", what, 1, 2)
    )
    order = oms.orders.capture(order_payload("F-9"), actor="cara")
    assert faults.store.raised == ["before"]  # the first attempt was rolled back
    (record,) = [r for r in oms.admin.audit() if r.action == "orders.capture"]
    assert record.target == f"order:{order.id}"
    assert _orders(oms) == [order.id]


def test_a_failed_capture_that_keeps_a_compensation_leaves_no_capture_record(
    clock: FakeClock,
) -> None:
    found = faulty_oms(clock, {"admin": {"owner": "root"}, "payments": {"capture": "order"}})
    build(found.oms)
    found.oms.admin.enable(actor="root")
    found.gateway.fail("capture", "before")
    with pytest.raises(GatewayUnavailable):
        found.oms.orders.capture(order_payload("F-10"), actor="cara")
    assert [c.action for c in found.oms.payments.pending_compensations()] == ["undo"]
    assert _orders(found.oms) == []
    assert _records(found.oms, "orders.capture") == 0
