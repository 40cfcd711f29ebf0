"""Click & collect and drop-ship."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS
from omskit.carriers import SandboxCarrier
from omskit.errors import InsufficientStock, InvalidTransition, UnknownProvider, ValidationError
from omskit.fulfillment import PickupCodeMismatch
from omskit.testing import FakeClock

from ...webhooks import deliver  # noqa: TID252 - the shared test helpers live in tests/

Capture = Callable[..., Any]


def ready_pickup(oms: OMS, capture: Capture, lines: dict[str, int]) -> tuple[str, str]:
    order = capture(lines)
    (fo,) = oms.fulfillment.release(order.id, pickup_location="HH-STORE")
    assert fo.kind == "pickup"
    oms.fulfillment.accept(fo.id)
    oms.fulfillment.confirm_pick(fo.id)
    ready = oms.fulfillment.ready_for_pickup(fo.id)
    assert len(ready.pickup_code) == 6
    return order.id, fo.id


def test_click_and_collect_moves_the_stock_to_the_store_and_is_collected_with_the_code(
    world: OMS, capture: Capture
) -> None:
    order_id, fo_id = ready_pickup(world, capture, {"TEE-M": 2})
    assert world.inventory.level("TEE-M", "BER").reserved == 0
    assert world.inventory.level("TEE-M", "HH-STORE").reserved == 2
    code = world.fulfillment.get(fo_id).pickup_code
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(PickupCodeMismatch):
        world.fulfillment.collect(fo_id, wrong)
    assert world.fulfillment.get(fo_id).status == "ready_for_pickup"
    assert world.fulfillment.collect(fo_id, code).status == "collected"
    order = world.orders.get(order_id)
    assert order.status == "delivered"
    assert world.inventory.level("TEE-M", "HH-STORE").on_hand == 3


def test_an_uncollected_pickup_expires_and_its_stock_returns(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    order_id, fo_id = ready_pickup(world, capture, {"MUG-01": 1, "TEE-M": 1})
    assert world.fulfillment.expire_pickups() == []  # not yet
    clock.advance(days=8)
    with pytest.raises(InvalidTransition, match="expired"):
        world.fulfillment.collect(fo_id, world.fulfillment.get(fo_id).pickup_code)
    (expired,) = world.fulfillment.expire_pickups()
    assert expired.status == "expired"
    assert world.inventory.available("MUG-01", "HH-STORE") == 5
    assert world.orders.get(order_id).status == "cancelled"
    assert world.fulfillment.expire_pickups() == []


def test_click_and_collect_needs_a_store_that_offers_it_and_has_the_stock(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 6})
    with pytest.raises(InsufficientStock):
        world.fulfillment.release(order.id, pickup_location="HH-STORE")
    with pytest.raises(ValidationError, match="click & collect"):
        world.fulfillment.release(order.id, pickup_location="MUC")
    assert world.fulfillment.for_order(order.id) == []
    assert world.inventory.level("TEE-M", "BER").reserved == 6  # untouched


def test_a_pickup_is_not_packed_or_shipped(world: OMS, capture: Capture) -> None:
    _order_id, fo_id = ready_pickup(world, capture, {"TEE-M": 1})
    with pytest.raises(InvalidTransition):
        world.fulfillment.pack(fo_id)


def test_a_drop_ship_line_becomes_a_purchase_order_and_the_suppliers_tracking_a_shipment(
    world: OMS, capture: Capture
) -> None:
    order = capture({"LAMP-DS": 1, "TEE-M": 1})
    fos = {f.location: f for f in world.fulfillment.release(order.id)}
    supplier = fos["SUP"]
    assert (supplier.kind, supplier.status, supplier.po_number) == (
        "dropship",
        "sent_to_supplier",
        f"PO-{supplier.id}",
    )
    with pytest.raises(InvalidTransition):
        world.fulfillment.confirm_pick(supplier.id)
    with pytest.raises(UnknownProvider):
        world.fulfillment.confirm_dropship(supplier.id, carrier="owl", tracking_number="X1")
    shipment = world.fulfillment.confirm_dropship(
        supplier.id, carrier="sandbox", tracking_number="SB123456785IT"
    )
    assert shipment.kind == "dropship"
    assert world.fulfillment.shipment(shipment.id).dispatched
    assert world.fulfillment.get(supplier.id).status == "shipped"
    assert world.orders.get(order.id).status == "partially_shipped"
    label = world.carriers.label("SB123456785IT")
    sandbox = world.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for payload in sandbox.webhook_payloads(label.label):
        deliver(world, "sandbox", payload)
    assert world.fulfillment.shipment(shipment.id).status == "delivered"
    lamp = world.orders.get(order.id).lines[0]
    assert (lamp.shipped, lamp.delivered) == (1, 1)


def test_a_supplier_that_declines_leaves_the_line_backordered(world: OMS, capture: Capture) -> None:
    order = capture({"LAMP-DS": 2})
    (fo,) = world.fulfillment.release(order.id)
    assert world.fulfillment.reject(fo.id, reason="discontinued") == []
    line = world.orders.get(order.id).lines[0]
    assert (line.allocated, line.backordered) == (0, 2)
