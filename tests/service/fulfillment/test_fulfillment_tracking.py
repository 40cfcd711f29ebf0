"""Tracking webhooks move shipments, lines and orders; any order or repeat, same result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omskit import OMS
from omskit.carriers import SandboxCarrier, UnknownTrackingNumber
from omskit.errors import InvalidTransition
from omskit.fulfillment import Shipment
from omskit.testing import FakeClock, RecordingSubscriber

from ...webhooks import deliver  # noqa: TID252 - the shared test helpers live in tests/
from .fulfillment_helpers import shipped

Capture = Callable[..., Any]


def labelled(
    oms: OMS, capture: Capture, lines: dict[str, int], scenario: str = "delivered"
) -> Shipment:
    return shipped(oms, capture, lines, service="standard", options={"scenario": scenario})


def payloads(oms: OMS, shipment: Shipment, scenario: str | None = None) -> list[dict[str, Any]]:
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    found = []
    for number in shipment.tracking_numbers:
        found.extend(sandbox.webhook_payloads(oms.carriers.label(number).label, scenario))
    return found


def state(oms: OMS, shipment: Shipment) -> tuple[Any, ...]:
    s = oms.fulfillment.shipment(shipment.id)
    order = oms.orders.get(s.order_id)
    return (
        s.status,
        s.dispatched,
        s.delivered,
        [p.status for p in s.parcels],
        order.status,
        [(x.shipped, x.delivered) for x in order.lines],
        oms.inventory.level("TV-55", "BER").on_hand,
        oms.inventory.level("TEE-M", "BER").on_hand,
    )


def test_webhooks_carry_a_shipment_to_delivered_and_the_order_with_it(
    world: OMS, capture: Capture
) -> None:
    shipment = labelled(world, capture, {"TEE-M": 2})
    seen = []
    for payload in payloads(world, shipment):
        deliver(world, "sandbox", payload)
        seen.append(world.fulfillment.shipment(shipment.id).status)
    assert seen == ["label_purchased", "handed_over", "in_transit", "out_for_delivery", "delivered"]
    order = world.orders.get(shipment.order_id)
    assert order.status == "delivered"
    assert (order.lines[0].shipped, order.lines[0].delivered) == (2, 2)
    assert world.inventory.level("TEE-M", "BER").on_hand == 8
    assert world.inventory.level("TEE-M", "BER").reserved == 0


def test_a_multi_parcel_shipment_is_delivered_when_its_last_parcel_is(
    world: OMS, capture: Capture
) -> None:
    shipment = labelled(world, capture, {"TV-55": 2})
    first, second = shipment.tracking_numbers
    for payload in payloads(world, shipment):
        if payload["tracking_number"] == first:
            deliver(world, "sandbox", payload)
    s = world.fulfillment.shipment(shipment.id)
    assert (s.status, s.dispatched, s.delivered) == ("handed_over", True, False)
    assert s.parcel(first).status == "delivered"  # type: ignore[union-attr]
    assert world.orders.get(s.order_id).status == "shipped"
    for payload in payloads(world, shipment):
        if payload["tracking_number"] == second:
            deliver(world, "sandbox", payload)
    assert world.fulfillment.shipment(shipment.id).status == "delivered"
    assert world.orders.get(s.order_id).status == "delivered"


@pytest.mark.parametrize("scenario", ["lost", "returned_to_sender"])
def test_exceptions_are_shown_and_recorded_as_events(
    make_world: Callable[[], tuple[OMS, FakeClock, Capture]], scenario: str
) -> None:
    oms, _clock, capture = make_world()
    recorder = RecordingSubscriber()
    oms.events.subscribe("recorder", recorder.omskit_on_event)
    shipment = labelled(oms, capture, {"TEE-M": 1}, scenario)
    for payload in payloads(oms, shipment):
        deliver(oms, "sandbox", payload)
    assert oms.fulfillment.shipment(shipment.id).status == scenario
    exceptions = [e for e in recorder.events if e.event_type == "ShipmentException"]
    assert [e.status for e in exceptions][-1] == scenario  # type: ignore[attr-defined]
    assert oms.orders.get(shipment.order_id).status == "shipped"


def test_a_duplicate_delivery_is_a_clean_no_op(world: OMS, capture: Capture) -> None:
    shipment = labelled(world, capture, {"TEE-M": 1})
    first = payloads(world, shipment)[:3]
    for payload in first:
        deliver(world, "sandbox", payload)
    before = state(world, shipment)
    versions = world.fulfillment.shipment(shipment.id).version
    result = deliver(world, "sandbox", first[1])
    assert result.duplicate
    resent = dict(first[2], delivery_id="another-id")  # same event, new delivery id
    assert deliver(world, "sandbox", resent).duplicate
    assert state(world, shipment) == before
    assert world.fulfillment.shipment(shipment.id).version == versions


def test_a_payload_for_an_unknown_parcel_applies_nothing(world: OMS, capture: Capture) -> None:
    shipment = labelled(world, capture, {"TEE-M": 1})
    (payload, handover, *_rest) = payloads(world, shipment)
    both = {
        "tracking_number": shipment.tracking_numbers[0],
        "events": [handover["event"]],
    }
    before = state(world, shipment)
    with pytest.raises(UnknownTrackingNumber) as info:
        deliver(world, "sandbox", dict(payload, tracking_number="SB000000000DE"))
    assert info.value.tracking_number == "SB000000000DE"
    assert state(world, shipment) == before
    deliver(world, "sandbox", both)
    assert world.fulfillment.shipment(shipment.id).dispatched


def test_a_fulfillment_label_can_only_be_voided_through_fulfillment(
    world: OMS, capture: Capture
) -> None:
    shipment = labelled(world, capture, {"TEE-M": 1})
    with pytest.raises(InvalidTransition, match=r"oms\.fulfillment"):
        world.carriers.void_label(shipment.tracking_numbers[0])


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_tracking_events_in_any_order_or_twice_leave_the_same_final_state(
    make_world: Callable[[], tuple[OMS, FakeClock, Capture]], data: st.DataObject
) -> None:
    scenario = data.draw(st.sampled_from(["delivered", "failed_attempt", "lost", "delayed"]))
    results = []
    for shuffle in (False, True):
        oms, _clock, capture = make_world()
        shipment = labelled(oms, capture, {"TV-55": 2, "TEE-M": 1}, scenario)
        sent = payloads(oms, shipment)
        if shuffle:
            extra = data.draw(st.lists(st.sampled_from(sent), max_size=6))
            sent = data.draw(st.permutations(sent + extra))
        for payload in sent:
            deliver(oms, "sandbox", payload)
        results.append(state(oms, shipment))
    assert results[0] == results[1]


def test_handing_over_twice_ships_once(world: OMS, capture: Capture, clock: FakeClock) -> None:
    shipment = labelled(world, capture, {"TEE-M": 3})
    world.fulfillment.hand_over(shipment.id)
    clock.advance(hours=1)
    world.fulfillment.hand_over(shipment.id)  # a second scan, later: nothing ships twice
    order = world.orders.get(shipment.order_id)
    assert order.lines[0].shipped == 3
    assert world.inventory.level("TEE-M", "BER").on_hand == 7
    assert clock.now() > shipment.created_at + dt.timedelta(minutes=30)
