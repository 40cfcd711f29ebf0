"""Changing an order: cancel it whole or line by line, or edit it before fulfillment.

Cancelling gives back what was held (reservations released, the open authorization
voided, captured money refunded) for exactly the value cancelled: each line's total is
split between kept and cancelled units by largest remainder, so what is refunded plus
what is kept is always what was charged. Units released to a location (held by a live
fulfillment order) are the location's to give back: cancelling or editing them here
raises [`UnitsInFulfillment`][] until the fulfillment order is
cancelled (``oms.fulfillment.cancel``) or rejected. Editing re-prices the order through the pricing
engine (keeping the shipping charge it was captured with), re-reserves its stock, and
authorizes or refunds the difference.

Coupons follow the order: cancelling it whole gives back every coupon use it made, and
an edit after which a coupon no longer applies gives that use back (one that applies
only now is redeemed). While an edit re-prices the order its own uses are not counted
against the coupons' limits, so a ``max_uses=1`` coupon the order holds keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping

from omskit.catalog.model import PRODUCTS
from omskit.errors import UnknownSku, ValidationError
from omskit.money import Money, TaxedMoney, allocate
from omskit.orders.billing import Settlement, settle
from omskit.orders.capture import quote_request
from omskit.orders.commands import EditOrder, ProblemReport
from omskit.orders.errors import HeldLine, UnitsInFulfillment
from omskit.orders.events import OrderCancelled, OrderEdited, OrderLinesCancelled
from omskit.orders.lifecycle import require_action
from omskit.orders.model import Order, OrderLine
from omskit.orders.ports import OrderContext
from omskit.orders.steps import apply_quote, cancel_units_in, channel_in, quote_in, reserve_in
from omskit.pricing.coupons import COUPONS, Coupon
from omskit.pricing.request import CustomerRef
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_quantity

__all__ = ["cancel_lines_in", "cancel_order_in", "edit_order_in", "held_units", "take_units"]

Held = dict[str, tuple[int, tuple[tuple[str, str], ...]]]


def _split(value: TaxedMoney, part: int, rest: int) -> TaxedMoney:
    """The share of ``value`` that ``part`` units of ``part + rest`` carry (exact)."""
    if not rest:
        return value
    if not part:
        return TaxedMoney.zero(value.currency)
    net = allocate(value.net, [part, rest])[0]
    gross = allocate(value.gross, [part, rest])[0]
    return TaxedMoney(net, gross)


def take_units(ctx: OrderContext, uow: UnitOfWork, order: Order, line: OrderLine, *,
               quantity: int, reason: str) -> TaxedMoney:  # fmt: skip
    """Cancel ``quantity`` unshipped units of ``line``; return the value they carried.

    Unallocated units go first, then allocated ones, whose reservations are released.
    """
    value = _split(line.total, quantity, line.active - quantity)
    line.total = line.total - value
    from_unallocated = min(quantity, line.active - line.allocated)
    from_allocated = quantity - from_unallocated
    line.cancelled += quantity
    if from_allocated:
        line.allocated -= from_allocated
        _release_free_holds(ctx, uow, order, line, quantity=from_allocated, reason=reason)
    line.backordered = min(line.backordered, line.active - line.allocated)
    line.in_fulfillment = min(line.in_fulfillment, line.allocated - line.shipped)
    return value


def _release_free_holds(ctx: OrderContext, uow: UnitOfWork, order: Order, line: OrderLine,
                        *, quantity: int, reason: str) -> None:  # fmt: skip
    """Give back ``quantity`` of ``line``'s holds, never one a fulfillment order works from.

    A line split over locations may have part of its stock released to a warehouse; the
    holds there belong to that fulfillment order, so units are taken from the other
    locations' holds, location by location.
    """
    claimed: dict[str, int] = {}
    fulfillment = ctx.fulfillment
    if fulfillment is not None:
        for work in fulfillment.holding_in(uow, order.id):
            units = work.open_units.get(line.id, 0)
            if units > 0:
                claimed[work.location] = claimed.get(work.location, 0) + units
    inventory = ctx.inventory
    left = quantity
    for hold in inventory.reservations_in(uow, order.id):
        if left == 0:
            break
        if hold.line_ref != line.id or not hold.quantity:
            continue
        kept = min(hold.quantity, claimed.get(hold.location, 0))
        claimed[hold.location] = claimed.get(hold.location, 0) - kept
        take = min(left, hold.quantity - kept)
        if take:
            inventory.release_in(uow, reference=order.id, line_ref=line.id, quantity=take,
                                 location=hold.location, reason=reason)  # fmt: skip
            left -= take
    if left:  # pragma: no cover - _refuse_held stops changes that need claimed units
        raise AssertionError(f"line {line.id} has {left} allocated unit(s) with no free hold")


def held_units(ctx: OrderContext, uow: UnitOfWork, order: Order) -> Held:
    """Per line: units released to locations and not shipped, and which orders hold them.

    Empty when the OMS has no fulfillment service or nothing was released.
    """
    fulfillment = ctx.fulfillment
    if fulfillment is None:
        return {}
    held: Held = {}
    for work in fulfillment.holding_in(uow, order.id):
        for line_id, qty in work.open_units.items():
            if qty > 0:
                count, where = held.get(line_id, (0, ()))
                held[line_id] = (count + qty, (*where, (work.id, work.location)))
    return held


def _refuse_held(order: Order, held: Held, action: str,
                 wanted: Mapping[str, int] | None = None) -> None:  # fmt: skip
    """Raise [`UnitsInFulfillment`][] for lines whose held units the change needs.

    ``wanted`` maps line ids to units asked for; ``None`` means every unshipped unit.
    """
    blocked = []
    for line in order.lines:
        count, where = held.get(line.id, (0, ()))
        if not count:
            continue
        open_units = line.active - line.shipped
        asked = open_units if wanted is None else wanted.get(line.id, 0)
        free = max(0, open_units - count)
        if asked > free:
            blocked.append(HeldLine(line.id, asked, free, count, where))
    if blocked:
        raise UnitsInFulfillment(order.id, action, blocked)


def _retotal(ctx: OrderContext, uow: UnitOfWork, order: Order, removed: TaxedMoney) -> None:
    if not order.active_lines():  # every unit cancelled: the whole order is
        order.total = order.shipping = TaxedMoney.zero(order.currency)
        if order.duties is not None:
            order.duties = Money.zero(order.currency)
        ctx.pricing.release_coupons_in(uow, order.coupons, order_id=order.id)
    else:
        order.total = order.total - removed


def cancel_order_in(ctx: OrderContext, uow: UnitOfWork, order: Order, *, actor: str,
                    reason: str) -> Settlement:  # fmt: skip
    """Cancel every unit of ``order``: release stock, void or refund all the money."""
    require_action(f"order {order.id}", order.status, "cancel")
    if any(x.shipped for x in order.lines):  # pragma: no cover - the table forbids it
        raise ValidationError("order", order.id, "units have shipped; cancel lines instead")
    _refuse_held(order, held_units(ctx, uow, order), "cancel")
    cancel_units_in(ctx, uow, order, reason)
    result = settle(ctx, uow, order)
    order.note(ctx.clock.now(), actor, "cancelled", reason,
               {"refunded": result.refunded, "voided": result.voided})  # fmt: skip
    order.record(OrderCancelled(order_id=order.id, reason=reason, actor=actor,
                                refunded=result.refunded, voided=result.voided))  # fmt: skip
    return result


def cancel_lines_in(ctx: OrderContext, uow: UnitOfWork, order: Order,
                    quantities: Mapping[str, int], *, actor: str,
                    reason: str) -> Settlement:  # fmt: skip
    """Cancel some unshipped units of some lines; settle the payment for their value.

    Raises:
        ValidationError: unknown lines, bad quantities, more than the line has unshipped.
        UnitsInFulfillment: the units asked for include some released to a location.
    """
    require_action(f"order {order.id}", order.status, "cancel_lines")
    if not quantities:
        raise ValidationError("lines", {}, "name at least one line and quantity to cancel")
    report = ProblemReport()
    plan: list[tuple[OrderLine, int]] = []
    for line_id, raw in quantities.items():
        field = f"lines.{line_id}"
        try:
            line = order.line(line_id)
        except LookupError as exc:
            report.error(field, exc, str(exc), line_id)  # type: ignore[arg-type]
            continue
        cancellable = line.active - line.shipped
        qty = report.check(field, check_quantity, raw, maximum=max(cancellable, 1))
        if qty is not None and qty > cancellable:
            report.add(field, f"only {cancellable} unit(s) can still be cancelled", raw)
        elif qty is not None:
            plan.append((line, qty))
    report.raise_if_any()
    _refuse_held(order, held_units(ctx, uow, order), "cancel units of",
                 {line.id: qty for line, qty in plan})  # fmt: skip
    removed = TaxedMoney.zero(order.currency)
    for line, qty in plan:
        removed += take_units(ctx, uow, order, line, quantity=qty, reason=reason)
    _retotal(ctx, uow, order, removed)
    result = settle(ctx, uow, order)
    done = tuple((line.id, qty) for line, qty in plan)
    order.note(ctx.clock.now(), actor, "lines_cancelled", reason,
               {"lines": ", ".join(f"{i} x{q}" for i, q in done), "value": removed.gross,
                "refunded": result.refunded, "voided": result.voided})  # fmt: skip
    order.record(OrderLinesCancelled(order_id=order.id, lines=done, reason=reason, actor=actor,
                                     refunded=result.refunded, voided=result.voided))  # fmt: skip
    return result


def edit_order_in(ctx: OrderContext, uow: UnitOfWork, order: Order, edit: EditOrder, *,
                  actor: str, reason: str) -> Settlement:  # fmt: skip
    """Apply ``edit``, re-price, re-reserve and settle the payment difference."""
    require_action(f"order {order.id}", order.status, "edit")
    _refuse_held(order, held_units(ctx, uow, order), "edit")
    described = _apply_edit(uow, order, edit)
    old_total = order.total.gross
    _reprice(ctx, uow, order, actor, reason)
    result = settle(ctx, uow, order)
    order.note(ctx.clock.now(), actor, "edited", reason,
               {"changes": "; ".join(described),
                "total": f"{old_total} -> {order.total.gross}"})  # fmt: skip
    order.record(OrderEdited(order_id=order.id, changes=tuple(described), old_total=old_total,
                             new_total=order.total.gross, actor=actor))  # fmt: skip
    return result


def _apply_edit(uow: UnitOfWork, order: Order, edit: EditOrder) -> list[str]:
    """Change the order's lines and address as ``edit`` says; describe each change.

    Every problem is reported at once (and nothing is kept: the unit of work rolls back).
    """
    report = ProblemReport()
    described: list[str] = []
    for line_id in edit.remove:
        line = _edit_line(order, line_id, "remove", report)
        if line is not None:
            line.cancelled = line.quantity
            described.append(f"removed {line_id}")
    for line_id, qty in edit.quantities.items():
        line = _edit_line(order, line_id, "quantities", report)
        if line is not None:
            described.append(f"{line_id} {line.active} -> {qty}")
            line.quantity = line.cancelled + qty
    products = uow.repo(PRODUCTS)
    for i, new in enumerate(edit.add):
        product = products.find(new.sku)
        if product is None or not product.active:
            report.error(f"add[{i}].sku", UnknownSku(new.sku),
                         "no product with this SKU is sold; add it to the catalog first",
                         new.sku)  # fmt: skip
            continue
        price = None if new.unit_price is None else Money(new.unit_price, order.currency)
        zero = Money.zero(order.currency)
        order.lines.append(
            OrderLine(
                id=order.new_line_id(),
                sku=new.sku,
                quantity=new.quantity,
                unit_price=zero,
                total=TaxedMoney(zero, zero),
                discount=zero,
                channel_price=price,
                status="approved" if order.approved else "placed",
            )
        )
        described.append(f"added {order.lines[-1].id} {new.quantity} x {new.sku}")
    if edit.ship_to is not None:
        report.extend(edit.ship_to.shipping_problems("ship_to").items)
        described.append(f"ship_to {order.ship_to.one_line()} -> {edit.ship_to.one_line()}")
        order.ship_to = edit.ship_to
    if not report and not order.active_lines():
        report.add("remove", "an edit cannot remove every line; cancel the order instead")
    report.raise_if_any()
    return described


def _reprice(ctx: OrderContext, uow: UnitOfWork, order: Order, actor: str, reason: str) -> None:
    """Give back the edited order's stock, price it again, and reserve it again."""
    if any(x.allocated for x in order.lines):
        ctx.inventory.release_in(uow, reference=order.id, reason=f"order edited: {reason}")
    for line in order.lines:
        line.allocated = line.backordered = 0
        if not line.active:
            line.total = TaxedMoney.zero(order.currency)
    held = _set_aside_coupons(uow, order)
    request = quote_request(order, shipping=_shipping_charge(order))
    apply_quote(order, quote_in(ctx, uow, request, ProblemReport()))
    _settle_coupons(ctx, uow, order, held)
    if ctx.reserves_at_capture:
        reserve_in(ctx, uow, order, channel_in(uow, order.channel), actor)


