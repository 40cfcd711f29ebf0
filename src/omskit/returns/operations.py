"""Return use cases as plain functions inside the caller's unit of work.

Each loads what it needs, checks everything before it changes anything, moves the RMA
along the transition table, and books stock and money through the inventory and payment
capabilities in the same unit of work, so a failure leaves nothing half-done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from omskit.catalog.model import PRODUCTS, Product
from omskit.errors import IdempotencyConflict, InvalidQuantity, Problem, ValidationError
from omskit.inventory.operations import adjust_in, quarantine_in, receive_in
from omskit.inventory.operations import load_location as load_stock_location
from omskit.money import Money
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS
from omskit.returns.errors import ReturnNotEligible, UnknownReturn, report
from omskit.returns.events import (
    RefundIssued,
    ReturnAuthorized,
    ReturnCancelled,
    ReturnClosed,
    ReturnExpired,
    ReturnInspected,
    ReturnReceived,
    ReturnRejected,
    ReturnRequested,
)
from omskit.returns.lifecycle import next_status
from omskit.returns.locations import choose_location
from omskit.returns.model import DISPOSITIONS, RMAS, RefundRecord, Rma, RmaEntry, RmaLine
from omskit.returns.policy import LineRequest, ReturnCheck, evaluate
from omskit.returns.ports import ReturnsContext
from omskit.returns.refunds import RefundBreakdown, compute_refund
from omskit.storage.ports import UnitOfWork
from omskit.validation import Problems, check_mapping, check_quantity

__all__ = [
    "authorize_in",
    "check_in",
    "close_in",
    "customer_matches",
    "held_units",
    "inspect_in",
    "load_rma",
    "receive_in_rma",
    "refund_in",
    "request_in",
    "simulate_in",
    "split_refund",
    "stop_in",
]

#: Statuses whose units no longer count against what may come back.
_DEAD = frozenset({"rejected", "cancelled", "expired"})


def load_rma(uow: UnitOfWork, rma_id: object) -> Rma:
    """The RMA ``rma_id``; raises [`UnknownReturn`][]."""
    found = uow.repo(RMAS).find(rma_id) if isinstance(rma_id, str) else None
    if found is None:
        raise UnknownReturn(rma_id)
    return found


def held_units(rma: Rma) -> dict[str, int]:
    """Units of each order line this RMA takes (or took) back."""
    if rma.status in _DEAD:
        return {}
    if rma.status in ("inspected", "closed") and not rma.is_claim:
        return {x.line_id: x.accepted for x in rma.lines}
    return {x.line_id: x.quantity for x in rma.lines}


def _open_units(uow: UnitOfWork, order_id: str, exclude: str = "") -> dict[str, int]:
    held: dict[str, int] = {}
    for rma in uow.repo(RMAS).list_by("order", order_id):
        if rma.id == exclude:
            continue
        for line_id, qty in held_units(rma).items():
            held[line_id] = held.get(line_id, 0) + qty
    return held


def _products(uow: UnitOfWork, order: Order) -> dict[str, Product | None]:
    repo = uow.repo(PRODUCTS)
    return {x.sku: repo.find(x.sku) for x in order.lines}


def customer_matches(order: Order, customer: str | None) -> bool:
    """``customer`` (an email or customer id) is the order's customer (``None``: not asked)."""
    if customer is None:
        return True
    wanted = customer.strip().lower()
    return wanted in (order.customer_email.lower(), order.customer_id.lower())


def check_in(
    svc: ReturnsContext,
    uow: UnitOfWork,
    order_id: str,
    requests: list[LineRequest],
    *,
    customer: str | None = None,
    claim: bool = False,
) -> ReturnCheck:
    """Judge ``requests`` against the order's policy; creates nothing."""
    order = uow.repo(ORDERS).get(order_id)
    result = evaluate(
        order,
        requests,
        products=_products(uow, order),
        open_units=_open_units(uow, order.id),
        settings=svc.settings,
        rules=svc.rules,
        now=svc.runtime.clock.now(),
        claim=claim,
    )
    if not customer_matches(order, customer):
        raise ReturnNotEligible.of(
            [
                Problem(
                    "customer",
                    f"got {customer!r}; order {order.id} belongs to another customer",
                    customer,
                )
            ]
        )
    return result


