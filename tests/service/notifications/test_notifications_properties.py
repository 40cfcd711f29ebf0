"""Properties over whole flows: replays never send twice; opt-outs always hold."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omskit import OMS
from omskit.events import Event
from omskit.testing import FakeClock

from ..fulfillment.conftest import make_capture  # noqa: TID252
from .conftest import make_oms, recorder, ship, track_to_delivery

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def lived(oms: OMS, split: bool) -> list[Event]:
    """Events of one order's life: captured, shipped (split or not), delivered."""
    seen: list[Event] = []
    oms.events.subscribe("probe", seen.append)
    order = make_capture(oms)({"TEE-M": 15 if split else 2})
    for shipment_id in ship(oms, order.id):
        track_to_delivery(oms, shipment_id)
    return seen


@functools.cache
def lived_world(split: bool) -> tuple[OMS, list[Event], list[str]]:
    """One world per shape, shared by the examples: replaying must never change it."""
    oms = make_oms(FakeClock(START))
    events = lived(oms, split)
    return oms, events, [m.key for m in recorder(oms).sent]


@settings(max_examples=30)
@given(st.booleans(), st.lists(st.integers(min_value=0, max_value=10_000), max_size=30),
       st.integers(min_value=0, max_value=3))  # fmt: skip
def test_the_same_event_twice_sends_once(split: bool, replays: list[int], flaky: int) -> None:
    oms, events, sent_first = lived_world(split)
    # a confirmation, then per shipment: (partially) shipped, out for delivery, delivered
    assert len(sent_first) == len(set(sent_first)) == (7 if split else 4)
    recorder(oms).fail_next(flaky)  # a replay that did send would now fail and be retried
    for index in replays:
        oms.notifications.handle(events[index % len(events)])
    oms.notifications.deliver()
    recorder(oms).fail_next(0)
    keys = [m.key for m in oms.notifications.messages()]
    assert len(keys) == len(set(keys)) == len(sent_first)
    assert [m.key for m in recorder(oms).sent] == sent_first
    assert {m.status for m in oms.notifications.messages()} == {"sent"}


@pytest.mark.parametrize(
    "opt_outs",
    [[], [("updates", "email")], [("updates", "*")], [("*", "email")], [("*", "*")]],
)
def test_an_opt_out_holds_for_every_optional_message_and_never_for_transactional_ones(
    opt_outs: list[tuple[str, str]],
) -> None:
    oms = make_oms(FakeClock(START))
    for topic, channel in opt_outs:
        oms.notifications.opt_out("dana@example.com", topic, channel)
    lived(oms, split=True)
    for m in oms.notifications.messages():
        if m.kind == "transactional" or not opt_outs:
            assert m.status == "sent", m.trigger
        else:
            assert m.status == "suppressed", m.trigger
    sent = {m.trigger for m in recorder(oms).sent}
    assert {"order_confirmed", "partially_shipped", "shipped"} <= sent
    assert ("delivered" in sent) == (not opt_outs)
