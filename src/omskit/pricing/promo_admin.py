"""Managing promotions and coupon codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from omskit.channels.model import CHANNELS
from omskit.errors import AlreadyExists, ValidationError
from omskit.money import MoneyLike
from omskit.pricing.admin import name_text, per_currency, positive_amount, texts, window
from omskit.pricing.coupons import COUPONS, Coupon
from omskit.pricing.errors import UnknownCoupon, UnknownPromotion
from omskit.pricing.events import CouponAdded, PromotionAdded, PromotionChanged
from omskit.pricing.promotions import (
    AMOUNT_KINDS,
    KINDS,
    PROMOTION_BOOKS,
    STACKING,
    TARGETS,
    Promotion,
    PromotionBook,
)
from omskit.pricing.request import Specific
from omskit.pricing.tax_admin import TaxAdmin
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_bool, check_quantity, check_sku, check_text

__all__ = ["PromotionAdmin"]


def _add(uow: UnitOfWork, promo: Promotion) -> Promotion:
    """The use case of ``add_promotion``: append ``promo`` to the promotion book."""
    repo = uow.repo(PROMOTION_BOOKS)
    book = repo.find("default")
    if book is None:
        book = PromotionBook(id="default")
        repo.add(book)
    if any(p.id == promo.id for p in book.promotions):
        raise AlreadyExists("promotion", promo.id)
    if promo.kind == "shipping_amount":
        _amounts_for_channels(uow, promo)
    book.promotions = (*book.promotions, promo)
    book.record(PromotionAdded(promotion=promo.id, kind=promo.kind))
    repo.save(book)
    return promo


def _choices(problems: Specific, *, kind: str, target: str, stacking: str) -> None:
    """Note a ``kind``, ``target`` or ``stacking`` that is not one of the known words."""
    for field, value, allowed in (
        ("kind", kind, KINDS),
        ("target", target, TARGETS),
        ("stacking", stacking, STACKING),
    ):
        if value not in allowed:
            problems.add(field, f"expected one of {', '.join(allowed)}", value)


def _percent(problems: Specific, kind: str, percent: str | Decimal | int | None) -> Decimal:
    """The promotion's percent: given (0 < p <= 100), 100 for ``buy_x_get_y``, else 0."""
    if percent is None:
        if kind == "percent":
            problems.add("percent", "required for a percent promotion")
        return Decimal(100) if kind == "buy_x_get_y" else Decimal(0)
    pct = problems.check("percent", positive_amount, percent) or Decimal(0)
    if not Decimal(0) < pct <= Decimal(100):
        problems.add("percent", "must be more than 0 and at most 100", percent)
    return pct


def _eligible(
    problems: Specific,
    target: str,
    skus: Sequence[str],
    attribute: tuple[str, str] | Mapping[str, str] | None,
) -> tuple[frozenset[str], tuple[str, str] | None]:
    """Which lines may be discounted: the SKUs and the ``(key, value)`` attribute."""
    listed = skus if not isinstance(skus, str) else [skus]
    sku_set = frozenset(
        problems.check(f"skus[{i}]", check_sku, s) or "" for i, s in enumerate(listed)
    )
    attr: tuple[str, str] | None = None
    if attribute is not None:
        pairs = list(attribute.items()) if isinstance(attribute, Mapping) else [attribute]
        if len(pairs) != 1 or not all(isinstance(x, str) and x for x in pairs[0]):
            problems.add("attribute", "expected one (key, value) pair of text", attribute)
        else:
            attr = (pairs[0][0], pairs[0][1])
    if target == "sku" and not sku_set:
        problems.add("skus", "required when target is 'sku'")
    if target == "attribute" and attr is None:
        problems.add("attribute", "required when target is 'attribute'")
    return sku_set, attr


def _max_quantity(problems: Specific, kind: str, target: str, value: Any) -> int | None:
    """``max_quantity``: a whole number of units, for per-unit promotions only."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.add(
            "max_quantity", f"got {value!r}; expected a whole number of units, at least 1", value
        )
        return None
    per_unit = kind == "buy_x_get_y" or (kind in ("percent", "amount") and target != "order")
    if not per_unit:
        problems.add(
            "max_quantity",
            f"got {value!r}, but max_quantity is only for per-unit promotions: percent or "
            f"amount on a 'line', 'sku' or 'attribute' target, or buy_x_get_y (this one: "
            f"{kind!r} on {target!r})",
            value,
        )
        return None
    return value


def _stated_basis(problems: Specific, kind: str, value: Any) -> bool | None:
    """``amount_includes_tax``: a boolean, for fixed-amount promotions only."""
    if value is None:
        return None
    stated = problems.check("amount_includes_tax", check_bool, value)
    if kind not in AMOUNT_KINDS:
        problems.add(
            "amount_includes_tax",
            f"got {value!r}, but it is only for a fixed amount ({', '.join(AMOUNT_KINDS)}), "
            f"not {kind!r}",
            value,
        )
    return stated


def _amounts_for_channels(uow: UnitOfWork, promo: Promotion) -> None:
    """Every currency sold on the promotion's channels needs an amount off shipping."""
    have = {code for code, _ in promo.amounts}
    channels = uow.repo(CHANNELS)
    for code in sorted(promo.channels):
        channel = channels.view(code)
        if channel is None:
            continue
        for currency in channel.currencies:
            if currency not in have:
                raise ValidationError(
                    f"amount.{currency}",
                    None,
                    f"channel {code!r} sells in {currency}: give the amount off shipping in "
                    f"{currency} too (given: {', '.join(sorted(have))})",
                )