def request_in(
    svc: ReturnsContext,
    uow: UnitOfWork,
    order_id: str,
    requests: list[LineRequest],
    *,
    customer: str | None,
    notes: tuple[str, ...],
    photos: tuple[str, ...],
    exchange: tuple[tuple[str, int], ...],
    actor: str,
    kind: str = "return",
) -> Rma:
    """Open an RMA for the lines the policy allows; refuse the request if any is refused."""
    verdict = check_in(svc, uow, order_id, requests, customer=customer, claim=kind != "return")
    if not verdict.allowed:
        raise ReturnNotEligible.of(verdict.problems())
    order = uow.repo(ORDERS).get(order_id)
    now = svc.runtime.clock.now()
    lines = [
        RmaLine(r.line_id, order.line(r.line_id).sku, r.quantity, r.reason, r.condition)
        for r in requests
    ]
    rma = Rma(
        id=svc.runtime.ids.new_id("rma"),
        order_id=order.id,
        channel=order.channel,
        customer=order.customer_email,
        currency=order.currency,
        kind=kind,
        status="requested",
        lines=lines,
        created_at=now,
        actor=actor,
        notes=notes,
        photos=photos,
        exchange=exchange,
    )
    rma.history.append(RmaEntry(now, actor, "request", "", "requested"))
    rma.record(
        ReturnRequested(
            rma_id=rma.id,
            order_id=order.id,
            actor=actor,
            lines=tuple((x.line_id, x.quantity) for x in lines),
        )
    )
    uow.repo(RMAS).add(rma)
    return rma


def authorize_in(
    svc: ReturnsContext, uow: UnitOfWork, rma: Rma, *, location: str | None, actor: str
) -> Rma:
    """Accept the return: choose where the goods go, start the authorization's clock."""
    order = uow.repo(ORDERS).get(rma.order_id)
    policy = svc.settings.policy(order.channel)
    if location is not None:
        load_stock_location(uow, location, for_receiving=True)
        where, why = location, f"{location}: chosen by {actor}"
    else:
        where, why = choose_location(uow, order, policy, {x.line_id: x.quantity for x in rma.lines})
    now = svc.runtime.clock.now()
    rma.move("authorize", now, actor, why)
    rma.location, rma.location_reason = where, why
    rma.expires_at = now + dt.timedelta(days=policy.authorization_days)
    rma.record(ReturnAuthorized(rma_id=rma.id, order_id=rma.order_id, location=where, actor=actor))
    uow.repo(RMAS).save(rma)
    return rma


def stop_in(
    svc: ReturnsContext, uow: UnitOfWork, rma: Rma, action: str, *, reason: str, actor: str
) -> Rma:
    """``reject``, ``cancel`` or ``expire`` the RMA (its units may be asked for again)."""
    rma.move(action, svc.runtime.clock.now(), actor, reason)
    if action == "reject":
        rma.record(ReturnRejected(rma_id=rma.id, order_id=rma.order_id, reason=reason, actor=actor))
    elif action == "cancel":
        rma.record(
            ReturnCancelled(rma_id=rma.id, order_id=rma.order_id, reason=reason, actor=actor)
        )
    else:
        rma.record(ReturnExpired(rma_id=rma.id, order_id=rma.order_id))
    uow.repo(RMAS).save(rma)
    return rma


def _quantities(rma: Rma, raw: Mapping[str, Any] | None, room: Any, what: str) -> dict[str, int]:
    """``{line_id: qty}`` for lines of ``rma``, each within ``room(line)``."""
    if raw is None:
        return {x.line_id: room(x) for x in rma.lines}
    data = check_mapping(raw, "quantities")
    problems = Problems()
    out: dict[str, int] = {}
    known = ", ".join(x.line_id for x in rma.lines)
    for key, value in data.items():
        field = f"quantities.{key}"
        line = rma.line(key) if isinstance(key, str) else None
        if line is None:
            report(problems, field, f"not on return {rma.id}; its lines are {known}", key)
            continue
        qty = problems.check(field, check_quantity, value, minimum=0)
        if qty is None:
            continue
        if qty > room(line):
            problems.add_error(
                InvalidQuantity(field, value, f"at most {room(line)} unit(s) can be {what}")
            )
            continue
        out[key] = qty
    problems.raise_if_any()
    return out


