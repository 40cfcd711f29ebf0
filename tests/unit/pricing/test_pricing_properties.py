"""Properties of random quotes, priced by the pure engine."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from omskit.customers.address import Address
from omskit.money import FixedRates, RoundingPolicy, convert, minor_unit
from omskit.pricing.engine import PricingContext, price
from omskit.pricing.lines import WorkLine
from omskit.pricing.pricelists import PriceEntry, PriceIndex
from omskit.pricing.promotions import Promotion
from omskit.pricing.tax.model import Jurisdiction, TaxRate
from omskit.pricing.tax.provider import RuleTaxProvider
from omskit.pricing.tax.rules import TaxRules

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
DEST = Address(country="DE", region="BE", postal_code="10115")
SKUS = ("A-1", "B-2", "C-3", "D-4", "E-5")

rates = st.decimals(min_value=0, max_value=30, places=2)


@st.composite
def scenarios(draw: Any, single_rate: bool = False) -> dict[str, Any]:
    currency = draw(st.sampled_from(("EUR", "JPY", "KWD", "USD")))
    unit = minor_unit(currency)
    n = draw(st.integers(1, 8))
    lines = []
    for i in range(n):
        units = draw(st.integers(0, 50_000))
        lines.append({
            "sku": draw(st.sampled_from(SKUS)), "quantity": draw(st.integers(1, 7)),
            "unit": Decimal(units) * unit, "class": draw(st.sampled_from(("standard", "reduced"))),
            "category": draw(st.sampled_from(("x", "y"))), "index": i,
        })  # fmt: skip
    table = [TaxRate(Jurisdiction("DE"), "standard", draw(rates)),
             TaxRate(Jurisdiction("DE"), "reduced", draw(rates))]  # fmt: skip
    if not single_rate and draw(st.booleans()):
        table.append(TaxRate(Jurisdiction("DE", "BE"), "standard", draw(rates), "Local",
                             compound=draw(st.booleans())))  # fmt: skip
    promos = []
    for k in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(("percent", "amount", "buy_x_get_y", "free_shipping")))
        target = draw(st.sampled_from(("order", "line", "attribute")))
        promos.append(Promotion(
            id=f"P{k}", name=f"P{k}", kind=kind, target=target,
            percent=draw(st.decimals(min_value=1, max_value=100, places=0)),
            amounts=((currency, Decimal(draw(st.integers(1, 5000))) * unit),),
            attribute=("category", "x") if target == "attribute" else None,
            buy=draw(st.integers(1, 3)), get=draw(st.integers(1, 2)),
            stacking=draw(st.sampled_from(("combinable", "exclusive"))),
            priority=draw(st.integers(1, 3)),
        ))  # fmt: skip
    shipping = draw(st.one_of(st.none(), st.integers(0, 3000).map(lambda u: Decimal(u) * unit)))
    return {
        "currency": currency, "lines": lines, "table": table, "promos": promos,
        "shipping": shipping, "inclusive": draw(st.booleans()),
        "mode": draw(st.sampled_from(("half_up", "half_even"))),
    }  # fmt: skip


def run(s: dict[str, Any], scope: str = "line", order: list[int] | None = None) -> Any:
    unit = minor_unit(s["currency"])
    rows = [s["lines"][i] for i in (order or range(len(s["lines"])))]
    work = [
        WorkLine(pos, r["sku"], r["quantity"], r["unit"],
                 (r["unit"] * r["quantity"]).quantize(unit),
                 tax_class=r["class"], attributes={"category": r["category"]})
        for pos, r in enumerate(rows)
    ]  # fmt: skip
    ctx = PricingContext(
        channel="web", currency=s["currency"], policy=RoundingPolicy(s["mode"], scope),
        price_list="default", includes_tax=s["inclusive"], now=NOW, provider=RuleTaxProvider(),
        rules=TaxRules(s["table"], builtin=False), ship_to=DEST,
        promotions=sorted(s["promos"], key=lambda p: (p.priority, p.id)),
        shipping=s["shipping"],
    )  # fmt: skip
    return price(ctx, work)


@given(scenarios(), st.sampled_from(("line", "total")))
def test_gross_is_net_plus_tax_for_every_line_and_the_total(s, scope):
    quote = run(s, scope)
    for line in quote.lines:
        taxes = sum((t.amount.amount for t in line.taxes), Decimal(0))
        assert line.total.gross.amount == line.total.net.amount + taxes
        assert line.total.net.amount >= 0
    ship_tax = sum((t.amount.amount for t in quote.shipping_taxes), Decimal(0))
    assert quote.shipping.gross.amount == quote.shipping.net.amount + ship_tax
    assert quote.total.gross == quote.total.net + quote.tax_total
    assert quote.tax_total.amount == sum(b.tax.amount for b in quote.tax_breakdown)
    lines_and_shipping = quote.line_total + quote.shipping
    assert lines_and_shipping == quote.total  # no duties in a domestic quote


@given(scenarios())
def test_line_discount_shares_add_up_to_the_order_discount_and_never_go_negative(s):
    quote = run(s)
    assert sum(line.discount.amount for line in quote.lines) == quote.discount_total.amount
    promo_total = sum(p.amount.amount - p.shipping.amount for p in quote.promotions)
    assert promo_total == quote.discount_total.amount
    for line in quote.lines:
        assert Decimal(0) <= line.discount.amount <= line.amount.amount
    assert Decimal(0) <= quote.shipping_discount.amount <= (s["shipping"] or Decimal(0))


@given(scenarios(), st.randoms(use_true_random=False), st.sampled_from(("line", "total")))
def test_totals_never_depend_on_line_order(s, rnd: random.Random, scope):
    order = list(range(len(s["lines"])))
    rnd.shuffle(order)
    a, b = run(s, scope), run(s, scope, order)
    assert a.total == b.total
    assert a.tax_total == b.tax_total
    assert a.discount_total == b.discount_total
    assert a.tax_breakdown == b.tax_breakdown or sorted(map(repr, a.tax_breakdown)) == sorted(
        map(repr, b.tax_breakdown)
    )


@given(scenarios(single_rate=True))
def test_per_line_and_per_total_rounding_differ_by_at_most_one_minor_unit_per_line(s):
    per_line, per_total = run(s, "line"), run(s, "total")
    items = len(s["lines"]) + (1 if s["shipping"] is not None else 0)
    unit = minor_unit(s["currency"])
    assert abs(per_line.tax_total.amount - per_total.tax_total.amount) <= items * unit
    assert per_line.discount_total == per_total.discount_total


@given(
    st.sampled_from(("EUR", "USD", "JPY", "KWD", "CHF")),
    st.sampled_from(("EUR", "USD", "JPY", "KWD", "CHF")),
    st.lists(st.integers(0, 10**7), min_size=1, max_size=20),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(500), places=4),
    st.sampled_from(("half_up", "half_even")),
)
def test_converting_a_price_list_never_loses_or_gains_a_minor_unit(base, target, units, rate,
                                                                   mode):  # fmt: skip
    if base == target:
        return
    policy = RoundingPolicy(mode)
    rates = FixedRates({base: {target: rate}})
    base_unit, unit = minor_unit(base), minor_unit(target)
    entries = [PriceEntry(f"S-{i}", Decimal(u) * base_unit) for i, u in enumerate(units)]
    converted = PriceIndex("default", base, False, entries).converted(
        target, rate, policy.decimal_rounding, unit
    )
    for entry, conv in zip(entries, converted.entries(), strict=True):
        exact = entry.amount * rate
        expected = convert(__import__("omskit").Money(entry.amount, base), target, rates,
                           rounding=policy.decimal_rounding).converted.amount  # fmt: skip
        assert conv.amount == expected
        assert abs(conv.amount - exact) <= unit / 2
        assert conv.amount == conv.amount.quantize(unit)
