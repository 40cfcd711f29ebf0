"""Locale formatting through babel, asserted as the exact strings people will read."""

from __future__ import annotations

import pytest

from omskit.errors import ValidationError
from omskit.money import ROUND_HALF_EVEN, Money, format_money

NBSP = "\xa0"
NNBSP = "\u202f"  # narrow no-break space, the Swiss French thousands separator
RLM = "\u200f"  # right-to-left mark, around Hebrew currency signs


@pytest.mark.parametrize(
    ("locale", "amount", "code", "expected"),
    [
        ("en_US", "1234.50", "USD", "$1,234.50"),
        ("en_US", "-0.50", "USD", "-$0.50"),
        ("en_US", "1234.500", "KWD", "KWD1,234.500"),
        ("en_US", "1235", "JPY", "¥1,235"),
        ("de_DE", "1234.50", "EUR", f"1.234,50{NBSP}€"),
        ("de_DE", "1234.50", "USD", f"1.234,50{NBSP}$"),
        ("he_IL", "1234.50", "ILS", f"{RLM}1,234.50{NBSP}{RLM}₪"),
        ("ja_JP", "1235", "JPY", "￥1,235"),
        ("ja_JP", "1234.50", "EUR", "€1,234.50"),
        ("fr_CH", "1234.50", "CHF", f"1{NNBSP}234,50{NBSP}CHF"),
        ("fr_CH", "1234.50", "EUR", f"1{NNBSP}234,50{NBSP}€"),
    ],
)
def test_money_formats_as_each_locale_writes_it(
    locale: str, amount: str, code: str, expected: str
) -> None:
    assert format_money(Money(amount, code), locale) == expected


def test_yen_never_show_decimals_and_dinars_show_three() -> None:
    assert format_money(Money("1234.5", "JPY").quantize(), "ja_JP") == "￥1,235"
    assert format_money(Money("1", "KWD"), "en_US") == "KWD1.000"


def test_babel_options_pass_through() -> None:
    assert format_money(Money("1234.50", "EUR"), "en_US", format_type="name") == "1,234.50 euros"


@pytest.mark.parametrize("locale", ["xx_YY", "", "not a locale"])
def test_an_unknown_locale_raises_a_validation_error_naming_it(locale: str) -> None:
    with pytest.raises(ValidationError) as info:
        format_money(Money("1", "EUR"), locale)
    assert info.value.field == "locale"
    assert info.value.value == locale


def test_formatting_rounds_extra_digits_with_the_named_mode_not_babels_default() -> None:
    half = Money("0.125", "EUR")  # babel alone would show 0.12 (half-even)
    assert format_money(half, "en_US") == "€0.13"
    assert format_money(half, "en_US", rounding=ROUND_HALF_EVEN) == "€0.12"
    assert format_money(Money("2.5", "JPY"), "ja_JP") == "￥3"
