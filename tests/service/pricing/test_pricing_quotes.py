from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from omskit import Money, NotFound, UnknownSku, ValidationError
from omskit.errors import InvalidQuantity, InvalidSku, UnknownCurrency
from omskit.pricing import (
    ChannelPriceRejected,
    CurrencyNotSold,
    InactiveSku,
    NoPrice,
    UnknownChannel,
)
from omskit.pricing.request import QuoteRequest

from .pricing_helpers import BERLIN, PARIS, START, make_oms


@pytest.fixture
def oms():
    return make_oms()


def test_a_quote_without_any_setup_uses_catalogue_prices_and_destination_vat(oms):
    quote = oms.pricing.quote(
        channel="web", lines=[{"sku": "TEE-M", "quantity": 2}, {"sku": "BOOK-1", "quantity": 1}],
        ship_to=BERLIN,
    )  # fmt: skip
    tee, book = quote.lines
    assert tee.unit_price == Money("19.90", "EUR")
    assert tee.total.gross == Money("39.80", "EUR")
    assert tee.taxes[0].rate == Decimal(19)
    assert tee.total.tax == Money("6.35", "EUR")  # 39.80 * 19 / 119 = 6.3546
    assert book.taxes[0].rate == Decimal(7)
    assert book.total.tax == Money("1.57", "EUR")  # 24.00 * 7 / 107 = 1.5701
    assert quote.total.gross == Money("63.80", "EUR")
    assert quote.tax_total == Money("7.92", "EUR")
    assert quote.treatment == "taxed"


def test_destination_decides_the_vat_rate(oms):
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                              ship_to=PARIS)  # fmt: skip
    assert quote.lines[0].taxes[0].label == "VAT 20% (FR)"
    assert quote.lines[0].total.tax == Money("3.32", "EUR")  # 19.90 / 6 = 3.3166


def test_the_customers_first_address_is_the_destination_when_none_is_given(oms):
    dana = oms.customers.register("dana@example.com", addresses=[PARIS])
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                              customer=dana.id)  # fmt: skip
    assert quote.ship_to is not None
    assert quote.ship_to.country == "FR"
    assert quote.customer_key == dana.id


def test_a_quote_without_destination_or_origin_charges_no_tax_and_says_so(oms):
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}])
    assert quote.treatment == "no_destination"
    assert quote.tax_total == Money("0.00", "EUR")
    assert "no tax computed" in quote.explain()


def test_without_destination_the_origin_country_is_taxed():
    oms = make_oms({"pricing": {"origin_country": "DE"}})
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}])
    assert quote.lines[0].taxes[0].jurisdiction == "DE"


def test_price_list_tiers_sales_and_group_prices_pick_the_lowest(oms):
    oms.pricing.add_price_list("default", "EUR", includes_tax=True)
    oms.pricing.set_price("default", "TEE-M", "18.00")
    oms.pricing.set_price("default", "TEE-M", "16.00", min_quantity=10)
    oms.pricing.set_price("default", "TEE-M", "15.00", customer_group="wholesale")
    oms.pricing.set_price("default", "TEE-M", "14.00", valid_from=START,
                          valid_to=START + dt.timedelta(days=7))  # fmt: skip

    def unit(qty, customer=None, at=None):
        q = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": qty}],
                              ship_to=BERLIN, customer=customer, at=at)  # fmt: skip
        return q.lines[0].unit_price.amount, q.lines[0].list_price.amount

    later = START + dt.timedelta(days=8)
    assert unit(1) == (Decimal("14.00"), Decimal("18.00"))
    assert unit(1, at=later) == (Decimal("18.00"), Decimal("18.00"))
    assert unit(10, at=later) == (Decimal("16.00"), Decimal("18.00"))
    assert unit(1, customer={"group": "wholesale"}, at=later)[0] == Decimal("15.00")


