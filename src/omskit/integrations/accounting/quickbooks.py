"""QuickBooks Online: ``Invoice`` and ``CreditMemo`` request bodies from omskit documents.

Built for ``POST /v3/company/{realm}/invoice`` and ``.../creditmemo``:

* ``CustomerRef`` (the host's QuickBooks customer id), ``DocNumber`` = the document
  number (omskit's order or credit note id: the idempotency reference), ``TxnDate``,
  ``CurrencyRef``, ``BillEmail``, ``PrivateNote`` (the reference and reason);
* one ``SalesItemLineDetail`` line per document line: ``Amount`` (net), ``Qty``,
  ``UnitPrice`` (net / quantity, up to 7 decimals, so ``Amount`` = ``Qty`` x
  ``UnitPrice`` to the cent), ``ItemRef`` (from ``items``, by SKU) and ``TaxCodeRef``
  (from ``tax_codes``, by the line's tax label);
* ``GlobalTaxCalculation`` ``TaxExcluded`` (amounts are net) and ``TxnTaxDetail`` with
  ``TotalTax`` = omskit's tax and, when ``tax_rates`` maps the labels, one
  ``TaxLineDetail`` per rate (``TaxRateRef``, ``TaxPercent``, ``NetAmountTaxable``,
  ``Amount``), so QuickBooks records omskit's tax instead of computing its own.

A SKU or tax label without a mapping is refused with a [`ValidationError`][]
naming it; the body is checked against QuickBooks' documented ``Invoice`` /
``CreditMemo`` fields (``omskit/integrations/schemas``) before it is returned.
Ignored: addresses, terms, classes, departments, custom fields, and updates
(``Id`` / ``SyncToken``): documents are created once, under their number.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from omskit.errors import ValidationError
from omskit.integrations.accounting.document import AccountingDocument
from omskit.integrations.schemas import validate_payload
from omskit.money import Money, sum_money

__all__ = ["check_quickbooks_totals", "quickbooks_document"]

_UNIT_PLACES = Decimal("0.0000001")


def _ref(mapping: Mapping[str, str], key: str, field: str, what: str) -> dict[str, str]:
    value = mapping.get(key)
    if not value:
        known = ", ".join(repr(k) for k in sorted(mapping)) or "none"
        raise ValidationError(f"{field}[{key!r}]", key, f"map it to a QuickBooks {what} "
                              f"(mapped: {known})")  # fmt: skip
    return {"value": value}


def quickbooks_document(
    doc: AccountingDocument,
    *,
    customer_ref: str,
    items: Mapping[str, str],
    tax_codes: Mapping[str, str],
    tax_rates: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ``Invoice`` (or, for a credit note, ``CreditMemo``) body for ``doc``.

    Args:
        doc: the invoice or credit note.
        customer_ref: the QuickBooks ``Customer.Id``.
        items: QuickBooks ``Item.Id`` by SKU (``SHIPPING_SKU`` for shipping).
        tax_codes: ``TaxCode.Id`` by the line's tax label (``""`` for untaxed lines,
            usually ``"NON"``).
        tax_rates: ``TaxRate.Id`` by tax label, to send omskit's tax per rate.

    Raises:
        ValidationError: an empty ``customer_ref``, or a SKU / tax label not mapped.
    """
    if not customer_ref:
        raise ValidationError("customer_ref", customer_ref, "the QuickBooks Customer.Id")
    lines: list[dict[str, Any]] = []
    for i, line in enumerate(doc.lines):
        unit = (line.net.amount / line.quantity).quantize(_UNIT_PLACES)
        lines.append({
            "LineNum": i + 1,
            "DetailType": "SalesItemLineDetail",
            "Amount": line.net.amount,
            "Description": line.description[:4000],
            "SalesItemLineDetail": {
                "ItemRef": _ref(items, line.sku, "items", "Item id"),
                "Qty": line.quantity,
                "UnitPrice": unit.normalize() if unit == unit.to_integral() else unit,
                "TaxCodeRef": _ref(tax_codes, line.tax_code, "tax_codes", "TaxCode id"),
            },
        })  # fmt: skip
    detail: dict[str, Any] = {"TotalTax": doc.tax.amount}
    if tax_rates is not None:
        detail["TaxLine"] = [
            {
                "DetailType": "TaxLineDetail",
                "Amount": summary.tax.amount,
                "TaxLineDetail": {
                    "TaxRateRef": _ref(tax_rates, summary.code, "tax_rates", "TaxRate id"),
                    "PercentBased": True,
                    "TaxPercent": summary.rate,
                    "NetAmountTaxable": summary.taxable.amount,
                },
            }
            for summary in doc.tax_summary()
        ]
    body: dict[str, Any] = {
        "DocNumber": doc.number,
        "TxnDate": doc.date.isoformat(),
        "CustomerRef": {"value": customer_ref},
        "CurrencyRef": {"value": doc.currency},
        "GlobalTaxCalculation": "TaxExcluded",
        "Line": lines,
        "TxnTaxDetail": detail,
    }
    if doc.customer_email:
        body["BillEmail"] = {"Address": doc.customer_email}
    note = " ".join(p for p in (doc.reference and f"omskit {doc.reference}", doc.reason) if p)
    if note:
        body["PrivateNote"] = note[:4000]
    credit = doc.kind == "credit_note"
    validate_payload(body, "quickbooks.creditmemo" if credit else "quickbooks.invoice")
    return body


def check_quickbooks_totals(body: Mapping[str, Any], currency: str) -> Money:
    """The total of a QuickBooks ``Invoice`` / ``CreditMemo``, checked to add up.

    Sales lines (``Amount`` = ``Qty`` x ``UnitPrice``, to the cent) plus
    ``TxnTaxDetail.TotalTax`` must make ``TotalAmt`` (when present, as in the answer).

    Raises:
        ValidationError: a line or the total does not add up (the field is named).
    """
    amounts: list[Money] = []
    for i, line in enumerate(body.get("Line", [])):
        if line.get("DetailType") != "SalesItemLineDetail":
            continue
        amount = Money(line["Amount"], currency)
        detail = line.get("SalesItemLineDetail", {})
        if "Qty" in detail and "UnitPrice" in detail:
            product = Money(Decimal(detail["Qty"]) * Decimal(detail["UnitPrice"]), currency)
            if product.quantize() != amount.quantize():
                raise ValidationError(f"Line[{i}].Amount", str(amount),
                                      f"Qty x UnitPrice = {product}")  # fmt: skip
        amounts.append(amount)
    tax = Money(body.get("TxnTaxDetail", {}).get("TotalTax", 0), currency)
    total = (sum_money(amounts, currency) + tax).quantize()
    stated = body.get("TotalAmt")
    if stated is not None and Money(stated, currency).quantize() != total:
        raise ValidationError("TotalAmt", stated, f"lines plus tax make {total}")
    return total
