"""The pure pricing engine: priced lines in, a reconciled [`Quote`][] out.

The service resolves everything that needs storage (channel, products, unit prices,
promotions, coupons, rates) into a `PricingContext` and `WorkLine` items;
this module does the rest without I/O, so the same engine prices a new basket and
re-prices an edited order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from omskit.customers.address import Address
from omskit.errors import PluginError
from omskit.money import ExchangeRate, Money, RoundingPolicy, TaxedMoney, minor_unit
from omskit.pricing.duties import CustomsLine, DutyEstimate, DutyRate, ImportRule, duty_rate_for
from omskit.pricing.errors import DutiesUnavailable
from omskit.pricing.lines import (
    WorkLine,
    fast_money,
    fast_taxed,
    frozen_builder,
    taxed_of,
    zero_money,
    zero_taxed,
)
from omskit.pricing.promotions import (
    AMOUNT_KINDS,
    AppliedPromotion,
    PromoContext,
    Promotion,
    apply_promotions,
)
from omskit.pricing.quote import Quote, QuoteLine
from omskit.pricing.request import CustomerRef
from omskit.pricing.tax.calc import ItemTax, compute, gross_factor, net_gross
from omskit.pricing.tax.model import (
    TaxComponent,
    TaxDecision,
    TaxItem,
    TaxProvider,
    TaxRequest,
)
from omskit.pricing.tax.provider import RuleTaxProvider
from omskit.pricing.tax.rules import TaxRules, customs_territory

__all__ = ["PricingContext", "price"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


@attrs.frozen
class PricingContext:
    """Everything the engine needs besides the lines, already loaded and validated."""

    channel: str
    currency: str
    policy: RoundingPolicy
    price_list: str
    includes_tax: bool
    now: dt.datetime
    provider: TaxProvider
    rules: TaxRules
    customer: CustomerRef | None = None
    ship_to: Address | None = None
    origin_country: str | None = None
    promotions: Sequence[Promotion] = ()
    coupons: Mapping[str, str] = attrs.field(factory=dict)
    shipping: Decimal | None = None
    shipping_tax_class: str = "standard"
    incoterm: str = "DAP"
    import_rule: ImportRule | None = None
    fx_to_destination: Decimal | None = None
    duty_rates: Sequence[DutyRate] = ()
    fx_rate: ExchangeRate | None = None
    notes: tuple[str, ...] = ()
    #: how an untaxed sale (exempt, reverse charge, export) meets tax-inclusive prices:
    #: ``"remove_tax"`` (the customer pays the net) or ``"keep_gross"`` (the list price)
    untaxed_inclusive: str = "remove_tax"


_REVERSE: dict[TaxComponent, TaxComponent] = {}
_quote_line = frozen_builder(QuoteLine)
_quote = frozen_builder(Quote)
_new = object.__new__
_money_amount = Money.__dict__["amount"].__set__
_money_currency = Money.__dict__["currency"].__set__
_NOTES: dict[tuple[str, ...], tuple[str, ...]] = {}
_Taxes = tuple[tuple[TaxComponent, ...], tuple[Decimal, ...] | None]
_NO_TAXES: _Taxes = ((), None)


def _reverse_marker(comp: TaxComponent) -> TaxComponent:
    """The zero-rate component a reverse-charged item shows for the tax not charged."""
    found = _REVERSE.get(comp)
    if found is None:
        if len(_REVERSE) > 1024:
            _REVERSE.clear()
        found = _REVERSE[comp] = TaxComponent(f"{comp.name} reverse charge", _ZERO,
                                              comp.jurisdiction)  # fmt: skip
    return found


def _taxes(result: ItemTax, comps: tuple[TaxComponent, ...], reverse: bool) -> _Taxes:
    """What a quote stores of an item's taxes: shared components, parts only when several."""
    if reverse:
        return ((_reverse_marker(comps[0]),), None) if comps else _NO_TAXES
    taxes = result.taxes
    if not taxes:
        return _NO_TAXES
    if len(taxes) == 1:
        comp = taxes[0][0]
        return ((comp,) if len(comps) != 1 or comps[0] is not comp else comps), None
    return tuple(t[0] for t in taxes), tuple(t[2] for t in taxes)


