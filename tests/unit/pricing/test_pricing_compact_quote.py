"""The compact Quote: derived attributes, shared values, and the fast validation paths."""

from __future__ import annotations

import datetime as dt
import importlib.util
import pathlib
from decimal import Decimal

import pytest

from omskit.errors import InvalidQuantity, InvalidSku, ValidationError
from omskit.money import Money, TaxedMoney, allocate
from omskit.pricing.request import CustomerRef, QuoteRequest

_HELPERS = pathlib.Path(__file__).parents[2] / "service" / "pricing" / "pricing_helpers.py"
_spec = importlib.util.spec_from_file_location("pricing_helpers_compact", _HELPERS)
assert _spec is not None
assert _spec.loader is not None
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)

BERLIN, PARIS, START = helpers.BERLIN, helpers.PARIS, helpers.START


@pytest.fixture
def oms():
    return helpers.make_oms()


def _sum(values: list[Money], currency: str = "EUR") -> Money:
    total = Money.zero(currency)
    for value in values:
        total = total + value
    return total


def test_derived_totals_equal_the_sums_of_the_lines(oms):
    oms.pricing.add_promotion("TENOFF", name="Ten off", kind="percent", percent="10")
    oms.pricing.add_promotion("SHIP", name="Free shipping", kind="free_shipping")
    quote = oms.pricing.quote(
        channel="web",
        lines=[{"sku": "TEE-M", "quantity": 3}, {"sku": "BOOK-1", "quantity": 1}],
        ship_to=BERLIN,
        shipping="4.90",
    )
    assert quote.discount_total == _sum([line.discount for line in quote.lines])
    assert not quote.discount_total.is_zero
    assert quote.subtotal.gross == _sum([line.subtotal.gross for line in quote.lines])
    assert quote.subtotal.net == _sum([line.subtotal.net for line in quote.lines])
    assert quote.subtotal.gross - quote.discount_total == quote.line_total.gross
    assert quote.tax_total == quote.total.gross - quote.total.net
    assert quote.shipping_discount == Money("4.90", "EUR")
    assert quote.shipping.gross.is_zero
    assert quote.coupons == ()
    taxes = [t.amount for line in quote.lines for t in line.taxes]
    taxes += [t.amount for t in quote.shipping_taxes]
    assert _sum(taxes) == quote.tax_total
    assert _sum([b.tax for b in quote.tax_breakdown]) == quote.tax_total


def test_a_discounted_line_keeps_its_amounts_before_the_discount(oms):
    oms.pricing.add_promotion("TENOFF", name="Ten off", kind="percent", percent="10")
    line = oms.pricing.quote(
        channel="web", lines=[{"sku": "TEE-M", "quantity": 2}], ship_to=BERLIN
    ).lines[0]
    assert line.amount == Money("39.80", "EUR")
    assert line.subtotal.gross == line.amount
    assert line.discount == Money("3.98", "EUR")
    assert line.total.gross == Money("35.82", "EUR")
    assert line.subtotal != line.total
    assert line.subtotal.gross - line.subtotal.net == Money("6.35", "EUR")  # 19 % inside


def test_a_line_without_discount_has_its_total_as_subtotal(oms):
    line = oms.pricing.quote(
        channel="web", lines=[{"sku": "TEE-M", "quantity": 1}], ship_to=BERLIN
    ).lines[0]
    assert line.subtotal is line.total
    assert line.discount.is_zero
    (tax,) = line.taxes
    assert (tax.name, tax.rate, tax.jurisdiction) == ("VAT", Decimal("19"), "DE")
    assert tax.taxable == line.total.net
    assert tax.amount == line.total.tax
    assert tax.amount == Money("3.18", "EUR")


def test_several_taxes_on_a_line_keep_their_own_amounts_and_compound_bases(oms):
    oms.pricing.add_tax_rate("CA-QC", "standard", "9.5", name="QST", compound=True)
    oms.pricing.add_tax_rate("CA", "standard", "5", name="GST")
    oms.channels.add("ca", name="Canada", currencies=["CAD"], prices_include_tax=False)
    oms.catalog.add_product("MAPLE", name="Maple", price="100.00", currency="CAD")
    montreal = {"country": "CA", "region": "QC", "line1": "1 rue X", "city": "Montreal",
                "postal_code": "H2X 1Y4"}  # fmt: skip
    quote = oms.pricing.quote(channel="ca", lines=[{"sku": "MAPLE", "quantity": 1}],
                              ship_to=montreal)  # fmt: skip
    gst, qst = quote.lines[0].taxes
    assert (gst.name, gst.taxable, gst.amount) == ("GST", Money("100.00", "CAD"),
                                                   Money("5.00", "CAD"))  # fmt: skip
    assert (qst.name, qst.compound) == ("QST", True)
    assert qst.taxable == Money("105.00", "CAD")  # the price plus the GST before it
    assert qst.amount == Money("9.98", "CAD")
    assert quote.total.gross == Money("114.98", "CAD")


