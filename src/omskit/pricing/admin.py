"""Managing price lists and promotions (the tax and customs side is in ``tax_admin``).

Every method validates its input and reports all problems at once, then changes storage
in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from omskit.catalog.model import PRODUCTS
from omskit.errors import AlreadyExists, UnknownSku, ValidationError
from omskit.money import Money, as_money, check_currency, minor_unit, to_decimal
from omskit.pricing.errors import UnknownPriceList
from omskit.pricing.events import (
    PriceListAdded,
    PricesSet,
)
from omskit.pricing.pricelists import PRICE_LISTS, PriceEntry, PriceIndex, PriceList, price_list_id
from omskit.pricing.request import Specific
from omskit.pricing.tax_admin import TaxAdmin, when
from omskit.storage.ports import Repository, UnitOfWork
from omskit.validation import check_bool, check_quantity, check_sku, check_text

__all__ = ["PricingAdmin"]


def name_text(value: Any, field: str) -> str:
    text = check_text(value, field, max_length=64)
    if ":" in text:
        raise ValidationError(field, value, "must not contain ':'")
    return text


def positive_amount(value: Any, field: str) -> Decimal:
    amount = to_decimal(value, field)
    if amount < 0:
        raise ValidationError(field, value, "must not be negative")
    return amount


def per_currency(value: Any, field: str, currency: str | None) -> tuple[tuple[str, Decimal], ...]:
    """``Money``, a bare amount with ``currency``, or ``{"EUR": "5", "USD": "5"}``."""
    money = as_money(value, field)
    if money is not None:
        pairs = [(money.currency, money.amount)]
    elif isinstance(value, Mapping):
        pairs = [(check_currency(c, f"{field}.{c}"), to_decimal(a, f"{field}.{c}"))
                 for c, a in value.items()]  # fmt: skip
    else:
        if currency is None:
            raise ValidationError(
                field, value, "give a Money, a mapping of currencies, or currency="
            )
        pairs = [(check_currency(currency, "currency"), to_decimal(value, field))]
    if not pairs:
        raise ValidationError(field, value, "give at least one amount")
    for code, amount in pairs:
        if amount <= 0:
            raise ValidationError(f"{field}.{code}", amount, "must be positive")
        if amount.quantize(minor_unit(code)) != amount:
            raise ValidationError(f"{field}.{code}", amount, f"{code} has minor unit "
                                  f"{minor_unit(code)}")  # fmt: skip
    return tuple(sorted((code, amount.quantize(minor_unit(code))) for code, amount in pairs))


def texts(value: Any, field: str) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(field, value, "expected a list of names")
    return frozenset(check_text(v, f"{field}[{i}]", max_length=64) for i, v in enumerate(value))


def window(problems: Specific, valid_from: Any, valid_to: Any) -> tuple[Any, Any]:
    start = problems.check("valid_from", when, valid_from)
    end = problems.check("valid_to", when, valid_to)
    if start is not None and end is not None and end <= start:
        problems.add("valid_to", "must be after valid_from", end)
    return start, end


class PricingAdmin(TaxAdmin):
    """Price lists, prices, promotions and coupons (mixed into ``PricingService``)."""

    # -- price lists ----------------------------------------------------------------------
    def add_price_list(
        self,
        name: str,
        currency: str,
        *,
        includes_tax: bool,
        base_currency: str | None = None,
        actor: str = "system",
    ) -> PriceList:
        """Create the price list ``name`` in ``currency``.

        A channel uses it when its ``price_list`` is ``name``. With ``base_currency``,
        SKUs without an explicit price here are converted from the same-named list in that
        currency, at the exchange-rate provider's rate, with the currency's rounding.

        Raises:
            ValidationError: listing every invalid argument.
            AlreadyExists: the list exists.
        """
        problems = Specific()
        clean_name = problems.check("name", name_text, name)
        code = problems.check("currency", check_currency, currency)
        inc = problems.check("includes_tax", check_bool, includes_tax)
        base = None
        if base_currency is not None:
            base = problems.check("base_currency", check_currency, base_currency)
            if base is not None and base == code:
                problems.add("base_currency", "must differ from the list's currency", base)
        problems.raise_if_any()
        assert clean_name is not None
        assert code is not None
        assert inc is not None

        def use_case(uow: UnitOfWork) -> PriceList:
            repo = uow.repo(PRICE_LISTS)
            key = price_list_id(clean_name, code)
            if repo.find(key) is not None:
                raise AlreadyExists("price list", key)
            plist = PriceList(id=key, name=clean_name, currency=code, includes_tax=inc,
                              base_currency=base)  # fmt: skip
            plist.record(PriceListAdded(price_list=clean_name, currency=code, includes_tax=inc,
                                        base_currency=base))  # fmt: skip
            repo.add(plist)
            return plist

        return self._rt.run(use_case, actor=actor)

    def _list(self, repo: Repository[PriceList], name: str, currency: str | None) -> PriceList:
        if currency is not None:
            found = repo.find(price_list_id(name, check_currency(currency)))
            if found is None:
                raise UnknownPriceList(name, check_currency(currency))
            return found
        lists = repo.list_by("name", name)
        if len(lists) == 1:
            return lists[0]
        if not lists:
            raise UnknownPriceList(name, "?")
        raise ValidationError(
            "currency",
            None,
            f"price list {name!r} exists in {', '.join(p.currency for p in lists)}"
            "; name the currency",
        )

    def _entry(self, row: Mapping[str, Any], field: str, problems: Specific) -> PriceEntry | None:
        allowed = {"sku", "amount", "min_quantity", "customer_group", "valid_from", "valid_to"}
        for key in sorted(set(row) - allowed):
            problems.add(f"{field}.{key}", f"unknown field; allowed: {', '.join(sorted(allowed))}")
        sku = problems.check(f"{field}.sku", check_sku, row.get("sku"))
        amount = problems.check(f"{field}.amount", positive_amount, row.get("amount"))
        qty = problems.check(f"{field}.min_quantity", check_quantity, row.get("min_quantity", 1))
        group = problems.check(f"{field}.customer_group", check_text, row.get("customer_group"),
                               max_length=64, required=False)  # fmt: skip
        start = problems.check(f"{field}.valid_from", when, row.get("valid_from"))
        end = problems.check(f"{field}.valid_to", when, row.get("valid_to"))
        if start is not None and end is not None and end <= start:
            problems.add(f"{field}.valid_to", "must be after valid_from", end)
        if sku is None or amount is None or qty is None:
            return None
        return PriceEntry(sku, amount, qty, group or "", start, end)

    def set_prices(
        self,
        price_list: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        currency: str | None = None,
        actor: str = "system",
    ) -> int:
        """Add or replace many prices at once (see [`set_price`][] for a row's keys)."""
        problems = Specific()
        entries = [self._entry(row, f"rows[{i}]", problems) for i, row in enumerate(rows)]
        if not rows:
            problems.add("rows", "give at least one price")
        problems.raise_if_any()
        clean = [e for e in entries if e is not None]

        def use_case(uow: UnitOfWork) -> int:
            plist = self._list(uow.repo(PRICE_LISTS), price_list, currency)
            products = uow.repo(PRODUCTS)
            for entry in clean:
                if products.find(entry.sku) is None:
                    raise UnknownSku(entry.sku)
            count = plist.set(clean)
            skus = tuple(dict.fromkeys(e.sku for e in clean))
            plist.record(PricesSet(price_list=plist.name, currency=plist.currency, skus=skus))
            uow.repo(PRICE_LISTS).save(plist)
            return count

        return self._rt.run(use_case, actor=actor)

    def set_price(
        self,
        price_list: str,
        sku: str,
        amount: str | Decimal | int,
        *,
        currency: str | None = None,
        min_quantity: int = 1,
        customer_group: str | None = None,
        valid_from: dt.datetime | None = None,
        valid_to: dt.datetime | None = None,
        actor: str = "system",
    ) -> PriceEntry:
        """Set one price: a base price, a tier (``min_quantity``), a group price or a sale.

        ``amount`` is in the list's basis (tax-inclusive or not). ``currency`` may be left
        out when the list exists in one currency only. Setting the same SKU, tier, group
        and window again replaces the price.
        """
        row = {
            "sku": sku,
            "amount": amount,
            "min_quantity": min_quantity,
            "customer_group": customer_group,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        self.set_prices(price_list, [row], currency=currency, actor=actor)
        problems = Specific()
        entry = self._entry(row, "price", problems)
        assert entry is not None
        return entry

    def remove_prices(
        self, price_list: str, sku: str, *, currency: str | None = None, actor: str = "system"
    ) -> int:
        """Remove every price of ``sku`` from the list; returns how many were removed."""

        def use_case(uow: UnitOfWork) -> int:
            repo = uow.repo(PRICE_LISTS)
            plist = self._list(repo, price_list, currency)
            dropped = plist.remove(sku)
            if dropped:
                plist.record(PricesSet(price_list=plist.name, currency=plist.currency,
                                       skus=(sku,)))  # fmt: skip
                repo.save(plist)
            return dropped

        return self._rt.run(use_case, actor=actor)

    def price_list(self, name: str, currency: str) -> PriceList:
        """The stored list; raises [`UnknownPriceList`][]."""
        with self._rt.storage.unit_of_work() as uow:
            return self._list(uow.repo(PRICE_LISTS), name, currency)

    def price_lists(self) -> list[PriceList]:
        """Every price list."""
        with self._rt.storage.unit_of_work() as uow:
            return list(uow.repo(PRICE_LISTS).scan())

    def base_prices(self, name: str, currency: str) -> dict[str, Money]:
        """Base prices of list ``name`` in ``currency``, converted ones included.

        Explicit prices win; SKUs priced only in the base currency are converted at the
        current rate with the currency's rounding policy.
        """
        code = check_currency(currency)
        with self._rt.storage.unit_of_work() as uow:
            repo = uow.repo(PRICE_LISTS)
            own = self._list(repo, name, code)
            result: dict[str, Money] = {}
            if own.base_currency:
                base = repo.find(price_list_id(name, own.base_currency))
                if base is not None:
                    rate = self.exchange_rates.rate(own.base_currency, code,
                                                    self._rt.clock.now().date())  # fmt: skip
                    policy = self._rt.config.rounding_for(code)
                    index = PriceIndex(base.name, base.currency, base.includes_tax, base.entries)
                    conv = index.converted(code, rate.rate, policy.decimal_rounding,
                                           minor_unit(code))  # fmt: skip
                    for entry in conv.entries():
                        if conv.base(entry.sku) is entry:
                            result[entry.sku] = Money(entry.amount, code)
            index = PriceIndex(own.name, own.currency, own.includes_tax, own.entries)
            for entry in index.entries():
                if index.base(entry.sku) is entry:
                    result[entry.sku] = Money(entry.amount, code)
            return result
