"""Identical captures racing: every caller gets the one stored order, whatever the timing.

The race is forced: a validation hook holds both captures after their idempotency
lookup (both found nothing) and lets the second go on only once the first committed,
so the second's risk and stock checks see the first order in every round.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS, hookimpl
from omskit.orders.model import Order

from .conftest import order_payload, race

ROUNDS = 20


class FirstCommitsFirst:
    """Holds two racing captures after their lookup; the follower waits for the leader."""

    def __init__(self) -> None:
        self.both_looked_up = threading.Barrier(2, timeout=5)
        self.committed = threading.Event()
        self._lock = threading.Lock()
        self._leader: int | None = None

    @hookimpl
    def omskit_validate_order(self, order: Order) -> list[Any]:
        me = threading.get_ident()
        with self._lock:
            if self._leader is not None and me != self._leader and self.committed.is_set():
                return []  # a later, third call: nothing to hold
        self.both_looked_up.wait()
        with self._lock:
            if self._leader is None:
                self._leader = me
        if me != self._leader:
            self.committed.wait(timeout=5)
        return []

    def on_event(self, event: Any) -> None:
        if event.event_type == "OrderCaptured":
            self.committed.set()


def replay_round(oms: OMS, gate: FirstCommitsFirst, n: int) -> str:
    """Two identical captures at once; '' when both got the one stored order."""
    oms.events.subscribe("gate", gate.on_event)
    payload = order_payload(f"W-{n}")
    first, second = race(lambda: oms.orders.capture(payload), lambda: oms.orders.capture(payload))
    if isinstance(first, Order) and isinstance(second, Order) and first.id == second.id:
        return ""
    return f"{type(first).__name__} / {type(second).__name__}"


@pytest.mark.parametrize(
    ("config", "stock"),
    [
        ({"orders": {"risk": {"velocity_limit": 1, "hold_at": 30, "reject_at": 40}}}, 50),
        ({"orders": {"backorders": False}}, 2),
    ],
    ids=["velocity counts the winner", "the winner took the stock"],
)
def test_identical_concurrent_replays_all_return_the_stored_order(
    make_shop: Callable[..., OMS], config: dict[str, Any], stock: int
) -> None:
    wrong = []
    for n in range(ROUNDS):
        gate = FirstCommitsFirst()
        wrong.append(replay_round(make_shop(config, plugins=[gate], quantity=stock), gate, n))
    failed = [w for w in wrong if w]
    assert failed == [], f"{len(failed)} of {ROUNDS} rounds"
