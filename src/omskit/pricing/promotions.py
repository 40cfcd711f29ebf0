"""Promotions: what they are, when they apply, and how their discounts are computed.

Promotions are considered in priority order (lowest number first, then id). A
*combinable* promotion applies together with the others; an *exclusive* one applies only
when nothing has applied before it, and then nothing after it applies. Each discount is
computed on what is left of a line after earlier promotions, rounded down to the minor
unit, so no line ever goes below zero. A discount on the order is spread over the lines
with the largest-remainder split ([`omskit.money.allocate`][]).

A per-unit promotion with ``max_quantity`` discounts at most that many units per order:
the most expensive units first (buy X get Y: the cheapest units are the free ones, and at
most ``max_quantity`` of them are). A fixed amount stated gross or net
(``amount_includes_tax``) is converted at each line's tax rates into the line's basis and
rounded down, like every discount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Literal

import attrs

from omskit.money import Money, allocate
from omskit.pricing.lines import WorkLine, fast_money
from omskit.storage.ports import Aggregate, Collection

__all__ = [
    "AMOUNT_KINDS",
    "KINDS",
    "PROMOTION_BOOKS",
    "STACKING",
    "TARGETS",
    "AppliedPromotion",
    "PromoContext",
    "Promotion",
    "PromotionBook",
    "PromotionIndex",
    "apply_promotions",
]

Kind = Literal["percent", "amount", "buy_x_get_y", "free_shipping", "shipping_amount"]
Target = Literal["order", "line", "sku", "attribute"]
Stacking = Literal["combinable", "exclusive"]

#: Promotion kinds: percent off, fixed amount off, buy X get Y, free shipping, and a
#: fixed amount off shipping.
KINDS: tuple[Kind, ...] = ("percent", "amount", "buy_x_get_y", "free_shipping", "shipping_amount")
#: Kinds whose value is a fixed amount per currency.
AMOUNT_KINDS: tuple[Kind, ...] = ("amount", "shipping_amount")
#: What a percent / amount promotion discounts.
TARGETS: tuple[Target, ...] = ("order", "line", "sku", "attribute")
#: How a promotion combines with others.
STACKING: tuple[Stacking, ...] = ("combinable", "exclusive")

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)
_SHIPPING_KINDS = ("free_shipping", "shipping_amount")


@attrs.frozen
class Promotion:
    """One promotion rule (see ``PricingService.add_promotion`` for each field)."""

    id: str
    name: str
    kind: Kind
    target: Target = "order"
    percent: Decimal = _ZERO
    amounts: tuple[tuple[str, Decimal], ...] = ()
    skus: frozenset[str] = frozenset()
    attribute: tuple[str, str] | None = None
    buy: int = 0
    get: int = 0
    min_subtotal: tuple[tuple[str, Decimal], ...] = ()
    channels: frozenset[str] = frozenset()
    customer_groups: frozenset[str] = frozenset()
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    priority: int = 100
    stacking: Stacking = "combinable"
    coupon_only: bool = False
    active: bool = True
    #: per-unit promotions: at most this many units per order get the discount
    max_quantity: int | None = None
    #: fixed amounts: stated tax included (True), before tax (False) or, ``None``, in the
    #: basis of the prices they meet
    amount_includes_tax: bool | None = None

    def amount_in(self, currency: str) -> Decimal | None:
        """The fixed amount in ``currency``, if one is set."""
        return dict(self.amounts).get(currency)

    def eligible(self, line: WorkLine) -> bool:
        """Whether ``line`` is something this promotion discounts."""
        if self.skus and line.sku not in self.skus:
            return False
        if self.attribute is not None:
            key, value = self.attribute
            return line.attributes.get(key) == value
        return True

    def describe(self) -> str:
        """A short human description: ``"10% off the order"``."""
        what = {
            "order": "the order",
            "line": "every line",
            "sku": f"{', '.join(sorted(self.skus))}",
            "attribute": f"{self.attribute[0]}={self.attribute[1]}" if self.attribute else "",
        }[self.target]
        if self.kind == "free_shipping":
            return "free shipping"
        basis = {None: "", True: " (tax included)", False: " (before tax)"}[
            self.amount_includes_tax
        ]
        amounts = ", ".join(f"{a} {c}" for c, a in self.amounts) + basis
        if self.kind == "shipping_amount":
            return f"{amounts} off shipping"
        cap = f", at most {self.max_quantity} units" if self.max_quantity is not None else ""
        off = f"{self.percent.normalize():f}% off"
        if self.kind == "buy_x_get_y":
            share = "free" if self.percent == _HUNDRED else off
            scope = f" of {what}" if self.target != "order" else ""
            return f"buy {self.buy} get {self.get} {share}{scope}{cap}"
        if self.kind == "amount":
            per = " per unit" if self.target != "order" else ""
            return f"{amounts} off{per} {what}{cap}"
        return f"{off} {what}{cap}"


@attrs.define(eq=False)
class PromotionBook(Aggregate):
    """Every promotion, kept together so a quote reads them in one go (id ``"default"``)."""

    promotions: tuple[Promotion, ...] = ()

    def clone(self) -> PromotionBook:
        """A cheap copy: promotions are immutable and the tuple is shared."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