def receive_in_rma(
    svc: ReturnsContext,
    uow: UnitOfWork,
    rma: Rma,
    quantities: Mapping[str, Any] | None,
    *,
    location: str | None,
    actor: str,
) -> Rma:
    """Units arrived at ``location`` (default: the one chosen at authorization)."""
    next_status(f"return {rma.id}", rma.status, "receive")
    got = _quantities(rma, quantities, lambda x: x.quantity, "received")
    where = location if location is not None else rma.location
    if not where:
        raise ValidationError("location", where, "name the location the goods arrived at")
    load_stock_location(uow, where, for_receiving=True)
    if not any(got.values()):
        raise ValidationError("quantities", dict(got), "receive at least one unit")
    now = svc.runtime.clock.now()
    note = f"at {where}" + ("" if where == rma.location else f" (authorized for {rma.location})")
    rma.move("receive", now, actor, note)
    if where != rma.location:
        rma.location, rma.location_reason = where, f"{where}: received there by {actor}"
    for line in rma.lines:
        line.received = got.get(line.line_id, 0)
    rma.record(
        ReturnReceived(
            rma_id=rma.id,
            order_id=rma.order_id,
            location=where,
            actor=actor,
            lines=tuple((k, v) for k, v in got.items() if v),
        )
    )
    uow.repo(RMAS).save(rma)
    return rma


def _dispositions(rma: Rma, raw: Mapping[str, Any] | None) -> dict[str, dict[str, int]]:
    """``{line_id: {disposition: qty}}`` covering every received unit exactly."""
    if raw is None:
        return {x.line_id: {"restock": x.received} for x in rma.lines if x.received}
    data = check_mapping(raw, "dispositions")
    problems = Problems()
    out: dict[str, dict[str, int]] = {}
    allowed = ", ".join(DISPOSITIONS)
    for key, value in data.items():
        field = f"dispositions.{key}"
        line = rma.line(key) if isinstance(key, str) else None
        if line is None:
            known = ", ".join(x.line_id for x in rma.lines)
            report(problems, field, f"not on return {rma.id}; its lines are {known}", key)
            continue
        given = {value: line.received} if isinstance(value, str) else value
        split = problems.check(field, check_mapping, given)
        if split is None:
            continue
        clean: dict[str, int] = {}
        for disposition, qty in split.items():
            if disposition not in DISPOSITIONS:
                report(
                    problems,
                    f"{field}.{disposition}",
                    f"unknown disposition; allowed: {allowed}",
                    disposition,
                )
                continue
            n = problems.check(f"{field}.{disposition}", check_quantity, qty, minimum=0)
            if n:
                clean[disposition] = n
        if sum(clean.values()) != line.received and not problems:
            report(
                problems,
                field,
                f"{sum(clean.values())} unit(s); the dispositions must "
                f"cover the {line.received} received",
                dict(clean),
            )
        out[key] = clean
    for line in rma.lines:
        if line.received and line.line_id not in data:
            report(
                problems,
                f"dispositions.{line.line_id}",
                f"missing: {line.received} received unit(s) need a disposition ({allowed})",
                None,
            )
    problems.raise_if_any()
    return out


