"""A hand-over is reported one way: fulfillment -> carriers, inventory, orders -> payments.

It used to invent a tracking scan and reach its own shipment back through the carriers'
tracking listener; now fulfillment marks the labels and moves the shipment itself. The
effects a host sees (events, timeline, labels, stock, the capture) stay the same.
"""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS
from omskit.carriers.records import LabelRecord
from omskit.fulfillment import Shipment
from omskit.testing import FakeClock, RecordingSubscriber

from ...webhooks import deliver  # noqa: TID252 - the shared test helpers live in tests/
from .conftest import START, build_world, make_capture


@pytest.fixture
def labelled() -> tuple[OMS, Shipment, list[tuple[str, tuple[str, ...]]]]:
    """Payment captured at shipment, one labelled shipment, and a host tracking listener."""
    oms = OMS.in_memory(
        {"payments": {"capture": "shipment"}}, clock=FakeClock(START), autoload=False
    )
    build_world(oms)
    order = make_capture(oms)({"TEE-M": 2}, payment={"method": "tok_visa"})
    (fo,) = oms.fulfillment.release(order.id)
    oms.fulfillment.accept(fo.id)
    oms.fulfillment.confirm_pick(fo.id)
    oms.fulfillment.pack(fo.id)
    shipment = oms.fulfillment.ship(fo.id, carrier="sandbox", service="standard")
    heard: list[tuple[str, tuple[str, ...]]] = []

    def listener(_uow: Any, record: LabelRecord, new: tuple[Any, ...]) -> None:
        heard.append((record.tracking_number, tuple(e.code for e in new)))

    oms.carriers.add_tracking_listener(listener)
    return oms, shipment, heard


def seen(oms: OMS, shipment: Shipment) -> tuple[Any, ...]:
    s = oms.fulfillment.shipment(shipment.id)
    order = oms.orders.get(s.order_id)
    return (
        s.status,
        s.dispatched,
        [p.status for p in s.parcels],
        len(s.history),
        order.status,
        len(order.history),
        oms.payments.get(s.order_id).captured,
        oms.inventory.level("TEE-M", "BER").on_hand,
    )


def test_a_hand_over_moves_everything_below_without_a_listener_round_trip(
    labelled: tuple[OMS, Shipment, list[tuple[str, tuple[str, ...]]]],
) -> None:
    oms, shipment, heard = labelled
    recorder = RecordingSubscriber()
    oms.events.subscribe("recorder", recorder.omskit_on_event)
    on_hand = oms.inventory.level("TEE-M", "BER").on_hand

    oms.fulfillment.hand_over(shipment.id, actor="dock-7")

    assert heard == []  # nothing travelled back up through the carriers' listener
    s = oms.fulfillment.shipment(shipment.id)
    assert (s.status, s.dispatched, s.delivered) == ("handed_over", True, False)
    (number,) = s.tracking_numbers
    label = oms.carriers.label(number)
    assert label.tracking_status == "handed_over"
    assert [e.code for e in label.events] == ["HANDOVER"]
    assert oms.inventory.level("TEE-M", "BER").on_hand == on_hand - 2
    order = oms.orders.get(s.order_id)
    assert (order.status, order.lines[0].shipped) == ("shipped", 2)
    payment = oms.payments.get(s.order_id)
    assert payment.captured == order.total.gross
    kinds = [e.event_type for e in recorder.events]
    for expected in (
        "TrackingUpdated",
        "ShipmentDispatched",
        "OrderShipped",
        "PaymentCaptured",
        "ShipmentStatusChanged",
    ):
        assert expected in kinds, (expected, kinds)
    timeline = [(t.source, t.kind) for t in oms.orders.timeline(s.order_id).entries]
    assert ("order", "shipped") in timeline
    assert ("shipment", "handed_over") in timeline


def test_a_second_hand_over_changes_nothing_and_carrier_scans_still_reach_the_listener(
    labelled: tuple[OMS, Shipment, list[tuple[str, tuple[str, ...]]]],
) -> None:
    oms, shipment, heard = labelled
    oms.fulfillment.hand_over(shipment.id)
    recorder = RecordingSubscriber()
    oms.events.subscribe("recorder", recorder.omskit_on_event)
    before = seen(oms, shipment)
    oms.fulfillment.hand_over(shipment.id)
    assert recorder.events == []
    assert seen(oms, shipment) == before
    (number,) = shipment.tracking_numbers
    event = {"code": "DLV", "time": "2026-11-27T10:00:00Z", "location": "Berlin"}
    deliver(oms, "sandbox", {"tracking_number": number, "event": event})
    assert heard == [(number, ("DLV",))]
    s = oms.fulfillment.shipment(shipment.id)
    assert (s.status, s.delivered) == ("delivered", True)
    assert oms.orders.get(s.order_id).status == "delivered"
