"""Errors raised by pricing, promotions, coupons, taxes and duties.

They extend the kernel tree ([`omskit.errors`][])::

    ValidationError
    ├── CurrencyNotSold              the channel does not sell in that currency
    ├── InactiveSku                  the SKU exists but is not for sale
    ├── NoPrice                      no price for a SKU in the quote's currency
    ├── ChannelPriceRejected         a price sent by the channel is not accepted
    ├── OverlappingRates             two rates for one jurisdiction and class overlap in time
    └── CouponError                  a coupon cannot be used
        ├── CouponNotValidYet
        ├── CouponExpired
        ├── CouponExhausted          the coupon's total uses are spent
        └── CouponLimitReached       this customer used it as often as allowed
    NotFound
    ├── UnknownChannel
    ├── UnknownCoupon
    ├── UnknownPriceList
    └── UnknownPromotion
    OmskitError
    └── DutiesUnavailable            a DDP quote needs a duty estimate that cannot be made
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from omskit.errors import NotFound, OmskitError, ValidationError

__all__ = [
    "ChannelPriceRejected",
    "CouponError",
    "CouponExhausted",
    "CouponExpired",
    "CouponLimitReached",
    "CouponNotValidYet",
    "CurrencyNotSold",
    "DutiesUnavailable",
    "InactiveSku",
    "NoPrice",
    "OverlappingRates",
    "UnknownChannel",
    "UnknownCoupon",
    "UnknownPriceList",
    "UnknownPromotion",
]


class UnknownChannel(NotFound):
    """No active sales channel has this code."""

    def __init__(self, channel: object, known: Iterable[str]) -> None:
        self.channel = channel
        self.known = tuple(sorted(known))
        super().__init__("channel", channel, f"known channels: {', '.join(self.known) or 'none'}")


class UnknownCoupon(NotFound):
    """No coupon has this code."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__("coupon", code, "check the code; codes are not case-sensitive")


class UnknownPriceList(NotFound):
    """No price list exists with this name and currency."""

    def __init__(self, name: str, currency: str) -> None:
        self.name = name
        self.currency = currency
        super().__init__("price list", f"{name}:{currency}", "add it with add_price_list()")


class UnknownPromotion(NotFound):
    """No promotion exists with this id."""

    def __init__(self, promotion: str) -> None:
        self.promotion = promotion
        super().__init__("promotion", promotion, "add it with add_promotion()")


class CurrencyNotSold(ValidationError):
    """The channel does not sell in the requested currency."""

    def __init__(self, channel: str, currency: str, sold: Iterable[str]) -> None:
        self.channel = channel
        self.currency = currency
        self.sold = tuple(sold)
        super().__init__(
            "currency", currency, f"channel {channel!r} sells in {', '.join(self.sold)}"
        )


class InactiveSku(ValidationError):
    """The SKU is in the catalog but deactivated: it cannot be quoted."""

    def __init__(self, sku: str, field: str = "sku") -> None:
        self.sku = sku
        super().__init__(field, sku, "this SKU is deactivated; reactivate it to sell it")


class NoPrice(ValidationError):
    """Neither a price list nor the catalogue gives a price for the SKU in this currency."""

    def __init__(self, sku: str, currency: str, field: str = "sku") -> None:
        self.sku = sku
        self.currency = currency
        super().__init__(
            field,
            sku,
            f"no price in {currency}: set one with set_price(), give the product a "
            f"catalogue price, or configure an exchange rate to convert it",
        )


class ChannelPriceRejected(ValidationError):
    """A unit price sent by the channel is not accepted under the channel's rule."""

    def __init__(self, field: str, sent: object, ours: object, rule: str) -> None:
        self.sent = sent
        self.ours = ours
        self.rule = rule
        super().__init__(field, sent, f"our price is {ours}; the channel's rule is {rule}")


class OverlappingRates(ValidationError):
    """Two tax rates for one jurisdiction and tax class are valid on the same day."""

    def __init__(
        self,
        jurisdiction: str,
        tax_class: str,
        name: str,
        first: tuple[dt.date | None, dt.date | None],
        second: tuple[dt.date | None, dt.date | None],
    ) -> None:
        self.jurisdiction = jurisdiction
        self.tax_class = tax_class
        self.first = first
        self.second = second

        def span(w: tuple[dt.date | None, dt.date | None]) -> str:
            return f"{w[0] or 'always'}..{w[1] or 'open'}"

        super().__init__(
            "valid_from",
            str(second[0] or "always"),
            f"{name} {tax_class!r} rates for {jurisdiction} overlap: {span(first)} and "
            f"{span(second)}; end the older rate (valid_to) the day before the new one starts",
        )


class CouponError(ValidationError):
    """A coupon that cannot be used now; ``code`` names it."""

    def __init__(self, code: str, reason: str, field: str = "coupons") -> None:
        self.code = code
        self.reason = reason
        super().__init__(field, code, reason)


class CouponNotValidYet(CouponError):
    """The coupon's validity window has not started."""


class CouponExpired(CouponError):
    """The coupon's validity window has ended."""


class CouponExhausted(CouponError):
    """Every use the coupon allows has been redeemed."""


class CouponLimitReached(CouponError):
    """This customer has redeemed the coupon as often as it allows."""


class DutiesUnavailable(OmskitError):
    """A duties-paid (DDP) quote needs an estimate that cannot be computed."""

    def __init__(self, destination: str, reason: str) -> None:
        self.destination = destination
        self.reason = reason
        super().__init__(
            f"cannot estimate duties for {destination}: {reason}; quote DAP instead, or "
            f"configure what is missing"
        )
