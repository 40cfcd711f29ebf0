"""Order capture: validate, price, check risk, reserve, authorize, commit - idempotently.

One capture is one transaction. Anything that fails rolls everything back (no order, no
reservation, no coupon use), and the payment's gateway calls are journaled before each
is attempted (``PaymentService.run``), so whatever the gateway did for an order that was
never stored is undone: authorizations voided, captures refunded, an unknown outcome
learned first and a compensation that cannot run now stored for
``PaymentService.retry_compensations``. A commit that wrote and then raised (a lost
acknowledgement) is read back by ``(channel, external_id)``: the stored order is returned
and nothing is undone. Replays of ``(channel, external_id)`` return the stored order when
the payload's fingerprint matches and raise [`IdempotencyConflict`][] when it does not.
Concurrent replays race on the collection's unique key: the loser's commit fails with
``AlreadyExists``, its authorization is voided, and it returns the winner's order. The
same holds when the winner committed before the loser's risk or stock checks ran:
whatever error a capture meets, a stored order under its key with the same fingerprint is
returned instead.
"""

from __future__ import annotations

from typing import Any

from omskit.catalog.model import PRODUCTS
from omskit.channels.model import CHANNELS, Channel
from omskit.errors import IdempotencyConflict, NotFound, OmskitError, UnknownSku
from omskit.money import Money, TaxedMoney
from omskit.orders.billing import authorize_at_capture
from omskit.orders.commands import CaptureOrder, ProblemReport, checked_command, parse_capture
from omskit.orders.customer_link import Buyer, resolve_buyer
from omskit.orders.errors import OrderRejected
from omskit.orders.events import OrderCaptured, OrderHeld
from omskit.orders.model import Order, OrderLine, line_id
from omskit.orders.ports import OrderContext
from omskit.orders.risk import RiskSignal, assess, builtin_signals, gather_facts
from omskit.orders.steps import apply_quote, quote_in, reserve_in
from omskit.orders.storage import ORDERS
from omskit.pricing.request import CustomerRef, QuoteLineInput, QuoteRequest
from omskit.storage.ports import UnitOfWork

__all__ = ["RISK_HOLD", "capture", "capture_order", "quote_request"]

#: How the hold reason of an order the risk checks held for review begins.
RISK_HOLD = "risk review: "


def capture_order(ctx: OrderContext, payload: Any, actor: str) -> Order:
    """Capture ``payload`` (a mapping or a [`CaptureOrder`][]); see the module docstring."""
    report = ProblemReport()
    fields = parse_capture(payload, report)
    positions = fields.pop("positions", None) or list(range(len(fields.get("lines", ()))))
    if report:
        with ctx.storage.unit_of_work() as uow:  # report domain problems too
            channel = _check_domain(uow, fields, positions, report)
            if fields.get("customer") is not None:
                resolve_buyer(uow, fields["customer"], channel, report)
        report.raise_if_any()
    command = payload if isinstance(payload, CaptureOrder) else checked_command(fields)
    fingerprint = command.fingerprint
    key = (command.channel, command.external_id)
    drafted: list[str] = []

    def use_case(uow: UnitOfWork) -> Order:
        orders = uow.repo(ORDERS)
        existing = orders.find_by("external", key)
        if existing is not None:
            return _replayed(existing, fingerprint)
        order = capture(
            ctx, uow, command, positions=positions, fingerprint=fingerprint, actor=actor
        )
        drafted.append(order.id)
        return order

    try:
        return ctx.payments.run(use_case, actor=actor)
    except OmskitError:
        # A replay of the same key may have committed after the lookup above: its unique
        # key beat this commit (AlreadyExists), or its order changed what the checks saw
        # (velocity counted it, it took the stock). The stored order is the answer then.
        with ctx.storage.unit_of_work() as uow:
            winner = uow.repo(ORDERS).find_by("external", key)
        if winner is None:
            raise
        return _replayed(winner, fingerprint)
    except Exception:
        stored = _committed(ctx, key, drafted)
        if stored is None:
            raise
        ctx.dispatch()  # the commit queued its events; deliver them
        return stored


