"""One rule for untaxed sales on tax-inclusive prices: exempt customers, reverse charge, exports.

The channel's ``untaxed_inclusive_prices`` decides: ``"remove_tax"`` (the default) takes
the tax the price contains out, ``"keep_gross"`` charges the listed price.
"""

from __future__ import annotations

import pytest

from omskit import Money, ValidationError

from .pricing_helpers import BERLIN, NEW_YORK, PARIS, make_oms

ZURICH = {"country": "CH", "line1": "Bahnhofstr. 1", "city": "Zurich", "postal_code": "8001"}


@pytest.fixture
def oms():
    oms = make_oms({"pricing": {"origin_country": "DE"}})
    oms.catalog.add_product("BAG", name="Bag", price="30.00", currency="EUR")
    return oms


def _quote(oms, **kw):
    return oms.pricing.quote(
        channel=kw.pop("channel", "web"), lines=[{"sku": "BAG", "quantity": 1}], **kw
    )


def test_an_export_and_an_exempt_customer_both_pay_the_price_without_vat_by_default(oms):
    # 30.00 contains 30.00 x 19/119 = 4.7899 -> 4.79 German VAT; net 30.00 - 4.79 = 25.21
    export = _quote(oms, ship_to=NEW_YORK)
    exempt = _quote(oms, ship_to=BERLIN, customer={"tax_exempt": True})
    assert export.treatment == "export"
    assert exempt.treatment == "exempt"
    for quote in (export, exempt):
        assert quote.total.gross == quote.total.net == Money("25.21", "EUR")
        assert quote.tax_total.is_zero
        assert quote.tax_breakdown == ()


def test_the_reverse_charge_follows_the_same_rule(oms):
    b2b = _quote(oms, ship_to=PARIS, customer={"vat_id": "FR40303265045"})
    assert b2b.treatment == "reverse_charge"
    # France's 20 % comes out: 30.00 x 20/120 = 5.00 -> net 25.00
    assert b2b.total.gross == Money("25.00", "EUR")
    oms.channels.update("web", untaxed_inclusive_prices="keep_gross")
    kept = _quote(oms, ship_to=PARIS, customer={"vat_id": "FR40303265045"})
    assert kept.total.gross == Money("30.00", "EUR")
    assert [b.label for b in kept.tax_breakdown] == ["VAT reverse charge 0% (FR)"]


def test_a_channel_that_keeps_gross_prices_charges_the_listed_price_on_every_untaxed_path(oms):
    oms.channels.update("web", untaxed_inclusive_prices="keep_gross")
    export = _quote(oms, ship_to=NEW_YORK)
    exempt = _quote(oms, ship_to=BERLIN, customer={"tax_exempt": True})
    for quote in (export, exempt):
        assert quote.total.gross == quote.total.net == Money("30.00", "EUR")
        assert quote.tax_total.is_zero
    taxed = _quote(oms, ship_to=BERLIN)
    assert taxed.total.gross == Money("30.00", "EUR")
    assert taxed.tax_total == Money("4.79", "EUR")


def test_the_rule_holds_in_swiss_francs_from_a_swiss_seller():
    oms = make_oms({"pricing": {"origin_country": "CH"}})
    oms.channels.add("ch-shop", currencies=["CHF"], price_list="ch")
    oms.pricing.add_price_list("ch", "CHF", includes_tax=True)
    oms.catalog.add_product("BAG", name="Bag")
    oms.pricing.set_price("ch", "BAG", "30.00")
    lines = [{"sku": "BAG", "quantity": 2}]
    export = oms.pricing.quote(channel="ch-shop", lines=lines, ship_to=NEW_YORK)
    exempt = oms.pricing.quote(
        channel="ch-shop", lines=lines, ship_to=ZURICH, customer={"tax_exempt": True}
    )
    # 60.00 CHF contains 60.00 x 8.1/108.1 = 4.4958 -> 4.50 Swiss VAT; net 55.50
    assert export.total.gross == exempt.total.gross == Money("55.50", "CHF")
    oms.channels.update("ch-shop", untaxed_inclusive_prices="keep_gross")
    again = oms.pricing.quote(channel="ch-shop", lines=lines, ship_to=NEW_YORK)
    assert again.total.gross == Money("60.00", "CHF")


def test_tax_exclusive_prices_are_charged_net_whatever_the_setting(oms):
    oms.pricing.add_price_list("default", "EUR", includes_tax=False)
    oms.pricing.set_price("default", "BAG", "25.21")
    for setting in ("remove_tax", "keep_gross"):
        oms.channels.update("web", untaxed_inclusive_prices=setting)
        assert _quote(oms, ship_to=NEW_YORK).total.gross == Money("25.21", "EUR")
        assert _quote(oms, ship_to=BERLIN).total.gross == Money("30.00", "EUR")  # 25.21 + 4.79


def test_an_unknown_setting_is_refused_naming_the_field_and_the_choices(oms):
    with pytest.raises(ValidationError) as info:
        oms.channels.update("web", untaxed_inclusive_prices="drop_tax")
    assert info.value.field == "untaxed_inclusive_prices"
    assert "'remove_tax', 'keep_gross'" in str(info.value)
    assert "drop_tax" in str(info.value)
    with pytest.raises(ValidationError):
        oms.channels.add("other", untaxed_inclusive_prices=True)
    assert oms.channels.get("web").untaxed_inclusive_prices == "remove_tax"
