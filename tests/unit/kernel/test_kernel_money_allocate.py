"""Largest-remainder allocation: the parts always make the whole, fairly."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from omskit.errors import InvalidAmount, ValidationError
from omskit.money import Money, allocate, minor_unit
from omskit.testing import currencies, money, weights


def exact_shares(total: Money, ws: list[object]) -> list[Fraction]:
    """Each weight's exact share of ``total``, in minor units, as a fraction."""
    units = total.minor_units
    fractions = [Fraction(Decimal(w)) for w in ws]  # type: ignore[arg-type]
    whole = sum(fractions)
    return [units * f / whole for f in fractions]


signed_money = money(min_value=Decimal(-(10**6)), max_value=Decimal(10**6))


@given(total=signed_money, ws=weights())
def test_parts_always_sum_exactly_to_the_total(total: Money, ws: list[object]) -> None:
    parts = allocate(total, ws)
    assert len(parts) == len(ws)
    assert sum(p.amount for p in parts) == total.amount
    assert {p.currency for p in parts} == {total.currency}


@given(total=signed_money, ws=weights())
def test_every_part_is_within_one_minor_unit_of_its_exact_share(
    total: Money, ws: list[object]
) -> None:
    for part, share in zip(allocate(total, ws), exact_shares(total, ws), strict=True):
        assert abs(part.minor_units - share) < 1


@given(total=signed_money, ws=weights())
def test_every_part_is_its_exact_share_rounded_down_or_up(total: Money, ws: list[object]) -> None:
    for part, share in zip(allocate(total, ws), exact_shares(total, ws), strict=True):
        assert part.minor_units in {math.floor(share), math.ceil(share)}


@given(total=signed_money, ws=weights())
def test_parts_are_quantized_to_the_currency_minor_unit(total: Money, ws: list[object]) -> None:
    for part in allocate(total, ws):
        assert part.amount == part.amount.quantize(minor_unit(part.currency))


@given(total=signed_money, ws=weights(), zeros=st.lists(st.integers(0, 8), max_size=4))
def test_zero_weights_always_get_zero(total: Money, ws: list[object], zeros: list[int]) -> None:
    with_zeros = list(ws)
    for position in zeros:
        with_zeros.insert(min(position, len(with_zeros)), 0)
    parts = allocate(total, with_zeros)
    for weight, part in zip(with_zeros, parts, strict=True):
        if weight == 0:
            assert part.is_zero


@given(total=money(min_value=Decimal(0)), ws=weights())
def test_a_positive_total_never_gives_a_negative_part(total: Money, ws: list[object]) -> None:
    assert all(p.amount >= 0 for p in allocate(total, ws))


@given(total=money(min_value=Decimal("0.001")), ws=weights())
def test_a_negative_total_splits_as_the_mirror_of_the_positive_one(
    total: Money, ws: list[object]
) -> None:
    positive = allocate(total, ws)
    negative = allocate(-total, ws)
    assert negative == [-p for p in positive]
    assert all(p.amount <= 0 for p in negative)


@given(total=signed_money, ws=weights(), data=st.data())
def test_permuting_weights_permutes_parts_when_all_remainders_are_distinct(
    total: Money, ws: list[object], data: st.DataObject
) -> None:
    """The precise statement of "order of weights is irrelevant up to ties".

    Let r_i be the fractional part of weight i's exact share. Leftover minor units go to
    the largest r_i, ties broken by position. When the r_i are pairwise distinct there is
    no tie to break, so the part a weight gets does not depend on where it stands:
    allocate(total, permuted(ws)) == permuted(allocate(total, ws)).
    """
    remainders = [share - int(share) for share in exact_shares(total, ws)]
    assume(len(set(remainders)) == len(remainders))
    order = data.draw(st.permutations(range(len(ws))))
    permuted = allocate(total, [ws[i] for i in order])
    original = allocate(total, ws)
    assert permuted == [original[i] for i in order]


@given(total=signed_money, n=st.integers(1, 12))
def test_equal_weights_give_parts_that_differ_by_at_most_one_minor_unit(
    total: Money, n: int
) -> None:
    units = [p.minor_units for p in allocate(total, [1] * n)]
    assert max(units) - min(units) <= 1
    # and the larger parts come first: ties go to the earliest weight
    assert units == sorted(units, reverse=total.amount > 0)


def test_ties_go_to_the_earliest_weight_so_order_can_matter() -> None:
    # exact shares 1.5 and 2.5 cents: both remainders are .5, the first weight wins the cent
    assert allocate(Money("0.04", "EUR"), [3, 5]) == [Money("0.02", "EUR"), Money("0.02", "EUR")]
    assert allocate(Money("0.04", "EUR"), [5, 3]) == [Money("0.03", "EUR"), Money("0.01", "EUR")]


def test_ten_euros_split_three_ways_is_three_thirty_four_and_two_thirty_threes() -> None:
    assert Money("10.00", "EUR").allocate([1, 1, 1]) == [
        Money("3.34", "EUR"),
        Money("3.33", "EUR"),
        Money("3.33", "EUR"),
    ]


def test_yen_are_split_in_whole_yen_and_dinars_in_fils() -> None:
    assert allocate(Money("100", "JPY"), [1, 2]) == [Money("33", "JPY"), Money("67", "JPY")]
    assert allocate(Money("1.000", "KWD"), [1, 1, 1]) == [
        Money("0.334", "KWD"),
        Money("0.333", "KWD"),
        Money("0.333", "KWD"),
    ]


def test_decimal_and_string_weights_are_exact() -> None:
    parts = allocate(Money("1.00", "EUR"), [Decimal("0.1"), "0.2", Decimal("0.7")])
    assert parts == [Money("0.10", "EUR"), Money("0.20", "EUR"), Money("0.70", "EUR")]


def test_weights_far_apart_in_scale_are_handled_without_decimal_errors() -> None:
    parts = allocate(Money("1.00", "EUR"), ["1", "1e-40", "1.0000000000000000000000000000001"])
    assert sum(p.amount for p in parts) == Decimal("1.00")
    assert parts[1].is_zero


@pytest.mark.parametrize(
    ("ws", "field"),
    [
        ([], "weights"),
        ([1, -1], "weights[1]"),
        ([0, 0, 0], "weights"),
        ([Decimal("-0.5")], "weights[0]"),
    ],
)
def test_empty_negative_or_all_zero_weights_raise_naming_the_field(
    ws: list[object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        allocate(Money("10.00", "EUR"), ws)
    assert info.value.field == field


@pytest.mark.parametrize("bad", [0.5, "abc", None, True])
def test_a_weight_that_is_not_a_decimal_number_raises(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        allocate(Money("10.00", "EUR"), [1, bad])
    assert info.value.field == "weights[1]"


def test_a_total_with_more_digits_than_the_currency_allows_must_be_quantized_first() -> None:
    with pytest.raises(InvalidAmount, match="quantize it first"):
        allocate(Money("10.005", "EUR"), [1, 1])


@given(code=currencies(), ws=weights())
def test_zero_splits_into_zeros(code: str, ws: list[object]) -> None:
    assert all(p.is_zero for p in allocate(Money.zero(code), ws))