PROMOTION_BOOKS: Collection[PromotionBook] = Collection(
    "promotion_books", PromotionBook, label="promotion book"
)


class PromotionIndex:
    """Active promotions indexed by SKU, so a quote only looks at those that can apply."""

    __slots__ = ("_by_sku", "_general", "by_id", "has_any")

    def __init__(self, promotions: Iterable[Promotion]) -> None:
        self.by_id: dict[str, Promotion] = {}
        self._by_sku: dict[str, list[Promotion]] = {}
        self._general: list[Promotion] = []
        for promo in promotions:
            self.by_id[promo.id] = promo
            if not promo.active:
                continue
            if promo.skus:
                for sku in promo.skus:
                    self._by_sku.setdefault(sku, []).append(promo)
            else:
                self._general.append(promo)
        #: whether any promotion is active (none: no basket has candidates)
        self.has_any = bool(self._general or self._by_sku)

    def candidates(self, skus: Iterable[str]) -> list[Promotion]:
        """Active promotions that may touch a basket with ``skus``, in priority order."""
        found = {id(p): p for p in self._general}
        by_sku = self._by_sku
        for sku in skus:
            for promo in by_sku.get(sku, ()):
                found[id(promo)] = promo
        return sorted(found.values(), key=lambda p: (p.priority, p.id))


@attrs.frozen
class AppliedPromotion:
    """A promotion that changed the quote: by how much, on which lines, through which coupon.

    ``amount`` is the discount on lines plus ``shipping`` (the shipping discount), in the
    price list's basis (gross when prices include tax).
    """

    promotion: str
    name: str
    description: str
    amount: Money
    shipping: Money
    lines: tuple[int, ...]
    coupon: str | None = None


@attrs.frozen
class PromoContext:
    """The facts promotions are checked against."""

    currency: str
    unit: Decimal
    channel: str
    group: str
    now: dt.datetime
    coupons: Mapping[str, str]
    subtotal: Decimal
    #: the quote's basis (gross when its prices include tax)
    inclusive: bool = True
    #: gross per net of the shipping charge, while values are converted between bases
    ship_factor: Decimal | None = None
    #: whether lines carry factors and other-basis lines report a quote-basis discount
    convert: bool = False


