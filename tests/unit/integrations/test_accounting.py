"""Invoices and credit notes for QuickBooks Online and Xero, and the sales journal."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit import OMS
from omskit.errors import CurrencyMismatch, ValidationError
from omskit.integrations.accounting import (
    SHIPPING_SKU,
    AccountingDocument,
    DocumentLine,
    LineTax,
    check_quickbooks_totals,
    credit_note_for_refund,
    dumps_exact,
    invoice_from_order,
    journal_csv,
    journal_entries,
    quickbooks_document,
    xero_document,
)
from omskit.money import Money
from omskit.testing import FakeClock

from .fixtures import load

DAY = dt.date(2026, 12, 3)
VAT = "VAT 19% (DE)"
QB = {"items": {"TEE": "5", "MUG": "11", SHIPPING_SKU: "3"},
      "tax_codes": {VAT: "TAX", "": "NON"}, "tax_rates": {VAT: "7"}}  # fmt: skip
XERO = {"contact": {"Name": "Dana Levi"}, "account_code": "200",
        "tax_types": {VAT: "OUTPUT2", "": "NONE"}}  # fmt: skip
XERO_FIELDS = load("xero", "schema_fields.json")


def line(sku: str, net: str, tax: str | None, quantity: int = 1) -> DocumentLine:
    taxes = (LineTax(VAT, Decimal(19), Money(tax, "EUR")),) if tax is not None else ()
    return DocumentLine(sku, sku.title(), quantity, Money(net, "EUR"), taxes)


def invoice(*lines: DocumentLine) -> AccountingDocument:
    return AccountingDocument(kind="invoice", number="ord_000001", date=DAY, currency="EUR",
                              customer_email="dana@example.com", lines=lines,
                              reference="ord_000001")  # fmt: skip


SAMPLE = invoice(line("TEE", "50.17", "9.53", 3), line("MUG", "10.50", "2.00"),
                 line(SHIPPING_SKU, "4.20", None))  # fmt: skip


# -- the recorded documents ------------------------------------------------------------------
def test_the_recorded_quickbooks_invoice_adds_up() -> None:
    body = load("quickbooks", "invoice.json")["Invoice"]
    assert check_quickbooks_totals(body, "USD") == Money("362.07", "USD")


def test_a_quickbooks_invoice_that_does_not_add_up_is_refused() -> None:
    body = load("quickbooks", "invoice.json")["Invoice"] | {"TotalAmt": Decimal("362.08")}
    with pytest.raises(ValidationError, match="TotalAmt"):
        check_quickbooks_totals(body, "USD")


def test_our_quickbooks_body_has_the_recorded_invoices_shape() -> None:
    sample = load("quickbooks", "invoice.json")["Invoice"]
    body = quickbooks_document(SAMPLE, customer_ref="24", **QB)
    assert set(body) - {"GlobalTaxCalculation", "PrivateNote", "CurrencyRef"} <= set(sample)
    ours, theirs = body["Line"][0], sample["Line"][0]
    assert set(ours) - {"LineNum"} <= set(theirs)
    assert set(ours["SalesItemLineDetail"]) == set(theirs["SalesItemLineDetail"])
    tax_line = body["TxnTaxDetail"]["TaxLine"][0]
    recorded = sample["TxnTaxDetail"]["TaxLine"][0]
    assert set(tax_line) == set(recorded)
    assert set(tax_line["TaxLineDetail"]) == set(recorded["TaxLineDetail"])


def test_our_xero_bodies_use_only_the_documented_fields_and_values() -> None:
    body = xero_document(SAMPLE, **XERO)  # type: ignore[arg-type]
    assert set(body) <= set(XERO_FIELDS["Invoice"])
    assert body["Type"] in XERO_FIELDS["Invoice.Type"]
    assert body["LineAmountTypes"] in XERO_FIELDS["LineAmountTypes"]
    assert body["Status"] in XERO_FIELDS["Invoice.Status"]
    for item in body["LineItems"]:
        assert set(item) <= set(XERO_FIELDS["LineItem"])
    credit = credit_note_for_refund(SAMPLE, Money("20.00", "EUR"), number="cn_1", date=DAY)
    note = xero_document(credit, **XERO)  # type: ignore[arg-type]
    assert set(note) <= set(XERO_FIELDS["CreditNote"])
    assert note["Type"] == "ACCRECCREDIT"
    assert note["Type"] in XERO_FIELDS["CreditNote.Type"]


def test_the_recorded_xero_request_reads_like_ours() -> None:
    recorded = load("xero", "invoices_put_request.json")["Invoices"][0]
    body = xero_document(SAMPLE, **XERO)  # type: ignore[arg-type]
    assert set(recorded) - {"Contact"} <= set(body) | {"Reference"}
    assert set(recorded["LineItems"][0]) <= set(body["LineItems"][0])


# -- the mapping -----------------------------------------------------------------------------
def test_quickbooks_gets_omskits_tax_per_rate_and_the_document_number() -> None:
    body = quickbooks_document(SAMPLE, customer_ref="24", **QB)
    assert body["DocNumber"] == "ord_000001"
    assert body["GlobalTaxCalculation"] == "TaxExcluded"
    assert body["TxnTaxDetail"]["TotalTax"] == Decimal("11.53")
    (rate,) = body["TxnTaxDetail"]["TaxLine"]
    assert rate["TaxLineDetail"]["NetAmountTaxable"] == Decimal("60.67")
    tee = body["Line"][0]["SalesItemLineDetail"]
    assert (tee["Qty"], tee["UnitPrice"]) == (3, Decimal("16.7233333"))
    assert check_quickbooks_totals(body, "EUR") == SAMPLE.total == Money("76.40", "EUR")


def test_an_unmapped_sku_or_tax_label_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError) as info:
        quickbooks_document(SAMPLE, customer_ref="24", items={"TEE": "5"},
                            tax_codes=QB["tax_codes"])  # fmt: skip
    assert info.value.field == "items['MUG']"
    with pytest.raises(ValidationError) as info:
        xero_document(SAMPLE, contact={"Name": "D"}, account_code="200", tax_types={})
    assert info.value.field == "tax_types['VAT 19% (DE)']"


def test_a_xero_line_that_does_not_divide_goes_as_one_unit_at_the_net() -> None:
    body = xero_document(SAMPLE, **XERO)  # type: ignore[arg-type]
    tee, mug = body["LineItems"][:2]
    assert (tee["Quantity"], tee["UnitAmount"], tee["Description"]) == (
        1,
        Decimal("50.17"),
        "3 x Tee",
    )
    assert (mug["Quantity"], mug["UnitAmount"], mug["TaxAmount"]) == (
        1,
        Decimal("10.5"),
        Decimal("2.00"),
    )


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"contact": {}}, "contact"),
        ({"status": "PAID"}, "status"),
        ({"account_code": ""}, "account_code"),
    ],
)
def test_bad_xero_options_name_the_field(options: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        xero_document(SAMPLE, **(XERO | options))  # type: ignore[arg-type]
    assert info.value.field == field


def test_exact_json_writes_decimals_as_written_and_refuses_floats() -> None:
    body = quickbooks_document(SAMPLE, customer_ref="24", **QB)
    text = dumps_exact(body)
    assert b'"TotalTax":11.53' in text
    assert b'"UnitPrice":16.7233333' in text
    assert json.loads(text, parse_float=Decimal)["TxnTaxDetail"]["TotalTax"] == Decimal("11.53")
    with pytest.raises(TypeError):
        dumps_exact({"Amount": 0.1})


def test_a_document_needs_a_number_lines_and_one_currency() -> None:
    with pytest.raises(ValidationError, match="number"):
        AccountingDocument(kind="invoice", number="x" * 22, date=DAY, currency="EUR",
                           lines=SAMPLE.lines)  # fmt: skip
    with pytest.raises(ValidationError, match="lines"):
        AccountingDocument(kind="invoice", number="1", date=DAY, currency="EUR", lines=())
    with pytest.raises(CurrencyMismatch):
        AccountingDocument(kind="invoice", number="1", date=DAY, currency="USD",
                           lines=SAMPLE.lines)  # fmt: skip


def test_a_refund_over_the_invoice_is_refused() -> None:
    with pytest.raises(ValidationError, match="at most the invoice total"):
        credit_note_for_refund(SAMPLE, Money("76.41", "EUR"), number="cn", date=DAY)


def test_a_full_refund_mirrors_the_invoice() -> None:
    note = credit_note_for_refund(SAMPLE, SAMPLE.total, number="cn", date=DAY)
    assert [(n.net, n.tax) for n in note.lines] == [(i.net, i.tax) for i in SAMPLE.lines]


# -- from a real order -----------------------------------------------------------------------
def test_an_orders_invoice_matches_its_total_to_the_cent() -> None:
    oms = OMS.in_memory(clock=FakeClock(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)),
                        autoload=False)  # fmt: skip
    for sku, price in (("TEE", "19.90"), ("MUG", "12.45")):
        oms.catalog.add_product(sku, name=sku.title(), price=price, currency="EUR")
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
    for sku in ("TEE", "MUG"):
        oms.inventory.receive(sku, location="BER", quantity=20)
    order = oms.orders.capture({
        "channel": "web", "external_id": "W-1", "customer": {"email": "dana@example.com"},
        "ship_to": {"country": "DE", "line1": "Torstr. 1", "city": "Berlin",
                    "postal_code": "10115"},
        "lines": [{"sku": "TEE", "quantity": 3}, {"sku": "MUG", "quantity": 1}],
        "payment": {"method": "tok_visa"},
    })  # fmt: skip
    doc = invoice_from_order(order)
    assert doc.total == order.total.gross
    assert doc.tax == order.total.tax
    body = quickbooks_document(doc, customer_ref="1", items={"TEE": "1", "MUG": "2",
                               SHIPPING_SKU: "3"}, tax_codes={VAT: "TAX", "": "NON"})  # fmt: skip
    assert check_quickbooks_totals(body, "EUR") == order.total.gross


# -- properties ------------------------------------------------------------------------------
RATES = st.sampled_from([Decimal(0), Decimal(7), Decimal(19), Decimal("8.875")])
LINES = st.lists(
    st.tuples(st.integers(1, 10**6), st.integers(1, 12), RATES), min_size=1, max_size=8
)


def build(spec: list[tuple[int, int, Decimal]], currency: str = "EUR") -> AccountingDocument:
    lines = []
    for i, (cents, quantity, rate) in enumerate(spec):
        net = Money.from_minor_units(cents, currency)
        taxes: tuple[LineTax, ...] = ()
        if rate:
            tax = Money(net.amount * rate / 100, currency).quantize(ROUND_HALF_UP)
            taxes = (LineTax(f"T{rate}", rate, tax),)
        lines.append(DocumentLine(f"SKU{i}", f"Item {i}", quantity, net, taxes))
    return AccountingDocument(kind="invoice", number="INV-1", date=DAY, currency=currency,
                              lines=tuple(lines))  # fmt: skip


def maps(doc: AccountingDocument) -> tuple[dict[str, str], dict[str, str]]:
    return {line.sku: "1" for line in doc.lines}, {line.tax_code: "X" for line in doc.lines}


@given(LINES, st.sampled_from(["EUR", "JPY", "KWD"]))
def test_quickbooks_lines_and_tax_sum_to_the_total(spec: list[tuple[int, int, Decimal]],
                                                    currency: str) -> None:  # fmt: skip
    doc = build(spec, currency)
    items, codes = maps(doc)
    body = quickbooks_document(doc, customer_ref="1", items=items, tax_codes=codes,
                               tax_rates=codes)  # fmt: skip
    assert check_quickbooks_totals(body, currency) == doc.total
    per_rate = sum(t["Amount"] for t in body["TxnTaxDetail"]["TaxLine"])
    assert per_rate == body["TxnTaxDetail"]["TotalTax"] == doc.tax.amount


@given(LINES)
def test_xero_line_amounts_and_tax_sum_to_the_total(spec: list[tuple[int, int, Decimal]]) -> None:
    doc = build(spec)
    _, codes = maps(doc)
    body = xero_document(doc, contact={"Name": "A"}, account_code="200", tax_types=codes)
    items = body["LineItems"]
    assert sum(i["LineAmount"] + i["TaxAmount"] for i in items) == doc.total.amount
    for i in items:  # what Xero multiplies out is what we say the line is
        assert (i["Quantity"] * i["UnitAmount"]).quantize(Decimal("0.01")) == i["LineAmount"]


@given(LINES, st.integers(1, 10**8))
def test_a_credit_note_makes_the_refund_exactly(spec: list[tuple[int, int, Decimal]],
                                                 cents: int) -> None:  # fmt: skip
    doc = build(spec)
    amount = Money.from_minor_units(min(cents, doc.total.minor_units), "EUR")
    note = credit_note_for_refund(doc, amount, number="CN-1", date=DAY)
    assert note.total == amount
    for credited in note.lines:
        assert credited.tax <= credited.gross
    items, codes = maps(note)
    body = quickbooks_document(note, customer_ref="1", items=items, tax_codes=codes)
    assert check_quickbooks_totals(body, "EUR") == amount


@given(st.lists(LINES, min_size=1, max_size=4), st.integers(0, 3))
def test_the_sales_journal_always_balances(specs: list[list[tuple[int, int, Decimal]]],
                                           refunds: int) -> None:  # fmt: skip
    docs = [build(spec) for spec in specs]
    docs += [credit_note_for_refund(d, Money("0.01", "EUR"), number=f"CN{i}", date=DAY)
             for i, d in enumerate(docs[:refunds])]  # fmt: skip
    entries = journal_entries(docs, DAY)
    debit = sum(e.debit.amount for e in entries)
    assert debit == sum(e.credit.amount for e in entries)
    assert debit == sum(d.total.amount for d in docs)
    text = journal_csv(entries)
    assert text.splitlines()[0] == "date,document,account,debit,credit,currency,memo"
