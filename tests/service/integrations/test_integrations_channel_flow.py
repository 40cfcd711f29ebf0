"""A Shopify webhook through capture and shipment, and the updates that go back."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from omskit import OMS, NotFound, UnknownSku
from omskit.errors import ValidationError
from omskit.integrations import shopify, woocommerce
from omskit.integrations.channel import ChannelSignatureInvalid
from omskit.integrations.transport import HttpRequest, decode_json
from omskit.money import Money
from omskit.orders.events import OrderCancelled, OrderLinesCancelled
from omskit.testing import FakeClock

FIXTURES = Path(__file__).parents[2] / "fixtures" / "integrations"
SECRET = b"shpss_0123456789abcdef"
BODY = (FIXTURES / "shopify" / "order.json").read_bytes()


def headers(body: bytes = BODY, secret: bytes = SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    return {"X-Shopify-Hmac-Sha256": digest, "X-Shopify-Topic": "orders/create"}


@pytest.fixture
def oms() -> OMS:
    oms = OMS.in_memory(
        clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
        autoload=False,
        config={"exchange_rates": {"EUR": {"USD": "1.08"}}},
    )
    oms.channels.add("shopify-us", kind="web", currencies=("USD",), prices_include_tax=False,
                     channel_prices="accept")  # fmt: skip
    for sku in ("IPOD2008GREEN", "IPOD2008RED"):
        oms.catalog.add_product(sku, name=sku, price="189.00", currency="USD",
                                weight_grams=200)  # fmt: skip
    oms.inventory.add_location("LOU", name="Louisville DC", country="US", lat=38.25,
                               lon=-85.76)  # fmt: skip
    for sku in ("IPOD2008GREEN", "IPOD2008RED"):
        oms.inventory.receive(sku, location="LOU", quantity=5)
    return oms


def receive(oms: OMS, body: bytes = BODY, hdrs: dict[str, str] | None = None) -> Any:
    return shopify.receive_order(body, hdrs or headers(body), secrets=[SECRET],
                                 orders=oms.orders, channel="shopify-us")  # fmt: skip


def test_webhook_order_is_captured_at_the_channels_prices(oms: OMS) -> None:
    order = receive(oms)
    assert (order.channel, order.external_id) == ("shopify-us", "450789469")
    assert [(x.sku, str(x.unit_price.amount)) for x in order.lines] == [
        ("IPOD2008GREEN", "199.00"), ("IPOD2008RED", "199.00"),
    ]  # fmt: skip


def test_replayed_webhook_captures_nothing_new(oms: OMS) -> None:
    first = receive(oms)
    again = receive(oms)
    assert again.id == first.id
    assert again.version == first.version
    assert oms.inventory.level("IPOD2008GREEN", "LOU").reserved == 1


def test_spoofed_webhook_changes_nothing(oms: OMS) -> None:
    with pytest.raises(ChannelSignatureInvalid):
        receive(oms, hdrs=headers(secret=b"someone else"))
    assert oms.orders.find_by_external("shopify-us", "450789469") is None


def test_unknown_sku_is_refused_and_nothing_is_stored(oms: OMS) -> None:
    body = BODY.replace(b"IPOD2008RED", b"IPOD2008BLUE")
    with pytest.raises(UnknownSku):
        receive(oms, body)
    assert oms.orders.find_by_external("shopify-us", "450789469") is None
    assert oms.inventory.level("IPOD2008GREEN", "LOU").reserved == 0


def test_a_currency_the_channel_does_not_sell_is_refused(oms: OMS) -> None:
    body = BODY.replace(b'"currency": "USD"', b'"currency": "EUR"')
    with pytest.raises(ValidationError) as err:
        receive(oms, body)
    assert err.value.field == "currency"
    assert oms.orders.find_by_external("shopify-us", "450789469") is None


def ship(oms: OMS, order_id: str) -> Any:
    shipment = None
    for fo in oms.fulfillment.release(order_id):
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id)
    assert shipment is not None
    return shipment


def test_shipment_becomes_a_fulfillment_against_shopify_fulfillment_orders(oms: OMS) -> None:
    order = receive(oms)
    shipment = ship(oms, order.id)
    channel_order = shopify.parse_order(decode_json(BODY))
    fos = json.loads((FIXTURES / "shopify" / "fulfillment_orders.json").read_text())
    request = shopify.fulfillment_request(shipment, line_map=channel_order.line_map(),
                                          fulfillment_orders=fos,
                                          carrier_names={"sandbox": "Other"})  # fmt: skip
    assert (request.method, request.url) == ("POST", "fulfillments.json")
    body = request.payload()
    assert body is not None
    assert body["fulfillment"]["line_items_by_fulfillment_order"] == [{
        "fulfillment_order_id": 1046000778,
        "fulfillment_order_line_items": [{"id": 1058737482, "quantity": 1},
                                         {"id": 1058737483, "quantity": 1}],
    }]  # fmt: skip
    tracking = body["fulfillment"]["tracking_info"]
    assert tracking == {"company": "Other", "number": shipment.tracking_numbers[0]}
    sent: list[HttpRequest] = [request.resolve("https://shop.example/admin/api/2024-10")]
    assert json.loads(sent[0].body) == body  # what a host transport would receive


def test_fulfillment_orders_that_cannot_take_the_units_are_refused(oms: OMS) -> None:
    order = receive(oms)
    shipment = ship(oms, order.id)
    fos = json.loads((FIXTURES / "shopify" / "fulfillment_orders.json").read_text())
    fos["fulfillment_orders"][0]["line_items"][1]["fulfillable_quantity"] = 0
    line_map = shopify.parse_order(decode_json(BODY)).line_map()
    with pytest.raises(ValidationError) as err:
        shopify.fulfillment_request(shipment, line_map=line_map, fulfillment_orders=fos)
    assert err.value.field == "shipment.lines"
    assert "518995019" in str(err.value)
    with pytest.raises(ValidationError) as err:
        shopify.fulfillment_request(shipment, line_map={"L1": "466157049"},
                                    fulfillment_orders=fos)  # fmt: skip
    assert err.value.field == "shipment.lines.L2"


def test_cancellation_and_refunds_go_back_with_the_platform_ids() -> None:
    usd = Money(Decimal("199.00"), "USD")
    cancelled = OrderCancelled(order_id="ord_1", reason="customer asked", actor="ops",
                               refunded=usd, voided=Money.zero("USD"))  # fmt: skip
    cancel = shopify.cancel_request(cancelled, external_id="450789469", reason="customer")
    assert cancel.url == "orders/450789469/cancel.json"
    assert cancel.payload() == {"reason": "customer", "email": False}
    with pytest.raises(ValidationError):
        shopify.cancel_request(cancelled, external_id="1", reason="bored")
    lines = OrderLinesCancelled(order_id="ord_1", lines=(("L2", 1),), reason="damaged",
                                actor="ops", refunded=usd, voided=Money.zero("USD"))  # fmt: skip
    refund = shopify.refund_request(lines, external_id="450789469",
                                    line_map={"L1": "466157049", "L2": "518995019"},
                                    parent_transaction_id="389404469",
                                    gateway="bogus")  # fmt: skip
    assert refund.payload() == {"refund": {
        "currency": "USD", "notify": False, "note": "damaged",
        "refund_line_items": [{"line_item_id": 518995019, "quantity": 1,
                               "restock_type": "cancel"}],
        "transactions": [{"parent_id": 389404469, "amount": "199.00", "kind": "refund",
                          "gateway": "bogus"}],
    }}  # fmt: skip
    woo = woocommerce.refund_request(lines, external_id="727", line_map={"L2": "316"})
    assert woo.payload() == {"amount": "199.00", "reason": "damaged", "api_refund": False,
                        "line_items": [{"id": 316, "quantity": 1}]}  # fmt: skip


def test_inventory_levels_and_statuses_go_back() -> None:
    level = json.loads((FIXTURES / "shopify" / "upstream_inventory_level.json").read_text())
    item = level["inventory_level"]
    request = shopify.inventory_request(
        inventory_item_id=str(item["inventory_item_id"]),
        location_id=str(item["location_id"]),
        available=6,
    )
    assert request.payload() == {"location_id": 905684977, "inventory_item_id": 808950810,
                            "available": 6}  # fmt: skip
    with pytest.raises(ValidationError):
        shopify.inventory_request(inventory_item_id="1", location_id="2", available="6")  # type: ignore[arg-type]
    assert woocommerce.status_request("727", "completed").payload() == {"status": "completed"}
    with pytest.raises(ValidationError):
        woocommerce.status_request("727", "shipped")
    stock = woocommerce.stock_request("22", 4, variation_id="23")
    assert stock.url == "products/22/variations/23"
    assert stock.payload() == {"manage_stock": True, "stock_quantity": 4}


def test_missing_order_is_still_not_found(oms: OMS) -> None:
    with pytest.raises(NotFound):
        oms.orders.get("ord_missing")
