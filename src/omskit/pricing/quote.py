"""The Quote: every amount an order shows, reconciled to the minor unit, and why."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from decimal import Decimal

import attrs

from omskit.customers.address import Address
from omskit.money import ExchangeRate, Money, TaxedMoney, minor_unit
from omskit.pricing.duties import CustomsLine, DutyEstimate
from omskit.pricing.lines import fast_money, fast_taxed
from omskit.pricing.promotions import AppliedPromotion
from omskit.pricing.tax.model import TaxComponent

__all__ = ["Quote", "QuoteLine", "TaxBreakdown", "TaxLine"]


def _tax_label(name: str, rate: Decimal, jurisdiction: str, compound: bool) -> str:
    """``"VAT 19% (DE)"``, or ``"QST 9.5% (CA-QC, compound)"``."""
    extra = ", compound" if compound else ""
    return f"{name} {rate.normalize():f}% ({jurisdiction}{extra})"


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
        return _tax_label(self.name, self.rate, self.jurisdiction, self.compound)


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
        return _tax_label(self.name, self.rate, self.jurisdiction, self.compound)


_ZERO = Decimal(0)
_ZEROS: dict[str, Decimal] = {}


def _zero(currency: str) -> Decimal:
    """Zero with ``currency``'s minor-unit exponent (``Decimal("0.00")`` for EUR)."""
    found = _ZEROS.get(currency)
    if found is None:
        found = _ZEROS[currency] = _ZERO.quantize(minor_unit(currency))
    return found


def _tax_lines(
    comps: tuple[TaxComponent, ...], parts: tuple[Decimal, ...] | None, total: TaxedMoney
) -> tuple[TaxLine, ...]:
    """The tax lines of one item from its components and taxed amounts.

    One component (the usual case) is charged on the net and is the whole tax; several
    carry their own ``parts`` (compound ones are charged on the net plus earlier taxes).
    """
    if not comps:
        return ()
    net = total.net
    if parts is None:
        c = comps[0]
        return (TaxLine(c.name, c.rate, c.jurisdiction, net, total.tax, c.compound),)
    cur = net.currency
    out: list[TaxLine] = []
    running = _ZERO
    for c, part in zip(comps, parts, strict=True):
        taxable = net.amount + running if c.compound else net.amount
        out.append(TaxLine(c.name, c.rate, c.jurisdiction, fast_money(taxable, cur),
                           fast_money(part, cur), c.compound))  # fmt: skip
        running += part
    return tuple(out)


@attrs.frozen
class QuoteLine:
    """One priced line.

    ``unit_price``, ``list_price`` and ``amount`` (unit price x quantity, before any
    discount) are in the line's basis: gross when ``prices_include_tax`` (the quote's
    basis, unless the line's price came in the other one, such as a marketplace price sent
    gross on a net price list); ``subtotal`` is ``amount`` with net and gross;
    ``discount`` is this line's exact share of every discount, in the same basis;
    ``quote_discount`` is that discount in the quote's basis; ``total`` is after
    discount, with net and gross.

    A quote is kept on every order, so a line stores only what cannot be derived:
    ``list_price``, ``subtotal`` and ``taxes`` are computed on access from the stored
    amounts and the line's tax components (build lines with the pricing engine).
    """

    index: int
    sku: str
    quantity: int
    unit_price: Money
    amount: Money
    discount: Money
    total: TaxedMoney
    tax_class: str = "standard"
    price_note: str = ""
    name: str = ""
    ref: str = ""
    #: the list (base) unit price when it differs from ``unit_price``
    _list_unit: Decimal | None = None
    #: the amounts before discount when they differ from ``total``
    _before: TaxedMoney | None = None
    #: the tax components charged (or, for a reverse charge, the marker), shared
    _comps: tuple[TaxComponent, ...] = ()
    #: each component's tax when there are several (one component: the whole tax)
    _parts: tuple[Decimal, ...] | None = None
    #: whether this line's prices are gross (``None``: built by hand, the quote's basis)
    prices_include_tax: bool | None = None
    #: the discount in the quote's basis when the line is priced in the other basis
    _quote_discount: Decimal | None = None

    @property
    def quote_discount(self) -> Money:
        """``discount`` in the quote's basis (converted at the line's rates, rounded down).

        The same as ``discount`` unless the line's prices are in the other basis.
        """
        if self._quote_discount is None:
            return self.discount
        return fast_money(self._quote_discount, self.discount.currency)

    @property
    def list_price(self) -> Money:
        """The list (base) unit price before sale, tier or group prices."""
        if self._list_unit is None:
            return self.unit_price
        return fast_money(self._list_unit, self.unit_price.currency)

    @property
    def subtotal(self) -> TaxedMoney:
        """``amount`` with net and gross: the line before discounts."""
        return self.total if self._before is None else self._before

    @property
    def taxes(self) -> tuple[TaxLine, ...]:
        """Each tax on the line after discount: rate, jurisdiction, taxable and amount."""
        return _tax_lines(self._comps, self._parts, self.total)

    @property
    def tax(self) -> Money:
        """Gross minus net."""
        return self.total.tax