def inspect_in(
    svc: ReturnsContext,
    uow: UnitOfWork,
    rma: Rma,
    dispositions: Mapping[str, Any] | None,
    *,
    actor: str,
) -> Rma:
    """Decide each received unit; book restocks, quarantines and write-offs to the ledger."""
    next_status(f"return {rma.id}", rma.status, "inspect")
    plan = _dispositions(rma, dispositions)
    now = svc.runtime.clock.now()
    rma.move("inspect", now, actor)
    ids, ref = svc.runtime.ids, f"{rma.id}"
    order = uow.repo(ORDERS).get(rma.order_id)
    done: list[tuple[str, str, int]] = []
    for line in rma.lines:
        split = plan.get(line.line_id, {})
        line.dispositions = dict(split)
        booked = sum(split.get(d, 0) for d in ("restock", "quarantine", "scrap"))
        if booked:
            receive_in(
                uow,
                ids,
                now,
                sku=line.sku,
                location=rma.location,
                quantity=booked,
                reference=ref,
                actor=actor,
                kind="restock_return",
                reason=f"return {rma.id} of order {rma.order_id}",
            )
        if split.get("quarantine"):
            quarantine_in(
                uow,
                ids,
                now,
                sku=line.sku,
                location=rma.location,
                quantity=split["quarantine"],
                actor=actor,
                reason=f"returned, quarantined ({rma.id})",
            )
        if split.get("scrap"):
            adjust_in(
                uow,
                ids,
                now,
                sku=line.sku,
                location=rma.location,
                delta=-split["scrap"],
                reason=f"returned, scrapped ({rma.id})",
                actor=actor,
                reference=ref,
            )
        order.line(line.line_id).returned += line.accepted
        done.extend((line.line_id, d, q) for d, q in split.items())
    accepted = ", ".join(f"{x.line_id} x{x.accepted}" for x in rma.lines if x.accepted)
    order.note(now, actor, "returned", f"return {rma.id}", {"lines": accepted or "none"})
    uow.repo(ORDERS).save(order)
    rma.record(
        ReturnInspected(rma_id=rma.id, order_id=rma.order_id, dispositions=tuple(done), actor=actor)
    )
    uow.repo(RMAS).save(rma)
    return rma


def _refund_units(rma: Rma) -> dict[str, int]:
    """Units the refund covers: accepted after inspection, requested before it."""
    if rma.status in ("inspected", "closed") or rma.is_claim:
        units = {x.line_id: (x.quantity if rma.is_claim else x.accepted) for x in rma.lines}
    else:
        units = {x.line_id: x.quantity for x in rma.lines}
    return {k: v for k, v in units.items() if v}


def simulate_in(svc: ReturnsContext, uow: UnitOfWork, rma: Rma) -> RefundBreakdown:
    """The refund ``refund_in`` would pay now, part by part (nothing is changed)."""
    order = uow.repo(ORDERS).get(rma.order_id)
    zero = Money.zero(order.currency)
    refunded_units: dict[str, int] = {}
    shipping = duties = zero
    for other in uow.repo(RMAS).list_by("order", order.id):
        if other.id == rma.id:
            continue
        for record in other.refunds:
            for x in record.breakdown.lines:
                refunded_units[x.line_id] = refunded_units.get(x.line_id, 0) + x.quantity
            shipping += record.breakdown.shipping
            duties += record.breakdown.duties
    products = _products(uow, order)
    fee_percent: dict[str, Decimal] = {}
    for line in order.lines:
        product = products.get(line.sku)
        category = product.attributes.get("category", "") if product is not None else ""
        fee_percent[line.id] = svc.settings.policy(order.channel, category).restocking_fee_percent
    reasons = svc.settings.reasons
    fault = bool(rma.lines) and all(
        x.reason in reasons and reasons.get(x.reason).our_fault for x in rma.lines
    )
    policy = svc.settings.policy(order.channel)
    payment = svc.services.payments.find_in(uow, order.id)
    balance = payment.refundable if payment is not None else zero
    label = rma.label_cost if policy.label_paid_by == "customer" else None
    if label is not None and label.currency != order.currency:
        label = None  # a label priced in another currency is the merchant's cost
    return compute_refund(
        order,
        _refund_units(rma),
        refunded_units=refunded_units,
        shipping_refunded=shipping,
        duties_refunded=duties,
        fee_percent=fee_percent,
        our_fault=fault,
        refund_shipping=policy.refund_shipping,
        shipping_on_fault=policy.shipping_on_fault,
        refund_duties=policy.refund_duties,
        label_cost=label,
        balance=balance,
    )


