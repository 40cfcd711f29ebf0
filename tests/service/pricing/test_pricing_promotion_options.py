"""A fixed amount off shipping, ``max_quantity`` on per-unit promotions, gross or net values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omskit import Money, ValidationError

from .pricing_helpers import BERLIN, make_oms


@pytest.fixture
def oms():
    return make_oms()


def _quote(oms, lines, **kw):
    return oms.pricing.quote(channel="web", lines=lines, ship_to=BERLIN, **kw)


TEE = [{"sku": "TEE-M", "quantity": 1}]


# -- a fixed amount off shipping --------------------------------------------------------


def test_a_fixed_amount_comes_off_shipping_and_the_tax_is_recomputed_on_what_is_left(oms):
    oms.pricing.add_promotion(
        "SHIP2",
        name="2 off shipping",
        kind="shipping_amount",
        amount={"EUR": "2.00", "USD": "2.50"},
    )
    quote = _quote(oms, TEE, shipping="4.90")
    # 4.90 - 2.00 = 2.90 gross; VAT 2.90 x 19/119 = 0.4630 -> 0.46; net 2.44
    assert quote.shipping.gross == Money("2.90", "EUR")
    assert quote.shipping.net == Money("2.44", "EUR")
    assert quote.shipping_discount == Money("2.00", "EUR")
    assert quote.discount_total.is_zero
    (applied,) = quote.promotions
    assert (applied.amount, applied.shipping, applied.lines) == (
        Money("2.00", "EUR"),
        Money("2.00", "EUR"),
        (),
    )
    text = quote.explain()
    assert "SHIP2 '2 off shipping': 2.00 EUR, 2.50 USD off shipping: -2.00 on shipping" in text
    assert "Shipping: 2.90 gross, 2.44 net after -2.00 off the charge" in text
    assert quote.total.gross == Money("22.80", "EUR")  # 19.90 + 2.90


def test_a_shipping_discount_never_takes_shipping_below_zero(oms):
    oms.pricing.add_promotion(
        "SHIP10", name="10 off shipping", kind="shipping_amount", amount="10.00", currency="EUR"
    )
    quote = _quote(oms, TEE, shipping="4.90")
    assert quote.shipping.gross.is_zero
    assert quote.shipping.net.is_zero
    assert quote.shipping_discount == Money("4.90", "EUR")
    assert quote.total.gross == Money("19.90", "EUR")


def test_a_shipping_discount_on_tax_exclusive_prices_comes_off_the_net_charge(oms):
    oms.pricing.add_price_list("default", "EUR", includes_tax=False)
    oms.pricing.set_price("default", "TEE-M", "10.00")
    oms.pricing.add_promotion(
        "SHIP2", name="2 off shipping", kind="shipping_amount", amount={"EUR": "2.00"}
    )
    quote = _quote(oms, TEE, shipping="5.00")
    # 5.00 - 2.00 = 3.00 net; VAT 3.00 x 19 % = 0.57; gross 3.57
    assert (quote.shipping.net, quote.shipping.gross) == (
        Money("3.00", "EUR"),
        Money("3.57", "EUR"),
    )


def test_a_quote_in_a_currency_without_a_shipping_amount_notes_why_it_did_not_apply(oms):
    oms.channels.update("web", currencies=["EUR", "USD"])
    oms.pricing.add_promotion(
        "SHIP2",
        name="2 off shipping",
        kind="shipping_amount",
        amount={"EUR": "2.00"},
        coupon_only=True,
    )
    oms.pricing.add_coupon("SHIPCODE", "SHIP2")
    quote = _quote(oms, TEE, shipping="4.90", currency="USD", coupons=["SHIPCODE"])
    assert quote.shipping_discount.is_zero
    assert "promotion 'SHIP2' not applied: has no amount in USD" in quote.notes


def test_a_shipping_discount_for_a_channel_needs_an_amount_in_every_currency_it_sells(oms):
    oms.channels.add("us-shop", currencies=["USD", "CAD"])
    with pytest.raises(ValidationError) as info:
        oms.pricing.add_promotion(
            "SHIP2",
            name="2 off",
            kind="shipping_amount",
            amount={"USD": "2.00"},
            channels=["us-shop"],
        )
    assert info.value.field == "amount.CAD"
    assert "'us-shop' sells in CAD" in str(info.value)
    assert oms.pricing.promotions() == []
    with pytest.raises(ValidationError) as missing:
        oms.pricing.add_promotion("SHIP3", name="3 off", kind="shipping_amount")
    assert missing.value.field == "amount"
    with pytest.raises(ValidationError) as negative:
        oms.pricing.add_promotion(
            "SHIP4", name="4 off", kind="shipping_amount", amount={"EUR": "-4.00"}
        )
    assert negative.value.field == "amount.EUR"
    assert oms.pricing.promotions() == []


# -- max_quantity -----------------------------------------------------------------------


def test_max_quantity_discounts_the_most_expensive_units_first(oms):
    oms.pricing.add_promotion(
        "HALF",
        name="Half off apparel, 3 units",
        kind="percent",
        percent="50",
        target="attribute",
        attribute={"category": "apparel"},
        max_quantity=3,
    )
    quote = _quote(oms, [{"sku": "CAP-RED", "quantity": 2}, {"sku": "TEE-M", "quantity": 2}])
    cap, tee = quote.lines
    # both tees (19.90 > 15.00): 39.80 x 50 % = 19.90; then one cap: 15.00 x 50 % = 7.50
    assert tee.discount == Money("19.90", "EUR")
    assert cap.discount == Money("7.50", "EUR")
    assert quote.promotions[0].amount == Money("27.40", "EUR")
    assert "at most 3 units" in quote.promotions[0].description
    swapped = _quote(oms, [{"sku": "TEE-M", "quantity": 2}, {"sku": "CAP-RED", "quantity": 2}])
    assert swapped.discount_total == quote.discount_total


def test_max_quantity_caps_a_fixed_amount_per_unit(oms):
    oms.pricing.add_promotion(
        "TWO",
        name="2 off each mug, up to 3",
        kind="amount",
        amount={"EUR": "2.00"},
        target="sku",
        skus=["MUG-01"],
        max_quantity=3,
    )
    quote = _quote(oms, [{"sku": "MUG-01", "quantity": 5}])
    assert quote.lines[0].discount == Money("6.00", "EUR")  # 3 units x 2.00, not 5 x 2.00


def test_max_quantity_caps_the_free_units_of_buy_x_get_y(oms):
    oms.pricing.add_promotion(
        "B1G1",
        name="Buy 1 get 1, at most 2 free",
        kind="buy_x_get_y",
        buy=1,
        get=1,
        skus=["MUG-01", "CAP-RED"],
        max_quantity=2,
    )
    quote = _quote(oms, [{"sku": "CAP-RED", "quantity": 3}, {"sku": "MUG-01", "quantity": 3}])
    cap, mug = quote.lines
    # 6 units give 3 free, capped at 2: the cheapest two, both mugs (12.50)
    assert mug.discount == Money("25.00", "EUR")
    assert cap.discount.is_zero


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"kind": "percent", "percent": "10", "target": "line", "max_quantity": -1}, "-1"),
        ({"kind": "percent", "percent": "10", "target": "line", "max_quantity": 0}, "0"),
        ({"kind": "percent", "percent": "10", "target": "line", "max_quantity": "2"}, "'2'"),
        ({"kind": "percent", "percent": "10", "target": "line", "max_quantity": True}, "True"),
        ({"kind": "percent", "percent": "10", "max_quantity": 2}, "'order'"),
        ({"kind": "free_shipping", "max_quantity": 2}, "'free_shipping'"),
    ],
)
def test_a_bad_max_quantity_is_refused_naming_the_value_and_what_is_allowed(oms, kwargs, shown):
    with pytest.raises(ValidationError) as info:
        oms.pricing.add_promotion("BAD", name="Bad", **kwargs)
    assert info.value.field == "max_quantity"
    assert shown in str(info.value)
    assert "per-unit" in str(info.value) or "at least 1" in str(info.value)
    assert oms.pricing.promotions() == []


# -- promotion values stated gross or net -----------------------------------------------


@pytest.mark.parametrize(
    ("list_includes_tax", "stated", "line_discount", "gross_after"),
    [
        # gross list: 5.00 stated gross comes off as it is
        (True, True, "5.00", "14.90"),
        # gross list: 5.00 net is 5.00 x 1.19 = 5.95 gross
        (True, False, "5.95", "13.95"),
        # net list (TEE-M at 19.90 net): 5.00 gross is 5.00 / 1.19 = 4.2016 -> 4.20 net;
        # 15.70 net + 19 % = 18.683 -> 18.68 gross (23.68 before: 4.999 -> 5.00 less)
        (False, True, "4.20", "18.68"),
        # net list: 5.00 net comes off as it is: 14.90 + 19 % = 17.731 -> 17.73
        (False, False, "5.00", "17.73"),
    ],
)
def test_a_fixed_amount_stated_gross_or_net_meets_either_kind_of_price_list(
    oms, list_includes_tax, stated, line_discount, gross_after
):
    oms.pricing.add_price_list("default", "EUR", includes_tax=list_includes_tax)
    oms.pricing.set_price("default", "TEE-M", "19.90")
    oms.pricing.add_promotion(
        "FIVE", name="Five off", kind="amount", amount={"EUR": "5.00"}, amount_includes_tax=stated
    )
    quote = _quote(oms, TEE)
    assert quote.lines[0].discount == Money(line_discount, "EUR")
    assert quote.lines[0].total.gross == Money(gross_after, "EUR")
    assert quote.discount_total == Money(line_discount, "EUR")
    assert ("(tax included)" if stated else "(before tax)") in quote.promotions[0].description


def test_a_gross_amount_per_unit_on_a_net_list_is_converted_per_line(oms):
    oms.pricing.add_price_list("default", "EUR", includes_tax=False)
    oms.pricing.set_price("default", "TEE-M", "19.90")
    oms.pricing.set_price("default", "BOOK-1", "24.00")
    oms.pricing.add_promotion(
        "ONE",
        name="1 off each",
        kind="amount",
        amount={"EUR": "1.00"},
        target="line",
        amount_includes_tax=True,
    )
    quote = _quote(oms, [{"sku": "TEE-M", "quantity": 3}, {"sku": "BOOK-1", "quantity": 2}])
    tee, book = quote.lines
    assert tee.discount == Money("2.52", "EUR")  # 3.00 / 1.19 = 2.5210 -> 2.52 (19 %)
    assert book.discount == Money("1.86", "EUR")  # 2.00 / 1.07 = 1.8691 -> 1.86 (7 %)


def test_an_order_amount_stated_gross_is_spread_over_net_lines_by_their_gross_value(oms):
    oms.pricing.add_price_list("default", "EUR", includes_tax=False)
    oms.pricing.set_price("default", "TEE-M", "10.00")
    oms.pricing.set_price("default", "BOOK-1", "10.00")
    oms.pricing.add_promotion(
        "TEN", name="10 off", kind="amount", amount={"EUR": "10.00"}, amount_includes_tax=True
    )
    quote = _quote(oms, [{"sku": "TEE-M", "quantity": 1}, {"sku": "BOOK-1", "quantity": 1}])
    tee, book = quote.lines
    # gross values 11.90 and 10.70 (22.60) share the 10.00: 5.27 and 4.73 (largest
    # remainder); back to net: 5.27 / 1.19 = 4.4285 -> 4.42, 4.73 / 1.07 = 4.4205 -> 4.42
    assert (tee.discount, book.discount) == (Money("4.42", "EUR"), Money("4.42", "EUR"))
    saved = quote.subtotal.gross.amount - quote.line_total.gross.amount
    assert Decimal("9.98") <= saved <= Decimal("10.00")


def test_a_stated_basis_is_only_for_fixed_amounts(oms):
    with pytest.raises(ValidationError) as info:
        oms.pricing.add_promotion(
            "PCT", name="Pct", kind="percent", percent="10", amount_includes_tax=True
        )
    assert info.value.field == "amount_includes_tax"
    assert "'percent'" in str(info.value)
    with pytest.raises(ValidationError) as bad:
        oms.pricing.add_promotion(
            "AMT", name="Amt", kind="amount", amount={"EUR": "1"}, amount_includes_tax="yes"
        )
    assert bad.value.field == "amount_includes_tax"
    assert oms.pricing.promotions() == []