def _blocked(promo: Promotion, ctx: PromoContext) -> str | None:  # noqa: PLR0911 - one per rule
    """Why ``promo`` cannot apply at all, or ``None``."""
    if promo.valid_from is not None and ctx.now < promo.valid_from:
        return f"starts {promo.valid_from:%Y-%m-%d %H:%M}"
    if promo.valid_to is not None and ctx.now >= promo.valid_to:
        return f"ended {promo.valid_to:%Y-%m-%d %H:%M}"
    if promo.channels and ctx.channel not in promo.channels:
        return f"not offered on channel {ctx.channel!r}"
    if promo.customer_groups and ctx.group not in promo.customer_groups:
        return "not for this customer group"
    if promo.coupon_only and promo.id not in ctx.coupons:
        return "needs a coupon"
    if promo.kind in AMOUNT_KINDS and promo.amount_in(ctx.currency) is None:
        return f"has no amount in {ctx.currency}"
    if promo.min_subtotal:
        minimum = dict(promo.min_subtotal).get(ctx.currency)
        if minimum is None:
            return f"has no minimum order value in {ctx.currency}"
        if ctx.subtotal < minimum:
            return f"needs an order of at least {minimum} {ctx.currency}"
    return None


_DESCRIPTIONS: dict[int, tuple[Promotion, str]] = {}


def _describe(promo: Promotion) -> str:
    """``promo.describe()``, built once per promotion object (promotions are immutable)."""
    hit = _DESCRIPTIONS.get(id(promo))
    if hit is not None and hit[0] is promo:
        return hit[1]
    if len(_DESCRIPTIONS) > 4096:
        _DESCRIPTIONS.clear()
    text = promo.describe()
    _DESCRIPTIONS[id(promo)] = (promo, text)
    return text


def _canonical(line: WorkLine) -> tuple[str, Decimal, int, Decimal]:
    """Order lines by what they are, not where they sit, so results never depend on order."""
    return (line.sku, line.unit, line.quantity, line.remaining)


def _spread(total: Decimal, lines: Sequence[WorkLine], currency: str) -> dict[int, Decimal]:
    lines = sorted(lines, key=_canonical) if len(lines) > 1 else lines
    scale = -int(lines[0].amount.as_tuple().exponent) if lines else 0
    weights = [int((line.amount - line.discount).scaleb(scale)) for line in lines]
    parts = allocate(fast_money(total, currency), weights)
    return {line.index: part.amount for line, part in zip(lines, parts, strict=True)}


def _convert(value: Decimal, stated: bool, basis: bool, factor: Decimal | None) -> Decimal:
    """``value`` stated gross (``stated``) or net, expressed in ``basis`` (exact).

    ``factor`` is gross per net; without one (no conversion under way) nothing changes.
    """
    if stated == basis or factor is None:
        return value
    return value / factor if stated else value * factor


def _basis(line: WorkLine, ctx: PromoContext) -> bool:
    return ctx.inclusive if line.inclusive is None else line.inclusive


def _order_converted(
    promo: Promotion, eligible: list[WorkLine], ctx: PromoContext
) -> dict[int, Decimal]:
    """An order discount over lines of several bases, or stated in the other basis.

    The lines' remaining amounts are expressed in one common basis (the promotion's
    stated one, else the quote's); the discount is split over them there, and each share
    is converted back into its line's basis, rounded down.
    """
    unit = ctx.unit
    common = ctx.inclusive
    if promo.kind == "amount" and promo.amount_includes_tax is not None:
        common = promo.amount_includes_tax
    ordered = sorted(eligible, key=_canonical)
    weights = [_convert(ln.remaining, _basis(ln, ctx), common, ln.factor) for ln in ordered]
    pool = sum(weights, _ZERO)
    if promo.kind == "percent":
        total = (pool * promo.percent / _HUNDRED).quantize(unit, ROUND_DOWN)
    else:
        total = min(promo.amount_in(ctx.currency) or _ZERO, pool.quantize(unit, ROUND_DOWN))
    if total <= 0:
        return {}
    parts = allocate(fast_money(total, ctx.currency), weights)
    shares: dict[int, Decimal] = {}
    for line, part in zip(ordered, parts, strict=True):
        share = _convert(part.amount, common, _basis(line, ctx), line.factor)
        shares[line.index] = min(share.quantize(unit, ROUND_DOWN), line.remaining)
    return shares