def test_a_reverse_charge_line_shows_the_vat_not_charged():
    oms = helpers.make_oms({"pricing": {"origin_country": "DE"}})
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                              ship_to=PARIS, customer={"vat_id": "FR40303265045"})  # fmt: skip
    (marker,) = quote.lines[0].taxes
    assert marker.name == "VAT reverse charge"
    assert marker.rate == 0
    assert marker.taxable == quote.lines[0].total.net
    assert marker.amount.is_zero
    assert quote.tax_breakdown[0].label == "VAT reverse charge 0% (FR)"


def test_list_price_differs_from_the_unit_price_only_on_a_sale(oms):
    oms.pricing.add_price_list("default", "EUR", includes_tax=True)
    oms.pricing.set_price("default", "TEE-M", "19.90")
    oms.pricing.set_price("default", "TEE-M", "14.90", valid_from=START,
                          valid_to=START + dt.timedelta(days=1))  # fmt: skip
    oms.pricing.set_price("default", "MUG-01", "12.50")
    sale, plain = oms.pricing.quote(
        channel="web", lines=[{"sku": "TEE-M", "quantity": 1}, {"sku": "MUG-01", "quantity": 1}]
    ).lines
    assert (sale.unit_price, sale.list_price) == (Money("14.90", "EUR"), Money("19.90", "EUR"))
    assert plain.list_price == plain.unit_price == Money("12.50", "EUR")
    assert "sale" in sale.price_note


def test_quotes_share_their_zero_amounts_and_repeated_notes(oms):
    basket = [{"sku": "TEE-M", "quantity": 1}]
    first = oms.pricing.quote(channel="web", lines=basket, ship_to=BERLIN)
    second = oms.pricing.quote(channel="web", lines=basket, ship_to=BERLIN)
    assert first.shipping is second.shipping
    assert first.shipping == TaxedMoney.zero("EUR")
    assert first.duties is second.duties
    assert first.duties.is_zero
    assert first.lines[0].discount is second.lines[0].discount
    assert first.notes is second.notes
    assert first.notes
    assert first == second


def test_a_quote_line_reuses_the_catalogue_price(oms):
    with oms.runtime.storage.unit_of_work() as uow:
        quote = oms.pricing.quote_in(uow, {"channel": "web", "ship_to": BERLIN,
                                           "lines": [{"sku": "TEE-M", "quantity": 1}]})  # fmt: skip
    assert quote.lines[0].unit_price == oms.catalog.get("TEE-M").price
    assert quote.lines[0].amount == Money("19.90", "EUR")


@pytest.mark.parametrize(
    ("line", "error", "field"),
    [
        ({"sku": "", "quantity": 1}, InvalidSku, "lines[0].sku"),
        ({"sku": "bad sku!", "quantity": 1}, InvalidSku, "lines[0].sku"),
        ({"sku": "TEE-M", "quantity": 0}, InvalidQuantity, "lines[0].quantity"),
        ({"sku": "TEE-M", "quantity": True}, InvalidQuantity, "lines[0].quantity"),
        ({"sku": "TEE-M", "quantity": 10**7}, InvalidQuantity, "lines[0].quantity"),
    ],
)
def test_plain_lines_are_checked_like_any_other(line, error, field):
    with pytest.raises(error) as caught:
        QuoteRequest.from_mapping({"channel": "web", "lines": [line]})
    assert [p.field for p in caught.value.problems] == [field]


def test_every_problem_of_several_lines_is_reported_at_once():
    with pytest.raises(ValidationError) as caught:
        QuoteRequest.from_mapping({"channel": "web", "lines": [
            {"sku": "", "quantity": 1}, {"sku": "OK-1", "quantity": 2},
            {"sku": "OK-2", "quantity": -1, "colour": "red"},
        ]})  # fmt: skip
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == ["lines[0].sku", "lines[2].colour", "lines[2].quantity"]


def test_plain_lines_become_the_same_request_as_explicit_ones():
    request = QuoteRequest.from_mapping(
        {"channel": "web", "lines": [{"sku": "TEE-M", "quantity": 2},
                                     {"sku": "MUG-01", "quantity": 1, "ref": "L2"}]}
    )  # fmt: skip
    assert [(x.sku, x.quantity, x.unit_price, x.ref) for x in request.lines] == [
        ("TEE-M", 2, None, ""),
        ("MUG-01", 1, None, "L2"),
    ]


def test_the_customer_key_is_the_id_else_the_lower_case_email():
    assert CustomerRef(customer_id="C-1", email="Dana@Example.com").key == "C-1"
    assert CustomerRef(email="Dana@Example.com").key == "dana@example.com"
    email = "dana@example.com"
    assert CustomerRef(email=email).key is email


def test_whole_number_weights_split_exactly_like_decimal_ones():
    total = Money("10.00", "EUR")
    ints = [3, 3, 1, 0]
    assert allocate(total, ints) == allocate(total, [Decimal(w) for w in ints])
    assert sum(m.amount for m in allocate(total, ints)) == Decimal("10.00")


def test_a_negative_whole_weight_is_refused_by_position():
    with pytest.raises(ValidationError) as caught:
        allocate(Money("1.00", "EUR"), [1, -2])
    assert caught.value.problems[0].field == "weights[1]"
