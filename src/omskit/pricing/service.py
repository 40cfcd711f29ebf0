"""The pricing service, ``oms.pricing``: quotes, coupon redemption, and management."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from omskit.catalog.model import PRODUCTS, Product
from omskit.channels.model import CHANNELS, Channel
from omskit.customers.address import Address
from omskit.customers.model import CUSTOMERS
from omskit.errors import (
    CurrencyMismatch,
    InvalidAmount,
    NotFound,
    OmskitError,
    Problem,
    UnknownSku,
    ValidationError,
)
from omskit.money import Money, MoneyLike, minor_unit
from omskit.pricing.admin import PricingAdmin
from omskit.pricing.coupons import COUPONS
from omskit.pricing.duties import builtin_import_rules, import_rule_for
from omskit.pricing.engine import PricingContext, price
from omskit.pricing.errors import (
    CurrencyNotSold,
    InactiveSku,
    UnknownChannel,
    UnknownCoupon,
    UnknownPromotion,
)
from omskit.pricing.events import CouponRedeemed, CouponReleased
from omskit.pricing.lines import WorkLine, frozen_builder
from omskit.pricing.promo_admin import PromotionAdmin
from omskit.pricing.promotions import PROMOTION_BOOKS, PromotionIndex
from omskit.pricing.quote import Quote
from omskit.pricing.request import CustomerRef, QuoteRequest
from omskit.pricing.resolve import PriceResolver
from omskit.pricing.tax.rules import TAX_TABLES, TaxRules, TaxTable, customs_territory
from omskit.storage.ports import UnitOfWork

__all__ = ["PricingService"]

T = TypeVar("T")
_EMPTY_PROMOS = PromotionIndex(())
#: PricingContext(...) with every field in order, without the attrs __init__ (hot path)
_context = frozen_builder(PricingContext)


class PricingService(PriceResolver, PromotionAdmin, PricingAdmin):
    """Prices, promotions, coupons, taxes and duties. Reached as ``oms.pricing``.

    With no setup at all, quotes use catalogue prices and the built-in VAT / GST table
    (destination-based). See ``docs/pricing.md`` and ``docs/taxes.md``.
    """

    def _tax_rules(self, table: TaxTable | None) -> TaxRules:
        builtin = self.settings.builtin_rates
        if table is None:
            if self._default_rules is None:
                self._default_rules = TaxRules(builtin=builtin)
            return self._default_rules
        return self._cached(
            "tax:default",
            table,
            lambda: TaxRules(table.rates, table.jurisdictions, builtin=builtin),
            TaxRules(builtin=builtin),
        )

    # -- quotes ---------------------------------------------------------------------------
    def quote(
        self,
        *,
        channel: str,
        lines: Sequence[Mapping[str, Any] | Any],
        currency: str | None = None,
        customer: Mapping[str, Any] | str | None = None,
        ship_to: Address | Mapping[str, Any] | None = None,
        coupons: Sequence[str] = (),
        shipping: MoneyLike | str | Decimal | None = None,
        incoterm: str = "DAP",
        at: dt.datetime | None = None,
    ) -> Quote:
        """Price a basket: unit prices, promotions, coupons, taxes, shipping and duties.

        Args:
            channel: the sales channel's code (``"web"``).
            lines: ``{"sku", "quantity", "unit_price"?, "ref"?}`` mappings;
                ``unit_price`` is a price sent by a marketplace, judged by the channel's
                ``channel_prices`` rule.
            currency: default: the channel's first currency.
            customer: a customer id, or ``{"customer_id"?, "email"?, "group"?,
                "tax_exempt"?, "vat_id"?}``.
            ship_to: the destination (default: the stored customer's first address).
            coupons: coupon codes; checked, not consumed (see `redeem_coupons_in`).
            shipping: the shipping charge in the price list's basis.
            incoterm: ``"DAP"`` (buyer pays import charges) or ``"DDP"`` (seller does).
            at: price for this moment instead of now (re-pricing).

        Nothing is stored; a failed quote changes nothing.
        """
        request = QuoteRequest.from_mapping(
            {"channel": channel, "lines": lines, "currency": currency, "customer": customer,
             "ship_to": ship_to, "coupons": coupons, "shipping": shipping,
             "incoterm": incoterm, "at": at}
        )  # fmt: skip
        with self._rt.storage.unit_of_work() as uow:
            return self.quote_in(uow, request)

    def quote_in(self, uow: UnitOfWork, request: QuoteRequest | Mapping[str, Any]) -> Quote:
        """Price ``request`` inside the caller's unit of work (reads only, writes nothing)."""
        ctx, lines = self.prepare_in(uow, request)
        return price(ctx, lines)

    def prepare_in(
        self, uow: UnitOfWork, request: QuoteRequest | Mapping[str, Any]
    ) -> tuple[PricingContext, list[WorkLine]]:
        """Load and validate everything a quote needs; the pure engine does the rest.

        ``omskit.pricing.engine.price(ctx, lines)`` then gives the quote. Useful to price
        one prepared basket many times (benchmarks, what-if tools); ``lines`` are mutated
        by pricing, so copy them per run.
        """
        req = QuoteRequest.from_mapping(request)
        channel = self._channel(uow, req.channel)
        currency = req.currency or channel.default_currency
        if currency not in channel.currencies:
            raise CurrencyNotSold(channel.id, currency, channel.currencies)
        now = req.at or self._rt.clock.now()
        policy = self._rt.config.rounding_for(currency)
        customer, ship_to = self._customer(uow, req.customer, req.ship_to)
        products = self._products(uow, req)
        lines, fx_rate, list_name, includes_tax = self._lines(
            uow, req, channel, currency, products, customer, now
        )
        book = uow.repo(PROMOTION_BOOKS).view("default")
        promos = self._cached("promotions", book, lambda: PromotionIndex(book.promotions) if
                              book else _EMPTY_PROMOS, _EMPTY_PROMOS)  # fmt: skip
        coupon_map = self._coupons(uow, req.coupons, promos, now, customer) if req.coupons else {}
        table = uow.repo(TAX_TABLES).view("default")
        rules = self._tax_rules(table)
        shipping = self._shipping(req.shipping, currency)
        origin = channel.options.get("origin_country") or self.settings.origin_country
        import_rule = None
        fx_dest: Decimal | None = None
        if (
            ship_to is not None
            and origin
            and customs_territory(origin) != customs_territory(ship_to.country)
        ):
            host_rules = table.import_rules if table else ()
            candidates = (*host_rules, *builtin_import_rules()) if (
                self.settings.builtin_import_rules) else host_rules  # fmt: skip
            import_rule = import_rule_for(
                candidates, customs_territory(ship_to.country), origin, now.date()
            )
            if import_rule is not None:
                fx_dest = self._rate(currency, import_rule.currency, now)
        ctx = _context(
            channel.id, currency, policy, list_name, includes_tax, now, self.tax_provider,
            rules, customer, ship_to, origin,
            promos.candidates(line.sku for line in lines) if promos.has_any else [],
            coupon_map, shipping, self.settings.shipping_tax_class, req.incoterm, import_rule,
            fx_dest, table.duty_rates if table else (), fx_rate, (),
            channel.untaxed_inclusive_prices,
        )  # fmt: skip
        return ctx, lines

    # -- coupons --------------------------------------------------------------------------
    def redeem_coupons_in(
        self, uow: UnitOfWork, quote: Quote, *, order_id: str, customer_key: str
    ) -> list[str]:
        """Consume one use of each coupon ``quote`` applied, inside the caller's transaction.

        Redeeming again for the same ``order_id`` changes nothing. Limits are checked
        against the stored counts; a concurrent redemption that wins makes this commit
        fail with ``ConcurrencyConflict`` (``runtime.run`` retries and then sees the
        limit). Returns the codes newly redeemed.

        Raises:
            CouponError: a subclass naming the coupon and the limit reached.
        """
        coupons = uow.repo(COUPONS)
        now = self._rt.clock.now()
        redeemed = []
        for code in quote.coupons:
            coupon = coupons.find(code)
            if coupon is None:
                raise UnknownCoupon(code)
            if coupon.redeem(order_id, customer_key, now):
                event = CouponRedeemed(
                    code=code, order_id=order_id, customer_key=customer_key, uses=coupon.uses
                )
                coupon.record(event)
                coupons.save(coupon)
                redeemed.append(code)
        return redeemed

    def release_coupons_in(self, uow: UnitOfWork, codes: Sequence[str], *, order_id: str) -> int:
        """Give back the uses ``order_id`` made of ``codes`` (a cancelled order)."""
        coupons = uow.repo(COUPONS)
        released = 0
        for code in codes:
            coupon = coupons.find(code.upper())
            if coupon is not None and coupon.release(order_id):
                coupon.record(CouponReleased(code=coupon.id, order_id=order_id, uses=coupon.uses))
                coupons.save(coupon)
                released += 1
        return released

    # -- helpers --------------------------------------------------------------------------
    def _channel(self, uow: UnitOfWork, code: str) -> Channel:
        channels = uow.repo(CHANNELS)
        channel = channels.view(code)
        if channel is None or not channel.active:
            raise UnknownChannel(code, (c.id for c in channels.scan_view() if c.active))
        return channel

    def _customer(
        self, uow: UnitOfWork, ref: CustomerRef | None, ship_to: Address | None
    ) -> tuple[CustomerRef | None, Address | None]:
        if ref is None:
            return None, ship_to
        repo = uow.repo(CUSTOMERS)
        if ref.customer_id:
            stored = repo.view(ref.customer_id)
            if stored is None:
                raise NotFound("customer", ref.customer_id, "customer.customer_id is unknown")
        else:
            stored = repo.view_by("email", ref.email.lower()) if ref.email else None
        if stored is None:
            return ref, ship_to
        merged = CustomerRef(
            customer_id=stored.id,
            email=ref.email or stored.email,
            group=ref.group or stored.group,
            tax_exempt=stored.tax_exempt if ref.tax_exempt is None else ref.tax_exempt,
            vat_id=stored.vat_id if ref.vat_id is None else ref.vat_id,
        )
        if ship_to is None and stored.addresses:
            ship_to = stored.addresses[0]
        return merged, ship_to

    def _products(self, uow: UnitOfWork, req: QuoteRequest) -> list[Product]:
        repo = uow.repo(PRODUCTS)
        found: list[Product] = []
        errors: list[tuple[str, OmskitError, str]] = []
        view = repo.view
        for i, line in enumerate(req.lines):
            product = view(line.sku)
            if product is not None and product.active:
                found.append(product)
                continue
            field = f"lines[{i}].sku"
            if product is None:
                errors.append((field, UnknownSku(line.sku), "no product with this SKU"))
            else:
                errors.append((field, InactiveSku(line.sku, field), "this SKU is deactivated"))
        if len(errors) == 1:
            raise errors[0][1]
        if errors:
            raise ValidationError.from_problems(
                Problem(field, message, req.lines[int(field[6:-5])].sku)
                for field, _exc, message in errors
            )
        return found

    def _rate(self, base: str, quote: str, now: dt.datetime) -> Decimal | None:
        if base == quote:
            return Decimal(1)
        try:
            return self.exchange_rates.rate(base, quote, now.date()).rate
        except NotFound:
            return None

    def _shipping(self, value: Money | Decimal | None, currency: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Money):
            if value.currency != currency:
                raise CurrencyMismatch(currency, value.currency, "charge shipping in")
            value = value.amount
        unit = minor_unit(currency)
        if value.quantize(unit) != value:
            raise InvalidAmount("shipping", value, f"{currency} has minor unit {unit}")
        return value.quantize(unit)

    def _coupons(
        self,
        uow: UnitOfWork,
        codes: Sequence[str],
        promos: PromotionIndex,
        now: dt.datetime,
        customer: CustomerRef | None,
    ) -> dict[str, str]:
        found: dict[str, str] = {}
        repo = uow.repo(COUPONS)
        key = customer.key if customer else ""
        for i, code in enumerate(codes):
            coupon = repo.view(code)
            if coupon is None:
                raise UnknownCoupon(code)
            coupon.check(now, key, f"coupons[{i}]")
            if coupon.promotion not in promos.by_id:
                raise UnknownPromotion(coupon.promotion)
            found[coupon.promotion] = code
        return found
