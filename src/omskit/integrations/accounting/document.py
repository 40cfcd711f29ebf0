"""Accounting documents: invoices and credit notes as omskit computed them.

An [`AccountingDocument`][] is the ledger-neutral form: lines with their net amount and
the taxes omskit charged on each, per rate. The QuickBooks and Xero builders translate
it field by field and send omskit's tax, never a tax the ledger would recompute, so the
ledger's totals equal omskit's to the minor unit:

* [`invoice_from_order`][] takes an order's quote: one line per quote line, shipping as
  a line of its own (SKU ``SHIPPING_SKU``), duties charged at checkout as a tax-free
  line; the document's total is the order's gross total;
* [`credit_note_for_refund`][] spreads a refunded gross amount over an invoice's lines
  by their gross amounts (largest remainder), and each part over net and tax in the
  line's own proportion, so the credit note's lines plus tax make the refund exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, Protocol

import attrs

from omskit.errors import CurrencyMismatch, ValidationError
from omskit.money import Money, allocate, sum_money

__all__ = [
    "DUTIES_SKU",
    "SHIPPING_SKU",
    "AccountingDocument",
    "DocumentKind",
    "DocumentLine",
    "LineTax",
    "OrderLike",
    "TaxSummary",
    "credit_note_for_refund",
    "invoice_from_order",
]

#: The SKU a shipping line carries (map it to the ledger's shipping item).
SHIPPING_SKU = "SHIPPING"
#: The SKU of a line of duties and import taxes charged at checkout.
DUTIES_SKU = "DUTIES"

DocumentKind = Literal["invoice", "credit_note"]
_MAX_NUMBER = 21  # QuickBooks' DocNumber limit; Xero allows 255


@attrs.frozen
class LineTax:
    """One tax on one line: its label (``"VAT 19% (DE)"``), percentage and amount."""

    code: str
    rate: Decimal
    amount: Money


@attrs.frozen
class DocumentLine:
    """One line: ``net`` before tax and the ``taxes`` charged on it.

    Attributes:
        sku: the product (``SHIPPING_SKU`` for shipping).
        description: what the customer reads.
        quantity: units (1 for shipping and for credit-note parts).
        net: the line's amount without tax, after discounts.
        taxes: each tax charged on ``net``.
    """

    sku: str
    description: str
    quantity: int
    net: Money
    taxes: tuple[LineTax, ...] = ()

    @property
    def tax(self) -> Money:
        """Every tax on the line."""
        return sum_money((t.amount for t in self.taxes), self.net.currency)

    @property
    def gross(self) -> Money:
        """``net`` plus ``tax``."""
        return self.net + self.tax

    @property
    def tax_code(self) -> str:
        """The line's taxes as one key (``"VAT 19% (DE)"``; ``""`` when untaxed)."""
        return " + ".join(t.code for t in self.taxes)


@attrs.frozen
class TaxSummary:
    """The tax of one rate over a document: what a ledger lists per rate."""

    code: str
    rate: Decimal
    taxable: Money
    tax: Money


def _check_lines(doc: AccountingDocument, _attr: object, lines: tuple[DocumentLine, ...]) -> None:
    if not lines:
        raise ValidationError("lines", [], "at least one line")
    for i, line in enumerate(lines):
        amounts = [line.net, *(t.amount for t in line.taxes)]
        for money in amounts:
            if money.currency != doc.currency:
                raise CurrencyMismatch(doc.currency, money.currency, f"put on line {i} of")
            if money.amount != money.quantize().amount:
                raise ValidationError(f"lines[{i}]", str(money), "amounts in minor units")
        if line.quantity < 1:
            raise ValidationError(f"lines[{i}].quantity", line.quantity, "at least 1")


def _check_number(_doc: object, _attr: object, number: str) -> None:
    if not isinstance(number, str) or not 0 < len(number) <= _MAX_NUMBER:
        raise ValidationError("number", number, f"1 to {_MAX_NUMBER} characters (the ledger's key)")


@attrs.frozen(kw_only=True)
class AccountingDocument:
    """An invoice or a credit note, ledger-neutral.

    Attributes:
        kind: ``invoice`` or ``credit_note``.
        number: the document number; also its idempotency key in the ledger.
        date: the transaction date.
        currency: every amount's currency.
        customer_name: the buyer's name (may be empty).
        customer_email: the buyer's email.
        lines: the lines, shipping included.
        reference: the order id (an invoice) or the invoice number (a credit note).
        reason: why a credit note was issued.
    """

    kind: DocumentKind
    number: str = attrs.field(validator=_check_number)
    date: dt.date
    currency: str
    customer_name: str = ""
    customer_email: str = ""
    lines: tuple[DocumentLine, ...] = attrs.field(validator=_check_lines)
    reference: str = ""
    reason: str = ""

    @property
    def subtotal(self) -> Money:
        """Every line's net."""
        return sum_money((line.net for line in self.lines), self.currency)

    @property
    def tax(self) -> Money:
        """Every line's tax."""
        return sum_money((line.tax for line in self.lines), self.currency)

    @property
    def total(self) -> Money:
        """``subtotal`` plus ``tax``."""
        return self.subtotal + self.tax

    def tax_summary(self) -> tuple[TaxSummary, ...]:
        """The tax per rate, in the order the rates first appear."""
        found: dict[str, list[Any]] = {}
        for line in self.lines:
            for tax in line.taxes:
                entry = found.setdefault(tax.code, [tax.rate, Money.zero(self.currency),
                                                    Money.zero(self.currency)])  # fmt: skip
                entry[1] += line.net
                entry[2] += tax.amount
        return tuple(TaxSummary(code, rate, taxable, tax)
                     for code, (rate, taxable, tax) in found.items())  # fmt: skip