def _committed(ctx: OrderContext, key: tuple[str, str], drafted: list[str]) -> Order | None:
    """The order this capture stored although its commit raised (a lost acknowledgement)."""
    if not drafted:
        return None
    try:
        with ctx.storage.unit_of_work() as uow:
            stored = uow.repo(ORDERS).find_by("external", key)
    except Exception:  # the store cannot even be read: report the original error
        return None
    return stored if stored is not None and stored.id in drafted else None


def _replayed(order: Order, fingerprint: str) -> Order:
    if order.fingerprint != fingerprint:
        raise IdempotencyConflict(
            f"{order.channel}/{order.external_id}",
            f"order {order.id} was captured from a different payload",
        )
    return order


def _check_domain(
    uow: UnitOfWork, fields: dict[str, Any], positions: list[int], report: ProblemReport
) -> Channel | None:
    """Channel, currency, SKUs and shipping address; every problem goes to ``report``."""
    channel = None
    code = fields.get("channel")
    if code:  # views: capture only reads the channel and the products (no copies)
        channel = uow.repo(CHANNELS).view(code)
        if channel is None or not channel.active:
            known = ", ".join(sorted(c.id for c in uow.repo(CHANNELS).scan_view() if c.active))
            report.error("channel", NotFound("channel", code, f"known channels: {known}"),
                         f"no active channel {code!r}; known: {known}", code)  # fmt: skip
            channel = None
    if channel is not None:
        currency = fields.get("currency") or channel.default_currency
        report.check("currency", channel.require_currency, currency)
    products = uow.repo(PRODUCTS)
    for position, line in zip(positions, fields.get("lines", ()), strict=True):
        product = products.view(line.sku)
        where = f"lines[{position}].sku"
        if product is None:
            message = "no product with this SKU; add it to the catalog first"
            report.error(where, UnknownSku(line.sku), message, line.sku)
        elif not product.active:
            report.add(where, "is not sold any more (the product is deactivated)", line.sku)
    ship_to = fields.get("ship_to")
    if ship_to is not None:
        report.extend(ship_to.shipping_problems("ship_to").items)
    return channel


def capture(
    ctx: OrderContext,
    uow: UnitOfWork,
    command: CaptureOrder,
    *,
    positions: list[int],
    fingerprint: str,
    actor: str,
) -> Order:
    """The capture use case: a new order from a checked ``command``, inside ``uow``.

    Checks what needs the store (channel, SKUs, customer, host hooks), prices, assesses
    risk, reserves (as configured) and authorizes, then adds the order to ``uow``.
    """
    report = ProblemReport()
    channel = _check_domain(uow, _fields(command), positions, report)
    buyer = resolve_buyer(uow, command.customer, channel, report)
    currency = command.currency or (channel.default_currency if channel else "EUR")
    order = _draft(ctx, command, currency, fingerprint)
    if buyer is not None:
        order.customer_id = buyer.customer_id
        order.pricing_customer = buyer.pricing
    if not report:
        for found in ctx.hooks.omskit_validate_order(order=order):
            report.extend(found or ())
    report.raise_if_any()
    assert channel is not None  # _check_domain reported it otherwise
    assert buyer is not None  # resolve_buyer reported it otherwise
    _price(ctx, uow, order, command, report, buyer=buyer)
    risk = ctx.settings.risk
    facts = gather_facts(uow.repo(ORDERS), order, risk, order.created_at)
    signals = builtin_signals(order, facts, risk)
    context = facts.as_context()
    for plugin_signals in ctx.hooks.omskit_risk_checks(order=order, context=context):
        signals.extend(RiskSignal.coerce(s, "an omskit_risk_checks hook")
                       for s in plugin_signals or ())  # fmt: skip
    order.risk = assessment = assess(signals, risk)
    if assessment.outcome == "reject":
        raise OrderRejected(command.channel, command.external_id, assessment)
    if assessment.outcome == "hold":
        order.on_hold = True
        order.hold_reason = RISK_HOLD + "; ".join(s.rule for s in assessment.signals)
    else:
        order.approved = True
    if ctx.reserves_at_capture:
        reserve_in(ctx, uow, order, channel, actor)
    if command.payment is not None:
        authorize_at_capture(ctx, uow, order, command.payment.method, channel,
                             store_credit=command.payment.store_credit, actor=actor)  # fmt: skip
    order.note(order.created_at, actor, "captured", f"from channel {order.channel}",
               {"total": order.total.gross, "lines": len(order.lines)})  # fmt: skip
    order.record(OrderCaptured(order_id=order.id, channel=order.channel,
                               external_id=order.external_id, status=order.status,
                               total=order.total.gross, lines=len(order.lines)))  # fmt: skip
    if order.on_hold:
        order.record(OrderHeld(order_id=order.id, reason=order.hold_reason, actor="risk"))
    uow.repo(ORDERS).add(order)
    return order


