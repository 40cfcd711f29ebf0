"""The engine's shortcuts build what the plain constructors build."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from omskit import Money
from omskit.pricing.engine import line_money
from omskit.pricing.lines import frozen_builder
from omskit.pricing.tax.model import TaxItem

_CURRENCIES = st.sampled_from(["EUR", "JPY", "KWD"])
_PLACES = {"EUR": 2, "JPY": 0, "KWD": 3}


@st.composite
def _amount(draw: st.DrawFn, currency: str) -> Decimal:
    minor = draw(st.integers(min_value=-(10**9), max_value=10**9))
    return Decimal(minor).scaleb(-_PLACES[currency])


@given(data=st.data(), currency=_CURRENCIES, reuse=st.booleans(), same=st.integers(0, 3))
def test_line_money_equals_the_plain_money_constructor(
    data: st.DataObject, currency: str, reuse: bool, same: int
) -> None:
    unit = data.draw(_amount(currency))
    amount = unit if same & 1 else data.draw(_amount(currency))
    net = amount if same & 2 else data.draw(_amount(currency))
    gross = data.draw(st.sampled_from([net, amount, data.draw(_amount(currency))]))
    given_unit = Money(unit, currency) if reuse else None
    built = line_money(given_unit, unit, amount, net, gross, currency)
    plain = tuple(Money(v, currency) for v in (unit, amount, net, gross))
    assert built == plain
    for fast, slow in zip(built, plain, strict=True):
        assert type(fast) is Money
        assert fast.currency == slow.currency
        assert str(fast.amount) == str(slow.amount)  # same exponent, not only equal
    if given_unit is not None:
        assert built[0] is given_unit


@given(
    index=st.integers(-1, 500),
    sku=st.text(max_size=8),
    tax_class=st.sampled_from(["standard", "reduced", "zero"]),
    quantity=st.integers(1, 10**6),
    amount=st.decimals(allow_nan=False, allow_infinity=False, places=2),
)
def test_the_engine_tax_item_builder_equals_the_attrs_constructor(
    index: int, sku: str, tax_class: str, quantity: int, amount: Decimal
) -> None:
    values = (index, sku, tax_class, quantity, amount)
    assert frozen_builder(TaxItem)(*values) == TaxItem(*values)
