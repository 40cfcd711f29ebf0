"""Currency conversion through an exchange-rate provider, and the fixed rate table."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from omskit.errors import FloatNotAllowed, InvalidAmount, NotFound, UnknownCurrency
from omskit.money import (
    ExchangeRate,
    ExchangeRateProvider,
    FixedRates,
    Money,
    convert,
    minor_unit,
)
from omskit.testing import money, rates

AS_OF = dt.date(2026, 11, 2)
TABLE = FixedRates({"EUR": {"USD": "1.08", "JPY": "162", "KWD": "0.33"}}, as_of=AS_OF, source="t")
CODES = ("EUR", "USD", "JPY", "KWD")


def test_a_conversion_records_the_rate_its_date_and_its_source() -> None:
    result = convert(Money("100.00", "EUR"), "USD", TABLE)
    assert result.original == Money("100.00", "EUR")
    assert result.converted == Money("108.00", "USD")
    assert result.rate == ExchangeRate("EUR", "USD", Decimal("1.08"), AS_OF, "t")


def test_a_conversion_rounds_to_the_target_minor_unit_with_the_named_mode() -> None:
    assert convert(Money("1.00", "EUR"), "JPY", TABLE).converted == Money("162", "JPY")
    assert convert(Money("0.01", "EUR"), "JPY", TABLE).converted == Money("2", "JPY")
    assert convert(Money("0.01", "EUR"), "JPY", TABLE, rounding=ROUND_DOWN).converted == Money(
        "1", "JPY"
    )
    assert convert(Money("1.00", "EUR"), "KWD", TABLE).converted.amount == Decimal("0.330")


@given(value=money(), target=st.sampled_from(CODES))
def test_the_converted_amount_is_the_exact_product_rounded_to_the_target_unit(
    value: Money, target: str
) -> None:
    assume(value.currency in CODES)
    result = convert(value, target, TABLE)
    exact = value.amount * result.rate.rate
    assert abs(result.converted.amount - exact) <= minor_unit(target) / 2
    assert result.converted.currency == target


@given(value=money())
def test_converting_into_the_same_currency_is_the_identity(value: Money) -> None:
    result = convert(value, value.currency, FixedRates({}))
    assert result.converted == value
    assert result.rate.rate == 1


@given(value=money("EUR"), rate=rates(), target=st.sampled_from(["USD", "JPY", "KWD", "GBP"]))
def test_a_round_trip_lands_within_the_rounding_it_went_through(
    value: Money, rate: Decimal, target: str
) -> None:
    """Why the bound holds.

    Going out, rounding moves the amount by at most half a target unit ``u_t``; coming
    back through the inverse rate that error shrinks to ``u_t / (2 * rate)`` in the
    source currency, and rounding there adds at most half a source unit ``u_s``. So
    ``|back - value| <= u_t / (2 * rate) + u_s / 2``. When one source unit buys at
    least one target unit (``rate * u_s >= u_t``) the sum is at most one ``u_s`` and,
    both ends being whole units, the round trip is within one minor unit.
    """
    provider = FixedRates({"EUR": {target: rate}})
    out = convert(value, target, provider).converted
    back = convert(out, "EUR", provider).converted
    u_s, u_t = minor_unit("EUR"), minor_unit(target)
    slack = Decimal("1e-20")  # the inverse rate is a 28-digit Decimal, not a fraction
    assert abs(back.amount - value.amount) <= u_t / (2 * rate) + u_s / 2 + slack
    if rate * u_s >= u_t:
        assert abs(back.amount - value.amount) <= u_s


@given(rate=rates())
def test_the_inverse_rate_is_one_over_the_direct_rate(rate: Decimal) -> None:
    provider = FixedRates({"EUR": {"USD": rate}})
    inverse = provider.rate("USD", "EUR").rate
    assert abs(inverse * rate - 1) < Decimal("1e-25")


@given(a=rates(), b=rates())
def test_a_pivot_rate_is_the_product_of_the_two_legs(a: Decimal, b: Decimal) -> None:
    provider = FixedRates({"EUR": {"USD": a, "JPY": b}})
    cross = provider.rate("USD", "JPY")
    assert abs(cross.rate - b / a) <= Decimal("1e-20") * (b / a)
    assert (cross.base, cross.quote) == ("USD", "JPY")


def test_a_currency_that_only_appears_as_a_quote_can_serve_as_pivot() -> None:
    provider = FixedRates({"USD": {"EUR": "0.9"}, "GBP": {"EUR": "1.2"}})
    rate = provider.rate("USD", "GBP").rate
    assert rate == Decimal("0.9") / Decimal("1.2")


def test_an_unknown_pair_raises_not_found_naming_the_pair_and_source() -> None:
    with pytest.raises(NotFound, match="EUR->CHF") as info:
        TABLE.rate("EUR", "CHF")
    assert "source: t" in str(info.value)
    assert isinstance(info.value, LookupError)


@pytest.mark.parametrize(
    ("table", "error", "field"),
    [
        ({"EUR": {"USD": "0"}}, InvalidAmount, "rates.EUR.USD"),
        ({"EUR": {"USD": "-1"}}, InvalidAmount, "rates.EUR.USD"),
        ({"EUR": {"USD": 1.08}}, FloatNotAllowed, "rates.EUR.USD"),
        ({"EUR": {"USD": "abc"}}, InvalidAmount, "rates.EUR.USD"),
        ({"XXQ": {"USD": "1"}}, UnknownCurrency, "rates"),
        ({"EUR": {"QQQ": "1"}}, UnknownCurrency, "rates.EUR"),
    ],
)
def test_a_bad_rate_table_is_refused_naming_the_entry(
    table: dict[str, dict[str, object]], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as info:
        FixedRates(table)  # type: ignore[arg-type]
    assert info.value.field == field  # type: ignore[attr-defined]


def test_rates_and_conversions_refuse_unknown_currencies() -> None:
    with pytest.raises(UnknownCurrency):
        TABLE.rate("EUR", "NOPE")
    with pytest.raises(UnknownCurrency) as info:
        convert(Money("1", "EUR"), "NOPE", TABLE)
    assert info.value.field == "to"


def test_fixed_rates_is_an_exchange_rate_provider() -> None:
    assert isinstance(TABLE, ExchangeRateProvider)
    assert TABLE.rate("EUR", "USD", on=dt.date(2020, 1, 1)).as_of == AS_OF
