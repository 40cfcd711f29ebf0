"""Fixtures for the notifications service tests: the fulfillment world, with a customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS
from omskit.carriers import SandboxCarrier
from omskit.notifications import RecordingProvider
from omskit.orders.model import Order
from omskit.testing import FakeClock

from ..fulfillment.conftest import build_world, make_capture  # noqa: TID252 - shared world

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)

Capture = Callable[..., Order]

CONFIG: dict[str, Any] = {
    "notifications": {
        "staff": {"email": ["ops@example.com"]},
        "tracking_urls": {"sandbox": "https://track.example/{tracking_number}"},
        "unsubscribe_url": "https://shop.example/unsubscribe?token={token}",
        "secret": "test-secret",
    }
}


def make_oms(clock: FakeClock, config: dict[str, Any] | None = None) -> OMS:
    """An OMS over the fulfillment test world, with notifications configured."""
    oms = OMS.in_memory(config or CONFIG, clock=clock, autoload=False)
    build_world(oms)
    return oms


@pytest.fixture
def world(clock: FakeClock) -> OMS:
    """The shared world with notifications configured."""
    return make_oms(clock)


@pytest.fixture
def capture(world: OMS) -> Capture:
    """Capture orders into the world."""
    return make_capture(world)


def recorder(oms: OMS) -> RecordingProvider:
    """The OMS's recording provider (every channel's default)."""
    found = oms.notifications.provider("recording")
    assert isinstance(found, RecordingProvider)
    return found


def ship(oms: OMS, order_id: str) -> list[str]:
    """Release, pick, pack, ship and hand over every fulfillment order; shipment ids."""
    ids = []
    for fo in oms.fulfillment.release(order_id):
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id, carrier="sandbox", service="express")
        oms.fulfillment.hand_over(shipment.id)
        ids.append(shipment.id)
    return ids


def track_to_delivery(oms: OMS, shipment_id: str) -> None:
    """Play the sandbox carrier's signed tracking webhooks until the parcels arrive."""
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for number in oms.fulfillment.shipment(shipment_id).tracking_numbers:
        label = oms.carriers.label(number).label
        for hook in sandbox.webhook_deliveries(label, now=oms.clock.now()):
            oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)


def deliver_and_return(oms: OMS, order_id: str) -> str:
    """Ship the order, track it to the door, then return one unit of L1 for a refund."""
    (shipment_id,) = ship(oms, order_id)
    track_to_delivery(oms, shipment_id)
    rma = oms.returns.request(order_id, {"L1": 1}, authorize=True)
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id)
    oms.returns.refund(rma.id)
    return str(rma.id)
