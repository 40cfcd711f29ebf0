"""Regions become ISO 3166-2 codes at the edge: code, full code or name, in any case."""

from __future__ import annotations

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit import Address, ValidationError
from omskit.customers.subdivisions import check_subdivision, has_subdivisions, subdivision_codes
from omskit.pricing.tax.rates_data import builtin_rates
from omskit.validation import countries


def name_of(code: str) -> str:
    found = pycountry.subdivisions.get(code=code)
    assert found is not None
    return str(found.name)


@pytest.mark.parametrize("code", ["US-CA", "US-NY", "CA-QC", "DE-BY", "AU-NSW"])
def test_every_spelling_of_a_subdivision_gives_its_code(code: str) -> None:
    country, _, short = code.partition("-")
    name = name_of(code)
    for spelling in (short, short.lower(), code, code.lower(), name, name.upper(), name.lower()):
        assert check_subdivision(spelling, "region", country) == short


SAMPLE = ("US", "CA", "DE", "FR", "ES", "IT", "GB", "AU", "MX", "IN", "BR", "CH")


@given(
    st.sampled_from(SAMPLE).flatmap(
        lambda c: st.sampled_from(sorted(subdivision_codes(c))).map(lambda s: (c, s))
    )
)
def test_each_code_of_a_country_maps_back_to_itself(pair: tuple[str, str]) -> None:
    country, short = pair
    assert check_subdivision(short.lower(), "region", country) == short
    assert check_subdivision(f"{country}-{short}", "region", country) == short
    named = check_subdivision(name_of(f"{country}-{short}").split("[")[0], "region", country)
    assert (
        name_of(f"{country}-{named}").split("[")[0] == name_of(f"{country}-{short}").split("[")[0]
    )  # a name two subdivisions share means one of them


@pytest.mark.parametrize("value", ["Calif", "XX", "US-TX-1", "Bavaria-ish"])
def test_an_unknown_region_is_refused_naming_field_value_and_spelling(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_subdivision(value, "ship_to.region", "US")
    assert info.value.field == "ship_to.region"
    assert info.value.value == value
    assert "ISO 3166-2" in str(info.value)
    assert "US-" in str(info.value)


def test_a_country_without_iso_subdivisions_keeps_its_region_text() -> None:
    plain = sorted(c for c in countries() if not has_subdivisions(c))
    assert plain  # some territories have none in ISO 3166-2
    assert check_subdivision("  Anywhere ", "region", plain[0]) == "Anywhere"


def test_addresses_store_the_region_code_from_any_spelling() -> None:
    base = {"country": "US", "line1": "1 Main St", "city": "Sacramento", "postal_code": "95814"}
    for region in ("CA", "ca", "US-CA", name_of("US-CA"), name_of("US-CA").lower()):
        assert Address.from_mapping({**base, "region": region}).region == "CA"
    with pytest.raises(ValidationError) as info:
        Address.from_mapping({**base, "region": "Calif"}, field="ship_to")
    assert [p.field for p in info.value.problems] == ["ship_to.region"]


def test_every_region_of_the_built_in_tax_table_is_an_iso_subdivision() -> None:
    for rate in builtin_rates():
        j = rate.jurisdiction
        if j.region:
            assert j.region in subdivision_codes(j.country), j.code
