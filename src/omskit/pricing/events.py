"""Events recorded by pricing: price lists, promotions, coupons and tax rates changing."""

from __future__ import annotations

from decimal import Decimal

import attrs

from omskit.events import Event

__all__ = [
    "CouponAdded",
    "CouponRedeemed",
    "CouponReleased",
    "DutyRateSet",
    "ImportRuleSet",
    "PriceListAdded",
    "PricesSet",
    "PromotionAdded",
    "PromotionChanged",
    "TaxRatesChanged",
]


@attrs.frozen(kw_only=True)
class PriceListAdded(Event):
    """A price list was created for a currency."""

    price_list: str
    currency: str
    includes_tax: bool
    base_currency: str | None = None


@attrs.frozen(kw_only=True)
class PricesSet(Event):
    """Prices were added to or replaced in a price list; ``skus`` names them."""

    price_list: str
    currency: str
    skus: tuple[str, ...]


@attrs.frozen(kw_only=True)
class PromotionAdded(Event):
    """A promotion was set up."""

    promotion: str
    kind: str


@attrs.frozen(kw_only=True)
class PromotionChanged(Event):
    """A promotion was switched on or off."""

    promotion: str
    active: bool


@attrs.frozen(kw_only=True)
class CouponAdded(Event):
    """A coupon code was created for a promotion."""

    code: str
    promotion: str


@attrs.frozen(kw_only=True)
class CouponRedeemed(Event):
    """An order used a coupon; ``uses`` is the coupon's count after this one."""

    code: str
    order_id: str
    customer_key: str
    uses: int


@attrs.frozen(kw_only=True)
class CouponReleased(Event):
    """A coupon use was given back (the order that used it was cancelled)."""

    code: str
    order_id: str
    uses: int


@attrs.frozen(kw_only=True)
class TaxRatesChanged(Event):
    """Rates were added to the tax table; ``jurisdictions`` names where."""

    jurisdictions: tuple[str, ...]
    count: int


@attrs.frozen(kw_only=True)
class DutyRateSet(Event):
    """A duty percentage was set for goods into ``territory`` (replacing the one before)."""

    territory: str
    hs_prefix: str
    origin: str
    rate: Decimal


@attrs.frozen(kw_only=True)
class ImportRuleSet(Event):
    """A host rule overrode the import thresholds of ``territory`` for ``origins``."""

    territory: str
    currency: str
    origins: tuple[str, ...]
