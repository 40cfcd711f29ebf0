"""A Shopify order webhook taken through capture, routing and shipment, and back.

Run with ``python examples/shopify_to_shipment.py``. The order is Shopify's own sample
(``tests/fixtures/integrations/shopify/order.json``), delivered as an ``orders/create``
webhook signed with the app's secret; no network is used: the fulfillment that would go
back to Shopify is printed instead of sent, after it passed Shopify's documented
request schema.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

from omskit import OMS
from omskit.integrations import shopify
from omskit.integrations.channel import ChannelSignatureInvalid
from omskit.integrations.schemas import PayloadInvalid, validate_payload
from omskit.integrations.transport import HttpRequest, decode_json
from omskit.testing import FakeClock

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "integrations"
SECRET = b"shpss_example_app_secret"
SHOP = "https://example.myshopify.com/admin/api/2024-10"


def setup() -> OMS:
    oms = OMS.in_memory(
        clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
        autoload=False,
        config={"exchange_rates": {"EUR": {"USD": "1.08"}}},  # the sandbox carrier's EUR
    )
    # Shopify charges its own prices, before tax: the channel accepts them as sent
    oms.channels.add("shopify-us", kind="web", currencies=("USD",),
                     prices_include_tax=False, channel_prices="accept")  # fmt: skip
    for sku in ("IPOD2008GREEN", "IPOD2008RED"):
        oms.catalog.add_product(sku, name=sku, price="189.00", currency="USD",
                                weight_grams=200)  # fmt: skip
    oms.inventory.add_location("LOU", name="Louisville DC", country="US", lat=38.25,
                               lon=-85.76)  # fmt: skip
    oms.inventory.add_location("SFO", name="Oakland DC", country="US", lat=37.8,
                               lon=-122.27)  # fmt: skip
    for sku in ("IPOD2008GREEN", "IPOD2008RED"):
        oms.inventory.receive(sku, location="LOU", quantity=5)
    oms.inventory.receive("IPOD2008GREEN", location="SFO", quantity=1)
    return oms


def webhook(body: bytes, secret: bytes) -> dict[str, str]:
    """The headers Shopify sends with a delivery (signed with ``secret``)."""
    digest = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    return {"X-Shopify-Hmac-Sha256": digest, "X-Shopify-Topic": "orders/create"}


def send(request: HttpRequest) -> None:
    """A host's transport; this one prints what it would send.

    With httpx: ``httpx.Client().request(r.method, r.url, headers=list(r.headers),
    content=r.body)`` where ``r = request.resolve(SHOP, auth_headers)``.
    """
    full = request.resolve(SHOP, [("X-Shopify-Access-Token", "shpat_...")])
    print(f"   {full.method} {full.url}")
    print(f"   Idempotency key: {full.idempotency_key}")
    print("   " + json.dumps(json.loads(full.body), indent=2).replace("\n", "\n   "))


def main() -> None:
    oms = setup()
    body = (FIXTURES / "shopify" / "order.json").read_bytes()

    print("1. A delivery signed with the wrong secret is refused before parsing")
    try:
        shopify.receive_order(body, webhook(body, b"not the secret"), secrets=[SECRET],
                              orders=oms.orders, channel="shopify-us")  # fmt: skip
    except ChannelSignatureInvalid as exc:
        print(f"   {exc}")

    print("\n2. The signed orders/create webhook: HMAC verified, mapped, captured")
    order = shopify.receive_order(body, webhook(body, SECRET), secrets=[SECRET],
                                  orders=oms.orders, channel="shopify-us")  # fmt: skip
    channel_order = shopify.parse_order(decode_json(body))
    line_map = channel_order.line_map()
    print(f"   Shopify {channel_order.number} (id {order.external_id}) -> {order.id}, "
          f"{order.status}, {order.total.gross}")  # fmt: skip
    for line in order.lines:
        print(f"   {line.id} {line.quantity} x {line.sku} at {line.unit_price} "
              f"(Shopify line {line_map[line.id]})")  # fmt: skip

    print("\n3. Shopify retries the delivery: nothing new is captured")
    again = shopify.receive_order(body, webhook(body, SECRET), secrets=[SECRET],
                                  orders=oms.orders, channel="shopify-us")  # fmt: skip
    print(f"   {again.id}, version {again.version} (unchanged)")

    print("\n4. Routed, picked, packed and shipped")
    shipment = None
    for fo in oms.fulfillment.release(order.id):
        units = ", ".join(f"{x.quantity} x {x.sku}" for x in fo.lines)
        print(f"   routed to {fo.location}: {units}")
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id)
    assert shipment is not None
    print(f"   {shipment.id} from {shipment.location} by {shipment.carrier}: "
          f"{', '.join(shipment.tracking_numbers)}")  # fmt: skip

    print("\n5. The fulfillment that goes back (checked against Shopify's schema)")
    fulfillment_orders = json.loads((FIXTURES / "shopify" / "fulfillment_orders.json").read_text())
    request = shopify.fulfillment_request(
        shipment, line_map=line_map, fulfillment_orders=fulfillment_orders,
        carrier_names={"sandbox": "Other"}, notify_customer=True,
    )  # fmt: skip
    send(request)

    print("\n6. A payload Shopify would refuse never reaches the transport")
    broken = dict(request.payload() or {})
    broken["fulfillment"] = {**broken["fulfillment"], "notify_customer": "yes"}
    try:
        validate_payload(broken, "shopify.fulfillment")
    except PayloadInvalid as exc:
        print(f"   {exc}")


if __name__ == "__main__":
    main()
