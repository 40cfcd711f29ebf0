"""Pricing: price lists, promotions, coupons, taxes, duties and the quotes built from them.

Reached as ``oms.pricing`` ([`PricingService`][]); the engine itself is pure
(`omskit.pricing.engine.price`).
"""

from omskit.pricing.coupons import Coupon
from omskit.pricing.duties import CustomsLine, DutyEstimate, DutyRate, ImportRule
from omskit.pricing.errors import (
    ChannelPriceRejected,
    CouponError,
    CouponExhausted,
    CouponExpired,
    CouponLimitReached,
    CouponNotValidYet,
    CurrencyNotSold,
    DutiesUnavailable,
    InactiveSku,
    NoPrice,
    OverlappingRates,
    UnknownChannel,
    UnknownCoupon,
    UnknownPriceList,
    UnknownPromotion,
)
from omskit.pricing.events import (
    CouponAdded,
    CouponRedeemed,
    CouponReleased,
    DutyRateSet,
    ImportRuleSet,
    PriceListAdded,
    PricesSet,
    PromotionAdded,
    PromotionChanged,
    TaxRatesChanged,
)
from omskit.pricing.pricelists import PriceEntry, PriceList
from omskit.pricing.promotions import AppliedPromotion, Promotion
from omskit.pricing.quote import Quote, QuoteLine, TaxBreakdown, TaxLine
from omskit.pricing.request import CustomerRef, QuoteLineInput, QuoteRequest
from omskit.pricing.service import PricingService
from omskit.pricing.settings import PricingSettings
from omskit.pricing.tax import (
    Jurisdiction,
    JurisdictionRule,
    RuleTaxProvider,
    TaxComponent,
    TaxDecision,
    TaxItem,
    TaxProvider,
    TaxRate,
    TaxRequest,
)

__all__ = [
    "AppliedPromotion",
    "ChannelPriceRejected",
    "Coupon",
    "CouponAdded",
    "CouponError",
    "CouponExhausted",
    "CouponExpired",
    "CouponLimitReached",
    "CouponNotValidYet",
    "CouponRedeemed",
    "CouponReleased",
    "CurrencyNotSold",
    "CustomerRef",
    "CustomsLine",
    "DutiesUnavailable",
    "DutyEstimate",
    "DutyRate",
    "DutyRateSet",
    "ImportRule",
    "ImportRuleSet",
    "InactiveSku",
    "Jurisdiction",
    "JurisdictionRule",
    "NoPrice",
    "OverlappingRates",
    "PriceEntry",
    "PriceList",
    "PriceListAdded",
    "PricesSet",
    "PricingService",
    "PricingSettings",
    "Promotion",
    "PromotionAdded",
    "PromotionChanged",
    "Quote",
    "QuoteLine",
    "QuoteLineInput",
    "QuoteRequest",
    "RuleTaxProvider",
    "TaxBreakdown",
    "TaxComponent",
    "TaxDecision",
    "TaxItem",
    "TaxLine",
    "TaxProvider",
    "TaxRate",
    "TaxRatesChanged",
    "TaxRequest",
    "UnknownChannel",
    "UnknownCoupon",
    "UnknownPriceList",
    "UnknownPromotion",
]
