"""Decisions on an order and the money moves asked for by hand, as use cases.

Each is a plain function over an [`OrderContext`][omskit.orders.ports.OrderContext] and
the caller's unit of work; [`OrderService`][omskit.orders.service.OrderService] opens the
unit of work, calls one of them and commits.
"""

from __future__ import annotations

from omskit.errors import ValidationError
from omskit.money import Money, MoneyLike
from omskit.orders.capture import RISK_HOLD
from omskit.orders.events import OrderApproved, OrderCompleted, OrderHeld, OrderReleased
from omskit.orders.lifecycle import require_action
from omskit.orders.model import Order
from omskit.orders.ports import OrderContext
from omskit.orders.steps import channel_in
from omskit.orders.storage import ORDERS
from omskit.payments.model import Payment, Transaction
from omskit.storage.ports import UnitOfWork

__all__ = ["approve", "capture_payment", "complete", "hold", "pay", "refund", "release"]


def approve(ctx: OrderContext, uow: UnitOfWork, order: Order, *, actor: str,
            reason: str) -> None:  # fmt: skip
    """Approve an order the risk checks held for review (see ``OrderService.approve``)."""
    require_action(f"order {order.id}", order.status, "approve")
    if order.on_hold and not order.hold_reason.startswith(RISK_HOLD):
        raise ValidationError(
            "order", order.hold_reason,
            "approve decides a risk review hold; lift this hold with orders.release",
        )  # fmt: skip
    _approve_in(ctx, uow, order, actor=actor, action="approved", reason=reason)
    order.record(OrderApproved(order_id=order.id, actor=actor))


def hold(ctx: OrderContext, order: Order, *, reason: str, actor: str) -> None:
    """Put an order on hold."""
    require_action(f"order {order.id}", order.status, "hold")
    order.on_hold, order.hold_reason = True, reason
    order.note(ctx.clock.now(), actor, "held", reason)
    order.record(OrderHeld(order_id=order.id, reason=reason, actor=actor))


def release(ctx: OrderContext, uow: UnitOfWork, order: Order, *, reason: str,
            actor: str) -> None:  # fmt: skip
    """Lift a hold; the order is approved and moves on."""
    require_action(f"order {order.id}", order.status, "release")
    _approve_in(ctx, uow, order, actor=actor, action="released", reason=reason)
    order.record(OrderReleased(order_id=order.id, reason=reason, actor=actor))


def _approve_in(ctx: OrderContext, uow: UnitOfWork, order: Order, *, actor: str, action: str,
                reason: str) -> None:  # fmt: skip
    """Lift the order's hold and approve it; settle the payment as configured."""
    payments = ctx.payments
    payment = payments.find_in(uow, order.id)
    if payment is not None and payment.status == "failed":
        raise ValidationError(
            "payment", payment.status, "authorize another payment method first (orders.pay)"
        )
    order.on_hold, order.hold_reason, order.approved = False, "", True
    order.note(ctx.clock.now(), actor, action, reason)
    if (payment is not None and payments.settings.capture == "order"
            and payment.open_amount.amount):  # fmt: skip
        payments.capture_in(uow, payment, purpose="settle")


def complete(ctx: OrderContext, order: Order, *, actor: str, reason: str) -> None:
    """Close a delivered order."""
    require_action(f"order {order.id}", order.status, "complete")
    order.completed = True
    order.note(ctx.clock.now(), actor, "completed", reason)
    order.record(OrderCompleted(order_id=order.id, actor=actor))


def pay(ctx: OrderContext, uow: UnitOfWork, order_id: str, method: str) -> Transaction:
    """Authorize what the order is due and not yet covered, with a new ``method``."""
    payments = ctx.payments
    order = uow.repo(ORDERS).get(order_id)
    require_action(f"order {order.id}", order.status, "authorize")
    payment = payments.find_in(uow, order.id)
    if payment is None:
        channel = channel_in(uow, order.channel)
        payment = payments.open_in(uow, reference=order.id, currency=order.currency,
                                   gateway=channel.payment_gateway)  # fmt: skip
    missing = payment.owed(order.due) - payment.covered
    if missing.amount <= 0:
        raise ValidationError("order", order.id, "the order is already fully covered")
    return payments.authorize_in(uow, payment, missing, method=method, purpose="settle")


def capture_payment(ctx: OrderContext, uow: UnitOfWork, order_id: str,
                    amount: MoneyLike | str | None) -> Transaction:  # fmt: skip
    """Take ``amount`` (default: all that is open) of the order's authorization."""
    order, payment = _order_payment(ctx, uow, order_id, "capture_payment")
    money = None if amount is None else Money.of(amount, order.currency, "amount")
    return ctx.payments.capture_in(uow, payment, money)


def refund(ctx: OrderContext, uow: UnitOfWork, order_id: str, amount: MoneyLike | str | None,
           *, reason: str, actor: str) -> Transaction:  # fmt: skip
    """Give back ``amount`` (default: the whole balance) without cancelling anything."""
    order, payment = _order_payment(ctx, uow, order_id, "refund")
    money = None if amount is None else Money.of(amount, order.currency, "amount")
    return ctx.payments.refund_in(uow, payment, money, reason=reason, actor=actor)


def _order_payment(ctx: OrderContext, uow: UnitOfWork, order_id: str,
                   action: str) -> tuple[Order, Payment]:  # fmt: skip
    order = uow.repo(ORDERS).get(order_id)
    require_action(f"order {order.id}", order.status, action)
    payment = ctx.payments.find_in(uow, order.id)
    if payment is None:
        raise ValidationError("order", order.id, "the order has no payment; use pay() first")
    return order, payment
