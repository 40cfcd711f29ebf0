"""Exact money: parsing, quantizing, rounding policies, allocation, conversion, formatting.

Rules this module enforces everywhere in omskit:

* Amounts are `Decimal`. Strings, ints, Decimals and py-moneyed ``Money``
  are accepted; a ``float`` raises [`FloatNotAllowed`][], because
  ``0.1 + 0.2`` is not ``0.3``.
* Wherever omskit takes a [`Money`][], a py-moneyed ``moneyed.Money`` works too
  ([`MoneyLike`][]; converted exactly by [`as_money`][]), and wherever it takes a locale
  identifier, a ``babel.Locale`` works too ([`LocaleLike`][], read by
  [`coerce_locale`][]).
* The number of minor-unit digits comes from babel's ISO 4217 data (JPY 0, EUR 2, KWD 3),
  and every rounding names its mode at the call site.
* Splitting an amount (a discount over lines, a refund over payments) uses the
  largest-remainder method, so the parts always add up to the whole to the last minor unit.
* Two currencies never meet silently: that is [`CurrencyMismatch`][].
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

import attrs
import babel
import babel.numbers
import moneyed

from omskit.errors import (
    CurrencyMismatch,
    FloatNotAllowed,
    InvalidAmount,
    NotFound,
    UnknownCurrency,
    ValidationError,
)

__all__ = [
    "ROUNDING_MODES",
    "ROUND_DOWN",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_UP",
    "Conversion",
    "ExchangeRate",
    "ExchangeRateProvider",
    "FixedRates",
    "LocaleLike",
    "Money",
    "MoneyLike",
    "RoundingPolicy",
    "TaxedMoney",
    "allocate",
    "as_money",
    "check_currency",
    "coerce_locale",
    "convert",
    "format_money",
    "minor_unit",
    "precision",
    "quantize",
    "sum_money",
    "to_decimal",
    "to_money",
]

_ROUNDING_NAMES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
#: The rounding modes a `RoundingPolicy` names: half-up, half-even, and ``"down"``
#: (truncation, the usual way Japanese invoices round consumption tax).
ROUNDING_MODES: tuple[str, ...] = tuple(_ROUNDING_NAMES)
# The default decimal context keeps 28 digits. Amounts may have at most 18 digits before
# the point, which leaves room for 4 minor-unit digits (UYW) and a factor of a million
# (a quantity) before any result would be rounded or quantize() would fail.
_MAX_INTEGER_DIGITS = 18
# Far more than any currency or rate needs; it keeps exact scaling (allocate's common
# scale) cheap for whatever a JSON document says.
_MAX_FRACTION_DIGITS = 100


def to_decimal(value: object, field: str = "amount") -> Decimal:
    """Turn ``value`` into a finite Decimal, or raise an error naming ``field``.

    Accepts ``Decimal``, ``int`` and numeric strings (``"19.90"``, ``" 5 "``, ``"-0.5"``).

    Raises:
        FloatNotAllowed: for a float (pass ``"0.1"`` or ``Decimal("0.1")`` instead).
        InvalidAmount: for anything that is not a finite decimal number.
    """
    if type(value) is Decimal:
        result = value
    elif isinstance(value, bool):
        raise InvalidAmount(field, value, "expected a decimal number, not a boolean")
    elif isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, float):
        raise FloatNotAllowed(
            field,
            value,
            f"floats are inexact; pass a string such as '{value!r}' or a Decimal",
        )
    elif isinstance(value, str):
        try:
            if "_" in value:  # Decimal() would read "1_0.5" as 10.5
                raise decimal.InvalidOperation
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise InvalidAmount(
                field, value, "expected a decimal number such as '19.90' (dot as separator)"
            ) from None
    else:
        raise InvalidAmount(
            field, value, f"expected a str, int or Decimal, not {type(value).__name__}"
        )
    if not result.is_finite():
        raise InvalidAmount(field, value, "expected a finite number")
    if result and result.adjusted() >= _MAX_INTEGER_DIGITS:
        raise InvalidAmount(
            field, value, f"expected at most {_MAX_INTEGER_DIGITS} digits before the point"
        )
    if int(result.as_tuple().exponent) < -_MAX_FRACTION_DIGITS:  # 1E-999999: scaling it
        raise InvalidAmount(  # to whole units (allocate) would take seconds
            field, value, f"expected at most {_MAX_FRACTION_DIGITS} digits after the point"
        )
    return result


@lru_cache(maxsize=512)
def _checked_currency(code: str) -> str:
    upper = code.strip().upper()
    if (
        len(upper) != 3
        or not upper.isalpha()
        or not babel.numbers.is_currency(upper)
        or moneyed.CURRENCIES.get(upper) is None
    ):
        raise UnknownCurrency(
            "currency", code, "expected an ISO 4217 code such as 'EUR', 'USD' or 'JPY'"
        )
    return upper


def check_currency(code: object, field: str = "currency") -> str:
    """Return the upper-case ISO 4217 code for ``code``, or raise [`UnknownCurrency`][]."""
    if not isinstance(code, str):
        raise UnknownCurrency(field, code, "expected an ISO 4217 code such as 'EUR'")
    try:
        return _checked_currency(code)
    except UnknownCurrency as exc:
        raise UnknownCurrency(field, code, exc.allowed) from None


@lru_cache(maxsize=512)
def precision(currency: str) -> int:
    """Digits after the decimal point in ``currency``'s minor unit (JPY 0, USD 2, KWD 3)."""
    return babel.numbers.get_currency_precision(check_currency(currency))