def _per_unit(promo: Promotion, eligible: list[WorkLine], ctx: PromoContext) -> dict[int, Decimal]:
    """Percent or amount off each unit of the eligible lines, up to ``max_quantity`` units.

    With a cap, the most expensive units (unit price in the quote's basis) come first,
    then lines by what they are (SKU, price, quantity), never by their position.
    """
    unit = ctx.unit
    cap = promo.max_quantity
    if cap is not None:
        eligible = sorted(
            eligible,
            key=lambda ln: (
                -_convert(ln.unit, _basis(ln, ctx), ctx.inclusive, ln.factor),
                *_canonical(ln),
            ),
        )
    left = cap
    pct = promo.percent / _HUNDRED
    each = promo.amount_in(ctx.currency) or _ZERO
    stated = promo.amount_includes_tax
    shares: dict[int, Decimal] = {}
    for line in eligible:
        take = line.quantity
        if left is not None:
            if left <= 0:
                break
            take = min(take, left)
            left -= take
        remaining = line.amount - line.discount
        if promo.kind == "percent":
            base = remaining if take == line.quantity else remaining * take / line.quantity
            off = (base * pct).quantize(unit, ROUND_DOWN)
        else:
            off = each * take
            if stated is not None and line.factor is not None:
                off = _convert(off, stated, _basis(line, ctx), line.factor).quantize(
                    unit, ROUND_DOWN
                )
        shares[line.index] = min(off, remaining)
    return shares


def _free_units(
    promo: Promotion, eligible: list[WorkLine], ctx: PromoContext
) -> dict[int, Decimal]:
    """Buy X get Y: the cheapest eligible units are discounted, at most ``max_quantity``."""
    unit = ctx.unit
    units = sum(line.quantity for line in eligible)
    free = units // (promo.buy + promo.get) * promo.get
    if promo.max_quantity is not None:
        free = min(free, promo.max_quantity)
    shares: dict[int, Decimal] = {}
    if ctx.convert:
        cheapest = sorted(
            eligible,
            key=lambda x: (
                _convert(x.unit, _basis(x, ctx), ctx.inclusive, x.factor),
                *_canonical(x),
            ),
        )
    else:
        cheapest = sorted(eligible, key=lambda x: (x.unit, *_canonical(x)))
    for line in cheapest:
        if free <= 0:
            break
        take = min(free, line.quantity)
        free -= take
        off = (line.unit * take * promo.percent / _HUNDRED).quantize(unit, ROUND_DOWN)
        shares[line.index] = min(off, line.remaining)
    return shares


def _order(promo: Promotion, eligible: list[WorkLine], ctx: PromoContext) -> dict[int, Decimal]:
    """A discount on the order, spread over the eligible lines."""
    if ctx.convert:
        return _order_converted(promo, eligible, ctx)
    unit = ctx.unit
    pool = sum((line.amount - line.discount for line in eligible), _ZERO)
    if promo.kind == "percent":
        total = (pool * promo.percent / _HUNDRED).quantize(unit, ROUND_DOWN)
    else:
        total = min(promo.amount_in(ctx.currency) or _ZERO, pool)
    return _spread(total, eligible, ctx.currency) if total > 0 else {}


def _shares(promo: Promotion, lines: Sequence[WorkLine], ctx: PromoContext) -> dict[int, Decimal]:
    eligible = [line for line in lines if line.amount > line.discount and promo.eligible(line)]
    if not eligible:
        return {}
    unit = ctx.unit
    if promo.kind == "buy_x_get_y":
        return _free_units(promo, eligible, ctx)
    if promo.target == "order":
        return _order(promo, eligible, ctx)
    if promo.max_quantity is not None or ctx.convert:
        return _per_unit(promo, eligible, ctx)
    if promo.kind == "percent":
        pct = promo.percent / _HUNDRED
        return {
            line.index: ((line.amount - line.discount) * pct).quantize(unit, ROUND_DOWN)
            for line in eligible
        }
    each = promo.amount_in(ctx.currency) or _ZERO
    return {line.index: min(each * line.quantity, line.remaining) for line in eligible}


