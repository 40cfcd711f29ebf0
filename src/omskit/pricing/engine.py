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
from omskit.pricing.tax.rules import TaxRules, customs_territory

__all__ = ["PricingContext", "line_money", "price"]

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
_tax_item = frozen_builder(TaxItem)
_tax_request = frozen_builder(TaxRequest)
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
    """Ask the tax provider for the rates of ``amounts`` (the lines, then shipping).

    A provider that declares ``decides_from_facts`` (as [`RuleTaxProvider`][] does)
    decides from the facts, never the amounts: its decisions are remembered on the
    compiled `TaxRules` (rebuilt whenever the table changes), keyed by the provider's
    class and those facts, so a hit builds no request at all.
    """
    provider = ctx.provider
    memo: dict[object, TaxDecision] | None = None
    key: object = None
    if getattr(provider, "decides_from_facts", False) is True:
        memo = ctx.rules.decisions
        key = _facts_key(ctx, lines, len(amounts) > len(lines), dest, export)
        found = memo.get(key)
        if found is not None:
            return found
    item = _tax_item
    items = [item(ln.index, ln.sku, ln.tax_class, ln.quantity, a)
             for ln, a in zip(lines, amounts, strict=False)]  # fmt: skip
    if len(amounts) > len(lines):
        items.append(item(-1, "", ctx.shipping_tax_class, 1, amounts[-1]))
    request = _tax_request(ctx.currency, ctx.now.date(), dest, ctx.origin_country,
                           ctx.includes_tax, items, ctx.customer, export, ctx.rules)  # fmt: skip
    decision = provider.decide(request)
    if len(decision.components) != len(amounts):
        raise PluginError(
            f"tax provider {decision.provider or provider!r} returned "
            f"{len(decision.components)} component sets for {len(amounts)} items"
        )
    if memo is not None:
        if len(memo) > 4096:
            memo.clear()
        memo[key] = decision
    return decision


def _facts_key(
    ctx: PricingContext,
    lines: Sequence[WorkLine],
    has_shipping: bool,
    dest: Address | None,
    export: bool,
) -> object:
    """What a ``decides_from_facts`` provider's decision rests on: its memo key."""
    customer = ctx.customer
    return (
        type(ctx.provider),
        None if dest is None else (dest.country, dest.region, dest.postal_code),
        ctx.now.date(), tuple([ln.tax_class for ln in lines]),
        ctx.shipping_tax_class if has_shipping else None,
        None if customer is None else (customer.tax_exempt, customer.vat_id),
        ctx.origin_country, export,
    )  # fmt: skip


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
    flat = not decision.charged and ctx.untaxed_inclusive == "keep_gross"
    for line, line_comps in zip(lines, comps, strict=False):
        line.factor = _ONE if flat else gross_factor(line_comps)
    ship_factor = None
    if ctx.shipping is not None:
        ship_factor = _ONE if flat else gross_factor(comps[-1])
    return attrs.evolve(promo_ctx, ship_factor=ship_factor, convert=True)


@attrs.define(slots=True)
class _Basket:
    """What the steps of [`price`][omskit.pricing.engine.price] hand one another."""

    #: where the goods go (``None``: not known)
    dest: Address | None
    #: the address taxes are decided for (the ship-to, else the origin country)
    tax_dest: Address | None
    #: whether the goods cross a customs border
    cross: bool
    #: each item's own basis (lines, then shipping) when some line differs from the quote's
    modes: list[bool] | None
    #: the shipping charge after shipping promotions
    shipping: Decimal
    applied: list[AppliedPromotion] = attrs.field(factory=list)
    promo_notes: list[str] = attrs.field(factory=list)
    #: the goods value in the destination's currency, when a rate into it is known
    value_dest: Decimal | None = None
    #: import taxes collected at checkout (a low-value consignment)
    checkout: bool = False


def price(ctx: PricingContext, lines: list[WorkLine]) -> Quote:
    """Apply promotions, taxes and duties to priced ``lines``; return the [`Quote`][].

    ``lines`` are mutated (their discounts); pass fresh ones for each quote. The steps,
    in order: where the goods go, promotions (spread over the lines as discounts), the
    consignment's value at the border, taxes, the quote lines, shipping, duties.
    """
    basket = _destination(ctx, lines)
    _promote(ctx, lines, basket)
    _consignment(ctx, lines, basket)
    decision, comps, marks, results = _tax(ctx, lines, basket)
    quote_lines, net_sum, gross_sum = _lines(
        ctx, lines, results=results, comps=comps, marks=marks, decision=decision
    )
    ship_taxes, ship_net, ship_gross, shipping_m = _shipping(
        ctx, results, marks, reverse=decision.treatment == "reverse_charge"
    )
    estimate, customs, duties = _customs(ctx, lines, results, basket)
    cur = ctx.currency
    customer = ctx.customer
    zero_m = zero_money(cur, minor_unit(cur))
    total = fast_taxed(net_sum + ship_net + duties, gross_sum + ship_gross + duties, cur)
    promo_notes = basket.promo_notes
    notes = (
        _shared_notes((*ctx.notes, *promo_notes, *decision.notes))
        if promo_notes or ctx.notes
        else decision.notes
    )
    return _quote(
        cur, ctx.channel, ctx.price_list, ctx.includes_tax, ctx.now, tuple(quote_lines),
        shipping_m, fast_money(duties, cur) if duties else zero_m, total,
        tuple(basket.applied), ctx.fx_rate, customs, estimate, ctx.incoterm,
        decision.treatment, decision.provider, basket.dest,
        customer.key if customer else "", notes, ship_taxes[0], ship_taxes[1],
    )  # fmt: skip


