"""Money values: parsing, currencies, arithmetic, comparison, minor units."""

from __future__ import annotations

from decimal import Decimal

import moneyed
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import (
    CurrencyMismatch,
    FloatNotAllowed,
    InvalidAmount,
    OmskitError,
    UnknownCurrency,
    ValidationError,
)
from omskit.money import Money, TaxedMoney, check_currency, precision, sum_money, to_decimal
from omskit.testing import currencies, money


@pytest.mark.parametrize("value", [0.1, 19.9, 0.0, float("nan")])
def test_a_float_amount_raises_float_not_allowed_suggesting_a_string_or_decimal(
    value: float,
) -> None:
    with pytest.raises(FloatNotAllowed) as info:
        Money(value, "EUR")  # type: ignore[arg-type]
    message = str(info.value)
    assert "amount" in message
    assert "string" in message
    assert "Decimal" in message
    assert info.value.field == "amount"
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, ValidationError)


def test_the_float_message_shows_the_string_to_pass_instead() -> None:
    with pytest.raises(FloatNotAllowed, match=r"'0\.1'"):
        to_decimal(0.1, "price")


@pytest.mark.parametrize(
    "value", ["1,2.3", "abc", "NaN", "Infinity", "-Infinity", "sNaN", "", "  ", "1_000", "1e999"]
)
def test_malformed_amounts_raise_invalid_amount_naming_the_field(value: str) -> None:
    with pytest.raises(InvalidAmount) as info:
        to_decimal(value, "lines[2].unit_price")
    assert info.value.field == "lines[2].unit_price"
    assert info.value.value == value
    assert "lines[2].unit_price" in str(info.value)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("value", [None, [1], {"amount": 1}, object(), True, False])
def test_amounts_of_the_wrong_type_raise_invalid_amount(value: object) -> None:
    with pytest.raises(InvalidAmount):
        Money(value, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19.90", Decimal("19.90")),
        (" 5 ", Decimal(5)),
        ("-0.5", Decimal("-0.5")),
        (7, Decimal(7)),
        (Decimal("1.005"), Decimal("1.005")),
        ("1E+2", Decimal(100)),
    ],
)
def test_strings_ints_and_decimals_are_accepted_exactly(value: object, expected: Decimal) -> None:
    assert Money(value, "EUR").amount == expected  # type: ignore[arg-type]


def test_amounts_beyond_eighteen_integer_digits_are_refused() -> None:
    assert to_decimal("999999999999999999.99") == Decimal("999999999999999999.99")
    with pytest.raises(InvalidAmount, match="18 digits"):
        to_decimal("1" + "0" * 18)


@given(
    digits=st.integers(-(10**18) + 1, 10**18 - 1),
    places=st.integers(0, 10),
    code=st.sampled_from(["EUR", "JPY", "KWD", "UYW", "CLF"]),
)
def test_quantize_never_surfaces_a_decimal_error_for_an_accepted_amount(
    digits: int, places: int, code: str
) -> None:
    value = Money(Decimal(digits).scaleb(-places), code)
    assert value.quantize().amount.as_tuple().exponent == -precision(code)


@pytest.mark.parametrize("code", ["XYZ", "EURO", "€", "", "E1R", "ZZZ"])
def test_unknown_currency_codes_raise_unknown_currency(code: str) -> None:
    with pytest.raises(UnknownCurrency) as info:
        Money("1", code)
    assert info.value.field == "currency"
    assert "ISO 4217" in str(info.value)


@pytest.mark.parametrize("code", [None, 978, ["EUR"]])
def test_a_currency_that_is_not_text_raises_unknown_currency(code: object) -> None:
    with pytest.raises(UnknownCurrency):
        check_currency(code, "order.currency")


def test_check_currency_names_the_field_given() -> None:
    with pytest.raises(UnknownCurrency) as info:
        check_currency("ABC", "order.currency")
    assert info.value.field == "order.currency"
    assert "order.currency" in str(info.value)


def test_currency_codes_are_normalised_to_upper_case_without_spaces() -> None:
    assert Money("1", "eur") == Money("1", "EUR")
    assert Money("1", " usd ").currency == "USD"


@pytest.mark.parametrize(
    ("operation", "word"),
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "subtract"),
        (lambda a, b: a < b, "compare"),
        (lambda a, b: a <= b, "compare"),
        (lambda a, b: a > b, "compare"),
        (lambda a, b: a >= b, "compare"),
    ],
)
def test_mixing_currencies_raises_currency_mismatch_which_is_a_value_error(
    operation: object, word: str
) -> None:
    with pytest.raises(CurrencyMismatch) as info:
        operation(Money("1", "EUR"), Money("1", "USD"))  # type: ignore[operator]
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, OmskitError)
    assert (info.value.left, info.value.right, info.value.operation) == ("EUR", "USD", word)
    assert "EUR" in str(info.value)
    assert "USD" in str(info.value)


def test_sum_money_refuses_a_foreign_currency_and_gives_zero_for_nothing() -> None:
    assert sum_money([], "JPY") == Money.zero("JPY")
    assert sum_money([Money("1.10", "EUR"), Money("2.20", "EUR")], "EUR") == Money("3.30", "EUR")
    with pytest.raises(CurrencyMismatch):
        sum_money([Money("1", "EUR"), Money("1", "GBP")], "EUR")


