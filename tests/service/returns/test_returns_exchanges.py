"""Exchanges, claims and return labels."""

from __future__ import annotations

import pytest

from omskit import OMS, InvalidTransition, ValidationError
from omskit.carriers import SandboxCarrier

from .returns_helpers import Sell, deliver_fast, deliver_for_real


def inspected(oms: OMS, order_id: str, lines: dict[str, int]) -> str:
    rma = oms.returns.request(order_id, lines, authorize=True)
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id)
    return rma.id


def test_an_even_exchange_moves_no_money_and_ships_a_replacement(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2})
    rma = world.returns.exchange(inspected(world, order.id, {"L1": 1}), {"TEE-L": 1})
    assert (rma.status, rma.resolution) == ("closed", "exchange")
    replacement = world.orders.get(rma.replacement_order_id)
    assert [(x.sku, x.quantity) for x in replacement.lines] == [("TEE-L", 1)]
    original = world.payments.get(order.id)
    assert original.refunded.is_zero
    pay = world.payments.get(replacement.id)
    assert pay.goodwill == replacement.total.gross  # the returned tee pays for it
    deliver_fast(world, replacement.id)
    pay = world.payments.get(replacement.id)
    assert pay.captured.is_zero
    assert pay.open_amount.is_zero
    assert rma.refunds[0].paid.is_zero
    again = world.returns.exchange(rma.id, {"TEE-L": 1})  # a replay captures nothing new
    assert again.replacement_order_id == replacement.id


def test_a_dearer_exchange_charges_the_difference(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 1})
    rma = world.returns.exchange(inspected(world, order.id, {"L1": 1}), {"HOODIE": 1})
    replacement = deliver_fast(world, rma.replacement_order_id)
    pay = world.payments.get(replacement.id)
    assert str(pay.captured) == "20.00 EUR"  # 39.99 less the 19.99 tee
    assert world.payments.get(order.id).refunded.is_zero


def test_a_cheaper_exchange_refunds_the_difference(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 1})
    rma = world.returns.exchange(inspected(world, order.id, [{"line": "L1", "quantity": 1}]),
                                 [{"sku": "MUG", "quantity": 1}])  # fmt: skip
    assert str(world.payments.get(order.id).refunded) == "7.49 EUR"
    assert str(rma.refunds[0].paid) == "7.49 EUR"
    with pytest.raises(InvalidTransition, match="status is 'closed'"):
        world.returns.refund(rma.id)


def test_an_exchange_before_inspection_or_with_bad_lines_is_refused(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 1})
    rma = world.returns.request(order.id, {"L1": 1}, authorize=True)
    with pytest.raises(InvalidTransition, match="exchange is allowed from 'inspected'"):
        world.returns.exchange(rma.id, {"TEE-L": 1})
    with pytest.raises(ValidationError, match=r"lines\.TEE-L\.quantity: got 0"):
        world.returns.exchange(rma.id, {"TEE-L": 0})
    assert world.orders.find_by_external("web", f"{rma.id}-replacement") is None


def test_a_lost_parcel_is_refunded_without_a_return(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2, "MUG": 1}, deliver=False, shipping="4.90")
    with world.runtime.transaction() as uow:
        world.orders.record_shipment_in(uow, order.id, {"L1": 2, "L2": 1}, shipment_id="S1")
    assert world.returns.check(order.id, {"L1": 1}).allowed is False  # not delivered
    rma = world.returns.claim(order.id, {"L1": 2, "L2": 1}, kind="lost")
    assert (rma.kind, rma.status, rma.resolution) == ("claim_lost", "closed", "refund")
    payment = world.payments.get(order.id)
    assert payment.refunded == payment.captured  # everything, shipping included
    with pytest.raises(Exception, match="only 0 unit"):
        world.returns.claim(order.id, {"L1": 1}, kind="lost")


def test_a_damaged_item_is_reshipped_free(world: OMS, sell: Sell) -> None:
    order = sell({"MUG": 2})
    rma = world.returns.claim(order.id, {"L1": 1}, kind="damaged", resolution="replace",
                              photos=["https://example.com/broken-mug.jpg"])  # fmt: skip
    assert (rma.status, rma.resolution) == ("closed", "replace")
    replacement = deliver_fast(world, rma.replacement_order_id)
    pay = world.payments.get(replacement.id)
    assert pay.captured.is_zero
    assert pay.owed(replacement.total.gross).is_zero
    assert world.payments.get(order.id).refunded.is_zero
    with pytest.raises(ValidationError, match="kind: got 'stolen'; expected 'lost' or"):
        world.returns.claim(order.id, {"L1": 1}, kind="stolen")


def test_a_return_label_is_tracked_until_the_parcel_arrives(world: OMS, sell: Sell) -> None:
    order = deliver_for_real(world, sell({"TEE": 2}, deliver=False).id)
    rma = world.returns.request(order.id, {"L1": 1}, authorize=True)
    rma = world.returns.issue_label(rma.id, actor="agent")
    assert rma.status == "label_issued"
    assert rma.label_carrier == "sandbox"
    assert rma.label_cost is not None
    record = world.carriers.label(rma.label_tracking)
    assert (record.owner, record.reference, record.label.is_return) == ("returns", rma.id, True)
    sandbox = world.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for hook in sandbox.webhook_deliveries(record.label, now=world.clock.now()):
        world.carriers.handle_webhook("sandbox", hook.body, hook.headers)
    rma = world.returns.get(rma.id)
    assert rma.status == "in_transit"
    assert rma.history[-1].action == "delivered"
    rma = world.returns.receive(rma.id)
    assert rma.status == "received"
    with pytest.raises(InvalidTransition):
        world.returns.issue_label(rma.id)


def test_a_label_the_customer_pays_for_is_deducted_from_the_refund(clock: object) -> None:
    from omskit.testing import FakeClock

    from .returns_helpers import build_world, make_seller

    assert isinstance(clock, FakeClock)
    oms = OMS.in_memory({"returns": {"label_paid_by": "customer"}}, clock=clock,
                        autoload=False)  # fmt: skip
    build_world(oms)
    order = deliver_for_real(oms, make_seller(oms)({"TEE": 2}, deliver=False).id)
    rma = oms.returns.request(order.id, {"L1": 1}, authorize=True)
    rma = oms.returns.issue_label(rma.id)
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id)
    breakdown = oms.returns.simulate(rma.id)
    assert rma.label_cost is not None
    assert breakdown.label == rma.label_cost
    assert breakdown.total == breakdown.goods - rma.label_cost
    assert "return label paid by the customer" in breakdown.notes
