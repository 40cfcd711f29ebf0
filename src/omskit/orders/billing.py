"""Money moves for orders: authorize at capture, capture at shipment, settle after changes.

The rule every change follows: the payment covers (captured and not refunded, plus what
is still authorized) exactly what the order is due, less the goodwill already given
(``owed``). With ``payments.capture == "order"`` what an
edit adds is captured at once too, so such an order never has money left open.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from omskit.channels.model import Channel
from omskit.errors import ValidationError
from omskit.money import Money, allocate, sum_money
from omskit.orders.model import Order
from omskit.orders.ports import OrderContext
from omskit.orders.steps import cancel_units_in
from omskit.orders.storage import ORDERS
from omskit.payments.model import Payment, Transaction
from omskit.storage.ports import UnitOfWork

__all__ = [
    "Settlement",
    "authorize_at_capture",
    "capture_shipped",
    "settle",
    "settle_reference_in",
    "shipped_value",
]


@attrs.frozen
class Settlement:
    """What a change did to the payment: amounts voided, refunded and newly authorized."""

    voided: Money
    refunded: Money
    authorized: Money

    @classmethod
    def of(cls, currency: str, txns: list[Transaction]) -> Settlement:
        """Sum ``txns`` by kind."""

        def total(kind: str) -> Money:
            return sum_money((t.amount for t in txns if t.kind == kind), currency)

        return cls(total("void"), total("refund"), total("authorize"))


def authorize_at_capture(
    ctx: OrderContext,
    uow: UnitOfWork,
    order: Order,
    method: str,
    channel: Channel,
    *,
    store_credit: Decimal | None = None,
    actor: str = "system",
) -> Payment:
    """Open the order's payment, spend ``store_credit`` on it, authorize the rest.

    A declined or failed authorization holds or cancels the order (``payments.on_failure``);
    a gateway review flag holds it; with ``payments.capture == "order"`` an approved order
    is captured at once. Store credit is debited before any gateway call, in the same
    unit of work: more than the balance raises ``InsufficientStoreCredit`` and the
    capture stores nothing.
    """
    payments = ctx.payments
    payment = payments.open_in(uow, reference=order.id, currency=order.currency,
                               gateway=channel.payment_gateway, method=method)  # fmt: skip
    if store_credit is not None:
        credit = Money.of(store_credit, order.currency, "payment.store_credit")
        if credit > order.due:
            raise ValidationError(
                "payment.store_credit", str(credit), f"at most the order's total of {order.due}"
            )
        payments.apply_credit_in(uow, payment, order.customer_email, credit,
                                 key=f"{order.id}:store_credit", actor=actor)  # fmt: skip
    owed = payment.owed(order.due)
    if owed.amount > 0:
        txn = payments.authorize_in(uow, payment, owed, purpose="settle")
        if not txn.succeeded:
            reason = f"payment {'declined' if txn.status == 'declined' else 'failed'}: {txn.code}"
            if payments.settings.on_failure == "cancel":
                cancel_units_in(ctx, uow, order, reason)
                payments.give_back_credit_in(uow, payment, order.due)
            else:
                _hold(order, reason)
        elif txn.review:
            _hold(order, "payment flagged for review by the gateway")
        elif payments.settings.capture == "order" and not order.on_hold:
            captured = payments.capture_in(uow, payment, purpose="settle")
            if not captured.succeeded:
                _hold(order, f"payment capture declined: {captured.code}")
    order.payment_status = payment.status
    return payment


def _hold(order: Order, reason: str) -> None:
    order.on_hold = True
    order.hold_reason = f"{order.hold_reason}; {reason}" if order.hold_reason else reason


def settle(ctx: OrderContext, uow: UnitOfWork, order: Order) -> Settlement:
    """Bring the payment in line with what the order is now due.

    Authorizes an increase; voids, then refunds, a decrease (see the module docstring
    for the rule). A payment waiting for a new method after a failed authorization is
    left alone (``orders.pay`` authorizes what is owed then); one that never needed an
    authorization (a zero-value order) is authorized once the order costs something.
    Raises ``PaymentDeclined`` when an increase is refused (the change rolls back).
    """
    payment = ctx.payments.find_in(uow, order.id)
    zero = Money.zero(order.currency)
    if payment is None or payment.status == "failed" or not payment.method:
        if payment is not None:  # no card to settle with; store credit still comes back
            ctx.payments.give_back_credit_in(uow, payment, order.due)
        return Settlement(zero, zero, zero)
    txns = ctx.payments.settle_in(uow, payment, order.due)
    if (
        ctx.payments.settings.capture == "order"
        and not order.on_hold
        and payment.open_amount.amount
        and order.active_lines()
    ):
        txns.append(
            ctx.payments.raise_unless_succeeded(
                ctx.payments.capture_in(uow, payment, purpose="settle")
            )
        )
    order.payment_status = payment.status
    return Settlement.of(order.currency, txns)


def settle_reference_in(ctx: OrderContext, uow: UnitOfWork, reference: str) -> None:
    """Settle the payment of order ``reference`` with the stored order (a compensation).

    A payment whose order does not exist is released whole.
    """
    order = uow.repo(ORDERS).find(reference)
    if order is None:
        payment = ctx.payments.find_in(uow, reference)
        if payment is not None:
            ctx.payments.release_in(uow, payment)
        return
    settle(ctx, uow, order)
    uow.repo(ORDERS).save(order)


def shipped_value(order: Order) -> Money:
    """The gross value of every unit shipped so far.

    Shipping and duties count once anything has shipped. Each line's share is an exact
    largest-remainder split of its total.
    """
    zero = Money.zero(order.currency)
    lines_total = sum_money((x.total.gross for x in order.lines), order.currency)
    value = zero
    for line in order.lines:
        if not line.shipped:
            continue
        if line.shipped >= line.active:
            value += line.total.gross
        else:
            value += allocate(line.total.gross, [line.shipped, line.active - line.shipped])[0]
    if any(x.shipped for x in order.lines):
        value += order.total.gross - lines_total
    return value


def capture_shipped(ctx: OrderContext, uow: UnitOfWork, order: Order) -> Transaction | None:
    """Capture the value shipped and not yet paid (``payments.capture == "shipment"``).

    What is paid is the payment's balance plus the goodwill already given (a refund for
    cancelled units is not payment for what shipped), so once everything has shipped
    nothing is left open.
    """
    payment = ctx.payments.find_in(uow, order.id)
    if payment is None or not payment.open_amount.amount:
        return None
    due = min(shipped_value(order) - payment.balance - payment.goodwill, payment.open_amount)
    if due.amount <= 0:
        return None
    txn = ctx.payments.capture_in(uow, payment, due, purpose="settle")
    order.payment_status = payment.status
    return txn


def sync_payment(uow: UnitOfWork, payment: Payment) -> None:
    """Payment listener: keep the order's ``payment_status`` and timeline in step."""
    order = uow.repo(ORDERS).find(payment.reference)
    if order is None:
        return
    if not payment.transactions:
        return
    last = payment.transactions[-1]
    before = order.payment_status
    order.payment_status = payment.status
    at = last.at if last.at is not None else order.created_at
    order.note(at, "payments", f"payment_{last.kind}",
               "" if last.succeeded else f"{last.status}: {last.code}",
               {"amount": last.amount, "payment": f"{before} -> {payment.status}"})  # fmt: skip
    uow.repo(ORDERS).save(order)
