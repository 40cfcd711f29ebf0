"""Quantizing to each currency's minor unit, and the rounding policy per currency."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.money import Money, RoundingPolicy, minor_unit, precision, quantize

PRECISIONS = {"JPY": 0, "KRW": 0, "EUR": 2, "USD": 2, "KWD": 3, "BHD": 3, "TND": 3}

amounts = st.decimals(
    min_value=Decimal(-(10**9)), max_value=Decimal(10**9), places=6, allow_nan=False
)
modes = st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN])


@pytest.mark.parametrize(("code", "digits"), PRECISIONS.items())
def test_precision_comes_from_iso_4217(code: str, digits: int) -> None:
    assert precision(code) == digits
    assert minor_unit(code) == Decimal(1).scaleb(-digits)


@given(amount=amounts, code=st.sampled_from(sorted(PRECISIONS)), mode=modes)
def test_quantize_is_idempotent_for_every_precision(amount: Decimal, code: str, mode: str) -> None:
    once = quantize(amount, code, mode)
    assert quantize(once, code, mode) == once
    assert once.as_tuple().exponent == -PRECISIONS[code]


@given(amount=amounts, code=st.sampled_from(sorted(PRECISIONS)), mode=modes)
def test_quantize_moves_an_amount_by_less_than_one_minor_unit(
    amount: Decimal, code: str, mode: str
) -> None:
    assert abs(quantize(amount, code, mode) - amount) < minor_unit(code)


@given(amount=amounts, code=st.sampled_from(sorted(PRECISIONS)))
def test_half_up_and_half_even_round_to_nearest_and_agree_off_the_midpoint(
    amount: Decimal, code: str
) -> None:
    up = quantize(amount, code, ROUND_HALF_UP)
    even = quantize(amount, code, ROUND_HALF_EVEN)
    assert abs(up - amount) <= minor_unit(code) / 2
    assert abs(even - amount) <= minor_unit(code) / 2
    if abs(up - amount) != minor_unit(code) / 2:
        assert up == even


@pytest.mark.parametrize(
    ("amount", "code", "half_up", "half_even"),
    [
        ("0.125", "EUR", "0.13", "0.12"),
        ("0.135", "EUR", "0.14", "0.14"),
        ("-0.125", "EUR", "-0.13", "-0.12"),
        ("2.5", "JPY", "3", "2"),
        ("3.5", "JPY", "4", "4"),
        ("0.0005", "KWD", "0.001", "0.000"),
        ("1.2345", "BHD", "1.235", "1.234"),
    ],
)
def test_half_up_and_half_even_differ_only_on_point_five(
    amount: str, code: str, half_up: str, half_even: str
) -> None:
    value = Money(amount, code)
    assert RoundingPolicy("half_up").round_money(value) == Money(half_up, code)
    assert RoundingPolicy("half_even").round_money(value) == Money(half_even, code)
    assert RoundingPolicy("half_even").round(value.amount, code) == Decimal(half_even)
    assert str(RoundingPolicy("half_up").round_money(value).amount) == half_up


def test_money_quantize_names_its_mode_and_defaults_to_half_up() -> None:
    assert Money("0.125", "EUR").quantize() == Money("0.13", "EUR")
    assert Money("0.125", "EUR").quantize(ROUND_HALF_EVEN) == Money("0.12", "EUR")
    assert Money("0.129", "EUR").quantize(ROUND_DOWN) == Money("0.12", "EUR")


def test_rounding_policy_defaults_and_decimal_constants() -> None:
    policy = RoundingPolicy()
    assert (policy.mode, policy.scope) == ("half_up", "line")
    assert policy.decimal_rounding == ROUND_HALF_UP
    assert RoundingPolicy("half_even", "total").decimal_rounding == ROUND_HALF_EVEN


@pytest.mark.parametrize(("mode", "scope"), [("bankers", "line"), ("half_up", "order"), ("", "")])
def test_rounding_policy_refuses_unknown_modes_and_scopes(mode: str, scope: str) -> None:
    with pytest.raises(ValueError, match="must be in"):
        RoundingPolicy(mode, scope)  # type: ignore[arg-type]
