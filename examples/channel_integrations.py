"""Channel integrations: a Shopify webhook to a shipment, and what goes back to Shopify.

Run with ``python examples/channel_integrations.py``. The order is Shopify's own sample
(``tests/fixtures/integrations/shopify/order.json``); no network is used: the requests
that would go back are printed instead of sent.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

from omskit import OMS
from omskit.integrations import shopify, woocommerce
from omskit.integrations.channel import ChannelSignatureInvalid, OutboundRequest, load_json
from omskit.integrations.edi import documents, x12
from omskit.testing import FakeClock

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "integrations"
SECRET = b"shpss_example_app_secret"


def setup() -> OMS:
    oms = OMS.in_memory(
        clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
        autoload=False,
        config={"exchange_rates": {"EUR": {"USD": "1.08"}}},
    )
    # Shopify charges its own prices, before tax: the channel accepts them as sent
    oms.channels.add("shopify-us", kind="web", currencies=("USD",),
                     prices_include_tax=False, channel_prices="accept")  # fmt: skip
    for sku in ("IPOD2008GREEN", "IPOD2008RED", "Bar3", "WOO-SINGLE-1"):
        oms.catalog.add_product(sku, name=sku, price="189.00", currency="USD",
                                weight_grams=200)  # fmt: skip
    oms.inventory.add_location("LOU", name="Louisville DC", country="US", lat=38.25,
                               lon=-85.76)  # fmt: skip
    for sku in ("IPOD2008GREEN", "IPOD2008RED"):
        oms.inventory.receive(sku, location="LOU", quantity=5)
    return oms


def webhook(body: bytes, secret: bytes) -> dict[str, str]:
    """The headers Shopify sends with a delivery (signed with ``secret``)."""
    digest = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    return {"X-Shopify-Hmac-Sha256": digest, "X-Shopify-Topic": "orders/create",
            "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}  # fmt: skip


def transport(request: OutboundRequest) -> None:
    """A host's sender; this one prints.

    With httpx: ``client.request(r.method, f"{base}/{r.path}", content=r.json())``.
    """
    print(f"   -> {request.method} {request.path}  (key {request.idempotency_key})")
    print(f"      {json.dumps(request.body)}")


def main() -> None:
    oms = setup()
    body = (FIXTURES / "shopify" / "order.json").read_bytes()

    print("1. A spoofed delivery is refused before anything is parsed")
    try:
        shopify.receive_order(body, webhook(body, b"not the secret"), secrets=[SECRET],
                              orders=oms.orders, channel="shopify-us")  # fmt: skip
    except ChannelSignatureInvalid as exc:
        print(f"   {exc}")

    print("\n2. The signed orders/create webhook is verified, mapped and captured")
    order = shopify.receive_order(body, webhook(body, SECRET), secrets=[SECRET],
                                  orders=oms.orders, channel="shopify-us")  # fmt: skip
    channel_order = shopify.parse_order(load_json(body))
    print(f"   Shopify {channel_order.number} (id {order.external_id}) -> {order.id}, "
          f"{order.status}")  # fmt: skip
    for line in order.lines:
        print(f"   {line.id} {line.quantity} x {line.sku} at {line.unit_price} "
              f"(Shopify line {channel_order.line_map()[line.id]})")  # fmt: skip
    for field, value, _why in channel_order.dropped:
        print(f"   left out {field}={value!r}: not a valid phone number there")

    print("\n3. The same delivery again (Shopify retries) captures nothing new")
    again = shopify.receive_order(body, webhook(body, SECRET), secrets=[SECRET],
                                  orders=oms.orders, channel="shopify-us")  # fmt: skip
    print(f"   {again.id}, version {again.version} (unchanged)")

    print("\n4. Routed, picked, packed and shipped")
    shipment = None
    for fo in oms.fulfillment.release(order.id):
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id)
    assert shipment is not None
    print(f"   {shipment.id} from {shipment.location} by {shipment.carrier}: "
          f"{', '.join(shipment.tracking_numbers)}")  # fmt: skip

    print("\n5. The fulfillment that goes back to Shopify")
    fulfillment_orders = json.loads((FIXTURES / "shopify" / "fulfillment_orders.json").read_text())
    transport(shopify.fulfillment_request(
        shipment, line_map=channel_order.line_map(), fulfillment_orders=fulfillment_orders,
        carrier_names={"sandbox": "Other"}, notify_customer=True,
    ))  # fmt: skip

    print("\n6. Stock levels go back per location")
    level = oms.inventory.level("IPOD2008GREEN", "LOU")
    transport(shopify.inventory_request(inventory_item_id="39072856", location_id="24826418",
                                        available=level.available))  # fmt: skip

    print("\n7. WooCommerce: the documented sample order, a product without SKU mapped")
    woo = woocommerce.parse_order(
        load_json((FIXTURES / "woocommerce" / "order.json").read_bytes()),
        sku_map={"93": "WOO-SINGLE-1"},
    )
    payload = woo.capture_payload("woo")
    print(f"   order {woo.external_id}: {payload['lines']}, shipping {payload['shipping']}, "
          f"total as charged {woo.total}")  # fmt: skip
    transport(woocommerce.status_request(woo.external_id, "completed"))

    edi_round(oms)


def edi_round(oms: OMS) -> None:
    """An 850 captured, acknowledged with an 855 and a 997; a broken sample refused."""
    print("\n8. EDI: a retailer's 850 (separators read from its ISA) captured and answered")
    partner = documents.TradingPartner(
        name="Retailer",
        channel="shopify-us",
        qualifier="ZZ",
        partner_id="RETAILER",
        email="edi@retailer.example",
        scac={"sandbox": "SNDB"},
    )
    for sku in ("MUG-BLUE", "TOWEL-1"):
        oms.catalog.add_product(sku, name=sku, price="4.00", currency="USD",
                                weight_grams=350)  # fmt: skip
        oms.inventory.receive(sku, location="LOU", quantity=20)
    received = x12.parse((FIXTURES / "edi" / "850_two_lines.edi").read_text())
    (po,) = documents.parse_850(received, partner)
    edi_order = oms.orders.capture(po.capture_payload(partner), actor="edi")
    print(f"   PO {po.po_number} -> {edi_order.id}, {edi_order.total.gross}")
    ack = documents.emit_855(po, edi_order, partner, control_number=1001, at=oms.clock.now())
    fa = documents.emit_997(received, partner, control_number=1002, at=oms.clock.now())
    for text in (ack, fa):
        segments = text.split("\n")
        print("   " + " ".join(s for s in segments[2:-4] if s))
    try:
        x12.parse((FIXTURES / "edi" / "upstream_850.edi").read_text())
    except x12.X12Error as exc:
        print(f"   a published sample refused: {exc}")


if __name__ == "__main__":
    main()
