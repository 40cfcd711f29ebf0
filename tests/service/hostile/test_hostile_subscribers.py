"""A subscriber's failure, whatever it raises, never reaches the caller after commit.

Subscriber faults come from ``tests/faults.py``: ``Exception``, a custom
``BaseException`` subclass and ``GeneratorExit`` are contained, retried and counted;
``KeyboardInterrupt`` and ``SystemExit`` propagate (the process is asked to stop), the
change stays committed and the event is delivered at the next dispatch.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from omskit import OMS
from omskit.testing import FakeClock

from ...faults import RaisingSubscriber, SubscriberStop  # noqa: TID252 - shared test helpers
from .conftest import START, order_payload, stock_shop


@pytest.mark.parametrize(
    "error",
    [RuntimeError("crm down"), SubscriberStop("custom"), GeneratorExit()],
    ids=["Exception", "custom BaseException", "GeneratorExit"],
)
def test_a_failing_subscriber_is_contained_and_retried(
    make_shop: Callable[..., OMS], error: BaseException
) -> None:
    oms = make_shop()
    failing, healthy = RaisingSubscriber(error, times=100), RaisingSubscriber(error, times=0)
    oms.events.subscribe("failing", failing)
    oms.events.subscribe("healthy", healthy)
    order = oms.orders.capture(order_payload("W-1"))  # returns: the failure stayed inside
    assert oms.orders.get(order.id).status == "allocated"
    captured = [e for e in healthy.events if e.event_type == "OrderCaptured"]
    assert len(captured) == 1
    assert failing.events == []
    assert oms.events.pending() > 0  # the failed delivery waits for its retry
    clock = oms.clock
    assert isinstance(clock, FakeClock)
    failing.left = 0  # the subscriber is back
    clock.advance(hours=2)  # past the first back-off
    oms.events.dispatch()
    assert [e.event_type for e in failing.events].count("OrderCaptured") == 1
    assert [e.event_id for e in failing.events] == [e.event_id for e in healthy.events]
    assert [e.event_type for e in healthy.events].count("OrderCaptured") == 1  # not twice


def test_a_subscriber_that_always_fails_ends_as_a_dead_letter(
    make_shop: Callable[..., OMS],
) -> None:
    oms = make_shop()
    oms.events.subscribe("stuck", RaisingSubscriber(SubscriberStop("never"), times=1000))
    oms.orders.capture(order_payload("W-1"))
    clock = oms.clock
    assert isinstance(clock, FakeClock)
    for _ in range(6):
        clock.advance(hours=2)
        oms.events.dispatch()
    dead = oms.events.dead_letters()
    assert dead
    assert {d.subscriber for d in dead} == {"stuck"}
    assert all(d.error.startswith("SubscriberStop") for d in dead)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), SystemExit(3)], ids=["Ctrl-C", "exit"])
def test_a_request_to_stop_propagates_after_commit_and_the_event_waits(
    error: BaseException,
) -> None:
    oms = OMS.in_memory(clock=FakeClock(START), autoload=False)
    stock_shop(oms)
    stopper = RaisingSubscriber(error)
    oms.events.subscribe("stopper", stopper)
    with pytest.raises(type(error)):
        oms.orders.capture(order_payload("W-1"))
    stored = oms.orders.find_by_external("web", "W-1")
    assert stored is not None  # committed before delivery began
    oms.events.dispatch()
    assert "OrderCaptured" in [e.event_type for e in stopper.events]