@lru_cache(maxsize=512)
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency`` as a Decimal exponent: ``Decimal('0.01')`` for EUR."""
    return Decimal(1).scaleb(-precision(currency))


def quantize(amount: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round ``amount`` to ``currency``'s minor unit with the named ``rounding`` mode."""
    return amount.quantize(minor_unit(currency), rounding=rounding)


def _currency_converter(value: object) -> str:
    if type(value) is str and value in _KNOWN_CURRENCIES:
        return value
    code = check_currency(value)
    _KNOWN_CURRENCIES.add(code)
    return code


_KNOWN_CURRENCIES: set[str] = set()


@attrs.frozen(order=False, repr=False)
class Money:
    """An exact amount in one currency.

    ``Money("19.90", "EUR")`` validates both parts. The amount may carry more digits than
    the currency's minor unit (unit prices often do); [`quantize`][] rounds it, naming
    the mode. Arithmetic with another currency raises [`CurrencyMismatch`][];
    multiplying by a float raises [`FloatNotAllowed`][].
    """

    amount: Decimal = attrs.field(converter=to_decimal)
    currency: str = attrs.field(converter=_currency_converter)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``."""
        return cls(Decimal(0), currency)

    @classmethod
    def of(cls, value: object, currency: str | None = None, field: str = "amount") -> Money:
        """Build Money from foreign input, naming ``field`` in any error.

        ``value`` may be a str / int / Decimal (with ``currency``), an omskit ``Money``
        or a py-moneyed ``Money`` (``currency``, if given, must then match).
        """
        result = as_money(value, field)
        if result is None:
            if currency is None:
                raise ValidationError(
                    f"{field}.currency", None, "a currency is required with a bare amount"
                )
            return cls(to_decimal(value, field), check_currency(currency, f"{field}.currency"))
        if currency is not None and check_currency(currency) != result.currency:
            raise CurrencyMismatch(result.currency, check_currency(currency), "accept")
        return result

    @classmethod
    def from_moneyed(cls, value: moneyed.Money) -> Money:
        """Convert a py-moneyed ``Money`` into omskit ``Money`` (same Decimal, same code)."""
        return cls(value.amount, value.currency.code)

    def to_moneyed(self) -> moneyed.Money:
        """This amount as a py-moneyed ``Money`` (for hosts that already use py-moneyed)."""
        return moneyed.Money(self.amount, self.currency)

    def _same(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(self.currency, other.currency, operation)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "add")
        return _trusted(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        if other == 0 and not isinstance(other, bool):  # lets sum() start from 0
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "subtract")
        return _trusted(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return _trusted(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return _trusted(abs(self.amount), self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float):
            raise FloatNotAllowed("factor", factor, "multiply by an int or Decimal, never a float")
        if not isinstance(factor, int | Decimal) or isinstance(factor, bool):
            return NotImplemented
        return _trusted(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def _cmp(self, other: object, operation: str) -> tuple[Decimal, Decimal]:
        if not isinstance(other, Money):
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        self._same(other, operation)
        return self.amount, other.amount

    def __lt__(self, other: Money) -> bool:
        a, b = self._cmp(other, "compare")
        return a < b

    def __le__(self, other: Money) -> bool:
        a, b = self._cmp(other, "compare")
        return a <= b

    def __gt__(self, other: Money) -> bool:
        a, b = self._cmp(other, "compare")
        return a > b

    def __ge__(self, other: Money) -> bool:
        a, b = self._cmp(other, "compare")
        return a >= b

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    @property
    def is_zero(self) -> bool:
        """True when the amount is zero."""
        return not self.amount

    @property
    def minor_units(self) -> int:
        """The amount in minor units (cents); the amount must already be quantized."""
        scaled = self.amount.scaleb(precision(self.currency))
        if scaled != scaled.to_integral_value():
            raise InvalidAmount(
                "amount",
                self.amount,
                f"has more digits than {self.currency} allows "
                f"({precision(self.currency)}); quantize it first",
            )
        return int(scaled)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """Build Money from an integer count of minor units (cents)."""
        return _trusted(Decimal(units).scaleb(-precision(currency)), check_currency(currency))

    def quantize(self, rounding: str = ROUND_HALF_UP) -> Money:
        """Round to the currency's minor unit with the named ``rounding`` mode."""
        return Money(quantize(self.amount, self.currency, rounding), self.currency)

    def allocate(self, weights: Sequence[object]) -> list[Money]:
        """Split this amount by ``weights``; see [`allocate`][omskit.money.allocate]."""
        return allocate(self, weights)