def test_a_converted_price_list_records_the_rate_and_rounds_by_policy(oms):
    oms.channels.update("web", currencies=["EUR", "USD"])
    oms.pricing.add_price_list("default", "EUR", includes_tax=False)
    oms.pricing.add_price_list("default", "USD", includes_tax=False, base_currency="EUR")
    oms.pricing.set_price("default", "TEE-M", "19.99", currency="EUR")
    oms.pricing.set_price("default", "MUG-01", "9.00", currency="USD")
    quote = oms.pricing.quote(channel="web", currency="USD", ship_to=BERLIN,
                              lines=[{"sku": "TEE-M", "quantity": 1},
                                     {"sku": "MUG-01", "quantity": 1}])  # fmt: skip
    assert quote.lines[0].unit_price == Money("21.59", "USD")  # 19.99 * 1.08 = 21.5892
    assert quote.lines[1].unit_price == Money("9.00", "USD")
    assert quote.fx_rate is not None
    assert quote.fx_rate.rate == Decimal("1.08")
    assert oms.pricing.base_prices("default", "USD") == {
        "TEE-M": Money("21.59", "USD"), "MUG-01": Money("9.00", "USD")}  # fmt: skip


def test_catalogue_prices_in_another_currency_are_converted_with_the_rate_recorded(oms):
    oms.channels.update("web", currencies=["EUR", "JPY"])
    quote = oms.pricing.quote(channel="web", currency="JPY", ship_to=BERLIN,
                              lines=[{"sku": "TEE-M", "quantity": 1}])  # fmt: skip
    assert quote.lines[0].unit_price == Money("3224", "JPY")  # 19.90 * 162 = 3223.8
    assert quote.fx_rate is not None
    assert quote.fx_rate.quote == "JPY"


def test_exclusive_price_lists_add_tax_on_top(oms):
    oms.pricing.add_price_list("default", "EUR", includes_tax=False)
    oms.pricing.set_price("default", "TEE-M", "10.00")
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 3}],
                              ship_to=BERLIN, shipping="5.00")  # fmt: skip
    assert quote.lines[0].total.net == Money("30.00", "EUR")
    assert quote.lines[0].total.gross == Money("35.70", "EUR")
    assert quote.shipping.gross == Money("5.95", "EUR")
    assert quote.total.gross == Money("41.65", "EUR")


def test_tax_exempt_customers_pay_the_net_price(oms):
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                              ship_to=BERLIN, customer={"tax_exempt": True})  # fmt: skip
    assert quote.treatment == "exempt"
    assert quote.total.gross == quote.total.net == Money("16.72", "EUR")
    assert quote.tax_total.is_zero


def test_eu_reverse_charge_for_a_business_in_another_member_state():
    oms = make_oms({"pricing": {"origin_country": "DE"}})
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                              ship_to=PARIS, customer={"vat_id": "FR 40 303 265 045"})  # fmt: skip
    assert quote.treatment == "reverse_charge"
    assert quote.tax_total.is_zero
    assert quote.tax_breakdown[0].name == "VAT reverse charge"
    assert "reverse charge" in quote.explain()
    same_country = oms.pricing.quote(
        channel="web",
        lines=[{"sku": "TEE-M", "quantity": 1}],
        ship_to=BERLIN,
        customer={"vat_id": "DE123456789"},
    )
    assert same_country.treatment == "taxed"
    bad_id = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                               ship_to=PARIS, customer={"vat_id": "FR12"})  # fmt: skip
    assert bad_id.treatment == "taxed"


def test_marketplace_prices_follow_the_channel_rule(oms):
    oms.channels.add("amazon-de", kind="marketplace", channel_prices="accept")
    oms.channels.add("ebay", kind="marketplace", channel_prices="tolerance", price_tolerance="5")
    line = [{"sku": "TEE-M", "quantity": 1, "unit_price": "18.50"}]
    assert oms.pricing.quote(channel="amazon-de", lines=line, ship_to=BERLIN).lines[
        0].unit_price == Money("18.50", "EUR")  # fmt: skip
    with pytest.raises(ChannelPriceRejected):
        oms.pricing.quote(channel="ebay", lines=line, ship_to=BERLIN)
    with pytest.raises(ChannelPriceRejected):
        oms.pricing.quote(channel="web", lines=line, ship_to=BERLIN)
    near = [{"sku": "TEE-M", "quantity": 1, "unit_price": "19.50"}]
    assert oms.pricing.quote(channel="ebay", lines=near, ship_to=BERLIN).lines[
        0].unit_price.amount == Decimal("19.50")  # fmt: skip


