"""The daily sales journal: every invoice and credit note of a day as balanced entries.

One CSV row per entry (``date, document, account, debit, credit, currency, memo``):
an invoice debits receivables with its total and credits sales with its net and tax
payable with each rate's tax; a credit note does the reverse. Each document balances,
so the day does: debits equal credits, per currency, to the minor unit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

import attrs

from omskit.errors import ValidationError
from omskit.integrations.accounting.document import AccountingDocument
from omskit.money import Money

__all__ = ["JournalAccounts", "JournalEntry", "journal_csv", "journal_entries"]


@attrs.frozen
class JournalAccounts:
    """The ledger accounts the journal posts to (names or codes of the host's chart)."""

    receivable: str = "Accounts receivable"
    sales: str = "Sales"
    returns: str = "Sales returns"
    tax: str = "Sales tax payable"


@attrs.frozen
class JournalEntry:
    """One journal row: ``debit`` or ``credit`` (the other is zero) on ``account``."""

    date: dt.date
    document: str
    account: str
    debit: Money
    credit: Money
    memo: str = ""


def journal_entries(
    documents: Iterable[AccountingDocument],
    day: dt.date,
    accounts: JournalAccounts | None = None,
) -> list[JournalEntry]:
    """The entries of the documents dated ``day``, document by document."""
    acc = accounts or JournalAccounts()
    out: list[JournalEntry] = []
    for doc in documents:
        if doc.date != day:
            continue
        reverse = doc.kind == "credit_note"
        entries = [
            (acc.receivable, doc.total, doc.reference, True),
            (acc.returns if reverse else acc.sales, doc.subtotal, "net", False),
            *((acc.tax, t.tax, t.code, False) for t in doc.tax_summary()),
        ]
        zero = Money.zero(doc.currency).quantize()
        for account, amount, memo, debit in entries:
            if amount.is_zero:
                continue
            is_debit = debit != reverse
            out.append(JournalEntry(doc.date, doc.number, account,
                                    amount if is_debit else zero,
                                    zero if is_debit else amount, memo))  # fmt: skip
    return out


def journal_csv(entries: Iterable[JournalEntry]) -> str:
    """The entries as CSV with a header row; debits and credits as exact decimals.

    Raises:
        ValidationError: the entries do not balance (debits differ from credits).
    """
    rows = list(entries)
    totals: dict[str, list[Money]] = {}
    for e in rows:
        pair = totals.setdefault(e.debit.currency, [Money.zero(e.debit.currency)] * 2)
        pair[0] += e.debit
        pair[1] += e.credit
    for currency, (debit, credit) in totals.items():
        if debit != credit:
            raise ValidationError("entries", currency, f"debits {debit} equal credits {credit}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["date", "document", "account", "debit", "credit", "currency", "memo"])
    for e in rows:
        writer.writerow([e.date.isoformat(), e.document, e.account, e.debit.amount,
                         e.credit.amount, e.debit.currency, e.memo])  # fmt: skip
    return buffer.getvalue()
