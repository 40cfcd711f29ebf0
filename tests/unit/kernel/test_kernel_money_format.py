"""Locale formatting: omskit's own choices, checked against what babel itself answers.

omskit decides which locale and currency babel formats for, how many digits the amount
keeps (the currency's minor unit) and how it is rounded (half-up, named, not babel's
half-even). Separators, symbols and their placement are CLDR data that change between
babel releases (babel 2.19 writes Swiss French ``1'234,50 CHF``, earlier releases a
narrow no-break space), so no test here copies bytes from one release: each compares
with babel's own output for the already-rounded amount, or checks structure (digits,
the locale's decimal symbol, the currency's symbol).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import babel
import babel.numbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import ValidationError
from omskit.money import ROUND_HALF_EVEN, ROUND_HALF_UP, Money, format_money, precision, quantize

CASES = [
    ("en_US", "1234.50", "USD"),
    ("en_US", "-0.50", "USD"),
    ("en_US", "1234.5", "KWD"),
    ("en_US", "1234.5", "JPY"),
    ("de_DE", "1234.50", "EUR"),
    ("de_DE", "1234.50", "USD"),
    ("he_IL", "1234.50", "ILS"),
    ("ja_JP", "1234.5", "JPY"),
    ("ja_JP", "1234.50", "EUR"),
    ("fr_CH", "1234.50", "CHF"),
    ("fr_CH", "1234.50", "EUR"),
    ("de_CH", "0.125", "CHF"),
    ("ar_BH", "1234.5", "BHD"),
]


def digits(text: str) -> str:
    """The decimal digits of ``text`` in order, whatever script the locale writes them in."""
    return "".join(
        str(unicodedata.decimal(ch)) for ch in text if unicodedata.decimal(ch, None) is not None
    )


def expected_digits(amount: Decimal) -> str:
    """The digits a rounded amount shows: ``1234.50`` -> ``"123450"``, ``0.13`` -> ``"013"``."""
    return format(abs(amount), "f").replace(".", "")


@pytest.mark.parametrize(("locale", "amount", "code"), CASES)
def test_money_is_formatted_by_babel_for_the_asked_locale_after_omskit_rounds_it(
    locale: str, amount: str, code: str
) -> None:
    rounded = quantize(Decimal(amount), code, ROUND_HALF_UP)
    out = format_money(Money(amount, code), locale)
    assert out == babel.numbers.format_currency(rounded, code, locale=locale)


@pytest.mark.parametrize(("locale", "amount", "code"), CASES)
def test_the_amount_shows_exactly_the_currencys_minor_unit_digits(
    locale: str, amount: str, code: str
) -> None:
    out = format_money(Money(amount, code), locale)
    rounded = quantize(Decimal(amount), code, ROUND_HALF_UP)
    assert digits(out) == expected_digits(rounded)
    number = out.replace(babel.numbers.get_currency_symbol(code, locale), "")
    decimal_symbol = babel.numbers.get_decimal_symbol(locale)
    if precision(code):
        # the locale's own decimal symbol, followed by exactly the minor-unit digits
        assert len(digits(number.rsplit(decimal_symbol, 1)[1])) == precision(code)
    else:
        assert decimal_symbol not in number


@pytest.mark.parametrize(("locale", "amount", "code"), CASES)
def test_the_currency_is_shown_the_way_the_locale_names_it(
    locale: str, amount: str, code: str
) -> None:
    out = format_money(Money(amount, code), locale)
    assert babel.numbers.get_currency_symbol(code, locale) in out


@given(
    cents=st.integers(min_value=-(10**9), max_value=10**9),
    code=st.sampled_from(["EUR", "JPY", "KWD"]),
    locale=st.sampled_from(["en_US", "de_DE", "fr_CH", "ja_JP"]),
)
def test_any_quantized_amount_formats_as_babel_formats_it(
    cents: int, code: str, locale: str
) -> None:
    money = Money.from_minor_units(cents, code)
    out = format_money(money, locale)
    assert out == babel.numbers.format_currency(money.amount, code, locale=locale)
    assert digits(out) == expected_digits(money.amount)


def test_yen_never_show_decimals_and_dinars_show_three() -> None:
    yen = format_money(Money("1234.5", "JPY"), "ja_JP")
    assert digits(yen) == "1235"
    assert babel.numbers.get_decimal_symbol("ja_JP") not in yen
    dinar = format_money(Money("1", "KWD"), "en_US")
    assert digits(dinar) == "1000"
    assert dinar.endswith(babel.numbers.get_decimal_symbol("en_US") + "000")


def test_formatting_rounds_extra_digits_with_the_named_mode_not_babels_default() -> None:
    half = Money("0.125", "EUR")
    up = babel.numbers.format_currency(Decimal("0.13"), "EUR", locale="en_US")
    even = babel.numbers.format_currency(Decimal("0.12"), "EUR", locale="en_US")
    assert up != even
    assert format_money(half, "en_US") == up  # babel alone would round half-even to 0.12
    assert format_money(half, "en_US", rounding=ROUND_HALF_EVEN) == even
    assert digits(format_money(Money("2.5", "JPY"), "ja_JP")) == "3"


def test_babel_options_pass_through() -> None:
    value = Money("1234.50", "EUR")
    assert format_money(value, "en_US", format_type="name") == babel.numbers.format_currency(
        Decimal("1234.50"), "EUR", locale="en_US", format_type="name"
    )
    assert "euro" in format_money(value, "en_US", format_type="name")


def test_an_explicit_pattern_is_left_to_babel_without_rounding_first() -> None:
    value = Money("1234.5678", "EUR")
    pattern = {"format": "#,##0.0000 ¤", "currency_digits": False}
    out = format_money(value, "en_US", **pattern)
    assert out == babel.numbers.format_currency(value.amount, "EUR", locale="en_US", **pattern)
    assert digits(out) == "12345678"  # the four digits the pattern asks for, none rounded


@pytest.mark.parametrize(
    ("given_locale", "babel_locale"),
    [("de-DE", "de_DE"), ("fr", "fr"), ("de_CH", "de_CH"), (" en_US ", "en_US")],
)
def test_a_locale_spelled_any_usual_way_formats_as_babels_locale(
    given_locale: str, babel_locale: str
) -> None:
    value = Money("1234.5", "CHF")
    rounded = Decimal("1234.50")
    expected = babel.numbers.format_currency(rounded, "CHF", locale=babel_locale)
    assert format_money(value, given_locale) == expected
    assert format_money(value, babel.Locale.parse(babel_locale)) == expected


@pytest.mark.parametrize("locale", ["xx_YY", "", "not a locale"])
def test_an_unknown_locale_raises_a_validation_error_naming_it(locale: str) -> None:
    with pytest.raises(ValidationError) as info:
        format_money(Money("1", "EUR"), locale)
    assert info.value.field == "locale"
    assert info.value.value == locale