def _trusted(amount: Decimal, currency: str) -> Money:
    """Money from a Decimal and an already validated currency, skipping the converters.

    Arithmetic results take this path; an amount too large to quantize safely still goes
    through the checked constructor, so it fails with [`InvalidAmount`][].
    """
    if amount and amount.adjusted() >= _MAX_INTEGER_DIGITS:
        return Money(amount, currency)
    result: Money = object.__new__(Money)
    object.__setattr__(result, "amount", amount)
    object.__setattr__(result, "currency", currency)
    return result


MoneyLike: TypeAlias = Money | moneyed.Money
"""Money as omskit accepts it: its own [`Money`][] or a py-moneyed ``moneyed.Money``."""


def as_money(value: object, field: str = "amount") -> Money | None:
    """``value`` as omskit [`Money`][] when it is money, else ``None``.

    The one place foreign money enters omskit: an omskit ``Money`` is returned as it is,
    a py-moneyed ``Money`` (or a subclass, such as django-money's) becomes omskit
    ``Money`` with the same Decimal amount and currency code, exactly. Anything else
    gives ``None``, for the caller to parse as a bare amount. ``field`` names the input
    in the error raised for money in a currency omskit does not know.
    """
    if isinstance(value, Money):
        return value
    if isinstance(value, moneyed.Money):
        try:
            return Money.from_moneyed(value)
        except UnknownCurrency as exc:
            raise UnknownCurrency(f"{field}.currency", value.currency.code, exc.allowed) from None
    return None


def to_money(value: object, field: str = "value") -> Money:
    """``value`` as omskit [`Money`][]; anything that is not money raises.

    Raises:
        ValidationError: ``value`` is neither omskit's nor py-moneyed's ``Money`` (a bare
            amount has no currency: build ``Money(amount, currency)``).
    """
    money = as_money(value, field)
    if money is None:
        raise ValidationError(
            field,
            value,
            "expected Money (omskit's or py-moneyed's), such as Money('19.90', 'EUR')",
        )
    return money