def _edit_line(order: Order, line_id: str, field: str, report: ProblemReport) -> OrderLine | None:
    try:
        line = order.line(line_id)
    except LookupError as exc:
        report.error(f"{field}.{line_id}", exc, str(exc), line_id)  # type: ignore[arg-type]
        return None
    if not line.active:
        report.add(f"{field}.{line_id}", "the line is already cancelled", line_id)
        return None
    return line


def _shipping_charge(order: Order) -> Money | None:
    """The shipping charge to re-price ``order`` with: the one it was captured with.

    Orders stored before the charge was kept get it back from their quote (the charge
    in the price list's basis, before shipping promotions).
    """
    if order.shipping_charge is not None:
        return order.shipping_charge
    quote = order.quote
    if quote is None or (order.shipping.gross.is_zero and not quote.shipping_discount.amount):
        return None
    basis = order.shipping.gross if quote.prices_include_tax else order.shipping.net
    discount: Money = quote.shipping_discount
    return basis + discount


def _set_aside_coupons(uow: UnitOfWork, order: Order) -> dict[str, tuple[Coupon, str]]:
    """Take this order's own coupon uses off the counts while it is re-priced.

    Returns the coupons set aside, by code, with the customer key each use counted for.
    Nothing is saved: ``_settle_coupons`` puts back what still applies.
    """
    held: dict[str, tuple[Coupon, str]] = {}
    repo = uow.repo(COUPONS)
    for code in order.coupons:
        coupon = repo.find(code.upper())
        if coupon is not None and order.id in coupon.redemptions:
            key = coupon.redemptions[order.id]
            coupon.release(order.id)
            held[coupon.id] = (coupon, key)
    return held


def _settle_coupons(
    ctx: OrderContext, uow: UnitOfWork, order: Order, held: dict[str, tuple[Coupon, str]]
) -> None:
    """After re-pricing: keep the uses that still apply, give back the rest, redeem new ones."""
    applied = set(order.quote.coupons)
    now = ctx.clock.now()
    dropped = []
    for code, (coupon, key) in held.items():
        coupon.redeem(order.id, key, now)  # back as it was stored (the quote just checked it)
        if code not in applied:
            dropped.append(code)
    if dropped:
        ctx.pricing.release_coupons_in(uow, dropped, order_id=order.id)
    if applied - set(held):
        customer = CustomerRef(customer_id=order.customer_id, email=order.customer_email)
        ctx.pricing.redeem_coupons_in(
            uow, order.quote, order_id=order.id, customer_key=customer.key
        )
