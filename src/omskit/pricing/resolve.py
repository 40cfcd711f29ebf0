"""Unit prices: price lists, tiers, sales, group prices, conversions, channel prices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from omskit.catalog.model import Product
from omskit.channels.model import Channel
from omskit.errors import NotFound, ValidationError
from omskit.money import ExchangeRate, Money, minor_unit
from omskit.pricing.errors import ChannelPriceRejected, NoPrice
from omskit.pricing.lines import WorkLine
from omskit.pricing.pricelists import PRICE_LISTS, PriceIndex, price_list_id
from omskit.pricing.request import CustomerRef, QuoteLineInput, QuoteRequest
from omskit.pricing.tax_admin import TaxAdmin
from omskit.storage.ports import UnitOfWork

__all__ = ["PriceResolver"]


class PriceResolver(TaxAdmin):
    """Finds each line's unit price (mixed into ``PricingService``).

    In order: the channel's price list in the quote's currency (lowest applicable of
    base, tier, group and sale prices); the same list converted from its base currency;
    the catalogue price (converted when in another currency). A price sent by the
    channel is then judged by the channel's ``channel_prices`` rule.

    Each line's basis (gross or net) is where its price came from: the quote's basis (the
    price list's, else the channel's ``prices_include_tax``) for a price-list or
    catalogue price; the base list's for a price converted from it; for a price sent on
    the line, its ``price_includes_tax`` when given.
    """

    #: the price note of each (list name, entry), built once (entries are immutable)
    _price_notes: dict[tuple[str, object], str]

    def _lines(  # noqa: PLR0915, PLR0917 - the price waterfall, read top to bottom
        self,
        uow: UnitOfWork,
        req: QuoteRequest,
        channel: Channel,
        currency: str,
        products: Sequence[Product],
        customer: CustomerRef | None,
        now: dt.datetime,
    ) -> tuple[list[WorkLine], ExchangeRate | None, str, bool]:
        name = channel.price_list
        repo = uow.repo(PRICE_LISTS)
        own = repo.view(price_list_id(name, currency))
        index: PriceIndex | None = None
        if own is not None:
            index = self._cached(f"pl:{own.id}", own, lambda: PriceIndex(
                own.name, own.currency, own.includes_tax, own.entries), None)  # fmt: skip
        includes_tax = own.includes_tax if own else channel.prices_include_tax
        converted: PriceIndex | None = None
        used_rate: ExchangeRate | None = None
        rounding = self._rt.config.rounding_for(currency).decimal_rounding
        unit = minor_unit(currency)
        if own is not None and own.base_currency:
            base = repo.view(price_list_id(name, own.base_currency))
            if base is not None:
                rate = self.exchange_rates.rate(own.base_currency, currency, now.date())
                key = f"plx:{own.id}:{rate.rate}"
                converted = self._cached(key, base, lambda: PriceIndex(
                    base.name, base.currency, base.includes_tax, base.entries
                ).converted(currency, rate.rate, rounding, unit), None)  # fmt: skip
                used_rate = rate
        group = customer.group if customer else ""
        notes = self._price_notes
        if len(notes) > 4096:
            notes.clear()
        rates: dict[str, ExchangeRate] = {}
        lines: list[WorkLine] = []
        used_conversion = False
        for i, (line, product) in enumerate(zip(req.lines, products, strict=True)):
            qty = line.quantity
            unit_money: Money | None = None
            basis: bool | None = None
            entry = index.best(line.sku, qty, group, now) if index is not None else None
            if entry is not None:
                unit_price = entry.amount
                base_entry = index.base(line.sku) if index is not None else None
                list_unit = base_entry.amount if base_entry else unit_price
                note = notes.get((name, entry)) or notes.setdefault(
                    (name, entry), f"price list {name!r}: {entry.describe()}"
                )
            elif (
                converted is not None
                and (entry := converted.best(line.sku, qty, group, now)) is not None
            ):
                unit_price = entry.amount
                base_entry = converted.base(line.sku)
                list_unit = base_entry.amount if base_entry else unit_price
                note = f"{entry.describe()} converted from {own.base_currency if own else ''}"
                used_conversion = True
                basis = None if converted.includes_tax == includes_tax else converted.includes_tax
            elif product.price is not None:
                if product.price.currency == currency:
                    unit_price = product.price.amount
                    unit_money = product.price  # immutable and stored: share it
                    note = "catalogue price"
                else:
                    src = product.price.currency
                    cat_rate = rates.get(src)
                    if cat_rate is None:
                        try:
                            cat_rate = self.exchange_rates.rate(src, currency, now.date())
                        except NotFound:
                            raise NoPrice(line.sku, currency, f"lines[{i}].sku") from None
                        rates[src] = cat_rate
                    unit_price = (product.price.amount * cat_rate.rate).quantize(
                        unit, rounding=rounding
                    )
                    note = f"catalogue price {product.price} converted"
                    used_rate = cat_rate
                list_unit = unit_price
            else:
                raise NoPrice(line.sku, currency, f"lines[{i}].sku")
            if line.unit_price is not None:
                unit_price, list_unit, note, basis = self._sent_price(
                    channel, line, unit_price, list_unit, note, basis, includes_tax, i
                )
                unit_money = None
            amount = (unit_price * qty).quantize(unit, rounding=rounding)
            if qty == 1 and amount == unit_price and amount.same_quantum(unit_price):
                amount = unit_price  # the same value and digits: share the object
            lines.append(WorkLine(  # positional: tax_class, attributes, name, price_note,
                # list_unit, hs_code, country_of_origin, weight_grams, ref, unit_money
                i, line.sku, qty, unit_price, amount, product.tax_class, product.attributes,
                product.name, note, list_unit, product.hs_code, product.country_of_origin,
                product.weight_grams, line.ref, unit_money, basis,
            ))  # fmt: skip
        if (
            converted is not None
            and not used_conversion
            and used_rate is not None
            and (used_rate.base == (own.base_currency if own else None))
        ):
            used_rate = None
        return lines, used_rate, name, includes_tax

    def _sent_price(  # noqa: PLR0917 - the resolver's state for one line
        self,
        channel: Channel,
        line: QuoteLineInput,
        ours: Decimal,
        list_unit: Decimal,
        note: str,
        basis: bool | None,
        includes_tax: bool,
        i: int,
    ) -> tuple[Decimal, Decimal, str, bool | None]:
        """The unit price, list price, note and basis of a line whose price was sent."""
        sent = line.unit_price
        assert sent is not None
        own_basis = includes_tax if basis is None else basis
        sent_basis = line.price_includes_tax
        if sent_basis is not None and sent_basis != own_basis:
            note = self._other_basis(channel, sent_basis, own_basis, i)
            return sent, sent, note, None if sent_basis == includes_tax else sent_basis
        price, note = self._channel_price(channel, sent, ours, note, f"lines[{i}].unit_price")
        return price, list_unit, note, basis

    @staticmethod
    def _other_basis(channel: Channel, sent: bool, ours: bool, i: int) -> str:
        """A price sent in the other basis than ours: taken as it is, by ``"accept"`` only.

        Comparing it with ours would need the line's tax rates, which are decided later.
        """
        field = f"lines[{i}].price_includes_tax"
        if channel.channel_prices != "accept":
            raise ValidationError(
                field,
                sent,
                f"a price {'with' if sent else 'before'} tax, where this line's own prices "
                f"are {'with' if ours else 'before'} tax, is taken only from a channel whose "
                f"channel_prices is 'accept' (channel {channel.id!r}: "
                f"{channel.channel_prices!r})",
            )
        shown = "tax included" if sent else "before tax"
        return f"price sent by channel {channel.id!r}, {shown}"

    @staticmethod
    def _channel_price(
        channel: Channel, sent: Decimal, ours: Decimal, note: str, field: str
    ) -> tuple[Decimal, str]:
        rule = channel.channel_prices
        if rule == "accept":
            return sent, f"price sent by channel {channel.id!r} (ours: {ours})"
        if rule == "tolerance":
            limit = ours * channel.price_tolerance / Decimal(100)
            if abs(sent - ours) <= limit:
                return sent, f"price sent by channel, within {channel.price_tolerance}% of {ours}"
            raise ChannelPriceRejected(field, sent, ours,
                                       f"'tolerance' ({channel.price_tolerance}%)")  # fmt: skip
        if sent != ours:
            raise ChannelPriceRejected(field, sent, ours, "'reject' (use our prices)")
        return ours, note