def sum_money(amounts: Iterable[MoneyLike], currency: str) -> Money:
    """Add up ``amounts``; an empty iterable gives zero in ``currency``."""
    total = Decimal(0)
    for i, value in enumerate(amounts):
        m = to_money(value, f"amounts[{i}]")
        if m.currency != currency:
            raise CurrencyMismatch(currency, m.currency, "add")
        total += m.amount
    return Money(total, currency)


def allocate(total: MoneyLike, weights: Sequence[object]) -> list[Money]:
    """Split ``total`` in proportion to ``weights`` by the largest-remainder method.

    The parts always add up exactly to ``total``; each is within one minor unit of its
    exact share; a zero weight gets zero; leftover minor units go to the largest
    fractional remainders (ties to the earliest weight). Negative totals split the same
    way with every part negative.

    Raises:
        ValidationError: for no weights, a negative weight, or weights that are all zero,
            or a ``total`` that is not money.
        InvalidAmount: if ``total`` has more digits than its currency's minor unit.
    """
    total = to_money(total, "total")
    if not weights:
        raise ValidationError("weights", [], "give at least one weight")
    ints: list[int]
    if all(type(w) is int for w in weights):  # fast path: already whole numbers
        ints = list(weights)  # type: ignore[arg-type]
        for i, n in enumerate(ints):
            if n < 0:
                raise ValidationError(
                    f"weights[{i}]", Decimal(n), "weights must be zero or positive"
                )
    else:
        decimals = [to_decimal(w, f"weights[{i}]") for i, w in enumerate(weights)]
        for i, w in enumerate(decimals):
            if w < 0:
                raise ValidationError(f"weights[{i}]", w, "weights must be zero or positive")
        ints = _common_scale(decimals)
    whole: int = sum(ints)
    if whole == 0:
        raise ValidationError("weights", list(weights), "at least one weight must be positive")
    signed_units = total.minor_units
    sign = -1 if signed_units < 0 else 1
    units = abs(signed_units)
    shares: list[int] = []
    remainders: list[int] = []
    for weight in ints:
        q, r = divmod(units * weight, whole)
        shares.append(q)
        remainders.append(r)
    leftover = units - sum(shares)
    if leftover:
        order = sorted(range(len(ints)), key=lambda i: (-remainders[i], i))
        for i in order[:leftover]:
            shares[i] += 1
    exponent = -precision(total.currency)
    currency = total.currency
    return [_trusted(Decimal(sign * s).scaleb(exponent), currency) for s in shares]


def _common_scale(weights: Sequence[Decimal]) -> list[int]:
    """The weights as integers in one common scale, exactly (no decimal context rounding)."""
    exponent = min(0, *(int(w.as_tuple().exponent) for w in weights))
    if exponent == 0 and all(w == w.to_integral_value() for w in weights):
        return [int(w) for w in weights]
    scale = 10**-exponent  # every denominator below is a power of 2 and 5 dividing this
    scaled = []
    for w in weights:
        numerator, denominator = w.as_integer_ratio()
        scaled.append(numerator * (scale // denominator))
    return scaled


@attrs.frozen
class RoundingPolicy:
    """How a currency's amounts are rounded: the mode, and whether per line or per total.

    ``scope="line"`` rounds every line (and its tax) before adding; ``scope="total"``
    adds exact amounts and rounds once, then splits the rounded total back over lines
    with [`allocate`][], so lines still add up to what was charged.

    ``mode`` is ``"half_up"``, ``"half_even"`` or ``"down"`` (truncation: drop the digits
    below the minor unit). ``tax_mode``, when set, is the mode for tax amounts only (the
    usual Japanese practice truncates consumption tax while prices round half-up); by
    default tax is rounded with ``mode``.
    """

    mode: Literal["half_up", "half_even", "down"] = attrs.field(
        default="half_up", validator=attrs.validators.in_(ROUNDING_MODES)
    )
    scope: Literal["line", "total"] = attrs.field(
        default="line", validator=attrs.validators.in_(("line", "total"))
    )
    tax_mode: Literal["half_up", "half_even", "down"] | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.in_(ROUNDING_MODES))
    )

    @property
    def decimal_rounding(self) -> str:
        """The `decimal` rounding constant for `mode`."""
        return _ROUNDING_NAMES[self.mode]

    @property
    def tax_rounding(self) -> str:
        """The `decimal` rounding constant for tax amounts (``tax_mode`` or ``mode``)."""
        return _ROUNDING_NAMES[self.tax_mode or self.mode]

    def round(self, amount: Decimal, currency: str) -> Decimal:
        """Quantize ``amount`` to ``currency``'s minor unit with this policy's mode."""
        return quantize(amount, currency, _ROUNDING_NAMES[self.mode])

    def round_money(self, value: Money) -> Money:
        """Quantize ``value`` with this policy's mode."""
        return Money(self.round(value.amount, value.currency), value.currency)