def _breakdown(tax_lines: Iterable[TaxLine], currency: str) -> tuple[TaxBreakdown, ...]:
    sums: dict[tuple[str, Decimal, str, bool], list[Decimal]] = {}
    for t in tax_lines:
        key = (t.name, t.rate, t.jurisdiction, t.compound)
        acc = sums.get(key)
        if acc is None:
            sums[key] = [t.taxable.amount, t.amount.amount]
        else:
            acc[0] += t.taxable.amount
            acc[1] += t.amount.amount
    return tuple(
        TaxBreakdown(k[0], k[1], k[2], fast_money(v[0], currency), fast_money(v[1], currency),
                     k[3])
        for k, v in sums.items()
    )  # fmt: skip


@attrs.frozen
class Quote:
    """A priced, taxed, discounted basket.

    Invariants (tested as properties): ``gross == net + tax`` for every line and the
    total; ``sum(line.total) + shipping + duties == total``; the line discounts add up to
    ``discount_total``.

    A quote is kept on every order, so it stores only what cannot be derived:
    ``subtotal``, ``discount_total``, ``shipping_discount``, ``shipping_taxes``,
    ``tax_total``, ``tax_breakdown``, ``coupons`` and ``line_total`` are computed on
    access (each time; keep the result if you read one often).
    """

    currency: str
    channel: str
    price_list: str
    prices_include_tax: bool
    quoted_at: dt.datetime
    lines: tuple[QuoteLine, ...]
    shipping: TaxedMoney
    duties: Money
    total: TaxedMoney
    promotions: tuple[AppliedPromotion, ...]
    fx_rate: ExchangeRate | None
    customs: tuple[CustomsLine, ...]
    duty_estimate: DutyEstimate | None
    incoterm: str
    treatment: str
    tax_provider: str
    ship_to: Address | None
    customer_key: str
    notes: tuple[str, ...] = ()
    #: shipping's tax components and, when several, each one's tax (see QuoteLine)
    _ship_comps: tuple[TaxComponent, ...] = ()
    _ship_parts: tuple[Decimal, ...] | None = None

    @property
    def subtotal(self) -> TaxedMoney:
        """The lines before discounts (net and gross), without shipping and duties."""
        net = gross = _zero(self.currency)
        for line in self.lines:
            before = line.subtotal
            net += before.net.amount
            gross += before.gross.amount
        return fast_taxed(net, gross, self.currency)

    @property
    def discount_total(self) -> Money:
        """Every discount on the lines (the sum of ``line.quote_discount``), in the list's basis.

        That is the sum of ``line.discount`` unless some line is priced in the other basis.
        """
        total = _zero(self.currency)
        for line in self.lines:
            other = line._quote_discount
            total += line.discount.amount if other is None else other
        return fast_money(total, self.currency)

    @property
    def shipping_discount(self) -> Money:
        """What promotions took off the shipping charge."""
        total = _zero(self.currency)
        for p in self.promotions:
            total += p.shipping.amount
        return fast_money(total, self.currency)

    @property
    def shipping_taxes(self) -> tuple[TaxLine, ...]:
        """The taxes on shipping."""
        return _tax_lines(self._ship_comps, self._ship_parts, self.shipping)

    @property
    def tax_total(self) -> Money:
        """All tax charged: on the lines and on shipping (duties are not tax here)."""
        return self.total.tax

    @property
    def tax_breakdown(self) -> tuple[TaxBreakdown, ...]:
        """The tax per rate over lines and shipping: what an invoice lists per rate."""
        return _breakdown(
            itertools.chain.from_iterable(
                [*(line.taxes for line in self.lines), self.shipping_taxes]
            ),
            self.currency,
        )

    @property
    def coupons(self) -> tuple[str, ...]:
        """The coupon codes that applied a promotion."""
        return tuple(p.coupon for p in self.promotions if p.coupon)

    @property
    def line_total(self) -> TaxedMoney:
        """The lines after discounts, without shipping and duties."""
        net = gross = _zero(self.currency)
        for line in self.lines:
            net += line.total.net.amount
            gross += line.total.gross.amount
        return fast_taxed(net, gross, self.currency)

    def explain(self) -> str:
        """A readable account of every price, promotion, tax and total in the quote."""
        basis = "tax included" if self.prices_include_tax else "before tax"
        out = _explain_header(self, basis)
        out.append("Lines:")
        for line in self.lines:
            out.extend(_explain_line(line, self.prices_include_tax, basis))
        out.extend(_explain_promotions(self.promotions))
        out.extend(_explain_shipping(self, basis))
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


