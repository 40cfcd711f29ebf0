from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from omskit import OMS, Money, ValidationError
from omskit.pricing import OverlappingRates
from omskit.pricing.tax.provider import vat_id_country
from omskit.pricing.tax.rates_data import AS_OF, builtin_rates, countries
from omskit.pricing.tax.rules import TaxRules
from omskit.testing import FakeClock

DAY = dt.date(2026, 1, 15)
BERLIN = {"country": "DE", "postal_code": "10115"}


@pytest.fixture
def oms():
    oms = OMS.in_memory(clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
                        autoload=False)  # fmt: skip
    for sku, price, cat in (("TEE-M", "20.00", "apparel"), ("MUG-01", "10.00", "home"),
                            ("CAP-RED", "5.00", "apparel")):  # fmt: skip
        oms.catalog.add_product(sku, name=sku, price=price, currency="EUR",
                                attributes={"category": cat})  # fmt: skip
    return oms


def test_the_built_in_table_covers_at_least_thirty_countries_and_is_dated():
    assert len(countries()) >= 30
    assert AS_OF.year == 2025
    assert {"DE", "FR", "GB", "CH", "NO", "AU", "NZ", "CA", "JP", "SG"} <= countries()


def test_the_built_in_table_has_no_overlapping_rates():
    from omskit.pricing.tax.rules import check_overlaps

    check_overlaps(builtin_rates())


@pytest.mark.parametrize(
    ("country", "region", "tax_class", "day", "expected"),
    [
        ("DE", "", "standard", DAY, ["19"]),
        ("DE", "", "reduced", dt.date(2020, 8, 1), ["5"]),
        ("DK", "", "reduced", DAY, ["25"]),  # no reduced rate: standard used
        ("FR", "", "super_reduced", DAY, ["2.1"]),
        ("DE", "", "super_reduced", DAY, ["7"]),  # falls back to reduced
        ("DE", "", "zero", DAY, ["0"]),
        ("DE", "", "exempt", DAY, []),
        ("EE", "", "standard", dt.date(2025, 6, 30), ["22"]),
        ("EE", "", "standard", dt.date(2025, 7, 1), ["24"]),
        ("CA", "ON", "standard", DAY, ["13"]),  # HST replaces GST
        ("CA", "QC", "standard", DAY, ["5", "9.975"]),  # QST adds to GST
        ("CA", "AB", "standard", DAY, ["5"]),
        ("CH", "", "standard", DAY, ["8.1"]),
        ("US", "", "standard", DAY, []),
    ],
)
def test_built_in_rates_by_place_class_and_day(country, region, tax_class, day, expected):
    comps, _ = TaxRules().components(country, region, "", tax_class, day)
    assert [f"{c.rate.normalize():f}" for c in comps] == expected


def test_overlapping_rates_are_refused_and_nothing_is_added(oms):
    oms.pricing.add_tax_rate("US-CA", "standard", "7.25", name="Sales tax",
                             valid_to="2025-12-31")  # fmt: skip
    with pytest.raises(OverlappingRates, match="US-CA"):
        oms.pricing.add_tax_rate("US-CA", "standard", "7.5", name="Sales tax",
                                 valid_from="2025-06-01")  # fmt: skip
    assert len(oms.pricing.tax_rates("US")) == 1
    oms.pricing.add_tax_rate("US-CA", "standard", "7.5", name="Sales tax", valid_from="2026-01-01")
    assert len(oms.pricing.tax_rates("US")) == 2


def test_bad_rate_rows_report_every_problem(oms):
    with pytest.raises(ValidationError) as info:
        oms.pricing.add_tax_rates([{"jurisdiction": "XX", "tax_class": "luxury", "rate": "150"}])
    assert {p.field for p in info.value.problems} == {
        "rows[0].jurisdiction", "rows[0].tax_class", "rows[0].rate"}  # fmt: skip


def test_host_rates_replace_the_built_in_ones_for_that_country(oms):
    oms.pricing.add_tax_rate("DE", "standard", "20")
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                              ship_to=BERLIN)  # fmt: skip
    assert quote.lines[0].taxes[0].rate == Decimal(20)
    assert oms.pricing.load_standard_rates(["FR"]) > 0


def test_shipping_taxability_is_set_per_jurisdiction(oms):
    oms.pricing.set_jurisdiction("DE", shipping_taxable=False)
    quote = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 1}],
                              ship_to=BERLIN, shipping="5.00")  # fmt: skip
    assert quote.shipping.tax.is_zero
    assert quote.shipping.gross == Money("5.00", "EUR")


@pytest.mark.parametrize(
    ("vat_id", "country"),
    [("DE123456789", "DE"), ("FR40303265045", "FR"), ("EL123456789", "GR"),
     ("NL123456789B01", "NL"), ("ATU12345678", "AT"), ("DE12345", None), ("US123456789", None),
     ("", None)],
)  # fmt: skip
def test_vat_ids_are_checked_for_their_format(vat_id, country):
    assert vat_id_country(vat_id) == country


