"""Steps the orders use cases share: channel, pricing, stock (inside the caller's unit of work).

Each is a plain function over an [`OrderContext`][omskit.orders.ports.OrderContext] and
the unit of work; the service's methods of the same names call them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from omskit.channels.model import CHANNELS, Channel
from omskit.channels.service import load_channel
from omskit.errors import InsufficientStock, ValidationError
from omskit.inventory.errors import ShortLine
from omskit.money import Money, TaxedMoney
from omskit.orders.commands import ProblemReport
from omskit.orders.model import Order
from omskit.orders.ports import OrderContext
from omskit.orders.storage import ORDERS
from omskit.pricing.quote import Quote
from omskit.pricing.request import QuoteRequest
from omskit.routing.model import Shortfall, SourcingLine, SourcingRequest
from omskit.storage.ports import UnitOfWork

__all__ = [
    "REPLANS",
    "apply_quote",
    "cancel_units_in",
    "channel_in",
    "quote_in",
    "reserve_in",
    "sourcing_request",
]

#: How often capture plans again when the stock it planned with went to other orders
#: before it could reserve it (each plan sees what the one before found gone).
REPLANS = 5


def channel_in(uow: UnitOfWork, code: str) -> Channel:
    """The channel ``code`` inside ``uow``."""
    return load_channel(uow.repo(CHANNELS), code)


def quote_in(ctx: OrderContext, uow: UnitOfWork, request: QuoteRequest,
             report: ProblemReport) -> Quote:  # fmt: skip
    """Price ``request``; pricing's validation problems join ``report``."""
    try:
        return ctx.pricing.quote_in(uow, request)
    except ValidationError as exc:
        report.merge(exc)
        report.raise_if_any()
        raise  # pragma: no cover


def apply_quote(order: Order, quote: Quote) -> None:
    """Copy a quote's prices onto the order's active lines and totals."""
    for line, priced in zip(order.active_lines(), quote.lines, strict=True):
        line.unit_price = priced.unit_price
        line.discount = priced.discount
        line.total = priced.total
    order.total = quote.total
    order.shipping = quote.shipping
    order.duties = quote.duties
    order.quote = quote


def sourcing_request(order: Order, *, channel: Channel | None = None,
                     exclude: frozenset[str] = frozenset()) -> SourcingRequest:  # fmt: skip
    """The routing request for ``order``'s unallocated units."""
    lines = tuple(SourcingLine(x.id, x.sku, x.active - x.allocated)
                  for x in order.lines if x.active > x.allocated)  # fmt: skip
    allow_split = channel.allow_split if channel is not None else True
    if not lines:  # the normal constructor reports "give at least one line"
        return SourcingRequest(reference=order.id, lines=lines, ship_to=order.ship_to)
    # Lines and address were validated when the order was captured or changed, and
    # the request sources only unallocated units: on top of what the order holds.
    return SourcingRequest.trusted(
        order.id, lines, order.ship_to, allow_split=allow_split, exclude=exclude,
        channel=order.channel, count_own_holds=False,
    )  # fmt: skip


def _short_lines(request: SourcingRequest, shortfalls: Sequence[Shortfall]) -> list[ShortLine]:
    """One short line per request line a plan could not fully source."""
    missing: dict[str, int] = {}
    for s in shortfalls:
        missing[s.line_ref] = missing.get(s.line_ref, 0) + s.quantity
    return [ShortLine(ln.sku, ln.quantity, ln.quantity - missing[ln.line_ref], ln.line_ref)
            for ln in request.lines if ln.line_ref in missing]  # fmt: skip


def _waiting(uow: UnitOfWork) -> Callable[[str, str], int]:
    """How many units of an order's line still wait for stock (0 if gone or cancelled)."""
    orders = uow.repo(ORDERS)

    def waiting(reference: str, line_ref: str) -> int:
        other = orders.view(reference)
        if other is None:
            return 0
        for line in other.lines:
            if line.id == line_ref:
                return line.backordered
        return 0

    return waiting


def reserve_in(ctx: OrderContext, uow: UnitOfWork, order: Order, channel: Channel,
               actor: str) -> None:  # fmt: skip
    """Plan and reserve the order's unallocated units; backorder the rest as allowed.

    Each SKU's backorder policy decides what happens to the units stock cannot cover
    (``deny`` refuses them, ``backorder`` and ``preorder`` take them up to their cap);
    ``orders.backorders = False`` only narrows that to refusing them all. Every short
    line is reported at once (`StockShortfall`, or
    `BackorderLimitReached` when a cap is the reason). When
    stock seen while planning has gone to another order by the time it is reserved,
    the order is planned again on what is left (and backordered as the policy says).
    """
    request = sourcing_request(order, channel=channel)
    if not request.lines:
        return
    inventory = ctx.inventory
    for attempt in range(1, REPLANS + 1):
        plan = ctx.routing.plan_in(uow, request, ctx.settings.routing_strategy)
        short = plan.unfulfilled
        if short or attempt > 1:  # a re-plan replaces what the first one booked
            inventory.backorder_in(uow, reference=order.id,
                                   lines=_short_lines(request, short),
                                   allow=ctx.settings.backorders,
                                   waiting=_waiting(uow))  # fmt: skip
        allocations = plan.allocations if (not short or channel.allow_partial) else ()
        if not allocations:
            break
        try:
            inventory.reserve_in(uow, reference=order.id, allocations=allocations,
                                 actor=actor, oversell=False)  # fmt: skip
        except InsufficientStock:
            if attempt == REPLANS:
                raise
            continue  # another order took stock this plan counted on: plan again
        by_id = {x.id: x for x in order.lines}
        for a in allocations:
            by_id[a.line_ref].allocated += a.quantity
        break
    for line in order.lines:
        line.backordered = max(0, line.active - line.allocated)


def cancel_units_in(ctx: OrderContext, uow: UnitOfWork, order: Order, reason: str) -> None:
    """Cancel every unshipped unit and release whatever stock the order holds."""
    if any(x.allocated > x.shipped for x in order.lines):
        ctx.inventory.release_in(uow, reference=order.id, reason=reason)
    if any(x.backordered for x in order.lines):  # its backorders stop counting on caps
        ctx.inventory.backorder_in(uow, reference=order.id, lines=())
    for line in order.lines:
        line.cancelled = line.quantity
        line.allocated = line.backordered = line.in_fulfillment = 0
        line.total = TaxedMoney.zero(order.currency)
    order.total = order.shipping = TaxedMoney.zero(order.currency)
    if order.duties is not None:
        order.duties = Money.zero(order.currency)
    order.on_hold = False
    ctx.pricing.release_coupons_in(uow, order.coupons, order_id=order.id)
