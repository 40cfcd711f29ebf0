"""A 3PL by EDI: the 940 shipping order out, the 945 advice in, confirmed as a pick."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import ValidationError
from omskit.integrations.edi import documents, warehouse, x12
from omskit.integrations.edi.x12 import X12Error
from omskit.testing import FakeClock

EDI = Path(__file__).parents[2] / "fixtures" / "integrations" / "edi"
AT = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
PARTNER = documents.TradingPartner(name="3PL", channel="edi-retailer", qualifier="ZZ",
                                   partner_id="THREEPL", email="edi@retailer.example")  # fmt: skip


@pytest.fixture
def released() -> tuple[OMS, Any, Any]:
    oms = OMS.in_memory(clock=FakeClock(AT), autoload=False)
    oms.channels.add("edi-retailer", kind="marketplace", currencies=("USD",),
                     prices_include_tax=False, channel_prices="accept")  # fmt: skip
    for sku in ("MUG-BLUE", "TOWEL-1"):
        oms.catalog.add_product(sku, name=sku, price="9.99", currency="USD", weight_grams=350)
    oms.inventory.add_location("3PL", name="3PL Reno", country="US", lat=39.5, lon=-119.8)
    oms.inventory.receive("MUG-BLUE", location="3PL", quantity=50)
    oms.inventory.receive("TOWEL-1", location="3PL", quantity=50)
    (po,) = documents.parse_850((EDI / "850_two_lines.edi").read_text(), PARTNER)
    order = oms.orders.capture(po.capture_payload(PARTNER))
    (fo,) = oms.fulfillment.release(order.id)
    return oms, order, fo


def test_940_orders_the_warehouse_to_ship_the_fulfillment_order(
    released: tuple[OMS, Any, Any],
) -> None:
    oms, order, fo = released
    text = warehouse.emit_940(fo, order, PARTNER, control_number=77, at=AT, scac="UPSN")
    (group,) = x12.parse(text).groups
    assert group.functional_id == "OW"
    segs = group.sets[0].segments
    assert segs[0].elements == ("N", fo.id, "PO-88231")
    assert [s.elements for s in segs if s.id == "W01"] == [
        ("12", "EA", "", "VN", "MUG-BLUE"), ("3", "EA", "", "VN", "TOWEL-1"),
    ]  # fmt: skip
    assert next(s for s in segs if s.id == "W76").get(1) == "15"
    assert next(s for s in segs if s.id == "W66").get(10) == "UPSN"
    with pytest.raises(ValidationError):
        warehouse.emit_940(fo, oms.orders.capture({**_other(order)}), PARTNER,
                           control_number=78, at=AT)  # fmt: skip


def _other(order: Any) -> dict[str, Any]:
    return {"channel": "edi-retailer", "external_id": "PO-2", "currency": "USD",
            "customer": {"email": "x@example.com"},
            "ship_to": {"country": "US", "line1": "1 A St", "city": "Reno", "region": "NV",
                        "postal_code": "89501"},
            "lines": [{"sku": "MUG-BLUE", "quantity": 1, "unit_price": "4.25"}]}  # fmt: skip


def test_945_becomes_the_pick_of_the_fulfillment_order(released: tuple[OMS, Any, Any]) -> None:
    oms, _order, fo = released
    text = (EDI / "945_template.edi").read_text().replace("FO_ID", fo.id)
    (advice,) = warehouse.parse_945(text, PARTNER)
    assert (advice.shipment_id, advice.po_number, advice.scac) == ("SHP-7781", "PO-88231",
                                                                   "UPSN")  # fmt: skip
    assert advice.tracking_numbers == ("1Z999AA10123456784",)
    assert advice.shipped_on == dt.date(2026, 11, 25)
    picked = advice.picked_for(fo)
    assert picked == {"L1": 12, "L2": 2}
    oms.fulfillment.accept(fo.id)  # the warehouse took the 940
    after = oms.fulfillment.confirm_pick(fo.id, picked=picked)
    assert {x.line_ref: x.picked for x in after.lines} == {"L1": 12, "L2": 2}


@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        ("W03*14*", "W03*15*", "W0301"),
        ("W12*PR*3*2*1*", "W12*PR*3*2*2*", "W1204"),
        ("W12*PR*3*2*1*", "W12*XX*3*2*1*", "W1201"),
        ("W12*PR*3*2*1*EA", "W12*PR*3*two*1*EA", "W1203"),
        ("W12*CC*12*12*0*EA", "W12*CC*12*12*0*CS", "W1205"),
        ("G62*11*20261125", "G62*11*20261135", "G6202"),
    ],
)
def test_bad_945_names_the_segment_and_element(old: str, new: str, element: str) -> None:
    text = (EDI / "945_template.edi").read_text()
    assert old in text
    with pytest.raises(X12Error) as err:
        warehouse.parse_945(text.replace(old, new, 1), PARTNER)
    assert err.value.element == element


def test_an_advice_for_another_order_or_item_is_refused(released: tuple[OMS, Any, Any]) -> None:
    _oms, _order, fo = released
    text = (EDI / "945_template.edi").read_text()
    (other,) = warehouse.parse_945(text, PARTNER)
    with pytest.raises(ValidationError) as err:
        other.picked_for(fo)
    assert err.value.field == "W0602"
    (wrong,) = warehouse.parse_945(text.replace("FO_ID", fo.id).replace("TOWEL-1", "LAMP"),
                                   PARTNER)  # fmt: skip
    with pytest.raises(ValidationError) as err:
        wrong.picked_for(fo)
    assert err.value.field == "W1208"