def _explain_header(quote: Quote, basis: str) -> list[str]:
    """The opening of ``Quote.explain``: channel, price list, exchange rate, tax treatment."""
    out = [
        f"Quote in {quote.currency} on channel {quote.channel!r}, "
        f"{quote.quoted_at:%Y-%m-%d %H:%M %Z}",
        f"Prices: price list {quote.price_list!r} ({basis})",
    ]
    if quote.fx_rate is not None:
        r = quote.fx_rate
        out.append(f"Exchange rate: 1 {r.base} = {r.rate} {r.quote} ({r.source}, {r.as_of})")
    where = quote.ship_to.one_line() if quote.ship_to else "no destination given"
    out.append(
        f"Tax: {quote.treatment.replace('_', ' ')} (provider {quote.tax_provider!r}); "
        f"ship to {where}"
    )
    return out


def _explain_line(line: QuoteLine, inclusive: bool, basis: str) -> list[str]:
    """One line of the quote as ``Quote.explain`` shows it, with its discount and taxes."""
    other = line.prices_include_tax not in (None, inclusive)
    mode = (" tax included" if line.prices_include_tax else " before tax") if other else ""
    out = [
        f"  #{line.index} {line.sku} x {line.quantity} at {line.unit_price.amount}"
        f"{mode} ({line.price_note}) = {line.amount.amount}"
    ]
    detail = f"total {line.total.gross.amount} gross, {line.total.net.amount} net"
    if line.discount.amount:
        shown = f"-{line.discount.amount}"
        if line._quote_discount is not None:
            shown += f" (-{line._quote_discount} {basis})"
        detail = f"discount {shown}; {detail}"
    out.append(f"     {detail}")
    for tax in line.taxes:
        out.append(f"     {tax.label}: {tax.amount.amount} on {tax.taxable.amount}")
    return out


def _explain_promotions(promotions: tuple[AppliedPromotion, ...]) -> list[str]:
    """The promotions applied, as ``Quote.explain`` lists them (nothing when none)."""
    if not promotions:
        return []
    out = ["Promotions:"]
    for p in promotions:
        via = f" [coupon {p.coupon}]" if p.coupon else ""
        on = f" on lines {', '.join(f'#{i}' for i in p.lines)}" if p.lines else ""
        ship = ""
        if p.shipping.amount:
            ship = f" and -{p.shipping.amount} on shipping" if p.lines else " on shipping"
        out.append(
            f"  {p.promotion} {p.name!r}: {p.description}: -{p.amount.amount}{on}{ship}{via}"
        )
    return out


def _explain_shipping(quote: Quote, basis: str) -> list[str]:
    """The shipping charge, its discount and its taxes, as ``Quote.explain`` shows them."""
    shipping = quote.shipping
    off = ""
    if quote.shipping_discount.amount:
        off = (
            f" after -{quote.shipping_discount.amount} off the charge "
            f"({basis}; tax on what is left)"
        )
    out = [f"Shipping: {shipping.gross.amount} gross, {shipping.net.amount} net{off}"]
    for tax in quote.shipping_taxes:
        if not tax.taxable.is_zero:
            out.append(f"     {tax.label}: {tax.amount.amount} on {tax.taxable.amount}")
    return out