class _TaxLineLike(Protocol):
    """A quote's tax line (``omskit.pricing.quote.TaxLine``)."""

    @property
    def label(self) -> str:
        """``"VAT 19% (DE)"``."""
        ...

    rate: Decimal
    amount: Money


class OrderLike(Protocol):
    """What [`invoice_from_order`][] reads of an order (``omskit.orders.Order`` is one)."""

    id: str
    currency: str
    customer_email: str
    customer_name: str
    created_at: dt.datetime
    quote: Any


def _taxes(tax_lines: Iterable[_TaxLineLike]) -> tuple[LineTax, ...]:
    return tuple(LineTax(t.label, t.rate, t.amount) for t in tax_lines if not t.amount.is_zero)


def invoice_from_order(
    order: OrderLike, *, number: str | None = None, date: dt.date | None = None
) -> AccountingDocument:
    """The invoice of ``order`` as priced (its quote): lines, shipping, duties.

    ``number`` defaults to the order id, ``date`` to the day it was placed.

    Raises:
        ValidationError: the order has no quote to invoice from.
    """
    quote = order.quote
    if quote is None:
        raise ValidationError("order.quote", None, "an order priced by omskit")
    lines: list[DocumentLine] = []
    for line in quote.lines:
        if line.quantity <= 0:
            continue
        lines.append(DocumentLine(line.sku, line.name or line.sku, line.quantity,
                                  line.total.net, _taxes(line.taxes)))  # fmt: skip
    if not quote.shipping.gross.is_zero:
        lines.append(DocumentLine(SHIPPING_SKU, "Shipping", 1, quote.shipping.net,
                                  _taxes(quote.shipping_taxes)))  # fmt: skip
    if quote.duties is not None and not quote.duties.is_zero:
        lines.append(DocumentLine(DUTIES_SKU, "Duties and import taxes", 1, quote.duties))
    return AccountingDocument(
        kind="invoice", number=number or order.id,
        date=date or order.created_at.date(), currency=order.currency,
        customer_name=order.customer_name, customer_email=order.customer_email,
        lines=tuple(lines), reference=order.id,
    )  # fmt: skip


def credit_note_for_refund(
    invoice: AccountingDocument,
    amount: Money,
    *,
    number: str,
    date: dt.date,
    reason: str = "",
) -> AccountingDocument:
    """A credit note for ``amount`` (gross) refunded against ``invoice``.

    The amount is spread over the invoice's lines by their gross amounts, and each part
    over net and tax in that line's proportion; lines plus tax make ``amount`` exactly.

    Raises:
        ValidationError: ``amount`` is not positive or exceeds the invoice total.
        CurrencyMismatch: ``amount`` is in another currency.
    """
    if amount.currency != invoice.currency:
        raise CurrencyMismatch(invoice.currency, amount.currency, "credit")
    if not Money.zero(amount.currency) < amount <= invoice.total:
        raise ValidationError(
            "amount", str(amount), f"more than 0 and at most the invoice total {invoice.total}"
        )
    if amount.amount != amount.quantize().amount:
        raise ValidationError("amount", str(amount), "an amount in minor units")
    weights = [line.gross.amount for line in invoice.lines]
    if not any(weights):
        weights = [Decimal(1)] * len(invoice.lines)
    parts = allocate(amount, weights)
    lines: list[DocumentLine] = []
    for line, part in zip(invoice.lines, parts, strict=True):
        if part.is_zero:
            continue
        lines.append(_credit_line(line, part))
    return AccountingDocument(
        kind="credit_note", number=number, date=date, currency=invoice.currency,
        customer_name=invoice.customer_name, customer_email=invoice.customer_email,
        lines=tuple(lines), reference=invoice.number, reason=reason,
    )  # fmt: skip


def _credit_line(line: DocumentLine, part: Money) -> DocumentLine:
    """``part`` of ``line``'s gross, as net and taxes in the line's proportion."""
    gross = line.gross.amount
    tax_total = line.tax.amount
    if not gross or not tax_total:
        return DocumentLine(line.sku, line.description, 1, part)
    tax = Money(part.amount * tax_total / gross, part.currency).quantize(ROUND_HALF_UP)
    shares: Sequence[Money] = allocate(tax, [t.amount.amount for t in line.taxes])
    taxes = tuple(LineTax(t.code, t.rate, s) for t, s in zip(line.taxes, shares, strict=True))
    return DocumentLine(line.sku, line.description, 1, part - tax, taxes)
