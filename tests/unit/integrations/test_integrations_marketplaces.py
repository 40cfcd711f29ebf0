"""Amazon, eBay and Magento: published or documented-shape payloads in, requests out."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from omskit.errors import ValidationError
from omskit.fulfillment.model import Shipment, ShipmentParcel
from omskit.integrations import amazon, ebay, magento
from omskit.money import Money
from omskit.orders.events import OrderLinesCancelled

FIXTURES = Path(__file__).parents[2] / "fixtures" / "integrations"
AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)


def fixture(platform: str, name: str) -> Any:
    return json.loads((FIXTURES / platform / name).read_text(), parse_float=Decimal)


def shipment(lines: tuple[tuple[str, int], ...], tracking: str = "1Z999") -> Shipment:
    return Shipment(id="shp_1", order_id="ord_1", fulfillment_order_id="fo_1",
                    location="LOU", carrier="ups", service="ground",
                    parcels=[ShipmentParcel(tracking, "M", 500, lines)],
                    created_at=AT)  # fmt: skip


def amazon_order(**kw: Any) -> Any:
    return amazon.parse_order(
        fixture("amazon", "orders.json")["payload"]["Orders"][0],
        kw.pop("order_items", fixture("amazon", "order_items.json")),
        address_info=fixture("amazon", "address.json"),
        buyer_info=fixture("amazon", "buyer_info.json"), **kw,
    )  # fmt: skip


# -- Amazon ------------------------------------------------------------------------------


def test_amazon_sandbox_order_with_its_items_address_and_buyer_maps() -> None:
    order = amazon_order()
    assert order.external_id == "902-1845936-5435065"
    assert order.status == "Unshipped"
    assert order.customer_email == "fzyrv6gwkhbb15c@example.com"
    assert order.ship_to["postal_code"] == "98121-2778"
    assert order.ship_to["phone"] == "+14803860930"
    assert not order.taxes_included  # OrderTotal 11.01 = ItemPrice 10.00 + ItemTax 1.01
    assert order.capture_payload("amazon-us")["lines"] == [
        {"sku": "NABetaASINB00551Q3CS", "quantity": 1, "unit_price": "10.00"}
    ]
    assert order.line_map() == {"L1": "05015851154158"}


def test_amazon_tax_inclusive_total_is_recognised() -> None:
    items = fixture("amazon", "order_items.json")
    items["payload"]["OrderItems"][0]["ItemPrice"]["Amount"] = "11.01"
    order = amazon_order(order_items=items)
    assert order.taxes_included


def test_amazon_documentation_example_with_cents_in_yen_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        amazon.parse_order(
            {"AmazonOrderId": "903-1671087-0812628", "OrderStatus": "Unshipped",
             "OrderTotal": {"CurrencyCode": "JPY", "Amount": "62"}},
            fixture("amazon", "order_items_example.json"),
            buyer_info={"BuyerEmail": "a@example.com"},
            address_info={"ShippingAddress": {"CountryCode": "JP"}},
        )  # fmt: skip
    assert err.value.field == "OrderItems[0].ItemPrice.Amount"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda o, i: i["payload"]["OrderItems"][0]["ItemPrice"].update(Amount="9.00"),
            "OrderTotal.Amount",
        ),
        (
            lambda o, i: i["payload"]["OrderItems"][0]["ItemTax"].update(CurrencyCode="EUR"),
            "OrderItems[0].ItemTax.CurrencyCode",
        ),
        (
            lambda o, i: i["payload"].update(AmazonOrderId="111-1111111-1111111"),
            "order_items.AmazonOrderId",
        ),
        (lambda o, i: o.update(OrderStatus="Lost"), "OrderStatus"),
        (
            lambda o, i: i["payload"]["OrderItems"][0].update(QuantityOrdered=0),
            "OrderItems[0].QuantityOrdered",
        ),
    ],
)
def test_amazon_bad_payload_names_the_field(change: Any, field: str) -> None:
    order = fixture("amazon", "orders.json")["payload"]["Orders"][0]
    items = fixture("amazon", "order_items.json")
    change(order, items)
    with pytest.raises(ValidationError) as err:
        amazon.parse_order(order, items, address_info=fixture("amazon", "address.json"),
                           buyer_info=fixture("amazon", "buyer_info.json"))  # fmt: skip
    assert err.value.field == field


def test_amazon_confirm_shipment_has_the_documented_shape() -> None:
    sample = fixture("amazon", "shipment_confirmation_request.json")
    request = amazon.shipment_confirmation(
        shipment((("L1", 1),)), external_id="902-1845936-5435065",
        marketplace_id="ATVPDKIKX0DER", line_map={"L1": "05015851154158"},
        carrier_code="UPS", shipping_method="UPS Ground",
    )  # fmt: skip
    assert request.url == "orders/v0/orders/902-1845936-5435065/shipmentConfirmation"
    body = request.payload()
    assert body is not None
    assert set(body) == set(sample)
    assert set(body["packageDetail"]) <= set(sample["packageDetail"])
    assert body["packageDetail"]["orderItems"] == [{"orderItemId": "05015851154158",
                                                    "quantity": 1}]  # fmt: skip
    assert body["packageDetail"]["shipDate"] == "2026-11-24T09:30:00.000Z"
    with pytest.raises(ValidationError):
        amazon.shipment_confirmation(
            shipment((("L9", 1),)), external_id="x", marketplace_id="m", line_map={},
            carrier_code="UPS",
        )  # fmt: skip


def test_amazon_stock_patch() -> None:
    request = amazon.inventory_request(seller_id="A1", sku="TEE", marketplace_id="M", quantity=3)
    assert request.method == "PATCH"
    assert request.payload() is not None
    assert request.payload()["patches"][0]["value"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 3}
    ]
    with pytest.raises(ValidationError):
        amazon.inventory_request(seller_id="A1", sku="TEE", marketplace_id="M", quantity=-1)


# -- eBay ----------------------------------------------------------------------------------


def test_ebay_order_maps_promotions_taxes_and_the_ship_to() -> None:
    order = ebay.parse_order(fixture("ebay", "order.json"),
                             sku_map={"110999211790": "TOWEL-1"})  # fmt: skip
    assert order.external_id == "12-03456-78901"
    assert [(x.sku, str(x.charged.amount), str(x.tax.amount)) for x in order.lines] == [
        ("MUG-BLUE", "34.98", "2.80"), ("TOWEL-1", "19.99", "2.08"),
    ]  # fmt: skip
    assert order.capture_payload("ebay")["lines"][0] == {
        "sku": "MUG-BLUE", "quantity": 2, "unit_price": "17.49"
    }  # fmt: skip
    assert order.customer_email == "jane.buyer@example.com"
    assert order.ship_to["city"] == "San Jose"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("pricingSummary", "total", "value"), "66.36", "pricingSummary.total"),
        (("pricingSummary", "priceSubtotal", "value"), "60.00", "pricingSummary.priceSubtotal"),
        (("pricingSummary", "priceDiscount", "value"), "-4.00", "pricingSummary.priceDiscount"),
        (("lineItems", 0, "lineItemCost", "currency"), "EUR", "lineItems[0].lineItemCost.currency"),
        (("lineItems", 1, "sku"), "", "lineItems[1].sku"),
        (("fulfillmentStartInstructions",), [], "fulfillmentStartInstructions"),
    ],
)
def test_ebay_bad_payload_names_the_field(path: tuple[Any, ...], value: Any, field: str) -> None:
    data = fixture("ebay", "order.json")
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    sku_map = None if field == "lineItems[1].sku" else {"110999211790": "TOWEL-1"}
    with pytest.raises(ValidationError) as err:
        ebay.parse_order(data, sku_map=sku_map)
    assert err.value.field == field


def test_ebay_shipping_fulfillment_and_stock() -> None:
    request = ebay.shipping_fulfillment(
        shipment((("L1", 2), ("L2", 1))), external_id="12-03456-78901",
        line_map={"L1": "10022882297012", "L2": "10022882297013"}, carrier_code="UPS",
    )  # fmt: skip
    assert request.url == "order/12-03456-78901/shipping_fulfillment"
    assert request.payload() == {
        "lineItems": [{"lineItemId": "10022882297012", "quantity": 2},
                      {"lineItemId": "10022882297013", "quantity": 1}],
        "shippedDate": "2026-11-24T09:30:00.000Z", "shippingCarrierCode": "UPS",
        "trackingNumber": "1Z999",
    }  # fmt: skip
    stock = ebay.inventory_request({"MUG-BLUE": 7})
    wanted = [{"sku": "MUG-BLUE", "shipToLocationAvailability": {"quantity": 7}}]
    assert stock.payload() == {"requests": wanted}
    with pytest.raises(ValidationError):
        ebay.inventory_request({f"S{i}": 1 for i in range(26)})


# -- Magento -------------------------------------------------------------------------------


def test_magento_order_skips_child_items_and_reads_negative_discounts() -> None:
    order = magento.parse_order(fixture("magento", "order.json"))
    assert (order.external_id, order.number) == ("42", "000000042")
    assert [(x.external_line_id, x.sku, str(x.charged.amount)) for x in order.lines] == [
        ("101", "TEE-M", "45.00"), ("102", "HOODIE-L", "54.00"),
    ]  # fmt: skip
    assert order.ship_to["line2"] == "Hinterhaus"
    assert order.placed_at == dt.datetime(2026, 11, 21, 9, 12, 44, tzinfo=dt.UTC)
    assert str(order.total.amount) == "123.76"


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("grand_total", "123.77", "grand_total"),
        ("subtotal", "100.00", "subtotal"),
        ("discount_amount", "-12.00", "discount_amount"),
        ("order_currency_code", "EURO", "order_currency_code"),
        ("customer_email", "", "customer_email"),
    ],
)
def test_magento_bad_payload_names_the_field(key: str, value: Any, field: str) -> None:
    data = fixture("magento", "order.json")
    data[key] = value
    with pytest.raises(ValidationError) as err:
        magento.parse_order(data)
    assert err.value.field == field


def test_magento_ship_cancel_refund_and_stock() -> None:
    line_map = {"L1": "101", "L2": "102"}
    ship = magento.ship_request(shipment((("L1", 2),)), external_id="42", line_map=line_map,
                                carrier_code="ups", title="UPS")  # fmt: skip
    assert ship.payload() == {"items": [{"order_item_id": 101, "qty": 2}], "notify": False,
                         "tracks": [{"track_number": "1Z999", "carrier_code": "ups",
                                     "title": "UPS"}]}  # fmt: skip
    assert magento.cancel_request("42").url == "V1/orders/42/cancel"
    event = OrderLinesCancelled(
        order_id="ord_1", lines=(("L2", 1),), reason="r", actor="a",
        refunded=Money("54.00", "EUR"), voided=Money.zero("EUR"),
    )  # fmt: skip
    refund = magento.refund_request(event, external_id="42", line_map=line_map)
    assert refund.payload() is not None
    assert refund.payload()["items"] == [{"order_item_id": 102, "qty": 1}]
    stock = magento.source_items_request({("TEE-M", "berlin"): 0})
    assert stock.payload() == {"sourceItems": [{"sku": "TEE-M", "source_code": "berlin",
                                           "quantity": 0, "status": 0}]}  # fmt: skip
