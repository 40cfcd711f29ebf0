"""Lines of both bases in one cart, and truncation (round down) as the tax rounding mode."""

from __future__ import annotations

import pytest

from omskit import Money, ValidationError
from omskit.config import OMSConfig

from .pricing_helpers import BERLIN, make_oms

TOKYO = {"country": "JP", "line1": "1-1 Marunouchi", "city": "Tokyo", "postal_code": "100-0005"}


def _market(scope: str = "line"):
    oms = make_oms({"rounding": {"EUR": {"scope": scope}}})
    oms.channels.add(
        "market",
        kind="marketplace",
        channel_prices="accept",
        price_list="mkt",
        prices_include_tax=False,
    )
    oms.pricing.add_price_list("mkt", "EUR", includes_tax=False)
    oms.pricing.set_price("mkt", "TEE-M", "10.00")
    oms.pricing.set_price("mkt", "MUG-01", "10.00")
    return oms


# TEE-M from the net price list; MUG-01 sent by the marketplace as 11.90 gross
MIXED = [
    {"sku": "TEE-M", "quantity": 1},
    {"sku": "MUG-01", "quantity": 1, "unit_price": "11.90", "price_includes_tax": True},
]


@pytest.mark.parametrize("scope", ["line", "total"])
def test_a_gross_line_and_a_net_line_are_each_taxed_in_their_own_basis(scope):
    quote = _market(scope).pricing.quote(channel="market", lines=MIXED, ship_to=BERLIN)
    tee, mug = quote.lines
    assert quote.prices_include_tax is False
    assert (tee.prices_include_tax, mug.prices_include_tax) == (False, True)
    # net 10.00 + 19 % = 11.90; gross 11.90 keeps its gross: 11.90 x 19/119 = 1.90, net 10.00
    assert (tee.total.net, tee.total.gross) == (Money("10.00", "EUR"), Money("11.90", "EUR"))
    assert (mug.total.net, mug.total.gross) == (Money("10.00", "EUR"), Money("11.90", "EUR"))
    assert quote.total.gross == Money("23.80", "EUR")
    assert quote.tax_total == Money("3.80", "EUR")
    (vat,) = quote.tax_breakdown
    assert (vat.taxable, vat.tax) == (Money("20.00", "EUR"), Money("3.80", "EUR"))
    assert "11.90 tax included" in quote.explain()


def test_an_order_discount_is_spread_over_both_bases_in_the_quotes_basis():
    oms = _market()
    oms.pricing.add_promotion("FOUR", name="4 off", kind="amount", amount={"EUR": "4.00"})
    quote = oms.pricing.quote(channel="market", lines=MIXED, ship_to=BERLIN)
    tee, mug = quote.lines
    # in the quote's (net) basis both lines weigh 10.00: 2.00 each; the gross line takes
    # 2.00 x 1.19 = 2.38 off its gross, which is 2.38 / 1.19 = 2.00 in the quote's basis
    assert tee.discount == Money("2.00", "EUR")
    assert mug.discount == Money("2.38", "EUR")
    assert mug.quote_discount == Money("2.00", "EUR")
    assert quote.discount_total == Money("4.00", "EUR")
    assert quote.promotions[0].amount == Money("4.00", "EUR")
    # 8.00 net + 1.52 = 9.52; 11.90 - 2.38 = 9.52 gross with 1.52 VAT
    assert tee.total.gross == mug.total.gross == Money("9.52", "EUR")
    assert quote.total == quote.line_total
    assert quote.total.net == Money("16.00", "EUR")
    assert "-2.38 (-2.00 before tax)" in quote.explain()


def test_a_price_in_the_other_basis_is_taken_only_by_a_channel_that_accepts_sent_prices():
    oms = _market()
    oms.channels.update("market", channel_prices="tolerance", price_tolerance="5")
    with pytest.raises(ValidationError) as info:
        oms.pricing.quote(channel="market", lines=MIXED, ship_to=BERLIN)
    assert info.value.field == "lines[1].price_includes_tax"
    assert "'accept'" in str(info.value)
    assert "'tolerance'" in str(info.value)
    with pytest.raises(ValidationError) as alone:
        oms.pricing.quote(
            channel="market",
            ship_to=BERLIN,
            lines=[{"sku": "TEE-M", "quantity": 1, "price_includes_tax": True}],
        )
    assert alone.value.field == "lines[0].price_includes_tax"
    with pytest.raises(ValidationError) as bad:
        oms.pricing.quote(
            channel="market",
            ship_to=BERLIN,
            lines=[
                {"sku": "TEE-M", "quantity": 1, "unit_price": "9", "price_includes_tax": "gross"}
            ],
        )
    assert bad.value.field == "lines[0].price_includes_tax"