def _destination(ctx: PricingContext, lines: Sequence[WorkLine]) -> _Basket:
    """Step 1: where the goods go, whether they cross a customs border, each line's basis."""
    dest = ctx.ship_to
    origin = ctx.origin_country
    cross = bool(dest is not None and origin and
                 customs_territory(origin) != customs_territory(dest.country))  # fmt: skip
    tax_dest = dest if dest is not None else (Address(country=origin) if origin else None)
    inclusive = ctx.includes_tax
    modes: list[bool] | None = None
    for line in lines:
        if line.inclusive is not None and line.inclusive != inclusive:
            modes = [inclusive if ln.inclusive is None else ln.inclusive for ln in lines]
            if ctx.shipping is not None:
                modes.append(inclusive)
            break
    shipping = ctx.shipping if ctx.shipping is not None else _ZERO
    return _Basket(dest, tax_dest, cross, modes, shipping)


def _promote(ctx: PricingContext, lines: list[WorkLine], basket: _Basket) -> None:
    """Step 2: apply the promotions; their discounts are spread over the lines.

    Each line's ``discount`` grows by its share (`apply_promotions` spreads an order
    discount pro rata); a shipping promotion lowers ``basket.shipping``.
    """
    if not ctx.promotions:
        return
    cur = ctx.currency
    inclusive = ctx.includes_tax
    group = ctx.customer.group if ctx.customer else ""
    subtotal = sum((line.amount for line in lines), _ZERO)
    promo_ctx = PromoContext(
        cur, minor_unit(cur), ctx.channel, group, ctx.now, ctx.coupons, subtotal, inclusive
    )
    if basket.modes is not None or _converts(ctx.promotions, inclusive):
        promo_ctx = _with_factors(ctx, promo_ctx, lines, basket.tax_dest, basket.cross)
    applied, notes, ship_off = apply_promotions(ctx.promotions, lines, promo_ctx, basket.shipping)
    basket.applied, basket.promo_notes = applied, notes
    basket.shipping -= ship_off


def _consignment(ctx: PricingContext, lines: Sequence[WorkLine], basket: _Basket) -> None:
    """Step 3: the goods value at the border, and whether import tax is due at checkout."""
    rule, fx = ctx.import_rule, ctx.fx_to_destination
    if not basket.cross or rule is None or fx is None:
        return
    basket.value_dest = sum((line.remaining for line in lines), _ZERO) * fx
    limit = rule.checkout_up_to
    basket.checkout = limit is not None and basket.value_dest <= limit


_Components = Sequence[tuple[TaxComponent, ...]]


def _tax(
    ctx: PricingContext, lines: Sequence[WorkLine], basket: _Basket
) -> tuple[TaxDecision, _Components, _Components, list[ItemTax]]:
    """Step 4: the tax decision and each item's tax (the lines, then shipping).

    Returns the decision, the components computed with, the components the quote marks
    (they differ for an untaxed sale that keeps gross prices) and the per-item results.
    """
    amounts = [ln.amount - ln.discount for ln in lines]
    if ctx.shipping is not None:
        amounts.append(basket.shipping)
    export = basket.cross and not basket.checkout
    decision = _decide(ctx, lines, amounts, basket.tax_dest, export)
    marks = comps = decision.components
    charged = decision.charged
    if not charged and ctx.untaxed_inclusive == "keep_gross":
        comps = _untaxed_gross(len(amounts))
    policy = ctx.policy
    results = compute(
        amounts,
        comps,
        inclusive=ctx.includes_tax,
        charged=charged,
        scope=policy.scope,
        unit=minor_unit(ctx.currency),
        rounding=policy.tax_rounding,
        currency=ctx.currency,
        modes=basket.modes,
    )
    return decision, comps, marks, results


