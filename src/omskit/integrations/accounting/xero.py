"""Xero: ``Invoices`` (``ACCREC``) and ``CreditNotes`` (``ACCRECCREDIT``) request bodies.

Built for ``PUT /api.xro/2.0/Invoices`` and ``/CreditNotes``:

* ``Type``, ``Contact`` (a ``ContactID``, or a ``Name`` Xero matches or creates),
  ``Date``, ``DueDate`` (invoices; required by Xero when ``AUTHORISED``),
  ``InvoiceNumber`` / ``CreditNoteNumber`` = the document number, ``Reference``,
  ``CurrencyCode``, ``Status``, ``LineAmountTypes`` ``Exclusive`` (amounts are net);
* one line item per document line: ``Description``, ``Quantity``, ``UnitAmount``,
  ``ItemCode`` (from ``items``, when given), ``AccountCode``, ``TaxType`` (from
  ``tax_types`` by the line's tax label), and omskit's ``TaxAmount`` and ``LineAmount``.
  Xero keeps at most 4 decimals in ``UnitAmount``: a line whose net does not divide by
  its quantity at 4 decimals goes as quantity 1 at the line's net, described as
  ``"3 x T-shirt"``, so ``LineAmount`` stays omskit's to the cent.

Send with ``?unitdp=4``. A credit note is allocated to its invoice separately
(``PUT /CreditNotes/{id}/Allocations``), which needs Xero's ids; that call is the
host's. Ignored: tracking categories, branding themes, discounts as rates (omskit's
discounts are already in the net amounts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from omskit.errors import ValidationError
from omskit.integrations.accounting.document import AccountingDocument
from omskit.integrations.schemas import validate_payload

__all__ = ["XERO_STATUSES", "xero_document"]

#: The statuses a new Xero document may be created in.
XERO_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
_FOUR = Decimal("0.0001")


def xero_document(
    doc: AccountingDocument,
    *,
    contact: Mapping[str, str],
    account_code: str,
    tax_types: Mapping[str, str],
    items: Mapping[str, str] | None = None,
    status: Literal["DRAFT", "SUBMITTED", "AUTHORISED"] = "AUTHORISED",
    due_date: dt.date | None = None,
) -> dict[str, Any]:
    """The Xero ``Invoice`` (or ``CreditNote``) for ``doc``.

    Args:
        doc: the invoice or credit note.
        contact: ``{"ContactID": ...}`` or ``{"Name": ...}``.
        account_code: the revenue account (``"200"`` Sales in Xero's default chart).
        tax_types: Xero ``TaxType`` by the line's tax label (``""`` for untaxed lines,
            usually ``"NONE"``).
        items: Xero item codes by SKU; lines of unmapped SKUs carry no ``ItemCode``.
        status: ``DRAFT``, ``SUBMITTED`` or ``AUTHORISED``.
        due_date: an invoice's due date (default: its date).

    Raises:
        ValidationError: a bad contact, status or account, or a tax label not mapped.
    """
    if set(contact) not in ({"ContactID"}, {"Name"}) or not next(iter(contact.values()), ""):
        raise ValidationError("contact", dict(contact), "{'ContactID': id} or {'Name': name}")
    if status not in XERO_STATUSES:
        raise ValidationError("status", status, f"one of {', '.join(XERO_STATUSES)}")
    if not account_code:
        raise ValidationError("account_code", account_code, "a Xero account code such as '200'")
    line_items = []
    for line in doc.lines:
        tax_type = tax_types.get(line.tax_code)
        if not tax_type:
            known = ", ".join(repr(k) for k in sorted(tax_types)) or "none"
            raise ValidationError(f"tax_types[{line.tax_code!r}]", line.tax_code,
                                  f"map it to a Xero TaxType (mapped: {known})")  # fmt: skip
        quantity, unit, description = _quantity_and_unit(line.quantity, line.net.amount,
                                                          line.description)  # fmt: skip
        item: dict[str, Any] = {
            "Description": description[:4000] or line.sku,
            "Quantity": Decimal(quantity),
            "UnitAmount": unit,
            "AccountCode": account_code,
            "TaxType": tax_type,
            "TaxAmount": line.tax.amount,
            "LineAmount": line.net.amount,
        }
        if items and items.get(line.sku):
            item["ItemCode"] = items[line.sku]
        line_items.append(item)
    credit = doc.kind == "credit_note"
    body: dict[str, Any] = {
        "Type": "ACCRECCREDIT" if credit else "ACCREC",
        "Contact": dict(contact),
        "Date": doc.date.isoformat(),
        "LineAmountTypes": "Exclusive",
        "CreditNoteNumber" if credit else "InvoiceNumber": doc.number,
        "Reference": (doc.reason if credit and doc.reason else doc.reference)[:255],
        "CurrencyCode": doc.currency,
        "Status": status,
        "LineItems": line_items,
    }
    if not credit:
        body["DueDate"] = (due_date or doc.date).isoformat()
    validate_payload(body, "xero.credit_note" if credit else "xero.invoice")
    return body


def _quantity_and_unit(quantity: int, net: Decimal, description: str) -> tuple[int, Decimal, str]:
    unit = net / quantity
    if unit == unit.quantize(_FOUR):
        return quantity, unit.quantize(_FOUR).normalize() if unit else unit, description
    return 1, net, f"{quantity} x {description}"
