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

from omskit.errors import ValidationError
from omskit.money import Money
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS
from omskit.payments.model import PAYMENTS, Adjustment
from omskit.returns.events import ExchangeOrderCreated, ReturnClosed
from omskit.returns.lifecycle import next_status
from omskit.returns.model import RMAS, RefundRecord, Rma
from omskit.returns.operations import simulate_in
from omskit.returns.ports import ReturnsContext
from omskit.storage.ports import UnitOfWork
from omskit.validation import Problems, check_quantity, check_sku

__all__ = ["capture_replacement", "parse_replacement", "settle_replacement_in"]


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
        pay.adjustments.append(
            Adjustment(
                amount=used,
                reason=f"credit from return {rma.id}",
                actor=actor,
                key=f"{rma.id}:credit",
                at=now,
            )
        )
        uow.repo(PAYMENTS).save(pay)
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