def _lines(
    ctx: PricingContext,
    lines: Sequence[WorkLine],
    *,
    results: Sequence[ItemTax],
    comps: _Components,
    marks: _Components,
    decision: TaxDecision,
) -> tuple[list[QuoteLine], Decimal, Decimal]:
    """Step 5: one [`QuoteLine`][] per line; and the lines' net and gross sums.

    Few objects per line: shared zero Money, the catalogue's own unit-price Money, one
    Money where net, gross and amount coincide, and tax components shared with the rate
    table (the Quote derives subtotal, tax lines and breakdown from them on access).
    """
    cur = ctx.currency
    unit = minor_unit(cur)
    tax_rounding = ctx.policy.tax_rounding
    inclusive = ctx.includes_tax
    charged = decision.charged
    reverse = decision.treatment == "reverse_charge"
    zero = _ZERO.quantize(unit)
    zero_m = zero_money(cur, unit)
    per_line = ctx.policy.scope == "line"
    net_sum = gross_sum = zero
    quote_lines: list[QuoteLine] = []
    for line, result, line_comps, marked in zip(lines, results, comps, marks, strict=False):
        net, gross, amount, discount = result.net, result.gross, line.amount, line.discount
        line_inclusive = inclusive if line.inclusive is None else line.inclusive
        unit_d = line.unit
        unit_m, amount_m, net_m, gross_m = line_money(
            line.unit_money, unit_d, amount, net, gross, cur
        )
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
        # _taxes(result, marked, reverse), inlined for the usual single tax
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
                fast_money(discount, cur) if discount else zero_m, taxed_of(net_m, gross_m),
                line.tax_class, line.price_note, line.name, line.ref,
                None if list_unit is unit_d or list_unit == unit_d else list_unit,
                before, tax_comps, parts, line_inclusive, line.quote_discount,
            )
        )  # fmt: skip
    return quote_lines, net_sum, gross_sum


def line_money(  # noqa: PLR0917 - once per line on the hot path, positional
    unit_money: Money | None,
    unit: Decimal,
    amount: Decimal,
    net: Decimal,
    gross: Decimal,
    currency: str,
) -> tuple[Money, Money, Money, Money]:
    """A quote line's unit price, amount, net and gross as [`Money`][omskit.Money].

    The engine's one speed trick for line money (held equal to ``Money(value, currency)``
    by a Hypothesis test): the values are already quantized, so the attrs constructor and
    its validation are bypassed, and one object serves where two values coincide
    (``unit_money``, the catalogue's own, is reused when given).
    """
    new, set_amount, set_currency = _new, _money_amount, _money_currency  # fast_money, inlined
    if unit_money is None:
        unit_money = new(Money)
        set_amount(unit_money, unit)
        set_currency(unit_money, currency)
    if amount is unit:
        amount_m = unit_money
    else:
        amount_m = new(Money)
        set_amount(amount_m, amount)
        set_currency(amount_m, currency)
    if net == amount:
        net_m = amount_m
    else:
        net_m = new(Money)
        set_amount(net_m, net)
        set_currency(net_m, currency)
    if gross == net:
        gross_m = net_m
    elif gross == amount:
        gross_m = amount_m
    else:
        gross_m = new(Money)
        set_amount(gross_m, gross)
        set_currency(gross_m, currency)
    return unit_money, amount_m, net_m, gross_m


def _shipping(
    ctx: PricingContext, results: Sequence[ItemTax], marks: _Components, *, reverse: bool
) -> tuple[_Taxes, Decimal, Decimal, TaxedMoney]:
    """Step 6: the shipping charge with its tax (the last item), or zero."""
    cur = ctx.currency
    if ctx.shipping is None:
        zero = _ZERO.quantize(minor_unit(cur))
        return _NO_TAXES, zero, zero, zero_taxed(cur, minor_unit(cur))
    result = results[-1]
    taxed = fast_taxed(result.net, result.gross, cur)
    return _taxes(result, marks[-1], reverse), result.net, result.gross, taxed


def _customs(
    ctx: PricingContext, lines: Sequence[WorkLine], results: Sequence[ItemTax], basket: _Basket
) -> tuple[DutyEstimate | None, tuple[CustomsLine, ...], Decimal]:
    """Step 7: the duty estimate and customs lines of goods crossing a border.

    Returns the estimate, the customs lines and the duties the quote charges (DDP only).
    """
    cur = ctx.currency
    unit = minor_unit(cur)
    dest = basket.dest
    if not basket.cross or dest is None:
        return None, (), _ZERO.quantize(unit)
    estimate = _duties(ctx, lines=lines, results=results, dest=dest,
                       value_dest=basket.value_dest, checkout=basket.checkout)  # fmt: skip
    duties = estimate.total.amount if ctx.incoterm == "DDP" else _ZERO.quantize(unit)
    rounding = ctx.policy.decimal_rounding
    origin = ctx.origin_country
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
    return estimate, customs, duties