def _shared_notes(notes: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple object for every quote with the same notes (they repeat a lot)."""
    found = _NOTES.get(notes)
    if found is None:
        if len(_NOTES) > 4096:
            _NOTES.clear()
        found = _NOTES[notes] = notes
    return found


def _duties(
    ctx: PricingContext,
    *,
    lines: Sequence[WorkLine],
    results: Sequence[ItemTax],
    dest: Address,
    value_dest: Decimal | None,
    checkout: bool,
) -> DutyEstimate:
    currency, unit = ctx.currency, minor_unit(ctx.currency)
    rounding = ctx.policy.decimal_rounding
    territory = customs_territory(dest.country)
    rule = ctx.import_rule
    notes: list[str] = []
    if rule is not None and rule.source:
        notes.append(f"rule: {rule.source}")
    if rule is not None and value_dest is None:
        if ctx.incoterm == "DDP":
            raise DutiesUnavailable(
                dest.country, f"no exchange rate from {currency} into {rule.currency}"
            )
        notes.append(f"no exchange rate into {rule.currency}: thresholds not applied")
    duty_due = (
        rule is None
        or rule.duty_threshold is None
        or value_dest is None
        or (value_dest > rule.duty_threshold)
    )
    tax_due = not checkout and (
        rule is None or rule.tax_threshold is None or value_dest is None
        or value_dest > rule.tax_threshold
    )  # fmt: skip
    if rule is not None and value_dest is not None:
        shown = f"{value_dest.quantize(minor_unit(rule.currency))} {rule.currency}"
        if not duty_due:
            notes.append(f"no duty: goods value {shown} within {rule.duty_threshold}")
        if not tax_due and not checkout:
            notes.append(f"no import tax: goods value {shown} within {rule.tax_threshold}")
    duty_exact = _ZERO
    tax_exact = _ZERO
    origin = ctx.origin_country
    for line, result in zip(lines, results, strict=False):
        line_duty = _ZERO
        if duty_due:
            rate = duty_rate_for(ctx.duty_rates, territory, line.hs_code,
                                 line.country_of_origin or origin)  # fmt: skip
            if rate is not None:
                line_duty = result.net * rate.rate / _HUNDRED
            elif line.index == 0 or not notes or "no duty rate" not in notes[-1]:
                notes.append(f"no duty rate for HS {line.hs_code or '?'} into {territory}: 0")
        duty_exact += line_duty
        if tax_due:
            # import VAT / GST is national: regional sales taxes are not import taxes
            comps, _ = ctx.rules.components(dest.country, "", "", line.tax_class, ctx.now.date())
            fraction = sum((c.fraction for c in comps), _ZERO)
            tax_exact += (result.net + line_duty) * fraction
    duty = duty_exact.quantize(unit, rounding=rounding)
    import_tax = tax_exact.quantize(unit, rounding=ctx.policy.tax_rounding)
    if (
        rule is not None and rule.tax_waiver is not None and ctx.fx_to_destination is not None
        and import_tax * ctx.fx_to_destination <= rule.tax_waiver
    ):  # fmt: skip
        if import_tax:
            notes.append(f"import tax {import_tax} waived (at most {rule.tax_waiver} "
                         f"{rule.currency})")  # fmt: skip
        import_tax = _ZERO
    if checkout:
        notes.append(f"{dest.country} tax collected at checkout (low-value consignment)")
    goods = sum((r.net for r in results[: len(lines)]), _ZERO)
    return DutyEstimate(
        destination=dest.country,
        territory=territory,
        incoterm=ctx.incoterm,
        goods_value=fast_money(goods, currency),
        duty=fast_money(duty, currency),
        import_tax=fast_money(import_tax, currency),
        collected_at_checkout=checkout,
        notes=tuple(notes),
    )


def _decide(
    ctx: PricingContext,
    lines: Sequence[WorkLine],
    amounts: Sequence[Decimal],
    dest: Address | None,
    export: bool,
) -> TaxDecision:
    """Ask the tax provider; the built-in one's answers are remembered per rate table.

    [`RuleTaxProvider`][] decides from the destination, the day, the tax classes, the
    customer's exemption and VAT id, the origin and whether the goods are exported, never
    from the amounts: the same facts give the same (immutable) decision, so it is kept on
    the compiled `TaxRules` (rebuilt whenever the table changes).
    """
    provider = ctx.provider
    customer = ctx.customer
    has_shipping = len(amounts) > len(lines)
    day = ctx.now.date()
    memo: dict[object, TaxDecision] | None = None
    key: object = None
    if type(provider) is RuleTaxProvider:
        memo = ctx.rules.decisions
        key = (
            None if dest is None else (dest.country, dest.region, dest.postal_code),
            day, tuple([ln.tax_class for ln in lines]),
            ctx.shipping_tax_class if has_shipping else None,
            None if customer is None else (customer.tax_exempt, customer.vat_id),
            ctx.origin_country, export,
        )  # fmt: skip
        found = memo.get(key)
        if found is not None:
            return found
    items = [TaxItem(ln.index, ln.sku, ln.tax_class, ln.quantity, a)
             for ln, a in zip(lines, amounts, strict=False)]  # fmt: skip
    if has_shipping:
        items.append(TaxItem(-1, "", ctx.shipping_tax_class, 1, amounts[-1]))
    request = TaxRequest(ctx.currency, day, dest, ctx.origin_country, ctx.includes_tax,
                         items, customer, export, ctx.rules)  # fmt: skip
    decision = provider.decide(request)
    if memo is not None:
        if len(memo) > 4096:
            memo.clear()
        memo[key] = decision
    return decision


_UNTAXED_GROSS: dict[int, tuple[tuple[TaxComponent, ...], ...]] = {}


def _untaxed_gross(count: int) -> tuple[tuple[TaxComponent, ...], ...]:
    """No tax to compute for ``count`` items: an untaxed sale that keeps gross prices."""
    found = _UNTAXED_GROSS.get(count)
    if found is None:
        found = _UNTAXED_GROSS[count] = tuple(() for _ in range(count))
    return found


def _converts(promotions: Sequence[Promotion], inclusive: bool) -> bool:
    """Whether a promotion states a fixed amount in the other basis than the quote's."""
    for promo in promotions:
        stated = promo.amount_includes_tax
        if stated is not None and stated != inclusive and promo.kind in AMOUNT_KINDS:
            return True
    return False


def _with_factors(
    ctx: PricingContext,
    promo_ctx: PromoContext,
    lines: Sequence[WorkLine],
    dest: Address | None,
    cross: bool,
) -> PromoContext:
    """Give each line its gross-per-net factor, so promotions can convert between bases.

    The tax provider is asked for the rates with the amounts before discount (a decision
    on the rates, not on the amounts: the final one is asked again after the promotions).
    An untaxed sale that keeps gross prices converts at face value.
    """
    amounts = [ln.amount for ln in lines]
    if ctx.shipping is not None:
        amounts.append(ctx.shipping)
    export = cross
    if cross and ctx.import_rule is not None and ctx.fx_to_destination is not None:
        limit = ctx.import_rule.checkout_up_to
        value = sum(amounts[: len(lines)], _ZERO) * ctx.fx_to_destination
        export = not (limit is not None and value <= limit)
    decision = _decide(ctx, lines, amounts, dest, export)
    comps = decision.components
    if len(comps) != len(amounts):
        raise PluginError(
            f"tax provider {decision.provider or ctx.provider!r} returned "
            f"{len(comps)} component sets for {len(amounts)} items"
        )
    flat = not decision.charged and ctx.untaxed_inclusive == "keep_gross"
    for line, line_comps in zip(lines, comps, strict=False):
        line.factor = _ONE if flat else gross_factor(line_comps)
    ship_factor = None
    if ctx.shipping is not None:
        ship_factor = _ONE if flat else gross_factor(comps[-1])
    return attrs.evolve(promo_ctx, ship_factor=ship_factor, convert=True)


def price(ctx: PricingContext, lines: list[WorkLine]) -> Quote:  # noqa: PLR0912, PLR0915
    """Apply promotions, taxes and duties to priced ``lines``; return the [`Quote`][].

    ``lines`` are mutated (their discounts); pass fresh ones for each quote.
    """
    cur = ctx.currency
    unit = minor_unit(cur)
    rounding = ctx.policy.decimal_rounding
    tax_rounding = ctx.policy.tax_rounding
    inclusive = ctx.includes_tax
    group = ctx.customer.group if ctx.customer else ""
    shipping = ctx.shipping if ctx.shipping is not None else _ZERO
    has_shipping = ctx.shipping is not None
    applied: list[AppliedPromotion] = []
    promo_notes: list[str] = []
    shipping_amount = shipping

    # -- where the goods go, and whether they cross a customs border --------------------
    dest = ctx.ship_to
    origin = ctx.origin_country
    cross = bool(dest is not None and origin and
                 customs_territory(origin) != customs_territory(dest.country))  # fmt: skip
    tax_dest = dest if dest is not None else (Address(country=origin) if origin else None)
    modes: list[bool] | None = None
    for line in lines:
        if line.inclusive is not None and line.inclusive != inclusive:
            modes = [inclusive if ln.inclusive is None else ln.inclusive for ln in lines]
            if has_shipping:
                modes.append(inclusive)
            break

    if ctx.promotions:
        subtotal_amount = sum((line.amount for line in lines), _ZERO)
        promo_ctx = PromoContext(
            cur, unit, ctx.channel, group, ctx.now, ctx.coupons, subtotal_amount, inclusive
        )
        if modes is not None or _converts(ctx.promotions, inclusive):
            promo_ctx = _with_factors(ctx, promo_ctx, lines, tax_dest, cross)
        applied, promo_notes, ship_off = apply_promotions(
            ctx.promotions, lines, promo_ctx, shipping
        )
        shipping_amount = shipping - ship_off

    checkout = False
    value_dest: Decimal | None = None
    if cross and ctx.import_rule is not None and ctx.fx_to_destination is not None:
        goods_value = sum((line.remaining for line in lines), _ZERO)
        value_dest = goods_value * ctx.fx_to_destination
        limit = ctx.import_rule.checkout_up_to
        checkout = limit is not None and value_dest <= limit

    # -- taxes --------------------------------------------------------------------------
    amounts = [ln.amount - ln.discount for ln in lines]
    if has_shipping:
        amounts.append(shipping_amount)
    decision = _decide(ctx, lines, amounts, tax_dest, cross and not checkout)
    comps = decision.components
    if len(comps) != len(amounts):
        raise PluginError(
            f"tax provider {decision.provider or ctx.provider!r} returned "
            f"{len(comps)} component sets for {len(amounts)} items"
        )
    charged = decision.charged
    reverse = decision.treatment == "reverse_charge"
    marks = comps
    if not charged and ctx.untaxed_inclusive == "keep_gross":
        comps = _untaxed_gross(len(amounts))
    results = compute(
        amounts,
        comps,
        inclusive=inclusive,
        charged=charged,
        scope=ctx.policy.scope,
        unit=unit,
        rounding=tax_rounding,
        currency=cur,
        modes=modes,
    )

    # -- lines ----------------------------------------------------------------------------
    # Few objects per line: shared zero Money, the catalogue's own unit-price Money, one
    # Money where net, gross and amount coincide, and tax components shared with the rate
    # table (the Quote derives subtotal, tax lines and breakdown from them on access).
    quote_lines: list[QuoteLine] = []
    zero = _ZERO.quantize(unit)
    zero_m = zero_money(cur, unit)
    per_line = ctx.policy.scope == "line"
    net_sum = gross_sum = zero
    new, set_amount, set_currency = _new, _money_amount, _money_currency
    for line, result, line_comps, marked in zip(lines, results, comps, marks, strict=False):
        net, gross, amount, discount = result.net, result.gross, line.amount, line.discount
        line_inclusive = inclusive if line.inclusive is None else line.inclusive
        unit_d = line.unit
        unit_m = line.unit_money
        if unit_m is None:
            unit_m = new(Money)
            set_amount(unit_m, unit_d)
            set_currency(unit_m, cur)
        if amount is unit_d:
            amount_m = unit_m
        else:
            amount_m = new(Money)
            set_amount(amount_m, amount)
            set_currency(amount_m, cur)
        if net == amount:
            net_m = amount_m
        else:
            net_m = new(Money)
            set_amount(net_m, net)
            set_currency(net_m, cur)
        if gross == net:
            gross_m = net_m
        elif gross == amount:
            gross_m = amount_m
        else:
            gross_m = new(Money)
            set_amount(gross_m, gross)
            set_currency(gross_m, cur)
        total = taxed_of(net_m, gross_m)
        before: TaxedMoney | None = None
        if discount or not per_line:
            before_net, before_gross = net_gross(
                amount, line_comps, inclusive=line_inclusive, charged=charged, unit=unit,
                rounding=tax_rounding,
            )  # fmt: skip
            if before_net != net or before_gross != gross:
                before = fast_taxed(before_net, before_gross, cur)
        net_sum += net
        gross_sum += gross
        # _taxes(result, line_comps, reverse), inlined for the usual single tax
        taxes = result.taxes
        if reverse or len(taxes) != 1:
            tax_comps, parts = _taxes(result, marked, reverse)
        else:
            comp = taxes[0][0]
            tax_comps = (comp,) if len(line_comps) != 1 or line_comps[0] is not comp else line_comps
            parts = None
        list_unit = line.list_unit
        quote_lines.append(
            _quote_line(
                line.index, line.sku, line.quantity, unit_m, amount_m,
                fast_money(discount, cur) if discount else zero_m, total, line.tax_class,
                line.price_note, line.name, line.ref,
                None if list_unit is unit_d or list_unit == unit_d else list_unit,
                before, tax_comps, parts, line_inclusive, line.quote_discount,
            )
        )  # fmt: skip

    # -- shipping ---------------------------------------------------------------------------
    ship_taxes: _Taxes = _NO_TAXES
    if has_shipping:
        ship_result = results[-1]
        ship_taxes = _taxes(ship_result, marks[-1], reverse)
        ship_net, ship_gross = ship_result.net, ship_result.gross
        shipping_m = fast_taxed(ship_net, ship_gross, cur)
    else:
        ship_net = ship_gross = zero
        shipping_m = zero_taxed(cur, unit)

    # -- duties and customs ---------------------------------------------------------------
    estimate: DutyEstimate | None = None
    customs: tuple[CustomsLine, ...] = ()
    duties = zero
    if cross and dest is not None:
        estimate = _duties(
            ctx, lines=lines, results=results, dest=dest, value_dest=value_dest, checkout=checkout
        )
        if ctx.incoterm == "DDP":
            duties = estimate.total.amount
        customs = tuple(
            CustomsLine(
                index=line.index, sku=line.sku, description=line.name or line.sku,
                hs_code=line.hs_code, country_of_origin=line.country_of_origin or origin,
                quantity=line.quantity,
                unit_value=fast_money((r.net / line.quantity).quantize(unit, rounding=rounding),
                                      cur),
                customs_value=fast_money(r.net, cur),
                weight_grams=line.weight_grams * line.quantity,
            )
            for line, r in zip(lines, results, strict=False)
        )  # fmt: skip

    total_net = net_sum + ship_net + duties
    total_gross = gross_sum + ship_gross + duties
    customer = ctx.customer
    return _quote(
        cur, ctx.channel, ctx.price_list, inclusive, ctx.now, tuple(quote_lines), shipping_m,
        fast_money(duties, cur) if duties else zero_m, fast_taxed(total_net, total_gross, cur),
        tuple(applied), ctx.fx_rate, customs, estimate, ctx.incoterm, decision.treatment,
        decision.provider, dest, customer.key if customer else "",
        _shared_notes((*ctx.notes, *promo_notes, *decision.notes)) if promo_notes or ctx.notes
        else decision.notes,
        ship_taxes[0], ship_taxes[1],
    )  # fmt: skip