def test_builtin_sum_works_because_zero_plus_money_is_money() -> None:
    assert sum([Money("1.10", "EUR"), Money("2.20", "EUR")]) == Money("3.30", "EUR")


def test_multiplying_by_a_float_raises_but_ints_and_decimals_are_exact() -> None:
    with pytest.raises(FloatNotAllowed):
        Money("1.10", "EUR") * 1.5  # type: ignore[operator]
    assert Money("1.10", "EUR") * 3 == Money("3.30", "EUR")
    assert Decimal("0.5") * Money("1.10", "EUR") == Money("0.55", "EUR")
    with pytest.raises(TypeError):
        Money("1.10", "EUR") * True  # type: ignore[operator]


def test_adding_a_number_to_money_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Money("1", "EUR") + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money("1", "EUR") < 1  # type: ignore[operator]  # noqa: B015


def test_equal_amounts_with_different_exponents_are_equal_and_hash_alike() -> None:
    assert Money("1.5", "EUR") == Money("1.50", "EUR")
    assert hash(Money("1.5", "EUR")) == hash(Money("1.50", "EUR"))
    assert Money("1", "EUR") != Money("1", "USD")


def test_taxed_money_compared_with_money_is_a_type_error() -> None:
    taxed = TaxedMoney(Money("10", "EUR"), Money("11.90", "EUR"))
    with pytest.raises(TypeError, match=r"\.net or \.gross"):
        _ = taxed == Money("10", "EUR")
    with pytest.raises(TypeError):
        _ = Money("10", "EUR") == taxed
    with pytest.raises(TypeError):
        _ = Money("10", "EUR") < taxed  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = taxed < Money("10", "EUR")  # type: ignore[operator]


def test_taxed_money_adds_subtracts_and_knows_its_tax() -> None:
    a = TaxedMoney(Money("10.00", "EUR"), Money("11.90", "EUR"))
    b = TaxedMoney(Money("5.00", "EUR"), Money("5.35", "EUR"))
    assert (a + b).tax == Money("2.25", "EUR")
    assert (a - b) == TaxedMoney(Money("5.00", "EUR"), Money("6.55", "EUR"))
    assert a.currency == "EUR"
    assert TaxedMoney.zero("JPY").gross == Money.zero("JPY")
    assert len({a, TaxedMoney(Money("10.0", "EUR"), Money("11.9", "EUR"))}) == 1


def test_taxed_money_refuses_net_and_gross_in_two_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        TaxedMoney(Money("10", "EUR"), Money("11", "USD"))
    with pytest.raises(CurrencyMismatch):
        _ = TaxedMoney.zero("EUR") + TaxedMoney.zero("USD")


@pytest.mark.parametrize(
    ("amount", "code", "units"),
    [("19.90", "EUR", 1990), ("1234", "JPY", 1234), ("1.005", "KWD", 1005), ("-0.01", "USD", -1)],
)
def test_minor_units_count_cents_fils_or_yen(amount: str, code: str, units: int) -> None:
    assert Money(amount, code).minor_units == units
    assert Money.from_minor_units(units, code) == Money(amount, code)


def test_minor_units_of_an_unquantized_amount_raise() -> None:
    with pytest.raises(InvalidAmount, match="quantize"):
        _ = Money("1.005", "EUR").minor_units
    with pytest.raises(InvalidAmount):
        _ = Money("0.5", "JPY").minor_units


@given(value=money(min_value=Decimal(-(10**6))))
def test_minor_units_round_trip(value: Money) -> None:
    assert Money.from_minor_units(value.minor_units, value.currency) == value


def test_money_of_accepts_omskit_and_py_moneyed_money_and_names_fields() -> None:
    assert Money.of("2.50", "EUR") == Money("2.50", "EUR")
    assert Money.of(Money("2.50", "EUR")) == Money("2.50", "EUR")
    assert Money.of(moneyed.Money("2.50", "EUR"), "EUR") == Money("2.50", "EUR")
    assert Money("2.50", "EUR").to_moneyed() == moneyed.Money("2.50", "EUR")
    with pytest.raises(CurrencyMismatch):
        Money.of(Money("2.50", "EUR"), "USD")
    with pytest.raises(ValidationError) as info:
        Money.of("2.50", None, field="price")
    assert info.value.field == "price.currency"
    with pytest.raises(FloatNotAllowed) as float_info:
        Money.of(2.5, "EUR", field="price")
    assert float_info.value.field == "price"


def test_repr_str_zero_abs_and_negation() -> None:
    m = Money("-1.50", "EUR")
    assert repr(m) == "Money('-1.50', 'EUR')"
    assert str(m) == "-1.50 EUR"
    assert abs(m) == -m == Money("1.50", "EUR")
    assert Money.zero("EUR").is_zero
    assert not m.is_zero


@given(a=money("EUR"), b=money("EUR"))
def test_addition_and_subtraction_are_exact_inverses(a: Money, b: Money) -> None:
    assert (a + b) - b == a
    assert (a + b) == (b + a)


@given(code=currencies())
def test_precision_matches_iso_4217(code: str) -> None:
    assert precision(code) == {"JPY": 0, "KWD": 3}.get(code, 2)
