"""Tax by region does not depend on spelling; reverse charge needs a VAT id that checks out."""

from __future__ import annotations

import pycountry
import pytest
from stdnum.eu import vat

from omskit import OMS, ValidationError

from . import pricing_helpers as helpers

SACRAMENTO = {
    "country": "US",
    "line1": "1 Capitol Mall",
    "city": "Sacramento",
    "postal_code": "95814",
}
CALIFORNIA = pycountry.subdivisions.get(code="US-CA").name
VALID_FR = "FR40303265045"


def us_shop() -> OMS:
    oms = helpers.make_oms()
    oms.channels.add(
        "us",
        currencies=["USD"],
        price_list="us",
        prices_include_tax=False,
        options={"origin_country": "US"},
    )
    oms.pricing.add_price_list("us", "USD", includes_tax=False)
    oms.pricing.set_price("us", "TEE-M", "20.00")
    oms.pricing.add_tax_rate("US-CA", "standard", "7.25", name="CA sales tax")
    return oms


def ca_tax(oms: OMS, region: str) -> object:
    quote = oms.pricing.quote(
        channel="us",
        lines=[{"sku": "TEE-M", "quantity": 1}],
        ship_to={**SACRAMENTO, "region": region},
    )
    return quote.tax_total


@pytest.mark.parametrize(
    "region", ["CA", "ca", "US-CA", "us-ca", CALIFORNIA, CALIFORNIA.lower(), f" {CALIFORNIA} "]
)
def test_a_state_rate_applies_however_the_state_is_spelled(region: str) -> None:
    oms = us_shop()
    reference = ca_tax(oms, "CA")
    assert str(reference) != str(ca_tax(oms, "NV"))  # the rate is there and is not zero
    assert ca_tax(oms, region) == reference


def test_a_rate_entered_with_the_states_name_is_the_same_jurisdiction() -> None:
    oms = helpers.make_oms()
    oms.pricing.add_tax_rate(f"us-{CALIFORNIA}", "standard", "7.25", name="CA sales tax")
    (rate,) = oms.pricing.tax_rates("US")
    assert rate.jurisdiction.code == "US-CA"


def test_an_unknown_region_is_refused_and_prices_nothing() -> None:
    oms = us_shop()
    with pytest.raises(ValidationError) as info:
        ca_tax(oms, "Calif")
    assert [p.field for p in info.value.problems] == ["ship_to.region"]
    assert "ISO 3166-2" in str(info.value)
    with pytest.raises(ValidationError) as bad_rate:
        oms.pricing.add_tax_rate("US-Calif", "standard", "1", name="nope")
    assert bad_rate.value.value == "US-Calif"
    assert len(oms.pricing.tax_rates("US")) == 1  # nothing was added


def with_wrong_check_digit(number: str) -> str:
    for digit in "0123456789":
        candidate = number[:-1] + digit
        if candidate != number and not vat.is_valid(candidate):
            return candidate
    raise AssertionError("no invalid variant")  # pragma: no cover


def test_a_vat_id_with_a_wrong_check_digit_pays_vat_and_the_quote_says_why() -> None:
    oms = helpers.make_oms({"pricing": {"origin_country": "DE"}})
    assert vat.is_valid(VALID_FR)
    bad = with_wrong_check_digit(VALID_FR)
    lines = [{"sku": "TEE-M", "quantity": 1}]
    good = oms.pricing.quote(
        channel="web", lines=lines, ship_to=helpers.PARIS, customer={"vat_id": VALID_FR}
    )
    refused = oms.pricing.quote(
        channel="web", lines=lines, ship_to=helpers.PARIS, customer={"vat_id": bad}
    )
    assert good.treatment == "reverse_charge"
    assert refused.treatment == "taxed"
    assert not refused.tax_total.is_zero
    (note,) = [n for n in refused.notes if bad in n]
    assert "not valid" in note
    assert "check digits" in note
    assert note in refused.explain()


def test_the_issues_german_id_with_a_bad_check_digit_gets_no_reverse_charge() -> None:
    oms = helpers.make_oms({"pricing": {"origin_country": "FR"}})
    assert not vat.is_valid("DE123456789")
    quote = oms.pricing.quote(
        channel="web",
        lines=[{"sku": "TEE-M", "quantity": 1}],
        ship_to=helpers.BERLIN,
        customer={"vat_id": "DE123456789"},
    )
    assert quote.treatment == "taxed"
    assert any("DE123456789" in n and "not valid" in n for n in quote.notes)


def test_registering_an_invalid_eu_vat_id_is_refused_and_stores_nothing(oms: OMS) -> None:
    with pytest.raises(ValidationError) as info:
        oms.customers.register("b2b@example.com", vat_id="DE 123 456 789")
    assert info.value.field == "vat_id"
    assert "check digits" in str(info.value)
    assert oms.customers.find_by_email("b2b@example.com") is None
    stored = oms.customers.register("b2b@example.com", vat_id="fr 40 303 265 045")
    assert stored.vat_id == VALID_FR
    with pytest.raises(ValidationError):
        oms.customers.update(stored.id, vat_id=with_wrong_check_digit(VALID_FR))
    assert oms.customers.get(stored.id).vat_id == VALID_FR


def test_a_vat_id_without_an_eu_prefix_is_kept_as_given(oms: OMS) -> None:
    swiss = oms.customers.register("ch@example.com", vat_id="CHE-123.456.788 MWST")
    assert swiss.vat_id == "CHE123456788MWST"
