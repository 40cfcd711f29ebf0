"""Stripe's integer amounts: the smallest unit of each currency *as Stripe counts it*.

Stripe's exponent is not always ISO 4217's (docs.stripe.com/currencies):

* zero-decimal currencies (``ZERO_DECIMAL``: JPY, KRW, CLP...) are sent as whole units:
  ``¥500`` is ``500``;
* three-decimal currencies (``THREE_DECIMAL``: BHD, JOD, KWD, OMR, TND) are sent in
  thousandths, and Stripe requires the last digit to be ``0``: ``5.120 KWD`` is
  ``5120``, while ``5.124 KWD`` cannot be charged;
* every other currency is sent in hundredths, including ISK, which ISO gives no
  decimals (so ``1 ISK`` is ``100``, as Stripe requires); a currency ISO gives four
  decimals (UYW) is refused past the second.

An amount Stripe cannot represent is refused with a [`ValidationError`][]
naming the field; nothing is rounded silently.
"""

from __future__ import annotations

from decimal import Decimal

from omskit.errors import ValidationError
from omskit.money import Money, check_currency, precision

__all__ = [
    "THREE_DECIMAL",
    "ZERO_DECIMAL",
    "from_stripe_amount",
    "stripe_exponent",
    "to_stripe_amount",
]

#: Currencies Stripe takes in whole units.
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
#: Currencies Stripe takes in thousandths, with the last digit always ``0``.
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])


def stripe_exponent(currency: str) -> int:
    """How many digits of ``currency`` Stripe's integer amounts carry (0, 2 or 3)."""
    code = check_currency(currency)
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_stripe_amount(money: Money, field: str = "amount") -> int:
    """``money`` as Stripe's integer ``amount`` (``Money("10.00", "USD")`` is ``1000``).

    Raises:
        ValidationError: the amount is negative, has more digits than the currency's minor
            unit, or cannot be sent to Stripe exactly (a three-decimal amount whose last
            digit is not 0, a fraction of a zero-decimal currency).
    """
    if money.amount < 0:
        raise ValidationError(field, str(money), "Stripe amounts are zero or positive")
    iso = precision(money.currency)
    if money.amount != money.amount.quantize(Decimal(1).scaleb(-iso)):
        raise ValidationError(
            field, str(money), f"at most {iso} decimal(s) in {money.currency}; round it first"
        )
    exponent = stripe_exponent(money.currency)
    scaled = money.amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValidationError(
            field,
            str(money),
            f"Stripe takes {money.currency} with {exponent} decimal(s): it cannot be "
            "charged exactly",
        )
    units = int(scaled)
    if exponent == 3 and units % 10:
        raise ValidationError(
            field,
            str(money),
            f"Stripe requires {money.currency} amounts to end in 0 (whole hundredths, "
            "e.g. 5.120, not 5.124)",
        )
    return units


def from_stripe_amount(units: object, currency: object, field: str = "amount") -> Money:
    """Stripe's integer ``units`` of ``currency`` (any case, ``"usd"``) as exact Money.

    Raises:
        ValidationError: ``units`` is not an integer, or holds digits the currency's ISO
            minor unit cannot (``150`` ISK is 1.50 ISK, which ISO does not have).
    """
    if type(units) is not int:
        raise ValidationError(field, units, "expected Stripe's integer amount in minor units")
    code = check_currency(currency, f"{field}.currency")
    amount = Decimal(units).scaleb(-stripe_exponent(code))
    iso = precision(code)
    exact = amount.quantize(Decimal(1).scaleb(-iso))
    if exact != amount:
        raise ValidationError(
            field, units, f"{code} has {iso} decimal(s); {units} Stripe units is {amount}"
        )
    return Money(exact, code)
