"""The Quote: every amount an order shows, reconciled to the minor unit, and why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from omskit.customers.address import Address
from omskit.money import ExchangeRate, Money, TaxedMoney
from omskit.pricing.duties import CustomsLine, DutyEstimate
from omskit.pricing.promotions import AppliedPromotion

__all__ = ["Quote", "QuoteLine", "TaxBreakdown", "TaxLine"]


def _pct(rate: Decimal) -> str:
    return f"{rate.normalize():f}%"


@attrs.frozen
class TaxLine:
    """One tax on one line (or on shipping): ``amount`` charged on ``taxable``."""

    name: str
    rate: Decimal
    jurisdiction: str
    taxable: Money
    amount: Money
    compound: bool = False

    @property
    def label(self) -> str:
        """``"VAT 19% (DE)"``."""
        extra = ", compound" if self.compound else ""
        return f"{self.name} {_pct(self.rate)} ({self.jurisdiction}{extra})"


@attrs.frozen
class TaxBreakdown:
    """The tax of one rate over the whole quote: what an invoice lists per rate."""

    name: str
    rate: Decimal
    jurisdiction: str
    taxable: Money
    tax: Money
    compound: bool = False

    @property
    def label(self) -> str:
        """``"VAT 19% (DE)"``."""
        extra = ", compound" if self.compound else ""
        return f"{self.name} {_pct(self.rate)} ({self.jurisdiction}{extra})"


@attrs.frozen
class QuoteLine:
    """One priced line.

    ``unit_price``, ``list_price`` and ``amount`` (unit price x quantity, before any
    discount) are in the price list's basis (gross when ``Quote.prices_include_tax``);
    ``subtotal`` is ``amount`` with net and gross; ``discount`` is this line's exact share of every
    discount, in the same basis; ``total`` is after discount, with net and gross.
    """

    index: int
    sku: str
    quantity: int
    unit_price: Money
    list_price: Money
    amount: Money
    discount: Money
    subtotal: TaxedMoney
    total: TaxedMoney
    taxes: tuple[TaxLine, ...]
    tax_class: str = "standard"
    price_note: str = ""
    name: str = ""
    ref: str = ""

    @property
    def tax(self) -> Money:
        """Gross minus net."""
        return self.total.tax


@attrs.frozen
class Quote:
    """A priced, taxed, discounted basket.

    Invariants (tested as properties): ``gross == net + tax`` for every line and the
    total; ``sum(line.total) + shipping + duties == total``; the line discounts add up to
    ``discount_total``.
    """

    currency: str
    channel: str
    price_list: str
    prices_include_tax: bool
    quoted_at: dt.datetime
    lines: tuple[QuoteLine, ...]
    subtotal: TaxedMoney
    discount_total: Money
    shipping: TaxedMoney
    shipping_discount: Money
    shipping_taxes: tuple[TaxLine, ...]
    duties: Money
    tax_total: Money
    total: TaxedMoney
    tax_breakdown: tuple[TaxBreakdown, ...]
    promotions: tuple[AppliedPromotion, ...]
    coupons: tuple[str, ...]
    fx_rate: ExchangeRate | None
    customs: tuple[CustomsLine, ...]
    duty_estimate: DutyEstimate | None
    incoterm: str
    treatment: str
    tax_provider: str
    ship_to: Address | None
    customer_key: str
    notes: tuple[str, ...] = ()

    @property
    def line_total(self) -> TaxedMoney:
        """The lines after discounts, without shipping and duties."""
        total = TaxedMoney.zero(self.currency)
        for line in self.lines:
            total = total + line.total
        return total

    def explain(self) -> str:
        """A readable account of every price, promotion, tax and total in the quote."""
        basis = "tax included" if self.prices_include_tax else "before tax"
        out = [
            f"Quote in {self.currency} on channel {self.channel!r}, "
            f"{self.quoted_at:%Y-%m-%d %H:%M %Z}",
            f"Prices: price list {self.price_list!r} ({basis})",
        ]
        if self.fx_rate is not None:
            r = self.fx_rate
            out.append(f"Exchange rate: 1 {r.base} = {r.rate} {r.quote} ({r.source}, {r.as_of})")
        where = self.ship_to.one_line() if self.ship_to else "no destination given"
        out.append(
            f"Tax: {self.treatment.replace('_', ' ')} (provider {self.tax_provider!r}); "
            f"ship to {where}"
        )
        out.append("Lines:")
        for line in self.lines:
            out.append(
                f"  #{line.index} {line.sku} x {line.quantity} at {line.unit_price.amount} "
                f"({line.price_note}) = {line.amount.amount}"
            )
            detail = f"total {line.total.gross.amount} gross, {line.total.net.amount} net"
            if line.discount.amount:
                detail = f"discount -{line.discount.amount}; {detail}"
            out.append(f"     {detail}")
            for tax in line.taxes:
                out.append(f"     {tax.label}: {tax.amount.amount} on {tax.taxable.amount}")
        if self.promotions:
            out.append("Promotions:")
            for p in self.promotions:
                via = f" [coupon {p.coupon}]" if p.coupon else ""
                on = f" on lines {', '.join(f'#{i}' for i in p.lines)}" if p.lines else ""
                ship = " and shipping" if p.shipping.amount else ""
                out.append(
                    f"  {p.promotion} {p.name!r}: {p.description}: -{p.amount.amount}"
                    f"{on}{ship}{via}"
                )
        shipping = self.shipping
        off = f" after -{self.shipping_discount.amount}" if self.shipping_discount.amount else ""
        out.append(f"Shipping: {shipping.gross.amount} gross, {shipping.net.amount} net{off}")
        for tax in self.shipping_taxes:
            if tax.taxable.is_zero:
                continue
            out.append(f"     {tax.label}: {tax.amount.amount} on {tax.taxable.amount}")
        if self.tax_breakdown:
            out.append("Taxes by rate:")
            for b in self.tax_breakdown:
                out.append(f"  {b.label}: {b.tax.amount} on {b.taxable.amount}")
        if self.duty_estimate is not None:
            d = self.duty_estimate
            who = "charged now (DDP)" if self.incoterm == "DDP" else "paid by the buyer (DAP)"
            out.append(
                f"Import into {d.destination}: duty {d.duty.amount}, import tax "
                f"{d.import_tax.amount}, {who}"
            )
            out.extend(f"  {n}" for n in d.notes)
        out.append(
            f"Totals: subtotal {self.subtotal.gross.amount}, discounts "
            f"-{self.discount_total.amount}, shipping {self.shipping.gross.amount}, duties "
            f"{self.duties.amount}, tax {self.tax_total.amount}; net "
            f"{self.total.net.amount}, gross {self.total.gross.amount} {self.currency}"
        )
        if self.notes:
            out.append("Notes:")
            out.extend(f"  {n}" for n in self.notes)
        return "\n".join(out)
