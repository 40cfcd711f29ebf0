"""Properties of quotes using the newer options: shipping amounts, max_quantity, gross or net
promotion values, lines of both bases, untaxed sales, truncated tax."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from omskit.customers.address import Address
from omskit.money import RoundingPolicy, minor_unit
from omskit.pricing.engine import PricingContext, price
from omskit.pricing.lines import WorkLine
from omskit.pricing.promotions import Promotion
from omskit.pricing.request import CustomerRef
from omskit.pricing.tax.model import Jurisdiction, TaxRate
from omskit.pricing.tax.provider import RuleTaxProvider
from omskit.pricing.tax.rules import TaxRules

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
DEST = Address(country="DE", region="BE", postal_code="10115")
SKUS = ("A-1", "B-2", "C-3", "D-4")
MODES = ("half_up", "half_even", "down")
rates = st.decimals(min_value=0, max_value=30, places=2)


@st.composite
def promotions(draw: Any, currency: str, unit: Decimal) -> Promotion:
    kind = draw(st.sampled_from(("percent", "amount", "buy_x_get_y", "shipping_amount")))
    target = draw(st.sampled_from(("order", "line", "attribute")))
    per_unit = kind == "buy_x_get_y" or (kind != "shipping_amount" and target != "order")
    fixed = kind in ("amount", "shipping_amount")
    return Promotion(
        id=f"P{draw(st.integers(0, 99))}",
        name="P",
        kind=kind,
        target=target,
        percent=draw(st.decimals(min_value=1, max_value=100, places=0)),
        amounts=((currency, Decimal(draw(st.integers(1, 5000))) * unit),),
        attribute=("category", "x") if target == "attribute" else None,
        buy=draw(st.integers(1, 3)),
        get=draw(st.integers(1, 2)),
        priority=draw(st.integers(1, 3)),
        max_quantity=draw(st.one_of(st.none(), st.integers(1, 6))) if per_unit else None,
        amount_includes_tax=draw(st.one_of(st.none(), st.booleans())) if fixed else None,
    )


@st.composite
def scenarios(draw: Any) -> dict[str, Any]:
    currency = draw(st.sampled_from(("EUR", "JPY", "KWD")))
    unit = minor_unit(currency)
    inclusive = draw(st.booleans())
    lines = []
    for i in range(draw(st.integers(1, 6))):
        lines.append(
            {
                "sku": draw(st.sampled_from(SKUS)),
                "quantity": draw(st.integers(1, 5)),
                "unit": Decimal(draw(st.integers(0, 40_000))) * unit,
                "index": i,
                "class": draw(st.sampled_from(("standard", "reduced"))),
                "category": draw(st.sampled_from(("x", "y"))),
                "inclusive": draw(st.sampled_from((None, not inclusive))),
            }
        )
    table = [
        TaxRate(Jurisdiction("DE"), "standard", draw(rates)),
        TaxRate(Jurisdiction("DE"), "reduced", draw(rates)),
    ]
    if draw(st.booleans()):
        table.append(
            TaxRate(
                Jurisdiction("DE", "BE"),
                "standard",
                draw(rates),
                "Local",
                compound=draw(st.booleans()),
            )
        )
    promos = draw(st.lists(promotions(currency, unit), max_size=4, unique_by=lambda p: p.id))
    shipping = draw(st.one_of(st.none(), st.integers(0, 3000).map(lambda u: Decimal(u) * unit)))
    return {
        "currency": currency,
        "lines": lines,
        "table": table,
        "promos": promos,
        "shipping": shipping,
        "inclusive": inclusive,
        "policy": RoundingPolicy(
            draw(st.sampled_from(MODES)),
            draw(st.sampled_from(("line", "total"))),
            draw(st.sampled_from((None, *MODES))),
        ),
        "exempt": draw(st.booleans()),
        "untaxed": draw(st.sampled_from(("remove_tax", "keep_gross"))),
    }


def run(s: dict[str, Any]) -> Any:
    unit = minor_unit(s["currency"])
    work = [
        WorkLine(
            r["index"],
            r["sku"],
            r["quantity"],
            r["unit"],
            (r["unit"] * r["quantity"]).quantize(unit),
            tax_class=r["class"],
            attributes={"category": r["category"]},
            inclusive=r["inclusive"],
        )
        for r in s["lines"]
    ]
    ctx = PricingContext(
        channel="web",
        currency=s["currency"],
        policy=s["policy"],
        price_list="default",
        includes_tax=s["inclusive"],
        now=NOW,
        provider=RuleTaxProvider(),
        rules=TaxRules(s["table"], builtin=False),
        ship_to=DEST,
        customer=CustomerRef(tax_exempt=s["exempt"]),
        promotions=sorted(s["promos"], key=lambda p: (p.priority, p.id)),
        shipping=s["shipping"],
        untaxed_inclusive=s["untaxed"],
    )
    return price(ctx, work)


@given(scenarios())
def test_totals_are_the_lines_plus_shipping_and_gross_is_net_plus_tax_to_the_minor_unit(s):
    quote = run(s)
    net = sum((ln.total.net.amount for ln in quote.lines), Decimal(0))
    gross = sum((ln.total.gross.amount for ln in quote.lines), Decimal(0))
    assert quote.total.net.amount == net + quote.shipping.net.amount
    assert quote.total.gross.amount == gross + quote.shipping.gross.amount
    assert quote.total.gross == quote.total.net + quote.tax_total
    assert quote.tax_total.amount == sum((b.tax.amount for b in quote.tax_breakdown), Decimal(0))
    for line in quote.lines:
        taxes = sum((t.amount.amount for t in line.taxes), Decimal(0))
        assert line.total.gross.amount == line.total.net.amount + taxes
        assert line.total.net.amount >= 0


@given(scenarios())
def test_no_discount_exceeds_what_it_discounts_and_shipping_never_goes_below_zero(s):
    quote = run(s)
    for line in quote.lines:
        assert Decimal(0) <= line.discount.amount <= line.amount.amount
        assert line.quote_discount.amount >= 0
    charge = s["shipping"] or Decimal(0)
    assert Decimal(0) <= quote.shipping_discount.amount <= charge
    assert quote.shipping.net.amount >= 0
    assert quote.shipping.gross.amount >= 0


@given(scenarios())
def test_the_promotions_add_up_to_the_discounts_in_the_quotes_basis(s):
    quote = run(s)
    by_lines = sum((ln.quote_discount.amount for ln in quote.lines), Decimal(0))
    assert by_lines == quote.discount_total.amount
    on_lines = sum((p.amount.amount - p.shipping.amount for p in quote.promotions), Decimal(0))
    assert on_lines == quote.discount_total.amount
    shipping = sum((p.shipping.amount for p in quote.promotions), Decimal(0))
    assert shipping == quote.shipping_discount.amount


@given(scenarios(), st.integers(1, 10_000))
def test_a_fixed_order_discount_spread_over_the_lines_sums_to_the_whole(s, units):
    unit = minor_unit(s["currency"])
    for line in s["lines"]:
        line["inclusive"] = None
    amount = Decimal(units) * unit
    s["promos"] = [
        Promotion(id="ALL", name="All", kind="amount", amounts=((s["currency"], amount),))
    ]
    quote = run(s)
    pool = sum((ln.amount.amount for ln in quote.lines), Decimal(0))
    assert quote.discount_total.amount == min(amount, pool)
    assert sum((ln.discount.amount for ln in quote.lines), Decimal(0)) == min(amount, pool)


@given(scenarios(), st.integers(1, 8))
def test_max_quantity_gives_the_discount_to_the_most_expensive_units_only(s, cap):
    for line in s["lines"]:
        line["inclusive"] = None
    s["promos"] = [
        Promotion(
            id="FREE",
            name="Free",
            kind="percent",
            target="line",
            percent=Decimal(100),
            max_quantity=cap,
        )
    ]
    quote = run(s)
    prices = sorted((r["unit"] for r in s["lines"] for _ in range(r["quantity"])), reverse=True)
    assert quote.discount_total.amount == sum(prices[:cap], Decimal(0))
