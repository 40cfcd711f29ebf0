"""A return end to end: check, request, authorize, receive elsewhere, inspect, refund."""

from __future__ import annotations

from omskit import OMS
from omskit.events import Event

from .returns_helpers import Sell, deliver_for_real


def test_a_return_from_check_to_refund_restocks_where_it_was_received(
    world: OMS, sell: Sell
) -> None:
    seen: list[Event] = []
    world.events.subscribe("test", seen.append)
    order = sell({"TEE": 3, "MUG": 1}, deliver=False, shipping="4.90")
    order = deliver_for_real(world, order.id)
    assert order.status == "delivered"

    check = world.returns.check(order.id, {"L1": 2})
    assert check.allowed
    assert "L1 TEE x2: allowed (until 2026-12-24)" in check.explain()
    assert world.returns.for_order(order.id) == []  # a check creates nothing

    rma = world.returns.request(
        order.id, [{"line": "L1", "quantity": 2, "reason": "too_small"}], actor="dana"
    )
    assert rma.status == "requested"
    rma = world.returns.authorize(rma.id, actor="agent-7")
    assert (rma.status, rma.location) == ("authorized", "BER")
    assert rma.location_reason == "BER: the returned line(s) shipped from there (3 unit(s))"

    rma = world.returns.receive(rma.id, location="MUC", actor="munich-dock")
    assert rma.location == "MUC"
    rma = world.returns.inspect(rma.id, {"L1": {"restock": 1, "quarantine": 1}}, actor="qa")
    level = world.inventory.level("TEE", "MUC")
    assert (level.on_hand, level.quarantined, level.available) == (2, 1, 1)
    kinds = [m.kind for m in world.inventory.ledger(reference=rma.id)]
    assert kinds.count("restock_return") == 1
    assert world.orders.get(order.id).line("L1").returned == 2
    assert world.inventory.reconcile() == []

    preview = world.returns.simulate(rma.id)
    assert str(preview.total) == "39.98 EUR"
    rma = world.returns.refund(rma.id, actor="agent-7")
    assert rma.status == "closed"
    payment = world.payments.get(order.id)
    assert str(payment.refunded) == "39.98 EUR"
    assert [(e.actor, e.action) for e in rma.history] == [
        ("dana", "request"), ("agent-7", "authorize"), ("munich-dock", "receive"),
        ("qa", "inspect"), ("agent-7", "refund"),
    ]  # fmt: skip
    names = [e.event_type for e in seen]
    for wanted in ("ReturnRequested", "ReturnAuthorized", "ReturnReceived", "ReturnInspected",
                   "RefundIssued", "ReturnClosed"):  # fmt: skip
        assert wanted in names


def test_a_full_return_in_two_parts_refunds_exactly_what_was_captured(
    sell: Sell, world: OMS
) -> None:
    order = sell({"TEE": 3, "MUG": 1}, shipping="4.90")
    captured = world.payments.get(order.id).captured
    first = world.returns.request(order.id, {"L1": 1}, authorize=True)
    world.returns.receive(first.id)
    world.returns.inspect(first.id)
    world.returns.refund(first.id)
    second = world.returns.request(order.id, {"L1": 2, "L2": 1}, authorize=True)
    world.returns.receive(second.id)
    world.returns.inspect(second.id)
    breakdown = world.returns.simulate(second.id)
    assert breakdown.full_return
    assert str(breakdown.shipping) == "4.90 EUR"
    world.returns.refund(second.id)
    payment = world.payments.get(order.id)
    assert payment.refunded == captured
    assert payment.balance.is_zero