class PromotionAdmin(TaxAdmin):
    """Promotions and coupons (mixed into ``PricingService``)."""

    # -- promotions -----------------------------------------------------------------------
    def add_promotion(
        self,
        promotion_id: str,
        *,
        name: str,
        kind: str,
        target: str = "order",
        percent: str | Decimal | int | None = None,
        amount: MoneyLike | Mapping[str, Any] | str | Decimal | int | None = None,
        currency: str | None = None,
        skus: Sequence[str] = (),
        attribute: tuple[str, str] | Mapping[str, str] | None = None,
        buy: int = 0,
        get: int = 0,
        min_subtotal: MoneyLike | Mapping[str, Any] | str | Decimal | int | None = None,
        channels: Sequence[str] = (),
        customer_groups: Sequence[str] = (),
        valid_from: dt.datetime | None = None,
        valid_to: dt.datetime | None = None,
        priority: int = 100,
        stacking: str = "combinable",
        coupon_only: bool = False,
        max_quantity: int | None = None,
        amount_includes_tax: bool | None = None,
        actor: str = "system",
    ) -> Promotion:
        """Set up a promotion.

        Args:
            promotion_id: unique id, shown in quotes.
            name: a name people read.
            kind: ``"percent"``, ``"amount"``, ``"buy_x_get_y"``, ``"free_shipping"`` or
                ``"shipping_amount"`` (a fixed amount off the shipping charge, per
                currency, never below zero; the tax on shipping is computed on what is
                left).
            target: what a percent / amount discounts: ``"order"`` (spread over the
                lines), ``"line"`` (each line), ``"sku"`` (lines of ``skus``) or
                ``"attribute"`` (lines whose product has ``attribute``, e.g. a category).
            percent: for ``percent``; for ``buy_x_get_y`` the discount on the free units
                (default 100).
            amount: for ``amount`` and ``shipping_amount``: Money, ``{"EUR": "5.00"}``,
                or a bare amount with ``currency``; per unit for line / sku / attribute
                targets. A quote in a currency without an amount does not apply it (the
                quote notes why); the currencies of the named ``channels`` must all have
                one.
            currency: the currency of a bare ``amount`` / ``min_subtotal``.
            skus: only lines of these SKUs are eligible (any kind).
            attribute: only lines whose product has this ``(key, value)`` are eligible.
            buy: for ``buy_x_get_y``: in every ``buy + get`` eligible units, the ``get``
                cheapest are discounted.
            get: see ``buy``.
            min_subtotal: the order (before discounts) must reach this, per currency.
            channels: only on these channels (empty: every channel).
            customer_groups: only for these customer groups (empty: everyone).
            valid_from: start of the window ``[from, to)``, timezone-aware.
            valid_to: end of the window.
            priority: lower runs first.
            stacking: ``"combinable"`` or ``"exclusive"`` (applies alone, if first).
            coupon_only: applies only with one of its coupons.
            max_quantity: per-unit promotions (``percent`` or ``amount`` on a line, sku or
                attribute target, and ``buy_x_get_y``): at most this many units per order
                get the discount, the most expensive first (``buy_x_get_y``: the
                cheapest, as always, up to this many).
            amount_includes_tax: for ``amount`` and ``shipping_amount``: the amount is
                stated tax included (``True``) or before tax (``False``) and is converted
                at each line's tax rates into the basis of the prices it meets (rounded
                down). ``None`` (the default) takes it in that basis as it is.
            actor: who makes the change (recorded on its events; default ``"system"``).
        """
        problems = Specific()
        pid = problems.check("promotion_id", name_text, promotion_id)
        pname = problems.check("name", check_text, name)
        _choices(problems, kind=kind, target=target, stacking=stacking)
        pct = _percent(problems, kind, percent)
        amounts: tuple[tuple[str, Decimal], ...] = ()
        if amount is not None:
            amounts = problems.check("amount", per_currency, amount, currency) or ()
        elif kind in AMOUNT_KINDS:
            problems.add("amount", f"required for a {kind} promotion")
        sku_set, attr = _eligible(problems, target, skus, attribute)
        if kind == "buy_x_get_y":
            problems.check("buy", check_quantity, buy)
            problems.check("get", check_quantity, get)
        minimum: tuple[tuple[str, Decimal], ...] = ()
        if min_subtotal is not None:
            minimum = problems.check("min_subtotal", per_currency, min_subtotal, currency) or ()
        chans = problems.check("channels", texts, channels) or frozenset()
        groups = problems.check("customer_groups", texts, customer_groups) or frozenset()
        start, end = window(problems, valid_from, valid_to)
        if isinstance(priority, bool) or not isinstance(priority, int):
            problems.add("priority", "expected a whole number", priority)
        only = problems.check("coupon_only", check_bool, coupon_only)
        cap = _max_quantity(problems, kind, target, max_quantity)
        stated = _stated_basis(problems, kind, amount_includes_tax)
        problems.raise_if_any()
        promo = Promotion(
            id=pid or "", name=pname or "", kind=kind, target=target,  # type: ignore[arg-type]
            percent=pct, amounts=amounts, skus=sku_set, attribute=attr, buy=buy, get=get,
            min_subtotal=minimum, channels=chans, customer_groups=groups, valid_from=start,
            valid_to=end, priority=priority, stacking=stacking,  # type: ignore[arg-type]
            coupon_only=bool(only), max_quantity=cap, amount_includes_tax=stated,
        )  # fmt: skip
        return self._rt.run(lambda uow: _add(uow, promo), actor=actor)

    def set_promotion_active(
        self, promotion_id: str, active: bool, *, actor: str = "system"
    ) -> Promotion:
        """Switch a promotion on or off; raises [`UnknownPromotion`][]."""
        flag = check_bool(active, "active")

        def use_case(uow: UnitOfWork) -> Promotion:
            repo = uow.repo(PROMOTION_BOOKS)
            book = repo.find("default")
            found = [p for p in (book.promotions if book else ()) if p.id == promotion_id]
            if book is None or not found:
                raise UnknownPromotion(promotion_id)
            changed = attrs.evolve(found[0], active=flag)
            book.promotions = tuple(changed if p.id == promotion_id else p
                                    for p in book.promotions)  # fmt: skip
            book.record(PromotionChanged(promotion=promotion_id, active=flag))
            repo.save(book)
            return changed

        return self._rt.run(use_case, actor=actor)

    def promotions(self) -> list[Promotion]:
        """Every promotion, in the order they were added."""
        with self._rt.storage.unit_of_work() as uow:
            book = uow.repo(PROMOTION_BOOKS).find("default")
            return list(book.promotions) if book else []

    # -- coupons --------------------------------------------------------------------------
    def add_coupon(
        self,
        code: str,
        promotion: str,
        *,
        valid_from: dt.datetime | None = None,
        valid_to: dt.datetime | None = None,
        max_uses: int | None = None,
        max_uses_per_customer: int | None = None,
        actor: str = "system",
    ) -> Coupon:
        """Create a coupon code for ``promotion`` (codes are case-insensitive).

        Raises:
            ValidationError: listing every invalid argument.
            UnknownPromotion: no such promotion.
            AlreadyExists: the code is taken.
        """
        problems = Specific()
        clean = problems.check("code", name_text, code)
        start, end = window(problems, valid_from, valid_to)
        limit = None
        if max_uses is not None:
            limit = problems.check("max_uses", check_quantity, max_uses)
        per = None
        if max_uses_per_customer is not None:
            per = problems.check("max_uses_per_customer", check_quantity, max_uses_per_customer)
        problems.raise_if_any()
        key = (clean or "").upper()

        def use_case(uow: UnitOfWork) -> Coupon:
            book = uow.repo(PROMOTION_BOOKS).find("default")
            if book is None or all(p.id != promotion for p in book.promotions):
                raise UnknownPromotion(promotion)
            repo = uow.repo(COUPONS)
            if repo.find(key) is not None:
                raise AlreadyExists("coupon", key)
            coupon = Coupon(id=key, promotion=promotion, valid_from=start, valid_to=end,
                            max_uses=limit, max_uses_per_customer=per)  # fmt: skip
            coupon.record(CouponAdded(code=key, promotion=promotion))
            repo.add(coupon)
            return coupon

        return self._rt.run(use_case, actor=actor)

    def coupon(self, code: str) -> Coupon:
        """The coupon with ``code``; raises [`UnknownCoupon`][]."""
        with self._rt.storage.unit_of_work() as uow:
            found = uow.repo(COUPONS).find(code.upper())
            if found is None:
                raise UnknownCoupon(code)
            return found
