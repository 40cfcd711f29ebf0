"""Accounting: invoices and credit notes for QuickBooks Online and Xero, a sales journal.

Documents are built from omskit's own numbers ([`invoice_from_order`][
omskit.integrations.accounting.document.invoice_from_order],
[`credit_note_for_refund`][omskit.integrations.accounting.document.credit_note_for_refund])
and translated per ledger; send the bodies with the host's transport
(``dumps_exact`` writes them with exact decimal numbers).
"""

from omskit.integrations.accounting.document import (
    DUTIES_SKU,
    SHIPPING_SKU,
    AccountingDocument,
    DocumentKind,
    DocumentLine,
    LineTax,
    OrderLike,
    TaxSummary,
    credit_note_for_refund,
    invoice_from_order,
)
from omskit.integrations.accounting.exactjson import dumps_exact
from omskit.integrations.accounting.journal import (
    JournalAccounts,
    JournalEntry,
    journal_csv,
    journal_entries,
)
from omskit.integrations.accounting.quickbooks import check_quickbooks_totals, quickbooks_document
from omskit.integrations.accounting.xero import XERO_STATUSES, xero_document

__all__ = [
    "DUTIES_SKU",
    "SHIPPING_SKU",
    "XERO_STATUSES",
    "AccountingDocument",
    "DocumentKind",
    "DocumentLine",
    "JournalAccounts",
    "JournalEntry",
    "LineTax",
    "OrderLike",
    "TaxSummary",
    "check_quickbooks_totals",
    "credit_note_for_refund",
    "dumps_exact",
    "invoice_from_order",
    "journal_csv",
    "journal_entries",
    "quickbooks_document",
    "xero_document",
]
