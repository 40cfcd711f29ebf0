from __future__ import annotations

from decimal import Decimal

import pytest

from omskit import Money
from omskit.pricing import DutiesUnavailable

from .pricing_helpers import BERLIN, NEW_YORK, make_oms

ZURICH = {"country": "CH", "line1": "Bahnhofstr. 1", "city": "Zurich", "postal_code": "8001"}
LONDON = {"country": "GB", "line1": "1 Strand", "city": "London", "postal_code": "WC2N 5HR"}


@pytest.fixture
def oms():
    oms = make_oms({"pricing": {"origin_country": "DE"}})
    oms.channels.update("web", currencies=["EUR", "USD", "GBP", "CHF"])
    oms.pricing.add_duty_rate("US", "6109", "16.5", note="cotton T-shirts, MFN (illustrative)")
    return oms


def test_ddp_to_the_us_charges_estimated_duty_and_lists_customs_lines(oms):
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 10}],
                              ship_to=NEW_YORK, incoterm="DDP")  # fmt: skip
    assert quote.treatment == "export"
    assert quote.tax_total.is_zero
    estimate = quote.duty_estimate
    assert estimate is not None
    assert not estimate.collected_at_checkout
    # the export is not taxed, so the German VAT inside 199.00 comes out (the channel's
    # default, untaxed_inclusive_prices="remove_tax"): 199.00 x 19/119 = 31.7731 -> 31.77,
    # net 167.23; duty 167.23 x 16.5 % = 27.5930 -> 27.59
    assert estimate.goods_value == Money("167.23", "EUR")
    assert estimate.duty == Money("27.59", "EUR")
    assert quote.duties == estimate.total
    assert quote.total.gross == Money("194.82", "EUR")  # 167.23 + 27.59
    (line,) = quote.customs
    assert (line.hs_code, line.country_of_origin, line.weight_grams) == ("610910", "PT", 1800)
    assert line.customs_value == Money("167.23", "EUR")


def test_a_channel_that_keeps_gross_prices_exports_at_the_listed_price(oms):
    oms.channels.update("web", untaxed_inclusive_prices="keep_gross")
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 10}],
                              ship_to=NEW_YORK, incoterm="DDP")  # fmt: skip
    assert quote.treatment == "export"
    assert quote.tax_total.is_zero
    assert quote.duties == Money("32.84", "EUR")  # 199.00 x 16.5 % = 32.835
    assert quote.total.gross == Money("231.84", "EUR")
    assert quote.customs[0].customs_value == Money("199.00", "EUR")


def test_dap_shows_the_estimate_but_does_not_charge_it(oms):
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 10}],
                              ship_to=NEW_YORK)  # fmt: skip
    assert quote.duties.is_zero
    assert quote.duty_estimate is not None
    assert quote.duty_estimate.duty.amount > 0
    assert "paid by the buyer (DAP)" in quote.explain()


def test_low_value_uk_orders_collect_uk_vat_at_checkout(oms):
    quote = oms.pricing.quote(channel="web", currency="GBP",
                              lines=[{"sku": "TEE-M", "quantity": 1}], ship_to=LONDON)  # fmt: skip
    assert quote.treatment == "taxed"
    assert quote.lines[0].taxes[0].label == "VAT 20% (GB)"
    assert quote.duty_estimate is not None
    assert quote.duty_estimate.collected_at_checkout
    assert quote.duty_estimate.duty.is_zero


def test_above_the_uk_threshold_vat_moves_to_the_border(oms):
    quote = oms.pricing.quote(channel="web", currency="GBP",
                              lines=[{"sku": "TEE-M", "quantity": 20}], ship_to=LONDON,
                              incoterm="DDP")  # fmt: skip
    assert quote.treatment == "export"
    estimate = quote.duty_estimate
    assert estimate is not None
    assert not estimate.collected_at_checkout
    assert estimate.import_tax.amount == (
        (estimate.goods_value.amount + estimate.duty.amount) * Decimal("0.2")
    ).quantize(Decimal("0.01"))


def test_swiss_import_vat_of_five_francs_or_less_is_waived(oms):
    small = oms.pricing.quote(channel="web", currency="CHF", incoterm="DDP",
                              lines=[{"sku": "MUG-01", "quantity": 1}], ship_to=ZURICH)  # fmt: skip
    assert small.duty_estimate is not None
    assert small.duty_estimate.import_tax.is_zero
    big = oms.pricing.quote(channel="web", currency="CHF", incoterm="DDP",
                            lines=[{"sku": "MUG-01", "quantity": 10}], ship_to=ZURICH)  # fmt: skip
    assert big.duty_estimate is not None
    assert big.duty_estimate.import_tax.amount == (
        big.duty_estimate.goods_value.amount * Decimal("0.081")
    ).quantize(Decimal("0.01"))


def test_intra_eu_shipments_are_not_cross_border(oms):
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                              ship_to=BERLIN, incoterm="DDP")  # fmt: skip
    assert quote.duty_estimate is None
    assert quote.customs == ()


def test_ddp_without_an_exchange_rate_into_the_destination_currency_fails():
    oms = make_oms({"pricing": {"origin_country": "DE"}, "exchange_rates": {}})
    with pytest.raises(DutiesUnavailable, match="US"):
        oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                          ship_to=NEW_YORK, incoterm="DDP")  # fmt: skip


def test_hosts_override_import_thresholds(oms):
    oms.pricing.set_import_rule("US", "USD", duty_threshold="10000", tax_threshold="10000")
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 10}],
                              ship_to=NEW_YORK, incoterm="DDP")  # fmt: skip
    assert quote.duties.is_zero
