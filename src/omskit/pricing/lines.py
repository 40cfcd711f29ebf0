"""Working state of one line while the engine prices it, and a fast Money builder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar, cast

import attrs

from omskit.money import Money, TaxedMoney

__all__ = [
    "WorkLine",
    "fast_money",
    "fast_taxed",
    "frozen_builder",
    "taxed_of",
    "zero_money",
    "zero_taxed",
]

T = TypeVar("T")

_new = object.__new__
# Money and TaxedMoney are slotted, frozen attrs classes: writing through the slot
# descriptors skips the frozen ``__setattr__`` and the converters (and is the fastest way).
_money_amount = Money.__dict__["amount"].__set__
_money_currency = Money.__dict__["currency"].__set__
_taxed_net = TaxedMoney.__dict__["net"].__set__
_taxed_gross = TaxedMoney.__dict__["gross"].__set__


def fast_money(amount: Decimal, currency: str) -> Money:
    """Build [`Money`][] from an already-validated Decimal and currency code.

    Skips the converters of ``Money(...)``; only for amounts the engine computed itself.
    """
    money: Money = _new(Money)
    _money_amount(money, amount)
    _money_currency(money, currency)
    return money


def fast_taxed(net: Decimal, gross: Decimal, currency: str) -> TaxedMoney:
    """Build [`TaxedMoney`][] from engine-computed amounts in one currency."""
    return taxed_of(fast_money(net, currency), fast_money(gross, currency))


def taxed_of(net: Money, gross: Money) -> TaxedMoney:
    """Build [`TaxedMoney`][] from two engine-built Money of one currency (no check)."""
    taxed: TaxedMoney = _new(TaxedMoney)
    _taxed_net(taxed, net)
    _taxed_gross(taxed, gross)
    return taxed


def frozen_builder(cls: type[T]) -> Callable[..., T]:
    """A positional constructor for the slotted, frozen attrs class ``cls``, for hot paths.

    It takes every field in order (no defaults) and writes them through the slot
    descriptors, as `fast_money` does: only for values the engine already checked
    (``cls`` must have no converters, validators or ``__attrs_post_init__``).
    """
    fields = attrs.fields(cast(Any, cls))
    if hasattr(cls, "__attrs_post_init__") or any(f.converter or f.validator for f in fields):
        raise TypeError(f"{cls.__name__} needs its own __init__")  # pragma: no cover
    names = [f.name for f in fields]
    scope: dict[str, Any] = {"_new": _new, "_cls": cls}
    for name in names:
        scope[f"_set_{name}"] = cls.__dict__[name].__set__
    args = ", ".join(f"a_{name}" for name in names)
    body = "".join(f"    _set_{name}(o, a_{name})\n" for name in names)
    source = f"def build({args}):\n    o = _new(_cls)\n{body}    return o\n"
    exec(compile(source, f"<frozen_builder {cls.__qualname__}>", "exec"), scope)  # noqa: S102
    build: Callable[..., T] = scope["build"]
    return build


_ZERO_MONEY: dict[str, Money] = {}
_ZERO_TAXED: dict[str, TaxedMoney] = {}


def zero_money(currency: str, unit: Decimal) -> Money:
    """One shared zero [`Money`][] per currency (``unit``: its minor unit).

    Money is immutable, so every quote's zero discounts, duties and shipping can be the
    same object: kept quotes then cost nothing for them.
    """
    found = _ZERO_MONEY.get(currency)
    if found is None:
        found = _ZERO_MONEY[currency] = fast_money(Decimal(0).quantize(unit), currency)
    return found


def zero_taxed(currency: str, unit: Decimal) -> TaxedMoney:
    """One shared zero [`TaxedMoney`][] per currency (see `zero_money`)."""
    found = _ZERO_TAXED.get(currency)
    if found is None:
        zero = zero_money(currency, unit)
        found = _ZERO_TAXED[currency] = TaxedMoney(zero, zero)
    return found


class WorkLine:
    """A line being priced: amounts are Decimals in the price list's basis.

    ``amount`` is the undiscounted line amount (unit price x quantity, rounded to the
    minor unit); ``discount`` grows as promotions apply and never exceeds ``amount``.
    ``unit_money`` is ``unit`` as a shared [`Money`][] when the resolver has one (a
    catalogue price), so the quote need not build another.

    ``inclusive`` is the line's own price basis when it differs from the quote's (a
    marketplace price sent gross on a net price list); ``None``: the quote's basis. While
    promotions convert values between bases, ``factor`` is the line's gross per net (1
    plus its tax rates) and ``quote_discount`` its discount in the quote's basis.
    """

    __slots__ = (
        "amount",
        "attributes",
        "country_of_origin",
        "discount",
        "factor",
        "hs_code",
        "inclusive",
        "index",
        "list_unit",
        "name",
        "price_note",
        "quantity",
        "quote_discount",
        "ref",
        "sku",
        "tax_class",
        "unit",
        "unit_money",
        "weight_grams",
    )

    def __init__(  # noqa: PLR0917 - positional too: the resolver builds one per line
        self,
        index: int,
        sku: str,
        quantity: int,
        unit: Decimal,
        amount: Decimal,
        tax_class: str = "standard",
        attributes: Mapping[str, str] | None = None,
        name: str = "",
        price_note: str = "",
        list_unit: Decimal | None = None,
        hs_code: str | None = None,
        country_of_origin: str | None = None,
        weight_grams: int = 0,
        ref: str = "",
        unit_money: Money | None = None,
        inclusive: bool | None = None,
    ) -> None:
        self.index = index
        self.sku = sku
        self.quantity = quantity
        self.unit = unit
        self.amount = amount
        self.discount = amount - amount  # zero, with the amount's exponent
        self.tax_class = tax_class
        self.attributes: Mapping[str, str] = attributes or {}
        self.name = name
        self.price_note = price_note
        self.list_unit = unit if list_unit is None else list_unit
        self.hs_code = hs_code
        self.country_of_origin = country_of_origin
        self.weight_grams = weight_grams
        self.ref = ref
        self.unit_money = unit_money
        self.inclusive = inclusive
        self.factor: Decimal | None = None
        self.quote_discount: Decimal | None = None

    @property
    def remaining(self) -> Decimal:
        """What is left to pay on the line after the discounts so far."""
        return self.amount - self.discount
