"""Working state of one line while the engine prices it, and a fast Money builder."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from omskit.money import Money, TaxedMoney

__all__ = ["WorkLine", "fast_money", "fast_taxed"]

_new = object.__new__
_set = object.__setattr__


def fast_money(amount: Decimal, currency: str) -> Money:
    """Build :class:`Money` from an already-validated Decimal and currency code.

    Skips the converters of ``Money(...)``; only for amounts the engine computed itself.
    """
    money: Money = _new(Money)
    _set(money, "amount", amount)
    _set(money, "currency", currency)
    return money


def fast_taxed(net: Decimal, gross: Decimal, currency: str) -> TaxedMoney:
    """Build :class:`TaxedMoney` from engine-computed amounts in one currency."""
    taxed: TaxedMoney = _new(TaxedMoney)
    _set(taxed, "net", fast_money(net, currency))
    _set(taxed, "gross", fast_money(gross, currency))
    return taxed


class WorkLine:
    """A line being priced: amounts are Decimals in the price list's basis.

    ``amount`` is the undiscounted line amount (unit price x quantity, rounded to the
    minor unit); ``discount`` grows as promotions apply and never exceeds ``amount``.
    """

    __slots__ = (
        "amount",
        "attributes",
        "country_of_origin",
        "discount",
        "hs_code",
        "index",
        "list_unit",
        "name",
        "price_note",
        "quantity",
        "ref",
        "sku",
        "tax_class",
        "unit",
        "weight_grams",
    )

    def __init__(
        self,
        index: int,
        sku: str,
        quantity: int,
        unit: Decimal,
        amount: Decimal,
        *,
        tax_class: str = "standard",
        attributes: Mapping[str, str] | None = None,
        name: str = "",
        price_note: str = "",
        list_unit: Decimal | None = None,
        hs_code: str | None = None,
        country_of_origin: str | None = None,
        weight_grams: int = 0,
        ref: str = "",
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

    @property
    def remaining(self) -> Decimal:
        """What is left to pay on the line after the discounts so far."""
        return self.amount - self.discount
