"""Table-driven tests of the table-rate carrier: zones, bands, dimensional weight, thresholds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from omskit.carriers import (
    DEMO_TABLE,
    ParcelSpec,
    RateRequest,
    TableRateCarrier,
    UnknownServiceLevel,
    UnserviceableAddress,
)
from omskit.catalog.model import Dimensions
from omskit.customers.address import Address
from omskit.errors import ValidationError
from omskit.money import Money

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # a Tuesday, before the cut-off
ORIGIN = Address(country="DE", line1="Lager 1", city="Berlin", postal_code="10115")

TABLE: dict[str, Any] = {
    "name": "testpost",
    "currency": "EUR",
    "dim_divisor": 5000,
    "zones": [
        {"name": "islands", "countries": ["DE"], "postal_prefixes": ["18565", "2593"],
         "remote": True},
        {"name": "domestic", "countries": ["DE"]},
        {"name": "eu", "countries": ["FR", "NL"]},
        {"name": "world", "countries": ["*"], "exclude": ["KP"]},
    ],
    "services": [
        {"code": "standard", "name": "Standard",
         "transit_days": {"islands": 3, "domestic": 1, "eu": 3, "world": 6}},
        {"code": "express", "name": "Express", "transit_days": {"domestic": 1, "eu": 1}},
    ],
    "rates": {
        "standard": {
            "islands": [[1000, "5.00"], [5000, "7.00"]],
            "domestic": [[1000, "5.00"], [5000, "7.00"], [20000, "12.00"]],
            "eu": [[1000, "10.00"], [5000, "15.00"]],
            "world": [[2000, "30.00"]],
        },
        "express": {"domestic": [[5000, "20.00"]], "eu": [[5000, "40.00"]]},
    },
    "surcharges": {"remote_area": "2.50", "fuel_percent": "10"},
    "free_shipping": {"threshold": "50.00", "services": ["standard"], "zones": ["domestic"]},
}  # fmt: skip


@pytest.fixture(scope="module")
def carrier() -> TableRateCarrier:
    return TableRateCarrier.from_mapping(TABLE)


def request_to(
    country: str, postal: str, *parcels: ParcelSpec, value: str | None = None
) -> RateRequest:
    dest = Address(country=country, line1="Street 1", city="Town", postal_code=postal)
    order_value = Money(value, "EUR") if value is not None else None
    return RateRequest(ORIGIN, dest, parcels, order_value)


@pytest.mark.parametrize(
    ("country", "postal", "zone"),
    [
        ("DE", "10115", "domestic"),
        ("DE", "18565", "islands"),  # exact prefix
        ("DE", "25938", "islands"),  # shorter prefix "2593"
        ("DE", "25999", "domestic"),  # near miss of the prefix
        ("FR", "75001", "eu"),
        ("NL", "1011 AB", "eu"),
        ("US", "10001", "world"),  # wildcard
        ("JP", "100-0001", "world"),
    ],
)
def test_destinations_fall_in_the_most_specific_zone(
    carrier: TableRateCarrier, country: str, postal: str, zone: str
) -> None:
    quote = carrier.quote(request_to(country, postal, ParcelSpec(500)), "standard", NOW)
    assert quote.zone == zone


@pytest.mark.parametrize(
    ("grams", "expected"),
    [
        (1, "5.50"),  # 5.00 + 10 % fuel
        (1000, "5.50"),  # the band limit is inclusive
        (1001, "7.70"),
        (5000, "7.70"),
        (5001, "13.20"),
        (20000, "13.20"),
    ],
)
def test_weight_bands_price_a_domestic_parcel(
    carrier: TableRateCarrier, grams: int, expected: str
) -> None:
    quote = carrier.quote(request_to("DE", "10115", ParcelSpec(grams)), "standard", NOW)
    assert quote.price == Money(expected, "EUR")


@pytest.mark.parametrize(
    ("dims", "grams", "billable", "price"),
    [
        ((100, 100, 100), 800, 800, "5.50"),  # 1,000,000 mm3 / 5000 = 200 g < actual
        ((300, 200, 100), 800, 1200, "7.70"),  # 6,000,000 / 5000 = 1200 g > actual
        ((500, 400, 300), 500, 12000, "13.20"),  # light but bulky
        ((101, 100, 100), 0 + 1, 202, "5.50"),  # rounds the dimensional weight up
    ],
)
def test_dimensional_weight_bills_bulky_parcels(
    carrier: TableRateCarrier, dims: tuple[int, int, int], grams: int, billable: int, price: str
) -> None:
    parcel = ParcelSpec(grams, Dimensions(*dims))
    quote = carrier.quote(request_to("DE", "10115", parcel), "standard", NOW)
    assert quote.billable_weight_grams == billable
    assert quote.price == Money(price, "EUR")


@pytest.mark.parametrize(
    ("value", "service", "where", "free"),
    [
        ("50.00", "standard", ("DE", "10115"), True),  # exactly the threshold
        ("49.99", "standard", ("DE", "10115"), False),
        ("500.00", "express", ("DE", "10115"), False),  # only standard is free
        ("500.00", "standard", ("FR", "75001"), False),  # only the domestic zone
        (None, "standard", ("DE", "10115"), False),  # no order value given
    ],
)
def test_free_shipping_threshold_applies_only_where_configured(
    carrier: TableRateCarrier, value: str | None, service: str, where: tuple[str, str], free: bool
) -> None:
    quote = carrier.quote(request_to(*where, ParcelSpec(500), value=value), service, NOW)
    assert quote.price.is_zero is free
    assert any("free shipping" in c.label for c in quote.breakdown) is free


def test_remote_area_surcharge_is_added_per_parcel_before_fuel(carrier: TableRateCarrier) -> None:
    quote = carrier.quote(
        request_to("DE", "18565", ParcelSpec(500), ParcelSpec(2000)), "standard", NOW
    )
    # (5.00 + 7.00) base + 2 x 2.50 remote = 17.00, + 10 % fuel = 18.70
    assert quote.price == Money("18.70", "EUR")
    assert [c.label.split(" ")[0] for c in quote.breakdown] == ["2", "remote", "fuel"]
    assert sum((c.amount for c in quote.breakdown), Money.zero("EUR")) == quote.price


def test_breakdown_adds_up_to_the_price_even_when_shipping_is_free(
    carrier: TableRateCarrier,
) -> None:
    quote = carrier.quote(request_to("DE", "10115", ParcelSpec(500), value="80"), "standard", NOW)
    assert sum((c.amount for c in quote.breakdown), Money.zero("EUR")) == quote.price
    assert quote.price == Money("0.00", "EUR")


def test_rates_list_only_services_that_serve_the_zone(carrier: TableRateCarrier) -> None:
    world = carrier.rates(request_to("US", "10001", ParcelSpec(500)), NOW)
    assert [q.service for q in world] == ["standard"]
    domestic = carrier.rates(request_to("DE", "10115", ParcelSpec(500)), NOW)
    assert [q.service for q in domestic] == ["standard", "express"]


@pytest.mark.parametrize(
    ("now", "ship", "promised"),
    [
        (NOW, dt.date(2026, 11, 24), dt.date(2026, 11, 25)),
        (NOW.replace(hour=17), dt.date(2026, 11, 25), dt.date(2026, 11, 26)),  # after cut-off
        (dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC), dt.date(2026, 11, 27),
         dt.date(2026, 11, 30)),  # Friday: next business day is Monday
        (dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC), dt.date(2026, 11, 30),
         dt.date(2026, 12, 1)),  # Saturday ships Monday
    ],
)  # fmt: skip
def test_promised_date_counts_business_days_from_the_first_ship_day(
    carrier: TableRateCarrier, now: dt.datetime, ship: dt.date, promised: dt.date
) -> None:
    quote = carrier.quote(request_to("DE", "10115", ParcelSpec(500)), "standard", now)
    assert (quote.ship_date, quote.promised_date) == (ship, promised)


def test_an_excluded_country_is_unserviceable(carrier: TableRateCarrier) -> None:
    with pytest.raises(UnserviceableAddress) as info:
        carrier.rates(request_to("KP", "", ParcelSpec(500)), NOW)
    assert info.value.carrier == "testpost"
    assert info.value.field == "ship_to.country"


def test_a_parcel_heavier_than_the_last_band_is_unserviceable(carrier: TableRateCarrier) -> None:
    with pytest.raises(UnserviceableAddress, match="at most 2000 g") as info:
        carrier.quote(request_to("US", "10001", ParcelSpec(500), ParcelSpec(2500)), "standard", NOW)
    assert info.value.field == "parcels[1].weight_grams"


def test_a_service_without_rates_for_the_zone_is_unserviceable(carrier: TableRateCarrier) -> None:
    with pytest.raises(UnserviceableAddress, match="does not serve zone 'world'"):
        carrier.quote(request_to("US", "10001", ParcelSpec(500)), "express", NOW)


def test_an_unknown_service_level_names_the_known_ones(carrier: TableRateCarrier) -> None:
    with pytest.raises(UnknownServiceLevel) as info:
        carrier.quote(request_to("DE", "10115", ParcelSpec(500)), "overnight", NOW)
    assert info.value.known == ("standard", "express")


def test_a_broken_table_reports_every_problem() -> None:
    broken = {
        "zones": [{"name": "z", "countries": ["XX"]}],
        "services": [{"code": "s", "transit_days": {"nowhere": 1}}],
        "rates": {"s": {"z": [[500, "1.00"], [100, "2.00"]]}, "t": {}},
        "surcharges": {"fuel_percent": "150"},
    }
    with pytest.raises(ValidationError) as info:
        TableRateCarrier.from_mapping(broken)
    fields = {p.field for p in info.value.problems}
    assert {
        "table.zones[0].countries",
        "table.services[0].transit_days.nowhere",
        "table.rates.s.z",
        "table.rates.t",
        "table.surcharges.fuel_percent",
    } <= fields


def test_the_demo_table_is_valid_and_prices_in_euros() -> None:
    carrier = TableRateCarrier.from_mapping(DEMO_TABLE)
    quote = carrier.quote(request_to("DE", "10115", ParcelSpec(900)), "standard", NOW)
    assert quote.price.currency == "EUR"
    assert quote.price.amount == Decimal("5.29")  # 4.90 + 8 % fuel


def test_labels_split_the_quote_exactly_over_parcels(carrier: TableRateCarrier) -> None:
    req = request_to("DE", "10115", ParcelSpec(500), ParcelSpec(3000), ParcelSpec(3000))
    quote = carrier.quote(req, "standard", NOW)
    labels = carrier.buy_label(req, "standard", reference="shp_1", now=NOW)
    assert sum((lb.price for lb in labels), Money.zero("EUR")) == quote.price
    assert len({lb.tracking_number for lb in labels}) == 3
    again = carrier.buy_label(req, "standard", reference="shp_1", now=NOW)
    assert [lb.tracking_number for lb in again] == [lb.tracking_number for lb in labels]
