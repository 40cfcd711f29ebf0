"""Channel integrations beyond Shopify: a WooCommerce order, and B2B orders by EDI X12.

Run with ``python examples/channel_integrations.py``. The WooCommerce order is the
sample from its REST API documentation; the 850 is a published sample purchase order.
No network is used: what would go back is printed instead of sent. The Shopify webhook
taken through to a shipment is ``examples/shopify_to_shipment.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from omskit import OMS
from omskit.integrations import woocommerce
from omskit.integrations.edi import documents, x12
from omskit.integrations.transport import HttpRequest, decode_json
from omskit.testing import FakeClock

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "integrations"


def setup() -> OMS:
    oms = OMS.in_memory(
        clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
        autoload=False,
    )
    # B2B orders by EDI arrive at the retailer's agreed prices: the channel takes them
    oms.channels.add("b2b-edi", kind="marketplace", currencies=("USD",),
                     prices_include_tax=False, channel_prices="accept")  # fmt: skip
    oms.inventory.add_location("LOU", name="Louisville DC", country="US", lat=38.25,
                               lon=-85.76)  # fmt: skip
    return oms


def send(request: HttpRequest) -> None:
    """A host's transport; this one prints what it would send."""
    full = request.resolve("https://shop.example/wp-json/wc/v3")
    print(f"   -> {full.method} {full.url}  (key {full.idempotency_key})")
    print(f"      {full.body.decode()}")


def main() -> None:
    oms = setup()
    print("1. WooCommerce: the documented sample order, a product without SKU mapped")
    woo = woocommerce.parse_order(
        decode_json((FIXTURES / "woocommerce" / "order.json").read_bytes()),
        sku_map={"93": "WOO-SINGLE-1"},
    )
    payload = woo.capture_payload("woo")
    print(f"   order {woo.external_id}: {payload['lines']}, shipping {payload['shipping']}, "
          f"total as charged {woo.total}")  # fmt: skip
    print("   once shipped, the status that goes back (checked against WooCommerce's schema):")
    send(woocommerce.status_request(woo.external_id, "completed"))

    edi_round(oms)


def edi_round(oms: OMS) -> None:
    """An 850 captured, acknowledged with an 855 and a 997; a broken sample refused."""
    print("\n2. EDI: a retailer's 850 (separators read from its ISA) captured and answered")
    partner = documents.TradingPartner(
        name="Retailer",
        channel="b2b-edi",
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