def test_a_sent_price_in_the_lists_own_basis_is_judged_as_before():
    oms = _market()
    oms.channels.update("market", channel_prices="reject")
    same = [{"sku": "TEE-M", "quantity": 1, "unit_price": "10.00", "price_includes_tax": False}]
    quote = oms.pricing.quote(channel="market", lines=same, ship_to=BERLIN)
    assert quote.lines[0].prices_include_tax is False
    assert quote.total.gross == Money("11.90", "EUR")


def test_a_price_converted_from_a_base_list_keeps_the_base_lists_basis():
    oms = make_oms()
    oms.channels.update("web", currencies=["EUR", "USD"])
    oms.pricing.add_price_list("default", "EUR", includes_tax=False)
    oms.pricing.add_price_list("default", "USD", includes_tax=True, base_currency="EUR")
    oms.pricing.set_price("default", "TEE-M", "10.00", currency="EUR")
    oms.pricing.set_price("default", "MUG-01", "11.90", currency="USD")
    quote = oms.pricing.quote(
        channel="web",
        currency="USD",
        ship_to=BERLIN,
        lines=[{"sku": "TEE-M", "quantity": 1}, {"sku": "MUG-01", "quantity": 1}],
    )
    tee, mug = quote.lines
    # 10.00 EUR net x 1.08 = 10.80 USD net, + 19 % = 12.852 -> 12.85 gross
    assert tee.prices_include_tax is False
    assert (tee.total.net, tee.total.gross) == (Money("10.80", "USD"), Money("12.85", "USD"))
    assert mug.prices_include_tax is True
    assert mug.total.gross == Money("11.90", "USD")


# -- truncation -------------------------------------------------------------------------


def _japan(rounding):
    oms = make_oms({"default_currency": "JPY", "rounding": {"JPY": rounding}})
    oms.channels.update("web", currencies=["JPY"])
    oms.pricing.add_price_list("default", "JPY", includes_tax=False)
    for sku, price in (("A", "1235"), ("B", "2343")):
        oms.catalog.add_product(sku, name=sku)
        oms.pricing.set_price("default", sku, price)
    lines = [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 1}]
    return oms.pricing.quote(channel="web", lines=lines, ship_to=TOKYO)


@pytest.mark.parametrize(
    ("rounding", "line_taxes", "tax"),
    [
        # per line: 1235 x 10 % = 123.5 and 2343 x 10 % = 234.3
        ({"mode": "half_up"}, ["124", "234"], "358"),
        ({"tax_mode": "down"}, ["123", "234"], "357"),
        ({"mode": "down"}, ["123", "234"], "357"),
        # per total: 3578 x 10 % = 357.8
        ({"scope": "total"}, None, "358"),
        ({"scope": "total", "tax_mode": "down"}, None, "357"),
    ],
)
def test_truncated_consumption_tax_in_yen_per_line_and_per_total(rounding, line_taxes, tax):
    quote = _japan(rounding)
    if line_taxes is not None:
        assert [str(line.tax.amount) for line in quote.lines] == line_taxes
    assert quote.tax_total == Money(tax, "JPY")
    assert quote.total.gross.amount == quote.total.net.amount + quote.tax_total.amount
    assert quote.total.net == Money("3578", "JPY")


def test_truncation_on_tax_inclusive_yen_keeps_the_gross_and_a_larger_net():
    oms = make_oms({"rounding": {"JPY": {"tax_mode": "down"}}})
    oms.channels.update("web", currencies=["JPY"])
    oms.pricing.add_price_list("default", "JPY", includes_tax=True)
    oms.catalog.add_product("C", name="C")
    oms.pricing.set_price("default", "C", "1238")
    quote = oms.pricing.quote(
        channel="web", currency="JPY", ship_to=TOKYO, lines=[{"sku": "C", "quantity": 1}]
    )
    # 1238 x 10/110 = 112.545...: truncated 112 (half-up would give 113), net 1126
    assert quote.tax_total == Money("112", "JPY")
    assert quote.total.net == Money("1126", "JPY")
    assert quote.total.gross == Money("1238", "JPY")


@pytest.mark.parametrize(
    ("policy", "shown"),
    [
        ({"mode": "floor"}, "'floor'"),
        ({"tax_mode": "truncate"}, "'truncate'"),
        ({"digits": 0}, "'digits'"),
    ],
)
def test_an_unknown_rounding_mode_is_refused_naming_what_is_allowed(policy, shown):
    with pytest.raises(ValidationError) as info:
        OMSConfig.from_mapping({"rounding": {"JPY": policy}})
    assert info.value.field == "rounding.JPY"
    assert shown in str(info.value)
    assert "'down'" in str(info.value) or "tax_mode" in str(info.value)