def test_the_explanation_names_prices_promotions_and_taxes(oms):
    oms.pricing.add_promotion("AUTUMN10", name="Autumn sale", kind="percent", percent="10")
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 2}],
                              ship_to=BERLIN, shipping="4.90")  # fmt: skip
    text = quote.explain()
    for expected in ("catalogue price", "AUTUMN10", "10% off the order", "VAT 19% (DE)",
                     "Totals:", str(quote.total.gross.amount)):  # fmt: skip
        assert expected in text


def test_quote_in_prices_inside_the_callers_unit_of_work(oms):
    request = QuoteRequest.from_mapping(
        {"channel": "web", "lines": [{"sku": "MUG-01", "quantity": 2}], "ship_to": BERLIN}
    )
    with oms.runtime.transaction() as uow:
        quote = oms.pricing.quote_in(uow, request)
    assert quote.total.gross == Money("25.00", "EUR")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "nope"}, UnknownChannel),
        ({"currency": "USD"}, CurrencyNotSold),
        ({"currency": "XYZ"}, UnknownCurrency),
        ({"lines": [{"sku": "TEE-M", "quantity": -1}]}, InvalidQuantity),
        ({"lines": [{"sku": "TEE-M", "quantity": 0}]}, InvalidQuantity),
        ({"lines": [{"sku": "TEE-M", "quantity": Decimal("1.5")}]}, InvalidQuantity),
        ({"lines": [{"sku": "TEE-M", "quantity": "2"}]}, InvalidQuantity),
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, UnknownSku),
        ({"lines": [{"sku": "bad sku!", "quantity": 1}]}, InvalidSku),
        ({"lines": []}, ValidationError),
    ],
)
def test_bad_input_raises_a_specific_error(oms, kwargs, error):
    args = {"channel": "web", "lines": [{"sku": "TEE-M", "quantity": 1}], "ship_to": BERLIN}
    args.update(kwargs)
    with pytest.raises(error):
        oms.pricing.quote(**args)


def test_several_bad_lines_are_reported_together(oms):
    with pytest.raises(ValidationError) as info:
        oms.pricing.quote(
            channel="web",
            lines=[{"sku": "TEE-M", "quantity": -1}, {"sku": "MUG-01", "quantity": 1.5}],
        )
    fields = {p.field for p in info.value.problems}
    assert fields == {"lines[0].quantity", "lines[1].quantity"}


def test_unknown_channel_error_names_the_known_channels(oms):
    with pytest.raises(NotFound, match="web"):
        oms.pricing.quote(channel="shop", lines=[{"sku": "TEE-M", "quantity": 1}])


def test_inactive_skus_and_skus_without_a_price_are_refused(oms):
    oms.catalog.deactivate("CAP-RED")
    oms.catalog.add_product("FREE-1", name="No price")
    with pytest.raises(InactiveSku):
        oms.pricing.quote(channel="web", lines=[{"sku": "CAP-RED", "quantity": 1}])
    with pytest.raises(NoPrice):
        oms.pricing.quote(channel="web", lines=[{"sku": "FREE-1", "quantity": 1}])
    with pytest.raises(ValidationError) as info:
        oms.pricing.quote(
            channel="web", lines=[{"sku": "CAP-RED", "quantity": 1}, {"sku": "GONE", "quantity": 1}]
        )
    assert [p.field for p in info.value.problems] == ["lines[0].sku", "lines[1].sku"]


def test_a_host_tax_provider_wins_over_the_built_in_one():
    from omskit.plugins import hookimpl
    from omskit.pricing import TaxComponent, TaxDecision

    class FlatTen:
        name = "flat-ten"

        def decide(self, request):
            comp = (TaxComponent("Flat", Decimal(10), "XX"),)
            return TaxDecision("taxed", tuple(comp for _ in request.items), (), self.name)

    class Plugin:
        @hookimpl
        def omskit_tax_provider(self, config):
            return FlatTen()

    oms = make_oms(plugins=(Plugin(),))
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "MUG-01", "quantity": 1}],
                              ship_to=BERLIN)  # fmt: skip
    assert quote.tax_provider == "flat-ten"
    assert quote.lines[0].total.tax == Money("1.14", "EUR")  # 12.50 * 10 / 110 = 1.136
