"""Exchanges and claims: a replacement order for returned (or lost) units, and the money.

A replacement is a normal order, captured through ``oms.orders`` (idempotent by
``(channel, "<rma id>-replacement")``) and routed and fulfilled like any other. What the
returned units were worth (the refund [`simulate_in`][omskit.returns.operations.simulate_in]
computes) pays for it: that credit is kept on the replacement's payment as an adjustment,
so the payment covers only the difference. A dearer replacement is authorized for the
difference on the customer's original payment method (and captured as the payment
settings say); a cheaper one refunds the difference to the original payment. For a claim
replaced without a return, the replacement costs the customer nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from omskit.errors import InvalidTransition, ValidationError
from omskit.money import Money
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS
from omskit.payments.model import Payment
from omskit.returns.events import ExchangeOrderCreated, ReturnClosed
from omskit.returns.lifecycle import next_status
from omskit.returns.model import RMAS, AdvanceHold, RefundRecord, Rma
from omskit.returns.operations import simulate_in
from omskit.returns.ports import ReturnsContext
from omskit.storage.ports import UnitOfWork
from omskit.validation import Problems, check_quantity, check_sku

__all__ = [
    "ADVANCE_FROM",
    "advance_in",
    "capture_replacement",
    "finish_advance_in",
    "forfeit_advance_in",
    "parse_replacement",
    "settle_replacement_in",
]

#: RMA statuses an advance exchange may start from: authorized, goods not yet back.
ADVANCE_FROM = ("authorized", "label_issued", "in_transit")


def parse_replacement(raw: Any) -> tuple[tuple[str, int], ...]:
    """``{sku: qty}`` or ``[{"sku", "quantity"}]`` as ``((sku, qty), ...)``; all problems."""
    problems = Problems()
    pairs: list[tuple[Any, Any, str]] = []
    if isinstance(raw, Mapping):
        pairs = [(k, v, f"lines.{k}") for k, v in raw.items()]
    elif isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping):
                problems.add(f"lines[{i}]", f"got {item!r}; expected {{'sku', 'quantity'}}", item)
                continue
            pairs.append((item.get("sku"), item.get("quantity"), f"lines[{i}]"))
    else:
        problems.add("lines", f"got {raw!r}; expected {{sku: quantity}} or a list", raw)
    out = []
    for sku, qty, field in pairs:
        clean_sku = problems.check(f"{field}.sku", check_sku, sku)
        clean_qty = problems.check(f"{field}.quantity", check_quantity, qty)
        if clean_sku is not None and clean_qty is not None:
            out.append((clean_sku, clean_qty))
    if not out and not problems:
        problems.add("lines", f"got {raw!r}; name at least one replacement line", raw)
    problems.raise_if_any()
    return tuple(out)


def capture_replacement(
    svc: ReturnsContext, rma: Rma, order: Order, lines: tuple[tuple[str, int], ...], actor: str
) -> Order:
    """Capture (once) the replacement order for ``rma``: same customer, same address."""
    return svc.services.orders.capture(
        {
            "channel": order.channel,
            "external_id": f"{rma.id}-replacement",
            "currency": order.currency,
            "customer": {"email": order.customer_email},
            "ship_to": order.ship_to,
            "lines": [{"sku": s, "quantity": q} for s, q in lines],
            "notes": f"replacement for return {rma.id} of order {order.id}",
        },
        actor=actor,
    )


def settle_replacement_in(
    svc: ReturnsContext,
    uow: UnitOfWork,
    rma: Rma,
    replacement_id: str,
    *,
    action: str,
    free: bool,
    actor: str,
) -> Rma:
    """Credit the returned units to the replacement; charge or refund the difference.

    ``action`` is ``"exchange"`` (an inspected return) or ``"resolve"`` (a claim);
    ``free`` makes the replacement cost nothing (a claim's reshipment).
    """
    next_status(f"return {rma.id}", rma.status, action)
    replacement = uow.repo(ORDERS).get(replacement_id)
    breakdown = simulate_in(svc, uow, rma)
    due = replacement.total.gross
    credit = due if free else breakdown.total
    difference = Money.zero(due.currency) if free else due - credit
    payments = svc.services.payments
    original = payments.find_in(uow, rma.order_id)
    if original is None:
        raise ValidationError("order", rma.order_id, "has no payment to settle an exchange with")
    now = svc.runtime.clock.now()
    pay = payments.find_in(uow, replacement.id) or payments.open_in(
        uow,
        reference=replacement.id,
        currency=replacement.currency,
        gateway=original.gateway,
        method=original.method,
    )
    used = min(credit, due)
    if used.amount > 0:
        payments.credit_in(
            uow, pay, used, reason=f"credit from return {rma.id}", key=f"{rma.id}:credit",
            actor=actor,
        )  # fmt: skip
    txns: tuple[str, ...] = ()
    paid = Money.zero(due.currency)
    if difference.amount > 0:
        txn = payments.raise_unless_succeeded(
            payments.authorize_in(uow, pay, difference, idempotency_key=f"{rma.id}:exchange:charge")
        )
        txns = (txn.id,)
    elif difference.amount < 0:
        paid = -difference
        txn = payments.raise_unless_succeeded(
            payments.refund_in(
                uow,
                original,
                paid,
                idempotency_key=f"{rma.id}:exchange:refund",
                reason=f"exchange difference, return {rma.id}",
                actor=actor,
            )
        )
        txns = (txn.id,)
    replacement.payment_status = pay.status
    uow.repo(ORDERS).save(replacement)
    resolution = "replace" if free else "exchange"
    rma.move(action, now, actor, f"replacement order {replacement.id}, difference {difference}")
    rma.replacement_order_id, rma.resolution = replacement.id, resolution
    for line in rma.lines:
        line.refunded = next((x.quantity for x in breakdown.lines if x.line_id == line.line_id), 0)
    rma.refunds.append(
        RefundRecord(f"{rma.id}:{resolution}", breakdown, txns, now, actor, resolution, paid)
    )
    rma.record(
        ExchangeOrderCreated(
            rma_id=rma.id,
            order_id=rma.order_id,
            replacement_order_id=replacement.id,
            difference=difference,
            actor=actor,
        )
    )
    rma.record(
        ReturnClosed(rma_id=rma.id, order_id=rma.order_id, resolution=resolution, actor=actor)
    )
    uow.repo(RMAS).save(rma)
    return rma


def _replacement_payment(svc: ReturnsContext, uow: UnitOfWork, rma: Rma, order: Order) -> Payment:
    payments = svc.services.payments
    original = payments.find_in(uow, rma.order_id)
    if original is None:
        raise ValidationError("order", rma.order_id, "has no payment to settle an exchange with")
    return payments.find_in(uow, order.id) or payments.open_in(
        uow,
        reference=order.id,
        currency=order.currency,
        gateway=original.gateway,
        method=original.method,
    )


def advance_in(
    svc: ReturnsContext, uow: UnitOfWork, rma: Rma, replacement_id: str, *, actor: str
) -> Rma:
    """Pay for an advance replacement: credit the units on their way back, hold as much.

    The returned units' expected refund (as if every unit were accepted) is credited to
    the replacement, a dearer replacement's difference is authorized as for any
    exchange, and the credited amount is authorized again on the customer's method as
    a hold (``rma.advance``), released or captured when the return ends.

    Raises:
        InvalidTransition: the goods are back already, or the return is closed.
        PaymentDeclined: the hold or the difference was refused (nothing is kept).
    """
    if rma.status not in ADVANCE_FROM:
        raise InvalidTransition(
            f"return {rma.id}", rma.status, "exchange in advance", list(ADVANCE_FROM)
        )
    replacement = uow.repo(ORDERS).get(replacement_id)
    payments = svc.services.payments
    pay = _replacement_payment(svc, uow, rma, replacement)
    due = replacement.total.gross
    credit = simulate_in(svc, uow, rma).total
    used = min(credit, due)
    if used.amount > 0:
        payments.credit_in(
            uow, pay, used, reason=f"credit from return {rma.id} (in advance)",
            key=f"{rma.id}:credit", actor=actor,
        )  # fmt: skip
    difference = due - used
    if difference.amount > 0:
        payments.raise_unless_succeeded(
            payments.authorize_in(uow, pay, difference, idempotency_key=f"{rma.id}:exchange:charge")
        )
    if used.amount > 0:
        payments.raise_unless_succeeded(
            payments.authorize_in(uow, pay, used, idempotency_key=f"{rma.id}:advance:hold")
        )
    replacement.payment_status = pay.status
    uow.repo(ORDERS).save(replacement)
    now = svc.runtime.clock.now()
    rma.replacement_order_id = replacement.id
    rma.advance = AdvanceHold(order_id=replacement.id, amount=used, credit=used)
    rma.note_step(now, actor, "exchange_in_advance", f"replacement {replacement.id}, held {used}")
    rma.record(
        ExchangeOrderCreated(
            rma_id=rma.id,
            order_id=rma.order_id,
            replacement_order_id=replacement.id,
            difference=difference,
            actor=actor,
        )
    )
    uow.repo(RMAS).save(rma)
    return rma


def finish_advance_in(svc: ReturnsContext, uow: UnitOfWork, rma: Rma, *, actor: str) -> Rma:
    """The inspected return of an advance exchange: release the hold, close the RMA.

    Units refused at inspection were not paid for by the return: their share of the
    credit is taken back and captured from the hold; the rest of the hold is voided.
    A return worth more than the replacement refunds the surplus to the original
    payment.
    """
    hold = rma.advance
    assert hold is not None
    payments = svc.services.payments
    now = svc.runtime.clock.now()
    breakdown = simulate_in(svc, uow, rma)
    earned = breakdown.total
    pay = payments.find_in(uow, hold.order_id)
    assert pay is not None
    short = hold.credit - min(earned, hold.credit)
    if short.amount > 0:
        payments.withdraw_credit_in(
            uow, pay, short, reason=f"units of return {rma.id} refused at inspection",
            key=f"{rma.id}:credit:refused", actor=actor,
        )  # fmt: skip
        payments.raise_unless_succeeded(
            payments.capture_in(uow, pay, short, idempotency_key=f"{rma.id}:advance:capture")
        )
    rest = hold.amount - short
    if rest.amount > 0:
        payments.raise_unless_succeeded(
            payments.void_in(uow, pay, rest, idempotency_key=f"{rma.id}:advance:release")
        )
    paid = Money.zero(rma.currency)
    txns: tuple[str, ...] = ()
    original = payments.find_in(uow, rma.order_id)
    if earned > hold.credit and original is not None:
        paid = earned - hold.credit
        txn = payments.raise_unless_succeeded(
            payments.refund_in(
                uow, original, paid, idempotency_key=f"{rma.id}:exchange:refund",
                reason=f"exchange difference, return {rma.id}", actor=actor,
            )
        )  # fmt: skip
        txns = (txn.id,)
    replacement = uow.repo(ORDERS).get(hold.order_id)
    replacement.payment_status = pay.status
    uow.repo(ORDERS).save(replacement)
    rma.advance = AdvanceHold(
        order_id=hold.order_id, amount=hold.amount, credit=hold.credit - short,
        status="released", captured=short, decided_at=now,
    )  # fmt: skip
    rma.move("exchange", now, actor, f"hold released ({rest}), captured {short}")
    rma.resolution = "exchange"
    for line in rma.lines:
        line.refunded = next((x.quantity for x in breakdown.lines if x.line_id == line.line_id), 0)
    rma.refunds.append(
        RefundRecord(f"{rma.id}:exchange", breakdown, txns, now, actor, "exchange", paid)
    )
    rma.record(
        ReturnClosed(rma_id=rma.id, order_id=rma.order_id, resolution="exchange", actor=actor)
    )
    uow.repo(RMAS).save(rma)
    return rma


def forfeit_advance_in(svc: ReturnsContext, uow: UnitOfWork, rma: Rma, *, actor: str) -> None:
    """The return of an advance exchange never came: capture the hold, take the credit back."""
    hold = rma.advance
    if hold is None or hold.status != "held":
        return
    payments = svc.services.payments
    pay = payments.find_in(uow, hold.order_id)
    assert pay is not None
    if hold.amount.amount > 0:
        payments.withdraw_credit_in(
            uow, pay, hold.credit, reason=f"return {rma.id} never came back",
            key=f"{rma.id}:credit:forfeit", actor=actor,
        )  # fmt: skip
        payments.raise_unless_succeeded(
            payments.capture_in(uow, pay, hold.amount, idempotency_key=f"{rma.id}:advance:capture")
        )
    replacement = uow.repo(ORDERS).get(hold.order_id)
    replacement.payment_status = pay.status
    uow.repo(ORDERS).save(replacement)
    now = svc.runtime.clock.now()
    rma.advance = AdvanceHold(
        order_id=hold.order_id, amount=hold.amount, credit=Money.zero(hold.credit.currency),
        status="captured", captured=hold.amount, decided_at=now,
    )  # fmt: skip
    rma.note_step(now, actor, "advance_captured", f"the return never came: captured {hold.amount}")
