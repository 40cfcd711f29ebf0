"""Refund arithmetic for returned units: exact, capped, and reconciling with the order.

A line's ``total`` is what the customer paid for its active units: unit prices after the
line's own discounts *and its share of order-level discounts* (pricing spreads those onto
the lines), with tax at the rate charged. Units are refunded as **cumulative shares** of
that total: the first ``k`` units of a line of ``n`` are worth
``allocate(total, [k, n - k])[0]``, so refunding ``q`` units after ``r`` gives
``share(r + q) - share(r)``. However a line comes back (one unit at a time, in several
returns), the parts add up to the line's total exactly, in every currency's minor unit
(JPY 0 decimals, KWD 3), and never more.

Shipping and duties come back by rule (a full return; a reason that is the merchant's
fault); restocking fees and a customer-paid label are deducted. The result is capped at
what the payment still holds (captured minus refunded), and the cap is shown, not hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import attrs

from omskit.money import Money, TaxedMoney, allocate
from omskit.orders.model import Order

__all__ = ["RefundBreakdown", "RefundLine", "compute_refund", "unit_share"]


def unit_share(amount: Money, units: int, of: int) -> Money:
    """The value of the first ``units`` of ``of`` units together worth ``amount``."""
    if units <= 0 or of <= 0:
        return Money.zero(amount.currency)
    if units >= of:
        return amount
    return allocate(amount, [units, of - units])[0]


def _taxed_share(total: TaxedMoney, before: int, units: int, of: int) -> TaxedMoney:
    gross = unit_share(total.gross, before + units, of) - unit_share(total.gross, before, of)
    net = unit_share(total.net, before + units, of) - unit_share(total.net, before, of)
    return TaxedMoney(net, gross)


@attrs.frozen
class RefundLine:
    """What the refund gives back for the units of one order line.

    Attributes:
        line_id: the order line.
        sku: its SKU.
        quantity: units refunded.
        goods: what the customer paid for them (net, gross; tax is the difference).
        fee: the restocking fee kept.
        amount: ``goods.gross - fee``.
    """

    line_id: str
    sku: str
    quantity: int
    goods: TaxedMoney
    fee: Money
    amount: Money


@attrs.frozen(kw_only=True)
class RefundBreakdown:
    """A refund, part by part: ``total`` is exactly the sum of the parts.

    ``total = sum(line.amount) + shipping + duties - label - capped``.

    Attributes:
        currency: the order's currency.
        lines: one [`RefundLine`][] per order line with units refunded.
        shipping: the order's shipping given back (full return, or our fault).
        duties: duties given back (full return).
        label: the return label's cost, when the customer pays for it.
        capped: what the payment could not give back (it holds less).
        total: what is refunded.
        full_return: every unit of the order has now come back.
        notes: why each part is what it is, in words.
    """

    currency: str
    lines: tuple[RefundLine, ...]
    shipping: Money
    duties: Money
    label: Money
    capped: Money
    total: Money
    full_return: bool
    notes: tuple[str, ...] = ()

    @property
    def goods(self) -> Money:
        """The gross value of the units, before fees."""
        return sum((x.goods.gross for x in self.lines), Money.zero(self.currency))

    @property
    def tax(self) -> Money:
        """The tax included in the units' value, at the rate charged."""
        return sum((x.goods.tax for x in self.lines), Money.zero(self.currency))

    @property
    def fees(self) -> Money:
        """Every restocking fee kept."""
        return sum((x.fee for x in self.lines), Money.zero(self.currency))

    def explain(self) -> str:
        """The breakdown as readable lines, ending with the total."""
        out = []
        for x in self.lines:
            fee = f", fee -{x.fee}" if x.fee.amount else ""
            out.append(
                f"  {x.line_id} {x.sku} x{x.quantity}: {x.goods.gross} "
                f"(tax {x.goods.tax}){fee} = {x.amount}"
            )
        for label, value, sign in (
            ("shipping", self.shipping, "+"),
            ("duties", self.duties, "+"),
            ("return label", self.label, "-"),
            ("capped (payment holds less)", self.capped, "-"),
        ):
            if value.amount:
                out.append(f"  {label}: {sign}{value}")
        out.extend(f"  note: {n}" for n in self.notes)
        out.append(f"  refund: {self.total}")
        return "\n".join(out)


def compute_refund(
    order: Order,
    units: Mapping[str, int],
    *,
    refunded_units: Mapping[str, int],
    shipping_refunded: Money,
    duties_refunded: Money,
    fee_percent: Mapping[str, Decimal],
    our_fault: bool,
    refund_shipping: str,
    shipping_on_fault: bool,
    refund_duties: bool,
    label_cost: Money | None,
    balance: Money,
) -> RefundBreakdown:
    """The refund for ``units`` (``{line_id: quantity}``) of ``order``.

    Args:
        order: the order the units were bought on.
        units: units to refund per line id.
        refunded_units: units of each line refunded by earlier returns.
        shipping_refunded: the shipping earlier returns gave back.
        duties_refunded: the duties earlier returns gave back.
        fee_percent: the restocking fee per line id, in percent (waived with
            ``our_fault``).
        our_fault: the reason is the merchant's error.
        refund_shipping: ``"full_return"`` or ``"never"``.
        shipping_on_fault: ``our_fault`` refunds the shipping still unrefunded.
        refund_duties: a full return gives the duties back too.
        label_cost: the return label's price when the customer pays it (else ``None``).
        balance: what the payment holds (captured minus refunded): the cap.
    """
    currency = order.currency
    zero = Money.zero(currency).quantize()
    lines: list[RefundLine] = []
    notes: list[str] = []
    for line in order.lines:
        qty = units.get(line.id, 0)
        if qty <= 0:
            continue
        goods = _taxed_share(line.total, refunded_units.get(line.id, 0), qty, line.active)
        percent = Decimal(0) if our_fault else fee_percent.get(line.id, Decimal(0))
        fee = zero
        if percent:
            fee = Money(goods.gross.amount * percent / 100, currency).quantize(ROUND_HALF_UP)
            fee = min(fee, goods.gross)
        lines.append(RefundLine(line.id, line.sku, qty, goods, fee, goods.gross - fee))
    if our_fault and any(p for p in fee_percent.values()):
        notes.append("restocking fee waived: the reason is our fault")
    full = all(
        refunded_units.get(x.id, 0) + units.get(x.id, 0) >= x.active for x in order.active_lines()
    )
    shipping = zero
    shipping_left = order.shipping.gross - shipping_refunded
    if shipping_left.amount > 0:
        if full and refund_shipping == "full_return":
            shipping = shipping_left
            notes.append("shipping refunded: everything has come back")
        elif our_fault and shipping_on_fault:
            shipping = shipping_left
            notes.append("shipping refunded: the reason is our fault")
    duties = zero
    if order.duties is not None and full and refund_duties:
        left = order.duties - duties_refunded
        duties = left if left.amount > 0 else zero
    subtotal = sum((x.amount for x in lines), zero) + shipping + duties
    label = zero
    if label_cost is not None and not our_fault and label_cost.amount > 0:
        label = min(label_cost, subtotal)
        notes.append("return label paid by the customer")
    due = subtotal - label
    capped = due - balance if due > balance else zero
    if capped.amount:
        notes.append(f"capped at {balance}: what the payment still holds")
    return RefundBreakdown(
        currency=currency,
        lines=tuple(lines),
        shipping=shipping,
        duties=duties,
        label=label,
        capped=capped,
        total=due - capped,
        full_return=full,
        notes=tuple(notes),
    )