@attrs.frozen
class TaxedMoney:
    """A net amount, a gross amount and the tax between them, in one currency.

    Comparing a ``TaxedMoney`` with a bare [`Money`][] is a ``TypeError``: it is
    never clear whether net or gross was meant.
    """

    net: Money
    gross: Money

    def __attrs_post_init__(self) -> None:
        if self.net.currency != self.gross.currency:
            raise CurrencyMismatch(self.net.currency, self.gross.currency, "pair")

    @classmethod
    def zero(cls, currency: str) -> TaxedMoney:
        """Zero net and gross in ``currency``."""
        z = Money.zero(currency)
        return cls(z, z)

    @property
    def tax(self) -> Money:
        """Gross minus net."""
        return self.gross - self.net

    @property
    def currency(self) -> str:
        """The shared currency of net and gross."""
        return self.net.currency

    def __add__(self, other: TaxedMoney) -> TaxedMoney:
        if not isinstance(other, TaxedMoney):
            return NotImplemented
        return TaxedMoney(self.net + other.net, self.gross + other.gross)

    def __sub__(self, other: TaxedMoney) -> TaxedMoney:
        if not isinstance(other, TaxedMoney):
            return NotImplemented
        return TaxedMoney(self.net - other.net, self.gross - other.gross)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Money):
            raise TypeError("cannot compare TaxedMoney with Money; compare .net or .gross")
        if not isinstance(other, TaxedMoney):
            return NotImplemented
        return self.net == other.net and self.gross == other.gross

    def __hash__(self) -> int:
        return hash((self.net, self.gross))


@attrs.frozen
class ExchangeRate:
    """One rate: 1 ``base`` buys ``rate`` ``quote``, as of ``as_of``, from ``source``."""

    base: str
    quote: str
    rate: Decimal
    as_of: dt.date
    source: str


@runtime_checkable
class ExchangeRateProvider(Protocol):
    """Where exchange rates come from (a fixed table, a central bank feed, a host service)."""

    def rate(self, base: str, quote: str, on: dt.date | None = None) -> ExchangeRate:
        """The rate from ``base`` to ``quote`` valid on ``on`` (latest when ``None``).

        Raises:
            NotFound: when no rate is known for the pair.
        """
        ...


def _rate_table(table: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Decimal]]:
    result: dict[str, dict[str, Decimal]] = {}
    for base, quotes in table.items():
        b = check_currency(base, "rates")
        for quote, value in quotes.items():
            rate = to_decimal(value, f"rates.{b}.{quote}")
            if rate <= 0:
                raise InvalidAmount(f"rates.{b}.{quote}", value, "a rate must be positive")
            result.setdefault(b, {})[check_currency(quote, f"rates.{b}")] = rate
    return result


