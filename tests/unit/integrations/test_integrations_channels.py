"""Shopify and WooCommerce: documented payloads mapped, signatures checked, bad input named."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import FloatNotAllowed, ValidationError
from omskit.integrations import shopify, woocommerce
from omskit.integrations.channel import ChannelSignatureInvalid
from omskit.integrations.transport import decode_json

FIXTURES = Path(__file__).parents[2] / "fixtures" / "integrations"
SECRET = b"shpss_0123456789abcdef"


def fixture(platform: str, name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / platform / name).read_text(), parse_float=Decimal)


def signed(body: bytes, secret: bytes = SECRET) -> str:
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


# -- Shopify ---------------------------------------------------------------------------


def test_shopify_order_maps_ids_lines_prices_and_addresses() -> None:
    order = shopify.parse_order(fixture("shopify", "order.json"))
    assert (order.external_id, order.number, order.currency) == ("450789469", "#1001", "USD")
    assert order.customer_email == "bob.norman@hostmail.com"
    assert [(x.external_line_id, x.sku, x.quantity, str(x.gross.amount)) for x in order.lines] == [
        ("466157049", "IPOD2008GREEN", 1, "199.00"),
        ("518995019", "IPOD2008RED", 1, "199.00"),
    ]
    assert (str(order.tax.amount), str(order.total.amount)) == ("11.94", "409.94")
    assert order.ship_to == {"country": "US", "line1": "Chestnut Street 92",
                             "city": "Louisville", "region": "KY", "postal_code": "40202",
                             "name": "Bob Norman"}  # fmt: skip
    assert order.payment_status == "authorized"
    assert not order.cancelled
    assert order.discount_codes == ("TENOFF",)
    # the fixture's phone is not a valid US number: left out, and said so
    assert [d[0] for d in order.dropped] == ["shipping_address.phone", "billing_address.phone"]
    payload = order.capture_payload("shopify-us")
    assert payload["external_id"] == "450789469"
    assert payload["channel"] == "shopify-us"
    assert payload["lines"] == [
        {"sku": "IPOD2008GREEN", "quantity": 1, "unit_price": "199.00"},
        {"sku": "IPOD2008RED", "quantity": 1, "unit_price": "199.00"},
    ]
    assert payload["shipping"] == "0.00"
    assert order.line_map() == {"L1": "466157049", "L2": "518995019"}


def test_shopify_upstream_fixture_that_does_not_add_up_is_refused_naming_subtotal() -> None:
    with pytest.raises(ValidationError) as err:
        shopify.parse_order(fixture("shopify", "upstream_order.json"))
    assert err.value.field == "subtotal_price"
    assert "597.00" in str(err.value)


def test_shopify_webhook_with_good_signature_is_read() -> None:
    body = (FIXTURES / "shopify" / "order.json").read_bytes()
    payload = shopify.verify_webhook(body, {"x-shopify-hmac-sha256": signed(body)}, [SECRET])
    assert payload["order"]["id"] == 450789469


def test_shopify_webhook_accepts_a_rotated_secret() -> None:
    body = b'{"id": 1}'
    headers = {"X-Shopify-Hmac-Sha256": signed(body, b"new")}
    assert shopify.verify_webhook(body, headers, [b"old", b"new"]) == {"id": 1}


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "no X-Shopify-Hmac-Sha256 header"),
        ({"X-Shopify-Hmac-Sha256": signed(b"{}", b"wrong secret")}, "does not match"),
        ({"X-Shopify-Hmac-Sha256": "not base64 at all"}, "does not match"),
    ],
)
def test_shopify_webhook_with_bad_or_missing_signature_is_refused(
    headers: dict[str, str], reason: str
) -> None:
    with pytest.raises(ChannelSignatureInvalid, match=reason):
        shopify.verify_webhook(b"{}", headers, [SECRET])


def test_shopify_tampered_body_is_refused_before_parsing() -> None:
    body = (FIXTURES / "shopify" / "order.json").read_bytes()
    headers = {"X-Shopify-Hmac-Sha256": signed(body)}
    tampered = body.replace(b'"199.00"', b'"1.00"', 1)
    with pytest.raises(ChannelSignatureInvalid):
        shopify.verify_webhook(tampered, headers, [SECRET])
    # a body that is not even JSON is refused for its signature, not parsed
    with pytest.raises(ChannelSignatureInvalid):
        shopify.verify_webhook(b"\xff not json", headers, [SECRET])


def test_shopify_parsed_body_cannot_be_verified() -> None:
    with pytest.raises(ChannelSignatureInvalid, match="raw bytes"):
        shopify.verify_webhook({"id": 1}, {"X-Shopify-Hmac-Sha256": "x"}, [SECRET])


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("currency",), "XXY", "currency"),
        (("line_items", 0, "quantity"), 0, "line_items[0].quantity"),
        (("line_items", 1, "price"), "19,90", "line_items[1].price"),
        (("line_items", 1, "price"), "199.001", "line_items[1].price"),
        (("line_items", 0, "sku"), "", "line_items[0].sku"),
        (("total_price",), "409.95", "total_price"),
        (("email",), "not-an-email", "email"),
        (("taxes_included",), "no", "taxes_included"),
        (("shipping_address",), None, "shipping_address"),
        (("line_items",), [], "line_items"),
    ],
)
def test_shopify_bad_payload_names_the_field(path: tuple[Any, ...], value: Any,
                                             field: str) -> None:  # fmt: skip
    data = fixture("shopify", "order.json")["order"]
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as err:
        shopify.parse_order(data)
    assert err.value.field == field


def test_shopify_float_amount_is_refused_not_rounded() -> None:
    data = fixture("shopify", "order.json")["order"]
    data["total_price"] = 409.94
    with pytest.raises(FloatNotAllowed) as err:
        shopify.parse_order(data)
    assert err.value.field == "total_price"


def test_shopify_sku_map_maps_a_variant_without_sku() -> None:
    data = fixture("shopify", "order.json")["order"]
    data["line_items"][0]["sku"] = ""
    order = shopify.parse_order(data, sku_map={"39072856": "IPOD-GREEN"})
    assert order.lines[0].sku == "IPOD-GREEN"


def test_shopify_order_discount_without_allocations_is_spread_exactly() -> None:
    data = fixture("shopify", "order.json")["order"]
    data["total_discounts"] = "10.01"
    data["subtotal_price"] = "387.99"
    data["total_price"] = "399.93"
    order = shopify.parse_order(data)
    assert sorted(str(x.discount.amount) for x in order.lines) == ["5.00", "5.01"]
    lines = order.capture_payload("s")["lines"]
    assert sum(Decimal(x["unit_price"]) * x["quantity"] for x in lines) == Decimal("387.99")


def test_shopify_uneven_unit_price_splits_into_two_lines_of_one_sku() -> None:
    data = fixture("shopify", "order.json")["order"]
    item = data["line_items"][0]
    item["quantity"], item["price"] = 3, "199.00"
    item["discount_allocations"] = [{"amount": "10.00"}]
    data["total_discounts"] = "10.00"
    data["subtotal_price"] = "786.00"
    data["total_price"] = "797.94"
    order = shopify.parse_order(data)
    payload = order.capture_payload("s")
    assert payload["lines"][:2] == [
        {"sku": "IPOD2008GREEN", "quantity": 2, "unit_price": "195.67"},
        {"sku": "IPOD2008GREEN", "quantity": 1, "unit_price": "195.66"},
    ]
    assert order.line_map() == {"L1": "466157049", "L2": "466157049", "L3": "518995019"}


@st.composite
def shopify_orders(draw: st.DrawFn) -> dict[str, Any]:
    """A Shopify order whose totals add up, in any currency precision."""
    currency, places = draw(st.sampled_from([("USD", 2), ("JPY", 0), ("KWD", 3)]))
    unit = Decimal(1).scaleb(-places)
    count = draw(st.integers(1, 5))
    lines, gross_total, discount_total = [], Decimal(0), Decimal(0)
    for n in range(count):
        qty = draw(st.integers(1, 7))
        price = draw(st.integers(0, 10**6)) * unit
        discount = min(draw(st.integers(0, 10**5)) * unit, price * qty)
        lines.append({"id": 1000 + n, "sku": f"SKU-{n}", "quantity": qty,
                      "price": str(price),
                      "discount_allocations": [{"amount": str(discount)}]})  # fmt: skip
        gross_total += price * qty
        discount_total += discount
    shipping = draw(st.integers(0, 10**4)) * unit
    tax = draw(st.integers(0, 10**5)) * unit
    included = draw(st.booleans())
    subtotal = gross_total - discount_total
    total = subtotal + shipping + (0 if included else tax)
    return {
        "id": 1, "currency": currency, "taxes_included": included, "email": "a@example.com",
        "line_items": lines, "total_discounts": str(discount_total),
        "subtotal_price": str(subtotal), "total_tax": str(tax), "total_price": str(total),
        "shipping_lines": [{"price": str(shipping)}],
        "shipping_address": {"country_code": "DE", "city": "Berlin", "zip": "10115",
                             "address1": "Invalidenstr. 117"},
    }  # fmt: skip


@given(shopify_orders())
def test_mapped_capture_totals_equal_the_payload_totals_to_the_minor_unit(
    data: dict[str, Any],
) -> None:
    order = shopify.parse_order(data)
    payload = order.capture_payload("s")
    lines = sum((Decimal(x["unit_price"]) * x["quantity"] for x in payload["lines"]), Decimal(0))
    assert lines == Decimal(data["subtotal_price"])
    tax = 0 if data["taxes_included"] else Decimal(data["total_tax"])
    assert lines + Decimal(payload["shipping"]) + tax == Decimal(data["total_price"])
    assert sum(x["quantity"] for x in payload["lines"]) == sum(
        x["quantity"] for x in data["line_items"]
    )
    assert set(order.line_map().values()) == {str(x["id"]) for x in data["line_items"]}


# -- WooCommerce -------------------------------------------------------------------------


def test_woocommerce_order_maps_lines_from_totals_and_needs_a_sku_for_unskued_products() -> None:
    data = fixture("woocommerce", "order.json")
    with pytest.raises(ValidationError) as err:
        woocommerce.parse_order(data)
    assert err.value.field == "line_items[0].sku"
    order = woocommerce.parse_order(data, sku_map={"93": "WOO-SINGLE-1"})
    assert order.external_id == "727"
    assert order.status == "processing"
    assert [(x.sku, x.quantity, str(x.charged.amount)) for x in order.lines] == [
        ("WOO-SINGLE-1", 2, "6.00"),
        ("Bar3", 1, "12.00"),
    ]
    payload = order.capture_payload("woo")
    assert payload["lines"][0] == {"sku": "WOO-SINGLE-1", "quantity": 2, "unit_price": "3.00"}
    assert payload["shipping"] == "10.00"
    assert str(order.tax.amount) == "1.35"
    assert str(order.total.amount) == "29.35"
    assert order.customer_email == "john.doe@example.com"


def test_woocommerce_variation_is_mapped_by_product_and_variation() -> None:
    data = fixture("woocommerce", "order.json")
    data["line_items"][1]["sku"] = ""
    order = woocommerce.parse_order(data, sku_map={"93": "A-1", "22:23": "SHIRT-BLK-M"})
    assert order.lines[1].sku == "SHIRT-BLK-M"


def test_woocommerce_signature_good_bad_and_tampered() -> None:
    body = (FIXTURES / "woocommerce" / "order.json").read_bytes()
    good = {"X-WC-Webhook-Signature": signed(body)}
    assert woocommerce.verify_webhook(body, good, [SECRET])["id"] == 727
    with pytest.raises(ChannelSignatureInvalid):
        woocommerce.verify_webhook(body, {"X-WC-Webhook-Signature": signed(body, b"x")},
                                   [SECRET])  # fmt: skip
    with pytest.raises(ChannelSignatureInvalid):
        woocommerce.verify_webhook(body + b" ", good, [SECRET])
    with pytest.raises(ChannelSignatureInvalid, match="no X-WC-Webhook-Signature"):
        woocommerce.verify_webhook(body, {"X-Shopify-Hmac-Sha256": signed(body)}, [SECRET])


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("total", "29.36", "total"),
        ("status", "shipped", "status"),
        ("fee_lines", [{"total": "2.00"}], "fee_lines[0].total"),
        ("prices_include_tax", None, "prices_include_tax"),
    ],
)
def test_woocommerce_bad_payload_names_the_field(key: str, value: Any, field: str) -> None:
    data = fixture("woocommerce", "order.json")
    data[key] = value
    with pytest.raises(ValidationError) as err:
        woocommerce.parse_order(data, sku_map={"93": "A-1"})
    assert err.value.field == field


def test_decode_json_reads_fractions_exactly() -> None:
    assert decode_json('{"a": 0.1}')["a"] == Decimal("0.1")
    with pytest.raises(ValidationError):
        decode_json("[1, 2]")


def test_a_channel_request_resolves_against_the_shop_for_the_shared_transport() -> None:
    request = shopify.inventory_request(inventory_item_id="1", location_id="2", available=3)
    assert request.url == "inventory_levels/set.json"
    http = request.resolve("https://shop.example/admin/api/2024-10/",
                           [("X-Shopify-Access-Token", "shpat_x")])  # fmt: skip
    assert http.url == "https://shop.example/admin/api/2024-10/inventory_levels/set.json"
    assert http.headers[0] == ("X-Shopify-Access-Token", "shpat_x")
    assert http.header("content-type") == "application/json"
    assert json.loads(http.body) == {"location_id": 2, "inventory_item_id": 1, "available": 3}
    assert http.idempotency_key == request.idempotency_key == "shopify:inventory:1@2=3"
    assert http.resolve("https://elsewhere.example").url == http.url  # already absolute


def test_a_channel_signature_error_is_the_services_signature_error() -> None:
    from omskit.carriers.errors import WebhookSignatureInvalid
    from omskit.integrations.transport import SignatureInvalid

    with pytest.raises(SignatureInvalid) as err:
        shopify.verify_webhook(b"{}", {}, [SECRET])
    assert isinstance(err.value, WebhookSignatureInvalid)
    assert err.value.platform == "shopify"


@st.composite
def woo_orders(draw: st.DrawFn) -> dict[str, Any]:
    """A WooCommerce order whose line totals, shipping and tax make its total."""
    included = draw(st.booleans())
    lines, net = [], Decimal(0)
    for n in range(draw(st.integers(1, 5))):
        qty = draw(st.integers(1, 9))
        subtotal = Decimal(draw(st.integers(0, 10**6))) / 100
        total = subtotal - Decimal(draw(st.integers(0, int(subtotal * 100)))) / 100
        lines.append({"id": n + 1, "sku": f"W-{n}", "quantity": qty,
                      "subtotal": str(subtotal), "total": str(total)})  # fmt: skip
        net += total
    shipping = Decimal(draw(st.integers(0, 5000))) / 100
    tax = Decimal(draw(st.integers(0, 10**5))) / 100
    return {
        "id": 9, "status": "processing", "currency": "EUR", "prices_include_tax": included,
        "total": str(net + shipping + (0 if included else tax)), "total_tax": str(tax),
        "billing": {"email": "b@example.com", "country": "DE", "city": "Berlin",
                    "postcode": "10115", "address_1": "Invalidenstr. 117"},
        "line_items": lines, "shipping_lines": [{"total": str(shipping)}],
    }  # fmt: skip


@given(woo_orders())
def test_woocommerce_capture_totals_equal_the_payload_totals_to_the_cent(
    data: dict[str, Any],
) -> None:
    payload = woocommerce.parse_order(data).capture_payload("woo")
    lines = sum((Decimal(x["unit_price"]) * x["quantity"] for x in payload["lines"]), Decimal(0))
    assert lines == sum(Decimal(x["total"]) for x in data["line_items"])
    tax = 0 if data["prices_include_tax"] else Decimal(data["total_tax"])
    assert lines + Decimal(payload["shipping"]) + tax == Decimal(data["total"])
