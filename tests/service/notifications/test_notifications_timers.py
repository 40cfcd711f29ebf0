"""tick(): delay detection and pickup reminders fire once, when due, and not after."""

from __future__ import annotations

import datetime as dt

from omskit import OMS
from omskit.testing import FakeClock

from .conftest import Capture, ship, track_to_delivery


def test_a_promised_date_passing_without_delivery_is_reported_once(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    order = capture({"TEE-M": 1})
    (shipment_id,) = ship(world, order.id)
    promised = world.fulfillment.shipment(shipment_id).promised_date
    assert promised is not None
    clock.set(dt.datetime.combine(promised, dt.time(23, 59), tzinfo=dt.UTC))
    assert world.notifications.tick() == 0  # the promised day is not over yet
    clock.set(dt.datetime.combine(promised + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC))
    assert world.notifications.tick() == 1
    assert world.notifications.tick() == 0
    (late,) = world.notifications.messages(trigger="delay_detected")
    assert late.status == "sent"
    assert late.order_id == order.id
    assert "running late" in late.subject


def test_a_delivered_shipment_is_never_reported_late(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    order = capture({"TEE-M": 1})
    (shipment_id,) = ship(world, order.id)
    track_to_delivery(world, shipment_id)
    clock.advance(days=30)
    assert world.notifications.tick() == 0
    assert world.notifications.messages(trigger="delay_detected") == []


def ready(oms: OMS, capture: Capture) -> tuple[str, str, dt.datetime]:
    order = capture({"TEE-M": 1})
    (fo,) = oms.fulfillment.release(order.id, pickup_location="HH-STORE")
    oms.fulfillment.accept(fo.id)
    oms.fulfillment.confirm_pick(fo.id)
    waiting = oms.fulfillment.ready_for_pickup(fo.id)
    assert waiting.pickup_expires_at is not None
    return order.id, fo.id, waiting.pickup_expires_at


def test_a_pickup_is_announced_and_reminded_a_day_before_it_expires(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    order_id, fo_id, expires = ready(world, capture)
    (announced,) = world.notifications.messages(trigger="ready_for_pickup")
    code = world.fulfillment.get(fo_id).pickup_code
    assert code in announced.text
    clock.set(expires - dt.timedelta(hours=24, minutes=1))
    assert world.notifications.tick() == 0
    clock.set(expires - dt.timedelta(hours=24))
    assert world.notifications.tick() == 1
    (reminder,) = world.notifications.messages(trigger="pickup_reminder")
    assert reminder.order_id == order_id
    assert code in reminder.text


def test_a_collected_pickup_gets_no_reminder(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    _, fo_id, expires = ready(world, capture)
    world.fulfillment.collect(fo_id, world.fulfillment.get(fo_id).pickup_code)
    clock.set(expires - dt.timedelta(hours=1))
    assert world.notifications.tick() == 0
    assert world.notifications.messages(trigger="pickup_reminder") == []
