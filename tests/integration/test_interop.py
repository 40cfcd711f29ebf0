"""A host that already uses py-moneyed and babel passes their objects to every entry point.

Each test calls the public API once with omskit's own types and once with py-moneyed's
``Money`` / babel's ``Locale``, and expects the same answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import babel
import moneyed
import pytest

from omskit import OMS, CurrencyMismatch, Money, UnknownCurrency, ValidationError, format_money
from omskit.testing import FakeClock

from .host_typing import run

HOME = {
    "country": "DE",
    "name": "Dana Levi",
    "line1": "Invalidenstr. 117",
    "city": "Berlin",
    "postal_code": "10115",
}
BASKET = [{"sku": "TEE-M", "quantity": 2}]


@pytest.fixture
def oms() -> OMS:
    oms = OMS.in_memory(
        config={"default_currency": "EUR", "exchange_rates": {"EUR": {"USD": "1.08"}}},
        clock=FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)),
        autoload=False,
    )
    oms.catalog.add_product(
        "TEE-M",
        name="T-shirt",
        price="19.90",
        currency="EUR",
        weight_grams=180,
        dimensions=[300, 200, 20],
    )
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    oms.inventory.receive("TEE-M", location="BER", quantity=10)
    return oms


def _quote(oms: OMS, **kwargs: Any) -> Any:
    return oms.pricing.quote(channel="web", ship_to=HOME, **kwargs)


def test_a_quote_takes_moneyed_shipping(oms: OMS) -> None:
    ours = _quote(oms, lines=BASKET, shipping=Money("4.90", "EUR"))
    theirs = _quote(oms, lines=BASKET, shipping=moneyed.Money("4.90", "EUR"))
    assert theirs.shipping == ours.shipping
    assert theirs.total == ours.total
    with pytest.raises(CurrencyMismatch):
        _quote(oms, lines=BASKET, shipping=moneyed.Money("4.90", "USD"))


def test_a_quote_line_takes_a_moneyed_unit_price(oms: OMS) -> None:
    line = {"sku": "TEE-M", "quantity": 2}
    ours = _quote(oms, lines=[{**line, "unit_price": Money("19.90", "EUR")}])
    theirs = _quote(oms, lines=[{**line, "unit_price": moneyed.Money("19.90", "EUR")}])
    assert theirs.lines[0].unit_price == ours.lines[0].unit_price == Money("19.90", "EUR")
    assert theirs.total == ours.total


def test_a_promotion_takes_moneyed_amounts(oms: OMS) -> None:
    oms.pricing.add_promotion(
        "FIVE",
        name="Five off",
        kind="amount",
        amount=moneyed.Money("5.00", "EUR"),
        min_subtotal=moneyed.Money("30", "EUR"),
    )
    quote = _quote(oms, lines=BASKET)
    assert quote.discount_total == Money("5.00", "EUR")


def test_moneyed_money_in_an_unknown_currency_is_a_clear_error(oms: OMS) -> None:
    odd = moneyed.Money("4.90", moneyed.Currency("QQQ"))
    with pytest.raises(UnknownCurrency) as info:
        _quote(oms, lines=BASKET, shipping=odd)
    assert "shipping.currency" in str(info.value)


def test_order_payments_take_moneyed_amounts(oms: OMS) -> None:
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": "W-1",
            "customer": {"email": "dana@example.com"},
            "ship_to": HOME,
            "lines": BASKET,
            "payment": {"method": "tok_visa"},
        }
    )
    captured = oms.orders.capture_payment(order.id, moneyed.Money("10.00", "EUR"))
    assert captured.amount == Money("10.00", "EUR")
    refunded = oms.orders.refund(order.id, moneyed.Money("2.50", "EUR"), reason="goodwill")
    assert refunded.amount == Money("2.50", "EUR")
    again = oms.payments.refund(order.id, moneyed.Money("1.00", "EUR"), reason="goodwill")
    assert again.amount == Money("1.00", "EUR")
    with pytest.raises(CurrencyMismatch):
        oms.payments.refund(order.id, moneyed.Money("1.00", "USD"), reason="goodwill")
    payment = oms.payments.get(order.id)
    assert payment.refunded == Money("3.50", "EUR")


def test_a_rate_request_takes_a_moneyed_order_value(oms: OMS) -> None:
    kwargs: dict[str, Any] = {
        "ship_from": HOME,
        "ship_to": {**HOME, "city": "Hamburg", "postal_code": "20457"},
        "parcels": [{"weight_grams": 500}],
    }
    theirs = oms.carriers.request(**kwargs, order_value=moneyed.Money("39.80", "EUR"))
    assert theirs.order_value == Money("39.80", "EUR")
    assert theirs == oms.carriers.request(**kwargs, order_value=Money("39.80", "EUR"))
    with pytest.raises(ValidationError) as info:
        oms.carriers.request(**kwargs, order_value="39.80")  # type: ignore[arg-type]
    assert info.value.field == "order_value"


def test_inventory_costs_take_moneyed_money(oms: OMS) -> None:
    oms.inventory.add_supplier("ACME", name="Acme")
    supplier = oms.inventory.set_supply_terms(
        "ACME", "TEE-M", unit_cost=moneyed.Money("6.10", "USD")
    )
    assert supplier.terms["TEE-M"].unit_cost == Money("6.10", "USD")
    store = oms.inventory.add_location(
        "HAM",
        name="Hamburg",
        country="DE",
        lat=53.55,
        lon=9.99,
        handling_per_shipment=moneyed.Money("1.50", "USD"),
    )
    assert store.handling_per_shipment == Money("1.50", "USD")


def test_a_customer_and_a_channel_take_a_babel_locale(oms: OMS) -> None:
    swiss = babel.Locale.parse("de_CH")
    customer = oms.customers.register("urs@example.ch", locale=swiss)
    assert customer.locale == "de_CH"
    assert oms.customers.update(customer.id, locale=babel.Locale("fr", "CH")).locale == "fr_CH"
    assert oms.customers.register("ana@example.ch", locale="de-CH").locale == "de_CH"
    channel = oms.channels.add("shop-ch", name="Swiss shop", currencies=["CHF"], locale=swiss)
    assert channel.locale == "de_CH"
    with pytest.raises(ValidationError) as info:
        oms.customers.register("bad@example.ch", locale="xx_YY")
    assert info.value.field == "locale"
    assert oms.customers.find_by_email("bad@example.ch") is None


def test_documents_take_a_babel_locale(oms: OMS) -> None:
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": "W-2",
            "customer": {"email": "dana@example.com"},
            "ship_to": HOME,
            "lines": BASKET,
            "payment": {"method": "tok_visa"},
        }
    )
    for fo in oms.fulfillment.release(order.id):
        oms.fulfillment.accept(fo.id)
    pick = oms.fulfillment.pick_list("BER")
    by_name = oms.fulfillment.pick_list_document(pick, "de_DE")
    by_locale = oms.fulfillment.pick_list_document(pick, babel.Locale.parse("de_DE"))
    assert by_locale == by_name
    assert oms.fulfillment.documents.pick_list(pick, babel.Locale("de", "DE")) == by_name


def test_the_type_checked_host_module_runs(oms: OMS) -> None:
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": "W-3",
            "customer": {"email": "dana@example.com"},
            "ship_to": HOME,
            "lines": BASKET,
            "payment": {"method": "tok_visa"},
        }
    )
    oms.orders.capture_payment(order.id)
    for fo in oms.fulfillment.release(order.id):
        oms.fulfillment.accept(fo.id)
    out = run(oms, order.id)
    assert out[0] == format_money(Money("19.90", "EUR"), "de_CH")
    assert out[2:5] == ["18.71 CHF", "19.90 EUR", "19.90 EUR"]
    assert out[6:9] == ["1.00 EUR", "1.00 EUR", "de_CH"]