def _shipping_off(promo: Promotion, left: Decimal, ctx: PromoContext) -> Decimal:
    """What ``promo`` takes off the ``left`` shipping charge (never more than it)."""
    if promo.kind == "free_shipping":
        return left
    off = promo.amount_in(ctx.currency) or _ZERO
    stated = promo.amount_includes_tax
    if stated is not None and ctx.ship_factor is not None:
        off = _convert(off, stated, ctx.inclusive, ctx.ship_factor).quantize(ctx.unit, ROUND_DOWN)
    return min(off, left)


def _in_quote_basis(
    shares: dict[int, Decimal], lines: Sequence[WorkLine], ctx: PromoContext
) -> Decimal:
    """The sum of ``shares`` in the quote's basis; records each other-basis line's part.

    A line priced in the other basis converts its share at its tax rates, rounded down.
    """
    total = _ZERO
    quote_basis = ctx.inclusive
    for line in lines:
        share = shares.get(line.index)
        if not share:
            continue
        if line.inclusive is None or line.inclusive == quote_basis:
            total += share
            continue
        part = _convert(share, line.inclusive, quote_basis, line.factor).quantize(
            ctx.unit, ROUND_DOWN
        )
        line.quote_discount = part if line.quote_discount is None else line.quote_discount + part
        total += part
    return total


def apply_promotions(
    candidates: Sequence[Promotion],
    lines: Sequence[WorkLine],
    ctx: PromoContext,
    shipping: Decimal,
) -> tuple[list[AppliedPromotion], list[str], Decimal]:
    """Apply ``candidates`` (in priority order) to ``lines``; mutates ``line.discount``.

    Returns the promotions applied, notes on those that did not apply, and the shipping
    discount.
    """
    applied: list[AppliedPromotion] = []
    notes: list[str] = []
    ship_left = shipping
    currency = ctx.currency
    for i, promo in enumerate(candidates):
        reason = _blocked(promo, ctx)
        if reason is not None:
            if promo.id in ctx.coupons or reason.startswith("needs an order"):
                notes.append(f"promotion {promo.id!r} not applied: {reason}")
            continue
        if promo.stacking == "exclusive" and applied:
            notes.append(f"promotion {promo.id!r} not applied: exclusive, and others apply")
            continue
        ship_off = _ZERO
        shares: dict[int, Decimal] = {}
        if promo.kind in _SHIPPING_KINDS:
            ship_off = _shipping_off(promo, ship_left, ctx)
        else:
            shares = {k: v for k, v in _shares(promo, lines, ctx).items() if v > 0}
        if not shares and ship_off <= 0:
            notes.append(f"promotion {promo.id!r} not applied: nothing in the order it discounts")
            continue
        for line in lines:
            share = shares.get(line.index)
            if share:
                line.discount += share
        ship_left -= ship_off
        on_lines = (
            _in_quote_basis(shares, lines, ctx) if ctx.convert else sum(shares.values(), _ZERO)
        )
        total = on_lines + ship_off
        applied.append(
            AppliedPromotion(
                promotion=promo.id,
                name=promo.name,
                description=_describe(promo),
                amount=fast_money(total, currency),
                shipping=fast_money(ship_off, currency),
                lines=tuple(sorted(shares)),
                coupon=ctx.coupons.get(promo.id),
            )
        )
        if promo.stacking == "exclusive":
            skipped = [p.id for p in candidates[i + 1 :] if _blocked(p, ctx) is None]
            if skipped:
                notes.append(
                    f"promotion {promo.id!r} is exclusive: {', '.join(map(repr, skipped))} "
                    f"not applied"
                )
            break
    return applied, notes, shipping - ship_left