def _quote(oms, lines, **kw):
    return oms.pricing.quote(channel="web", lines=lines, ship_to=BERLIN, **kw)


def test_an_order_discount_is_spread_by_largest_remainder(oms):
    oms.pricing.add_promotion("TEN", name="Ten off", kind="amount", amount=Money("10.00", "EUR"))
    quote = _quote(oms, [{"sku": "TEE-M", "quantity": 1}, {"sku": "MUG-01", "quantity": 1},
                         {"sku": "CAP-RED", "quantity": 1}])  # fmt: skip
    assert [str(line.discount.amount) for line in quote.lines] == ["5.71", "2.86", "1.43"]
    assert quote.discount_total == Money("10.00", "EUR")


def test_discounts_never_make_a_line_negative(oms):
    oms.pricing.add_promotion("BIG", name="Huge", kind="amount", amount={"EUR": "500"},
                              target="line")  # fmt: skip
    oms.pricing.add_promotion("HALF", name="Half", kind="percent", percent="50", priority=200)
    quote = _quote(oms, [{"sku": "MUG-01", "quantity": 2}])
    assert quote.lines[0].total.gross == Money("0.00", "EUR")
    assert quote.discount_total == Money("20.00", "EUR")
    assert "HALF" in quote.explain()  # named as not applied: nothing left to discount


def test_an_exclusive_promotion_applies_alone_when_it_comes_first(oms):
    oms.pricing.add_promotion("VIP", name="VIP", kind="percent", percent="30", priority=1,
                              stacking="exclusive")  # fmt: skip
    oms.pricing.add_promotion("ALL", name="All", kind="percent", percent="10", priority=5)
    quote = _quote(oms, [{"sku": "TEE-M", "quantity": 1}])
    assert [p.promotion for p in quote.promotions] == ["VIP"]
    assert quote.discount_total == Money("6.00", "EUR")
    oms.pricing.set_promotion_active("VIP", False)
    assert [p.promotion for p in _quote(oms, [{"sku": "TEE-M", "quantity": 1}]).promotions] == [
        "ALL"]  # fmt: skip


def test_an_exclusive_promotion_after_others_is_skipped(oms):
    oms.pricing.add_promotion("ALL", name="All", kind="percent", percent="10", priority=1)
    oms.pricing.add_promotion("VIP", name="VIP", kind="percent", percent="30", priority=5,
                              stacking="exclusive")  # fmt: skip
    quote = _quote(oms, [{"sku": "TEE-M", "quantity": 1}])
    assert [p.promotion for p in quote.promotions] == ["ALL"]
    assert "exclusive" in quote.explain()


def test_buy_two_get_one_discounts_the_cheapest_eligible_unit(oms):
    oms.pricing.add_promotion("B2G1", name="3 for 2 apparel", kind="buy_x_get_y", buy=2, get=1,
                              attribute={"category": "apparel"})  # fmt: skip
    quote = _quote(oms, [{"sku": "TEE-M", "quantity": 2}, {"sku": "CAP-RED", "quantity": 1},
                         {"sku": "MUG-01", "quantity": 3}])  # fmt: skip
    assert [str(line.discount.amount) for line in quote.lines] == ["0.00", "5.00", "0.00"]


def test_category_sku_and_minimum_order_conditions(oms):
    oms.pricing.add_promotion("HOME", name="Home 20%", kind="percent", percent="20",
                              target="attribute", attribute=("category", "home"))  # fmt: skip
    oms.pricing.add_promotion("CAPS", name="1 off caps", kind="amount", amount={"EUR": "1"},
                              target="sku", skus=["CAP-RED"])  # fmt: skip
    oms.pricing.add_promotion("SHIP", name="Free shipping over 50", kind="free_shipping",
                              min_subtotal={"EUR": "50"})  # fmt: skip
    small = _quote(oms, [{"sku": "MUG-01", "quantity": 1}, {"sku": "CAP-RED", "quantity": 2}],
                   shipping="4.90")  # fmt: skip
    assert [str(line.discount.amount) for line in small.lines] == ["2.00", "2.00"]
    assert small.shipping.gross == Money("4.90", "EUR")
    assert "needs an order of at least 50" in small.explain()
    big = _quote(oms, [{"sku": "TEE-M", "quantity": 3}], shipping="4.90")
    assert big.shipping.gross.is_zero
    assert big.shipping_discount == Money("4.90", "EUR")


def test_promotion_validation_reports_every_problem(oms):
    with pytest.raises(ValidationError) as info:
        oms.pricing.add_promotion("X", name="", kind="bogus", target="sku", percent="120")
    fields = {p.field for p in info.value.problems}
    assert {"name", "kind", "percent", "skus"} <= fields