def _fields(command: CaptureOrder) -> dict[str, Any]:
    return {"channel": command.channel, "currency": command.currency, "lines": command.lines,
            "ship_to": command.ship_to}  # fmt: skip


def _draft(ctx: OrderContext, command: CaptureOrder, currency: str, fingerprint: str) -> Order:
    zero = Money.zero(currency)
    taxed_zero = TaxedMoney(zero, zero)
    lines = [
        OrderLine(
            id=line_id(i),
            sku=line.sku,
            quantity=line.quantity,
            unit_price=zero,
            total=taxed_zero,
            discount=zero,
            channel_price=None if line.unit_price is None else Money(line.unit_price, currency),
        )
        for i, line in enumerate(command.lines, start=1)
    ]
    customer = command.customer
    return Order(
        id=ctx.ids.new_id("ord"), channel=command.channel, external_id=command.external_id,
        currency=currency, customer_email=customer.email, customer_id=customer.customer_id,
        customer_name=customer.name, ship_to=command.ship_to, bill_to=command.bill_to,
        lines=lines, total=taxed_zero, shipping=taxed_zero, created_at=ctx.clock.now(),
        coupons=command.coupons, incoterm=command.incoterm, notes=command.notes,
        card_fingerprint=command.payment.fingerprint if command.payment else "",
        fingerprint=fingerprint, next_line=len(lines) + 1,
    )  # fmt: skip


def quote_request(
    order: Order, *, shipping: Any = None, customer: CustomerRef | None = None
) -> QuoteRequest:
    """The pricing request for ``order``'s active lines (marketplace prices included)."""
    lines = tuple(
        QuoteLineInput(
            line.sku,
            line.active,
            None if line.channel_price is None else line.channel_price.amount,
            line.id,
        )
        for line in order.active_lines()
    )
    ref = customer or order.pricing_customer  # who pricing saw at capture, claims decided
    if ref is None:
        ref = CustomerRef(customer_id=order.customer_id, email=order.customer_email)
    return QuoteRequest(
        channel=order.channel, lines=lines, currency=order.currency, customer=ref,
        ship_to=order.ship_to, coupons=order.coupons, shipping=shipping,
        incoterm="DDP" if order.incoterm == "DDP" else "DAP",
    )  # fmt: skip


def _price(
    ctx: OrderContext,
    uow: UnitOfWork,
    order: Order,
    command: CaptureOrder,
    report: ProblemReport,
    *,
    buyer: Buyer,
) -> None:
    customer = buyer.pricing
    request = quote_request(order, shipping=command.shipping, customer=customer)
    apply_quote(order, quote_in(ctx, uow, request, report))
    if command.shipping is not None:
        order.shipping_charge = Money(command.shipping, order.currency)
    if order.quote.coupons:
        ctx.pricing.redeem_coupons_in(
            uow, order.quote, order_id=order.id, customer_key=customer.key
        )
