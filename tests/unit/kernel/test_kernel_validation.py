"""The shared input checks and Problems, which reports every problem at once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omskit.errors import (
    FloatNotAllowed,
    InvalidAmount,
    InvalidEmail,
    InvalidQuantity,
    InvalidSku,
    Problem,
    UnknownCountry,
    ValidationError,
)
from omskit.validation import (
    MAX_QUANTITY,
    Problems,
    check_bool,
    check_country,
    check_decimal,
    check_email,
    check_locale,
    check_mapping,
    check_quantity,
    check_sku,
    check_text,
    countries,
)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (-1, InvalidQuantity),
        (0, InvalidQuantity),
        (MAX_QUANTITY + 1, InvalidQuantity),
        (1.0, FloatNotAllowed),
        (Decimal("1.5"), InvalidQuantity),
        (Decimal("NaN"), InvalidQuantity),
        ("2", InvalidQuantity),
        (True, InvalidQuantity),
        (None, InvalidQuantity),
    ],
)
def test_bad_quantities_raise_a_specific_error_naming_field_and_value(
    value: object, error: type[Exception]
) -> None:
    with pytest.raises(error) as info:
        check_quantity(value, "lines[1].quantity")
    assert info.value.field == "lines[1].quantity"  # type: ignore[attr-defined]
    assert "lines[1].quantity" in str(info.value)
    assert repr(value) in str(info.value)


def test_good_quantities_come_back_as_ints_within_the_bounds() -> None:
    assert check_quantity(3) == 3
    assert check_quantity(Decimal("2")) == 2
    assert check_quantity(0, minimum=0) == 0
    with pytest.raises(InvalidQuantity, match="at most 10"):
        check_quantity(11, maximum=10)
    with pytest.raises(InvalidQuantity, match="at least 2"):
        check_quantity(1, minimum=2)


@pytest.mark.parametrize("sku", ["TEE-M", "a", "A1._-/x", "9" * 64])
def test_valid_skus_pass_unchanged(sku: str) -> None:
    assert check_sku(sku) == sku


@pytest.mark.parametrize("sku", ["", "-TEE", "TEE M", "TEE#1", "9" * 65, None, 12, "ÄPFEL"])
def test_invalid_skus_raise_invalid_sku(sku: object) -> None:
    with pytest.raises(InvalidSku) as info:
        check_sku(sku, "lines[0].sku")
    assert info.value.field == "lines[0].sku"
    assert "letters, digits" in str(info.value)


@pytest.mark.parametrize(
    ("email", "clean"),
    [("dana@Example.COM", "dana@example.com"), (" a.b+c@x.io ", "a.b+c@x.io")],
)
def test_valid_emails_come_back_with_a_lower_case_domain(email: str, clean: str) -> None:
    assert check_email(email) == clean


@pytest.mark.parametrize(
    "email",
    [
        "dana",
        "dana@",
        "@x.io",
        "dana@localhost",
        "da na@x.io",
        "a@-x.io",
        None,
        "a" * 250 + "@x.io",
    ],
)
def test_invalid_emails_raise_invalid_email(email: object) -> None:
    with pytest.raises(InvalidEmail) as info:
        check_email(email, "customer.email")
    assert info.value.field == "customer.email"


def test_countries_are_upper_cased_iso_codes() -> None:
    assert check_country("de") == "DE"
    assert check_country(" il ") == "IL"
    assert {"DE", "US", "JP", "IL", "CH", "XK"} <= countries()


@pytest.mark.parametrize("code", ["XX", "ZZ", "EU", "UN", "QO", "DEU", "D", "", None, 276])
def test_unknown_or_non_country_codes_raise_unknown_country(code: object) -> None:
    with pytest.raises(UnknownCountry) as info:
        check_country(code, "ship_to.country")
    assert info.value.field == "ship_to.country"
    assert "ISO 3166" in str(info.value)


def test_locales_are_normalised_and_unknown_ones_refused() -> None:
    assert check_locale("de-DE") == "de_DE"
    assert check_locale("he_IL") == "he_IL"
    for bad in ("xx_YY", "", None, 5):
        with pytest.raises(ValidationError) as info:
            check_locale(bad, "customer.locale")
        assert info.value.field == "customer.locale"


def test_text_is_stripped_required_and_bounded() -> None:
    assert check_text("  hi ", "name") == "hi"
    assert check_text(None, "name", required=False) == ""
    with pytest.raises(ValidationError, match="must not be empty"):
        check_text("   ", "name")
    with pytest.raises(ValidationError, match="at most 3 characters"):
        check_text("long", "name", max_length=3)
    with pytest.raises(ValidationError, match="expected text"):
        check_text(5, "name")


def test_booleans_mappings_and_decimals_are_checked_strictly() -> None:
    assert check_bool(True, "flag") is True
    for bad in (1, "yes", None):
        with pytest.raises(ValidationError):
            check_bool(bad, "flag")
    assert check_mapping({"a": 1}, "x") == {"a": 1}
    with pytest.raises(ValidationError, match="mapping"):
        check_mapping([1], "x")
    assert check_decimal("2.5", "rate", minimum=Decimal(0)) == Decimal("2.5")
    with pytest.raises(ValidationError, match="at least 0"):
        check_decimal("-1", "rate", minimum=Decimal(0))
    with pytest.raises(ValidationError, match="at most 100"):
        check_decimal("101", "rate", maximum=Decimal(100))
    with pytest.raises(FloatNotAllowed):
        check_decimal(0.5, "rate")


def test_problems_collects_everything_and_raises_once() -> None:
    problems = Problems()
    assert problems.check("a", check_quantity, 2) == 2
    assert problems.check("b", check_quantity, -1) is None
    assert problems.check("c", check_sku, "bad sku") is None
    problems.add("d", "custom problem", "v")
    assert problems
    with pytest.raises(ValidationError) as info:
        problems.raise_if_any()
    assert [p.field for p in info.value.problems] == ["b", "c", "d"]
    assert type(info.value) is ValidationError  # three kinds of problem: the common base


def test_problems_raises_the_specific_class_all_its_problems_share() -> None:
    problems = Problems()
    problems.check("lines[0].quantity", check_quantity, 0)
    problems.check("lines[1].quantity", check_quantity, -3)
    with pytest.raises(InvalidQuantity) as info:
        problems.raise_if_any()
    assert len(info.value.problems) == 2

    one = Problems()
    one.check("price", check_decimal, 1.5)
    with pytest.raises(FloatNotAllowed):
        one.raise_if_any()

    error = Problems()
    error.add_error(InvalidAmount("price", "x", "expected a number"))
    with pytest.raises(InvalidAmount):
        error.raise_if_any()


def test_problems_with_nothing_recorded_does_not_raise() -> None:
    problems = Problems()
    problems.raise_if_any()
    assert not problems


def test_problems_extend_accepts_only_problems() -> None:
    problems = Problems()
    problems.extend([Problem("x", "from a hook")])
    assert problems.items == [Problem("x", "from a hook")]
    with pytest.raises(TypeError, match="expected Problem"):
        problems.extend(["not a problem"])


def test_problems_with_unhashable_values_are_fine() -> None:
    problems = Problems()
    problems.check("weights", check_mapping, [1, 2])
    with pytest.raises(ValidationError) as info:
        problems.raise_if_any()
    assert info.value.value == [1, 2]
