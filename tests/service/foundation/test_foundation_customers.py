"""Customers and addresses: registered, changed, found; bad input refused, nothing stored."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given

from omskit import OMS, Address, GeoPoint
from omskit.customers import CUSTOMERS, uses_postal_codes
from omskit.errors import (
    AlreadyExists,
    InvalidEmail,
    NotFound,
    UnknownCountry,
    ValidationError,
)
from omskit.testing import addresses

BERLIN = {
    "country": "de",
    "line1": "Invalidenstr. 117",
    "city": "Berlin",
    "postal_code": "10115",
    "lat": 52.53,
    "lon": 13.38,
}


def snapshot(oms: OMS) -> list[dict[str, Any]]:
    with oms.runtime.storage.unit_of_work() as uow:
        return [attrs.asdict(c) for c in uow.repo(CUSTOMERS).scan()]


def test_a_customer_is_registered_with_normalised_fields(oms: OMS) -> None:
    dana = oms.customers.register(
        "Dana@Example.COM",
        name=" Dana Levi ",
        phone="+49 (30) 123-4567",
        locale="de-DE",
        vat_id="de 123.456.788",
        addresses=[BERLIN],
    )
    assert dana.id == "cus_000001"
    assert (dana.email, dana.name, dana.phone, dana.locale) == (
        "Dana@example.com",
        "Dana Levi",
        "+49301234567",
        "de_DE",
    )
    assert dana.vat_id == "DE123456788"
    (home,) = dana.addresses
    assert home.country == "DE"
    assert home.point == GeoPoint(52.53, 13.38)
    assert home.one_line() == "Invalidenstr. 117, 10115 Berlin, DE"
    assert attrs.asdict(oms.customers.get(dana.id)) == attrs.asdict(dana)


def test_customers_are_found_by_email_whatever_its_case(oms: OMS) -> None:
    dana = oms.customers.register("dana@example.com")
    assert oms.customers.find_by_email("DANA@EXAMPLE.COM").id == dana.id  # type: ignore[union-attr]
    assert oms.customers.get_by_email("dana@example.com").id == dana.id
    assert oms.customers.find_by_email("nobody@example.com") is None
    with pytest.raises(NotFound, match=r"nobody@example\.com"):
        oms.customers.get_by_email("nobody@example.com")
    with pytest.raises(InvalidEmail):
        oms.customers.find_by_email("not an email")


def test_update_changes_fields_and_the_email_key(oms: OMS) -> None:
    dana = oms.customers.register("dana@example.com")
    updated = oms.customers.update(dana.id, email="dana@levi.example", group="vip")
    assert (updated.email, updated.group, updated.version) == ("dana@levi.example", "vip", 2)
    assert oms.customers.find_by_email("dana@example.com") is None
    assert oms.customers.get_by_email("dana@levi.example").group == "vip"
    oms.customers.register("dana@example.com")  # the old email is free again


def test_a_tax_exempt_customer_needs_a_certificate(oms: OMS) -> None:
    with pytest.raises(ValidationError) as info:
        oms.customers.register("ngo@example.org", tax_exempt=True)
    assert info.value.field == "tax_exempt_certificate"
    assert snapshot(oms) == []
    ngo = oms.customers.register("ngo@example.org", tax_exempt=True, tax_exempt_certificate="EX-1")
    assert ngo.tax_exempt
    with pytest.raises(ValidationError, match="tax_exempt_certificate"):
        oms.customers.update(ngo.id, tax_exempt_certificate="")
    assert oms.customers.get(ngo.id).tax_exempt_certificate == "EX-1"


def test_add_address_appends_a_validated_address(oms: OMS) -> None:
    dana = oms.customers.register("dana@example.com")
    after = oms.customers.add_address(dana.id, BERLIN)
    assert [a.city for a in after.addresses] == ["Berlin"]
    with pytest.raises(UnknownCountry):
        oms.customers.add_address(dana.id, {**BERLIN, "country": "XX"})
    with pytest.raises(NotFound):
        oms.customers.add_address("cus_999999", BERLIN)
    assert len(oms.customers.get(dana.id).addresses) == 1


def test_customer_events_are_recorded(oms: OMS) -> None:
    seen: list[str] = []
    oms.events.subscribe("seen", lambda e: seen.append(e.event_type))
    dana = oms.customers.register("dana@example.com")
    oms.customers.update(dana.id, name="Dana")
    oms.customers.add_address(dana.id, BERLIN)
    assert seen == ["CustomerRegistered", "CustomerUpdated", "CustomerUpdated"]


BAD: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"email": "dana"}, InvalidEmail, "email"),
    ({"email": "dana@localhost"}, InvalidEmail, "email"),
    ({"email": None}, InvalidEmail, "email"),
    ({"phone": "12"}, ValidationError, "phone"),
    ({"phone": "call me"}, ValidationError, "phone"),
    ({"locale": "xx_YY"}, ValidationError, "locale"),
    ({"tax_exempt": "yes"}, ValidationError, "tax_exempt"),
    ({"tax_exempt": True}, ValidationError, "tax_exempt_certificate"),
    ({"nickname": "D"}, ValidationError, "nickname"),
    ({"addresses": [{"country": "XX"}]}, UnknownCountry, "addresses[0].country"),
    (
        {"addresses": [{**BERLIN, "postal_code": "1011"}]},
        ValidationError,
        "addresses[0].postal_code",
    ),
    ({"addresses": [{**BERLIN, "lon": None}]}, ValidationError, "addresses[0].lat"),
    ({"addresses": [{**BERLIN, "lat": 91}]}, ValidationError, "addresses[0].lat"),
    ({"addresses": [{**BERLIN, "floor": 3}]}, ValidationError, "addresses[0].floor"),
    ({"addresses": ["Berlin"]}, ValidationError, "addresses[0]"),
]


@pytest.mark.parametrize(("fields", "error", "field"), BAD)
def test_bad_customer_input_raises_the_specific_error_and_stores_nothing(
    oms: OMS, fields: dict[str, Any], error: type[Exception], field: str
) -> None:
    oms.customers.register("someone@example.com")
    before = snapshot(oms)
    data = {"email": "dana@example.com", **fields}
    with pytest.raises(error) as info:
        oms.customers.register(**data)
    assert info.value.field == field  # type: ignore[attr-defined]
    assert field in str(info.value)
    assert snapshot(oms) == before


@pytest.mark.parametrize(("fields", "error", "field"), BAD)
def test_bad_customer_updates_raise_and_change_nothing(
    oms: OMS, fields: dict[str, Any], error: type[Exception], field: str
) -> None:
    dana = oms.customers.register("dana@example.com")
    before = snapshot(oms)
    with pytest.raises(error) as info:
        oms.customers.update(dana.id, **fields)
    assert info.value.field == field  # type: ignore[attr-defined]
    assert snapshot(oms) == before


def test_a_duplicate_email_raises_already_exists_whatever_its_case(oms: OMS) -> None:
    first = oms.customers.register("dana@example.com")
    other = oms.customers.register("other@example.com")
    before = snapshot(oms)
    with pytest.raises(AlreadyExists, match=r"dana@example\.com"):
        oms.customers.register("dana@EXAMPLE.com")
    with pytest.raises(AlreadyExists):
        oms.customers.update(other.id, email="dana@example.com")
    assert snapshot(oms) == before
    assert oms.customers.update(first.id, email="dana@example.com").version == 1


def test_unknown_customers_and_empty_updates_are_refused(oms: OMS) -> None:
    with pytest.raises(NotFound, match="cus_404"):
        oms.customers.get("cus_404")
    with pytest.raises(NotFound):
        oms.customers.update("cus_404", name="x")
    dana = oms.customers.register("dana@example.com")
    with pytest.raises(ValidationError, match="at least one field"):
        oms.customers.update(dana.id)


def test_several_problems_are_reported_at_once(oms: OMS) -> None:
    with pytest.raises(ValidationError) as info:
        oms.customers.register("nope", locale="xx", addresses=[{"country": "XX"}])
    assert {p.field for p in info.value.problems} == {"email", "locale", "addresses[0].country"}
    assert snapshot(oms) == []


# -- addresses on their own ------------------------------------------------------------


def test_an_address_from_a_mapping_is_validated_and_normalised() -> None:
    address = Address.from_mapping(
        {"country": "gb", "line1": "10 Downing St", "city": "London", "postal_code": "sw1a 2aa"}
    )
    assert (address.country, address.postal_code) == ("GB", "SW1A 2AA")
    assert Address.from_mapping(address) is address
    assert address.point is None


def test_address_errors_carry_the_callers_field_path() -> None:
    with pytest.raises(ValidationError) as info:
        Address.from_mapping({"country": "US", "postal_code": "ABCDE"}, field="ship_to")
    assert info.value.field == "ship_to.postal_code"
    assert "\\d{5}" in str(info.value)
    with pytest.raises(ValidationError, match="ship_to: got 'x'"):
        Address.from_mapping("x", field="ship_to")


@pytest.mark.parametrize(
    ("address", "missing"),
    [
        (Address("DE", line1="Str. 1", city="Berlin", postal_code="10115"), []),
        (Address("DE", line1="Str. 1", city="Berlin"), ["ship_to.postal_code"]),
        (Address("US", line1="1 Main St", city="Albany", postal_code="12207"), ["ship_to.region"]),
        (Address("US", line1="1 Main St", city="Albany", postal_code="12207", region="NY"), []),
        (Address("HK", line1="1 Queen's Rd", city="Hong Kong"), []),
        (Address("AE", line1="Sheikh Zayed Rd", city="Dubai"), []),
        (Address("FR"), ["ship_to.line1", "ship_to.city", "ship_to.postal_code"]),
        (Address("CA", line1="1 Rue", city="Montréal", postal_code="H2X 1Y4"), ["ship_to.region"]),
    ],
)
def test_shipping_problems_depend_on_the_destination(address: Address, missing: list[str]) -> None:
    assert [p.field for p in address.shipping_problems().items] == missing
    if missing:
        with pytest.raises(ValidationError):
            address.require_shippable()
    else:
        assert address.require_shippable() is address


def test_postal_codes_are_only_required_where_countries_use_them() -> None:
    assert uses_postal_codes("DE")
    assert not uses_postal_codes("HK")
    assert not uses_postal_codes("AE")


@given(address=addresses())
def test_generated_addresses_are_shippable_and_survive_a_round_trip(address: Address) -> None:
    assert not address.shipping_problems()
    data = {k: v for k, v in attrs.asdict(address, recurse=False).items() if k != "point"}
    assert address.point is not None
    again = Address.from_mapping({**data, "lat": address.point.lat, "lon": address.point.lon})
    assert again == address


def test_geo_points_measure_great_circle_distance() -> None:
    berlin, tel_aviv = GeoPoint(52.52, 13.405), GeoPoint(32.0853, 34.7818)
    assert round(berlin.distance_km(tel_aviv)) == 2850
    assert berlin.distance_km(berlin) == 0
    with pytest.raises(ValidationError, match="between -180 and 180"):
        GeoPoint.of(0, 181, "ship_to")