def split_refund(
    total: Money, card_balance: Money, *, to: str, store_credit: Money | None
) -> tuple[Money, Money]:
    """``(to the card, to store credit)`` for a refund of ``total``.

    ``to="store_credit"`` puts all of it on store credit; ``store_credit`` puts that
    much there and the rest on the card. The card never takes more than it holds
    (``card_balance``): the rest was paid with store credit and goes back there.

    Raises:
        ValidationError: ``store_credit`` above the refund, negative, or in another
            currency.
    """
    zero = Money.zero(total.currency)
    if to == "store_credit":
        credit = total
    elif store_credit is not None:
        if store_credit.currency != total.currency or store_credit.amount < 0:
            raise ValidationError(
                "store_credit", str(store_credit), f"a non-negative amount in {total.currency}"
            )
        if store_credit > total:
            raise ValidationError(
                "store_credit", str(store_credit), f"at most the refund of {total}"
            )
        credit = store_credit
    else:
        credit = zero
    card = total - credit
    if card > card_balance:
        credit, card = credit + card - max(card_balance, zero), max(card_balance, zero)
    return card, credit


def refund_in(
    svc: ReturnsContext,
    uow: UnitOfWork,
    rma: Rma,
    *,
    key: str | None,
    reason: str,
    actor: str,
    action: str = "refund",
    to: str = "original",
    store_credit: Money | None = None,
) -> Rma:
    """Pay the simulated refund and close the RMA.

    ``action`` is ``"refund"`` (an inspected return) or ``"resolve"`` (a claim). The
    money goes to the original payment(s), to store credit, or split (see
    [`split_refund`][]).

    A repeated ``key`` returns the RMA as it is; a key used by another RMA's refund is
    an [`IdempotencyConflict`][].
    """
    if key is not None:
        for record in rma.refunds:
            if record.key == key:
                return rma
        for other in uow.repo(RMAS).list_by("order", rma.order_id):
            if other.id != rma.id and any(r.key == key for r in other.refunds):
                raise IdempotencyConflict(key, f"it refunded return {other.id}")
    next_status(f"return {rma.id}", rma.status, action)
    breakdown = simulate_in(svc, uow, rma)
    now = svc.runtime.clock.now()
    rma.move(action, now, actor, f"{breakdown.total}")
    key = key or f"{rma.id}:refund"
    txns: tuple[str, ...] = ()
    credit = Money.zero(rma.currency)
    if breakdown.total.amount > 0:
        payments = svc.services.payments
        payment = payments.find_in(uow, rma.order_id)
        if payment is None:
            raise ValidationError("order", rma.order_id, "has no payment to refund to")
        why = reason or f"return {rma.id}"
        card, credit = split_refund(
            breakdown.total, payment.balance, to=to, store_credit=store_credit
        )
        if card.amount > 0:
            txn = payments.raise_unless_succeeded(
                payments.refund_in(uow, payment, card, idempotency_key=key, reason=why, actor=actor)
            )
            txns = (txn.id,)
        if credit.amount > 0:
            payments.refund_to_credit_in(
                uow, payment, rma.customer, credit, key=f"{key}:store_credit", reason=why,
                actor=actor,
            )  # fmt: skip
    for line in rma.lines:
        line.refunded = next((x.quantity for x in breakdown.lines if x.line_id == line.line_id), 0)
    rma.refunds.append(
        RefundRecord(
            key, breakdown, txns, now, actor, reason, breakdown.total, credit if credit else None
        )
    )
    rma.resolution = rma.resolution or "refund"
    rma.record(
        RefundIssued(
            rma_id=rma.id,
            order_id=rma.order_id,
            amount=breakdown.total,
            transactions=txns,
            actor=actor,
        )
    )
    rma.record(
        ReturnClosed(rma_id=rma.id, order_id=rma.order_id, resolution=rma.resolution, actor=actor)
    )
    uow.repo(RMAS).save(rma)
    return rma


def close_in(svc: ReturnsContext, uow: UnitOfWork, rma: Rma, *, reason: str, actor: str) -> Rma:
    """Close an inspected RMA without a refund (nothing accepted, or refunded elsewhere)."""
    rma.move("close", svc.runtime.clock.now(), actor, reason)
    rma.resolution = "closed"
    rma.record(ReturnClosed(rma_id=rma.id, order_id=rma.order_id, resolution="closed", actor=actor))
    uow.repo(RMAS).save(rma)
    return rma
