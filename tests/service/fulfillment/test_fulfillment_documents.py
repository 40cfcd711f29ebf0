"""Documents from stored shipments: packing slips, labels, commercial invoices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import babel.dates

from omskit import OMS
from omskit.fulfillment import locale_for
from omskit.money import format_money, sum_money

from .fulfillment_helpers import ZURICH, shipped

Capture = Callable[..., Any]


def test_a_cross_border_parcel_gets_a_commercial_invoice_in_the_recipients_locale(
    world: OMS, capture: Capture
) -> None:
    shipment = shipped(world, capture, {"TEE-M": 2, "MUG-01": 1}, ship_to=ZURICH)
    invoice = world.fulfillment.documents.invoice(shipment.id)
    assert invoice is not None
    assert [(x.sku, x.hs_code, x.origin, x.quantity) for x in invoice.lines] == [
        ("TEE-M", "610910", "PT", 2),
        ("MUG-01", "732394", "DE", 1),
    ]
    assert invoice.total_weight_grams == 2 * 180 + 350
    order = world.orders.get(shipment.order_id)
    assert invoice.total_value == sum_money((x.total.net for x in order.lines), order.currency)
    doc = world.fulfillment.documents.commercial_invoice(shipment.id)
    assert doc is not None
    assert "Commercial invoice CI-" in doc.text
    # dates and amounts as babel writes them for the recipient's locale (de_CH in Zurich)
    swiss = locale_for(invoice.recipient.country)
    assert swiss.endswith("_CH")
    assert babel.dates.format_date(invoice.issued, "long", locale=swiss) in doc.text
    assert format_money(invoice.total_value, swiss) in doc.text
    assert format_money(invoice.total_value, "en_US") not in doc.text
    assert "Urs &lt;Müller&gt;" in doc.html
    assert "<Müller>" not in doc.html


def test_a_domestic_or_eu_parcel_needs_no_commercial_invoice(world: OMS, capture: Capture) -> None:
    shipment = shipped(world, capture, {"TEE-M": 1})
    assert world.fulfillment.documents.commercial_invoice(shipment.id) is None


def test_every_parcel_has_a_packing_slip_and_a_label(world: OMS, capture: Capture) -> None:
    shipment = shipped(world, capture, {"TV-55": 2})
    slips = world.fulfillment.documents.packing_slips(shipment.id)
    labels = world.fulfillment.documents.labels(shipment.id)
    assert [s.title.split(" - ")[1] for s in slips] == ["parcel 1 of 2", "parcel 2 of 2"]
    assert all("TV 55 inch" in s.text for s in slips)
    assert [label.kind for label in labels] == ["label", "label"]
    for number, label in zip(shipment.tracking_numbers, labels, strict=True):
        assert number in label.text
        assert label.html.startswith('<article class="omskit-document">')
