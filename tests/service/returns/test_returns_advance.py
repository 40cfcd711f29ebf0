"""Advance exchanges: the replacement ships first, a hold secures it until the return ends."""

from __future__ import annotations

import pytest

from omskit import OMS, InvalidTransition
from omskit.money import Money

from .returns_helpers import Sell, deliver_fast


def eur(value: str) -> Money:
    return Money(value, "EUR")


def test_the_hold_is_released_when_the_return_is_accepted(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 1})
    rma = world.returns.request(order.id, {"L1": 1}, authorize=True)
    rma = world.returns.exchange(rma.id, {"TEE-L": 1}, advance=True, actor="agent")
    assert rma.status == "authorized"  # the goods are still with the customer
    assert rma.advance is not None
    assert (rma.advance.status, rma.advance.amount) == ("held", eur("19.99"))
    replacement = deliver_fast(world, rma.replacement_order_id)  # ships before the return
    pay = world.payments.get(replacement.id)
    assert pay.captured.is_zero  # the credit pays for it ...
    assert pay.open_amount == eur("19.99")  # ... and the hold secures it
    again = world.returns.exchange(rma.id, {"TEE-L": 1}, advance=True)
    assert again.replacement_order_id == replacement.id  # a replay makes nothing new
    world.returns.receive(rma.id)
    rma = world.returns.inspect(rma.id, actor="qa")
    assert (rma.status, rma.resolution) == ("closed", "exchange")
    assert rma.advance is not None
    assert (rma.advance.status, rma.advance.captured) == ("released", eur("0"))
    pay = world.payments.get(replacement.id)
    assert pay.open_amount.is_zero
    assert pay.voided == eur("19.99")
    assert pay.captured.is_zero
    assert world.payments.get(order.id).refunded.is_zero


def test_the_hold_is_captured_when_the_return_never_comes(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 1})
    rma = world.returns.request(order.id, {"L1": 1}, authorize=True)
    rma = world.returns.exchange(rma.id, {"HOODIE": 1}, advance=True)  # dearer: 20.00 more
    replacement = world.orders.get(rma.replacement_order_id)
    pay = world.payments.get(replacement.id)
    assert pay.authorized == eur("39.99")  # the difference plus the 19.99 hold
    world.clock.advance(days=31)  # type: ignore[attr-defined]
    [expired] = world.returns.expire_due(actor="cron")
    assert expired.status == "expired"
    assert expired.advance is not None
    assert (expired.advance.status, expired.advance.captured) == ("captured", eur("19.99"))
    pay = world.payments.get(replacement.id)
    assert pay.captured == eur("19.99")
    assert pay.owed(replacement.total.gross) == eur("39.99")  # no credit without the return
    replacement = deliver_fast(world, replacement.id)
    pay = world.payments.get(replacement.id)
    assert pay.captured == eur("39.99")  # shipping captured the difference too
    assert pay.open_amount.is_zero
    assert world.payments.get(order.id).refunded.is_zero


def test_refused_units_are_paid_from_the_hold(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2})
    rma = world.returns.request(order.id, {"L1": 2}, authorize=True)
    rma = world.returns.exchange(rma.id, {"TEE-L": 2}, advance=True)
    world.returns.receive(rma.id)
    rma = world.returns.inspect(rma.id, {"L1": {"restock": 1, "rejected": 1}})
    assert rma.advance is not None
    assert rma.advance.captured == eur("19.99")  # the refused tee is paid from the hold
    pay = world.payments.get(rma.replacement_order_id)
    assert (pay.captured, pay.voided) == (eur("19.99"), eur("19.99"))
    assert pay.goodwill == eur("19.99")  # credit only for the accepted tee


def test_cancelling_an_advance_exchange_captures_and_the_received_cannot_start_one(
    world: OMS, sell: Sell
) -> None:
    order = sell({"TEE": 2})
    rma = world.returns.request(order.id, {"L1": 1}, authorize=True)
    rma = world.returns.exchange(rma.id, {"TEE-L": 1}, advance=True)
    rma = world.returns.cancel(rma.id, reason="keeping both")
    assert rma.advance is not None
    assert rma.advance.status == "captured"
    assert world.payments.get(rma.replacement_order_id).captured == eur("19.99")
    other = world.returns.request(order.id, {"L1": 1}, authorize=True)
    world.returns.receive(other.id)
    with pytest.raises(InvalidTransition, match="exchange in advance"):
        world.returns.exchange(other.id, {"TEE-L": 1}, advance=True)
    assert world.returns.get(other.id).replacement_order_id == ""
    assert world.orders.find_by_external("web", f"{other.id}-replacement") is None
