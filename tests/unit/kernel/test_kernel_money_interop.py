"""py-moneyed money and babel locales work wherever omskit's own do, converted exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import babel
import moneyed
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import CurrencyMismatch, UnknownCurrency, ValidationError
from omskit.money import (
    FixedRates,
    Money,
    allocate,
    as_money,
    coerce_locale,
    convert,
    format_money,
    sum_money,
    to_money,
)
from omskit.validation import check_locale

RATES = FixedRates({"EUR": {"USD": "1.08", "JPY": "162"}}, as_of=dt.date(2026, 11, 2))


@given(
    amount=st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False),
    currency=st.sampled_from(["EUR", "USD", "JPY", "KWD", "CHF"]),
)
def test_moneyed_money_becomes_omskit_money_with_the_same_decimal_and_code(
    amount: Decimal, currency: str
) -> None:
    foreign = moneyed.Money(amount, currency)
    ours = as_money(foreign)
    assert ours == Money(amount, currency)
    assert ours is not None
    assert ours.amount.as_tuple() == foreign.amount.as_tuple()  # not re-rounded
    assert Money.of(foreign) == ours == to_money(foreign)


def test_omskit_money_is_returned_as_it_is_and_anything_else_is_not_money() -> None:
    price = Money("19.90", "EUR")
    assert as_money(price) is price
    for value in ("19.90", Decimal("19.90"), 19, None, {"amount": "19.90"}):
        assert as_money(value) is None


def test_a_bare_amount_where_money_is_needed_raises_a_validation_error_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        to_money("19.90", "shipping")
    assert (info.value.field, info.value.value) == ("shipping", "19.90")
    assert "Money('19.90', 'EUR')" in info.value.allowed


def test_moneyed_money_in_a_currency_omskit_does_not_know_names_the_field() -> None:
    odd = moneyed.Money("1", moneyed.Currency("QQQ"))
    with pytest.raises(UnknownCurrency) as info:
        as_money(odd, "shipping")
    assert (info.value.field, info.value.value) == ("shipping.currency", "QQQ")


def test_money_of_checks_a_moneyed_amount_against_the_expected_currency() -> None:
    assert Money.of(moneyed.Money("5", "USD"), "usd") == Money("5", "USD")
    with pytest.raises(CurrencyMismatch):
        Money.of(moneyed.Money("5", "USD"), "EUR")


@pytest.mark.parametrize(
    ("amount", "currency", "locale"),
    [("1234.5", "EUR", "de_DE"), ("1234.5", "JPY", "ja_JP"), ("0.125", "KWD", "en_US")],
)
def test_format_money_takes_moneyed_money_and_babel_locales(
    amount: str, currency: str, locale: str
) -> None:
    ours = format_money(Money(amount, currency), locale)
    assert format_money(moneyed.Money(amount, currency), locale) == ours
    assert format_money(Money(amount, currency), babel.Locale.parse(locale)) == ours
    assert format_money(moneyed.Money(amount, currency), babel.Locale.parse(locale)) == ours


def test_format_money_refuses_what_is_not_money_with_a_clear_error() -> None:
    with pytest.raises(ValidationError) as info:
        format_money("19.90", "de_DE")  # type: ignore[arg-type]
    assert info.value.field == "value"


def test_convert_takes_moneyed_money() -> None:
    foreign = convert(moneyed.Money("59.70", "EUR"), "USD", RATES)
    assert foreign == convert(Money("59.70", "EUR"), "USD", RATES)
    assert foreign.original == Money("59.70", "EUR")
    assert foreign.converted == Money("64.48", "USD")


def test_allocate_and_sum_money_take_moneyed_money() -> None:
    parts = allocate(moneyed.Money("100.00", "EUR"), [1, 1, 1])
    assert parts == allocate(Money("100.00", "EUR"), [1, 1, 1])
    assert sum_money(parts, "EUR") == Money("100.00", "EUR")
    mixed = [moneyed.Money("1.10", "EUR"), Money("2.20", "EUR")]
    assert sum_money(mixed, "EUR") == Money("3.30", "EUR")
    with pytest.raises(ValidationError) as info:
        allocate("100.00", [1, 1])  # type: ignore[arg-type]
    assert info.value.field == "total"


@pytest.mark.parametrize("spelling", ["de_CH", "de-CH", " de_CH ", "DE_ch"])
def test_a_locale_identifier_is_read_by_babel_in_either_spelling(spelling: str) -> None:
    assert coerce_locale(spelling) == babel.Locale("de", "CH")
    assert check_locale(spelling) == "de_CH"


def test_a_babel_locale_is_accepted_as_it_is() -> None:
    swiss = babel.Locale.parse("fr_CH")
    assert coerce_locale(swiss) is swiss
    assert check_locale(swiss) == "fr_CH"


@pytest.mark.parametrize("bad", ["xx_YY", "", "   ", "not a locale", 42, None])
def test_an_unknown_locale_raises_a_validation_error_naming_the_field(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        coerce_locale(bad, "customer.locale")
    assert (info.value.field, info.value.value) == ("customer.locale", bad)
    assert "babel.Locale" in info.value.allowed
