"""Racing use cases on one order: whatever the interleaving, the order and its work agree.

Each race is forced, not hoped for: a commit gate holds both sides' first commit until
both have read and decided, the interleaving a write skew needs, in every round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omskit import OMS
from omskit.errors import OmskitError

from .conftest import CommitGate, order_payload, race

ROUNDS = 30


def live_work(oms: OMS, order_id: str) -> list[str]:
    """Fulfillment orders of ``order_id`` that still hold units for it."""
    return [
        fo.id
        for fo in oms.fulfillment.for_order(order_id)
        if fo.status not in ("cancelled", "rejected", "expired") and fo.open_units
    ]


def raced(oms: OMS, *calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` against each other through a commit gate; only omskit errors escape."""
    gate = CommitGate(oms, parties=len(calls))
    try:
        outcomes = race(*calls)
    finally:
        gate.close()
    for outcome in outcomes:
        assert not isinstance(outcome, Exception) or isinstance(outcome, OmskitError), outcome
    return outcomes


def cancel_against_release(oms: OMS, n: int) -> bool:
    """One round; True when the order ended cancelled while work was released for it."""
    order = oms.orders.capture(order_payload(f"W-{n}"))
    raced(
        oms,
        lambda: oms.orders.cancel(order.id, reason="customer changed their mind"),
        lambda: oms.fulfillment.release(order.id),
    )
    return oms.orders.get(order.id).status == "cancelled" and bool(live_work(oms, order.id))


def test_cancel_and_release_racing_never_leave_a_cancelled_order_with_live_work(
    make_shop: Callable[..., OMS],
) -> None:
    both = sum(cancel_against_release(make_shop(), n) for n in range(ROUNDS))
    assert both == 0, f"{both} of {ROUNDS} rounds: the order was cancelled AND work released"


def test_a_cancelled_order_whose_release_lost_the_race_keeps_its_payment_voided(
    make_shop: Callable[..., OMS],
) -> None:
    oms = make_shop()
    order = oms.orders.capture(order_payload("W-1"))
    cancelled, released = raced(
        oms,
        lambda: oms.orders.cancel(order.id, reason="customer changed their mind"),
        lambda: oms.fulfillment.release(order.id),
    )
    winner_cancelled = not isinstance(cancelled, Exception)
    assert winner_cancelled != (not isinstance(released, Exception))  # exactly one wins
    payment = oms.payments.get(order.id)
    if winner_cancelled:
        assert payment.status == "voided"
        assert live_work(oms, order.id) == []
    else:
        assert payment.status == "authorized"
        assert oms.orders.get(order.id).status != "cancelled"


def double_release(oms: OMS, n: int) -> int:
    """One round of two releases at once; returns units held twice (0 is right)."""
    order = oms.orders.capture(order_payload(f"W-{n}", lines=[{"sku": "TEE-M", "quantity": 3}]))
    raced(oms, lambda: oms.fulfillment.release(order.id), lambda: oms.fulfillment.release(order.id))
    released = sum(
        units
        for fo in oms.fulfillment.for_order(order.id)
        if fo.status not in ("cancelled", "rejected", "expired")
        for units in fo.open_units.values()
    )
    return released - 3


def test_two_releases_racing_release_each_unit_once(make_shop: Callable[..., OMS]) -> None:
    extra = [double_release(make_shop(), n) for n in range(ROUNDS)]
    assert extra == [0] * ROUNDS


def pay_against_cancel(oms: OMS, n: int) -> bool:
    """One round of a first payment racing a cancel; True when a cancelled order holds money."""
    unpaid = order_payload(f"W-{n}")
    del unpaid["payment"]
    order = oms.orders.capture(unpaid)
    raced(
        oms,
        lambda: oms.orders.cancel(order.id, reason="customer changed their mind"),
        lambda: oms.orders.pay(order.id, "tok_visa"),
    )
    payment = oms.payments.find(order.id)
    held = payment is not None and payment.open_amount.amount > 0
    return oms.orders.get(order.id).status == "cancelled" and held


def test_a_first_payment_racing_a_cancel_never_holds_money_for_a_cancelled_order(
    make_shop: Callable[..., OMS],
) -> None:
    held = sum(pay_against_cancel(make_shop(), n) for n in range(ROUNDS))
    assert held == 0


def accept_against_cancel(oms: OMS, n: int) -> list[str]:
    """The location accepts while the work is withdrawn; what went wrong, if anything.

    Withdrawing is allowed before and after acceptance, so every serial history ends
    with the work cancelled and nothing of the order left in fulfillment: either the
    cancel came first and the acceptance is refused, or the acceptance came first and the
    cancel undoes it (both succeed). What must never happen is an end state that no
    serial history gives.
    """
    order = oms.orders.capture(order_payload(f"W-{n}"))
    (fo,) = oms.fulfillment.release(order.id)
    _, cancelled = raced(
        oms,
        lambda: oms.fulfillment.accept(fo.id),
        lambda: oms.fulfillment.cancel(fo.id, reason="stock needed elsewhere"),
    )
    wrong = []
    if isinstance(cancelled, Exception):
        wrong.append(f"the withdrawal was refused: {cancelled}")
    status = oms.fulfillment.get(fo.id).status
    if status != "cancelled":
        wrong.append(f"the work ended {status}")
    line = oms.orders.get(order.id).lines[0]
    if line.in_fulfillment != 0:
        wrong.append(f"{line.in_fulfillment} units still in fulfillment")
    if live_work(oms, order.id):
        wrong.append("live work remains")
    return wrong


def test_accepting_and_withdrawing_one_work_order_at_once_ends_as_a_serial_history(
    make_shop: Callable[..., OMS],
) -> None:
    rounds = {n: accept_against_cancel(make_shop(), n) for n in range(ROUNDS)}
    assert {n: w for n, w in rounds.items() if w} == {}
