"""An 850 captured, acknowledged (855), shipped (856), invoiced (810) and answered (997)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from omskit import OMS
from omskit.integrations.edi import documents, x12
from omskit.money import Money
from omskit.testing import FakeClock

EDI = Path(__file__).parents[2] / "fixtures" / "integrations" / "edi"
AT = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
PARTNER = documents.TradingPartner(
    name="Retailer", channel="edi-retailer", qualifier="ZZ", partner_id="RETAILER",
    email="edi@retailer.example", scac={"sandbox": "SNDB"},
)  # fmt: skip


@pytest.fixture
def oms() -> OMS:
    oms = OMS.in_memory(clock=FakeClock(AT), autoload=False,
                        config={"exchange_rates": {"EUR": {"USD": "1.08"}}})  # fmt: skip
    oms.channels.add("edi-retailer", kind="marketplace", currencies=("USD",),
                     prices_include_tax=False, channel_prices="accept")  # fmt: skip
    for sku in ("MUG-BLUE", "TOWEL-1"):
        oms.catalog.add_product(sku, name=sku, price="9.99", currency="USD", weight_grams=350)
    oms.inventory.add_location("SFO", name="SF DC", country="US", lat=37.77, lon=-122.42)
    oms.inventory.receive("MUG-BLUE", location="SFO", quantity=50)
    oms.inventory.receive("TOWEL-1", location="SFO", quantity=50)
    return oms


def captured(oms: OMS) -> tuple[documents.PurchaseOrder, Any]:
    received = x12.parse((EDI / "850_two_lines.edi").read_text())
    (po,) = documents.parse_850(received, PARTNER)
    return po, oms.orders.capture(po.capture_payload(PARTNER), actor="edi")


def body(text: str) -> list[x12.Segment]:
    (group,) = x12.parse(text).groups
    (tx,) = group.sets
    return list(tx.segments)


def test_850_is_captured_at_its_prices_and_a_replay_is_the_same_order(oms: OMS) -> None:
    po, order = captured(oms)
    assert order.external_id == "PO-88231"
    assert [(x.sku, x.quantity, str(x.unit_price.amount)) for x in order.lines] == [
        ("MUG-BLUE", 12, "4.25"), ("TOWEL-1", 3, "10.00"),
    ]  # fmt: skip
    assert oms.orders.capture(po.capture_payload(PARTNER)).id == order.id


def test_855_acknowledges_every_line(oms: OMS) -> None:
    po, order = captured(oms)
    text = documents.emit_855(po, order, PARTNER, control_number=901, at=AT)
    parsed = x12.parse(text)
    assert (parsed.receiver_id, parsed.control_number) == ("RETAILER", "000000901")
    assert parsed.groups[0].functional_id == "PR"
    segs = body(text)
    assert segs[0] == x12.Segment("BAK", ("00", "AD", "PO-88231", "20261124"))
    acks = [s.elements for s in segs if s.id == "ACK"]
    assert acks == [("IA", "12", "EA"), ("IA", "3", "EA")]
    order = oms.orders.cancel_lines(order.id, {"L2": 1}, reason="short", actor="ops")
    segs = body(documents.emit_855(po, order, PARTNER, control_number=902, at=AT))
    assert segs[0].get(2) == "AC"
    assert [s.elements for s in segs if s.id == "ACK"][1:] == [("IA", "2", "EA"),
                                                               ("IR", "1", "EA")]  # fmt: skip


def test_856_describes_the_shipment_in_its_hierarchy(oms: OMS) -> None:
    po, order = captured(oms)
    shipment = None
    for fo in oms.fulfillment.release(order.id):
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id)
    assert shipment is not None
    text = documents.emit_856(po, shipment, PARTNER, control_number=903, at=AT)
    segs = body(text)
    assert segs[0].id == "BSN"
    assert segs[0].get(2) == shipment.id
    levels = [(s.get(1), s.get(2), s.get(3)) for s in segs if s.id == "HL"]
    assert levels[:2] == [("1", "", "S"), ("2", "1", "O")]
    assert {lvl for _, _, lvl in levels} == {"S", "O", "P", "I"}
    assert next(s for s in segs if s.id == "TD5").get(3) == "SNDB"
    assert next(s for s in segs if s.id == "PRF").get(1) == "PO-88231"
    shipped = {}
    items = [s for s in segs if s.id in ("LIN", "SN1")]
    for lin, sn1 in zip(items[::2], items[1::2], strict=True):
        shipped[lin.get(3)] = shipped.get(lin.get(3), 0) + int(sn1.get(2))
    assert shipped == {"MUG-BLUE": 12, "TOWEL-1": 3}
    assert next(s for s in segs if s.id == "CTT").get(1) == str(len(levels))
    assert [s.get(2) for s in segs if s.id == "MAN"] == list(shipment.tracking_numbers)


def test_810_amounts_add_up_to_the_orders_total_to_the_cent(oms: OMS) -> None:
    received = x12.parse((EDI / "850_two_lines.edi").read_text())
    (po,) = documents.parse_850(received, PARTNER)
    order = oms.orders.capture({**po.capture_payload(PARTNER), "shipping": "7.77"})
    text = documents.emit_810(po, order, PARTNER, invoice_number="INV-1", control_number=904,
                              at=AT)  # fmt: skip
    segs = body(text)
    lines = sum(Decimal(s.get(2)) * Decimal(s.get(4)) for s in segs if s.id == "IT1")
    tds = Decimal(next(s for s in segs if s.id == "TDS").get(1)) / 100
    tax = Decimal(next(s for s in segs if s.id == "TXI").get(2))
    sac = sum((Decimal(s.get(5)) / 100 for s in segs if s.id == "SAC"), Decimal(0))
    assert lines + sac + tax == tds
    assert Money(tds, "USD") == order.total.gross
    assert sac == Decimal("7.77")
    assert next(s for s in segs if s.id == "BIG").get(4) == "PO-88231"


def test_997_accepts_or_rejects_each_set() -> None:
    received = x12.parse((EDI / "850_two_lines.edi").read_text())
    segs = body(documents.emit_997(received, PARTNER, control_number=905, at=AT))
    assert [s.elements for s in segs] == [("PO", "731"), ("850", "0001"), ("A",),
                                          ("A", "1", "1", "1")]  # fmt: skip
    segs = body(documents.emit_997(received, PARTNER, control_number=906, at=AT,
                                   rejected={"0001": "unknown item"}))  # fmt: skip
    assert [s.elements for s in segs][2:] == [("R", "5"), ("R", "1", "1", "0")]