@attrs.frozen
class FixedRates:
    """A fixed table of rates, usable in both directions and across a pivot currency.

    ``FixedRates({"EUR": {"USD": "1.08", "JPY": "162"}}, as_of=date(2026, 11, 2))``
    answers EUR->USD directly, USD->EUR by inversion and USD->JPY through EUR.
    """

    table: Mapping[str, Mapping[str, Decimal]] = attrs.field(converter=_rate_table)
    as_of: dt.date = dt.date(2026, 1, 1)
    source: str = "fixed table"

    def rate(self, base: str, quote: str, on: dt.date | None = None) -> ExchangeRate:
        """See [`ExchangeRateProvider.rate`][]; ``on`` is ignored: the table has one date."""
        base, quote = check_currency(base, "base"), check_currency(quote, "quote")
        value = self._lookup(base, quote)
        if value is None:
            for pivot in self._currencies():
                first, second = self._lookup(base, pivot), self._lookup(pivot, quote)
                if first is not None and second is not None:
                    value = first * second
                    break
        if value is None:
            raise NotFound("exchange rate", f"{base}->{quote}", f"source: {self.source}")
        return ExchangeRate(base, quote, value, self.as_of, self.source)

    def _currencies(self) -> list[str]:
        """Every currency in the table, bases first: each one can serve as a pivot."""
        found = dict.fromkeys(self.table)
        for quotes in self.table.values():
            found.update(dict.fromkeys(quotes))
        return list(found)

    def _lookup(self, base: str, quote: str) -> Decimal | None:
        if base == quote:
            return Decimal(1)
        direct = self.table.get(base, {}).get(quote)
        if direct is not None:
            return direct
        inverse = self.table.get(quote, {}).get(base)
        if inverse is not None:
            return Decimal(1) / inverse
        return None


@attrs.frozen
class Conversion:
    """The result of a currency conversion, with the rate that produced it."""

    original: Money
    converted: Money
    rate: ExchangeRate


def convert(
    value: MoneyLike,
    to: str,
    provider: ExchangeRateProvider,
    *,
    rounding: str = ROUND_HALF_UP,
    on: dt.date | None = None,
) -> Conversion:
    """Convert ``value`` into ``to`` and round to its minor unit with ``rounding``."""
    value = to_money(value)
    target = check_currency(to, "to")
    rate = provider.rate(value.currency, target, on)
    amount = quantize(value.amount * rate.rate, target, rounding)
    return Conversion(value, Money(amount, target), rate)


LocaleLike: TypeAlias = str | babel.Locale
"""A locale as omskit accepts it: an identifier (``"de_DE"``, ``"de-DE"``) or a
``babel.Locale``."""


@lru_cache(maxsize=256)
def _parse_locale(name: str) -> babel.Locale:
    return babel.Locale.parse(name)


def coerce_locale(value: object, field: str = "locale") -> babel.Locale:
    """``value`` as a ``babel.Locale``: a Locale as it is, an identifier parsed by babel.

    The one place a locale enters omskit. Identifiers may use ``-`` or ``_``
    (``"de-CH"`` is ``de_CH``), and a language alone (``"fr"``) is babel's locale for it.

    Raises:
        ValidationError: naming ``field``, for anything babel does not know.
    """
    if isinstance(value, babel.Locale):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return _parse_locale(value.strip().replace("-", "_"))
        except (ValueError, babel.UnknownLocaleError):
            pass
    raise ValidationError(
        field,
        value,
        "expected a locale babel knows, such as 'en_US' or 'de_DE', or a babel.Locale",
    )


def format_money(
    value: MoneyLike,
    locale: LocaleLike = "en_US",
    *,
    rounding: str = ROUND_HALF_UP,
    **options: Any,
) -> str:
    """Format ``value`` for people reading ``locale``.

    ``Money('1234.5', 'EUR')`` in de_DE is ``1.234,50 €``; in ja_JP, JPY shows no
    decimals. An amount with more digits than its currency's minor unit is first rounded
    with ``rounding`` (named, as everywhere in omskit, rather than left to babel's
    default half-even). ``value`` may be py-moneyed's ``Money`` and ``locale`` a
    ``babel.Locale``. Extra ``options`` go to `babel.numbers.format_currency`.
    """
    value = to_money(value)
    amount = value.amount
    if options.get("currency_digits", True) and options.get("format") is None:
        amount = quantize(amount, value.currency, rounding)
    return babel.numbers.format_currency(
        amount, value.currency, locale=coerce_locale(locale), **options
    )
