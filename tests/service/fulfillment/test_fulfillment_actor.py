"""Who did it: every fulfillment step takes an ``actor`` and records it.

The actor of a call lands on the order's timeline entries that call writes and on every
event it records (``Event.actor``), including the events of other capabilities the step
drives (stock reserved or consumed, labels bought).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import ValidationError
from omskit.events import Event

Capture = Callable[..., Any]


def recorder(oms: OMS) -> list[Event]:
    """Every event committed from now on."""
    seen: list[Event] = []
    oms.events.subscribe("test-actor-recorder", seen.append)
    return seen


def ship_by_hand(world: OMS, order_id: str) -> tuple[Any, Any]:
    """Release, accept, pick, pack, ship and hand over, each step by a named person."""
    (fo,) = world.fulfillment.release(order_id, actor="ops:ana")
    world.fulfillment.accept(fo.id, actor="ber:kim")
    world.fulfillment.confirm_pick(fo.id, actor="ber:kim")
    world.fulfillment.pack(fo.id, actor="ber:lee")
    shipment = world.fulfillment.ship(fo.id, carrier="sandbox", service="standard", actor="ber:lee")
    world.fulfillment.hand_over(shipment.id, actor="courier:dhl")
    return fo, shipment


def test_accept_pick_pack_ship_and_hand_over_record_who_did_them(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 1})
    seen = recorder(world)
    ship_by_hand(world, order.id)
    by_type = {(e.event_type, e.actor) for e in seen}
    assert {
        ("FulfillmentOrderReleased", "ops:ana"),
        ("FulfillmentOrderAccepted", "ber:kim"),
        ("ItemsPicked", "ber:kim"),
        ("ItemsPacked", "ber:lee"),
        ("LabelPurchased", "ber:lee"),
        ("ShipmentCreated", "ber:lee"),
        ("StockConsumed", "courier:dhl"),
        ("ShipmentDispatched", "courier:dhl"),
        ("OrderShipped", "courier:dhl"),
    } <= by_type
    timeline = [(e.action, e.actor) for e in world.orders.history(order.id)]
    assert ("fulfillment_started", "ops:ana") in timeline  # released work is in fulfillment
    assert ("shipped", "courier:dhl") in timeline
    movements = world.inventory.ledger(reference=order.id)
    assert [m.actor for m in movements if m.kind == "consume"] == ["courier:dhl"]


def test_a_step_without_an_actor_is_recorded_as_the_system(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 1})
    seen = recorder(world)
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.accept(fo.id)
    assert {e.actor for e in seen} == {"system"}
    assert world.orders.history(order.id)[-1].actor == "system"


@pytest.mark.parametrize("actor", ["", "   ", 7, "x" * 101])
def test_a_malformed_actor_is_refused_and_changes_nothing(
    world: OMS, capture: Capture, actor: Any
) -> None:
    order = capture({"TEE-M": 1})
    (fo,) = world.fulfillment.release(order.id)
    with pytest.raises(ValidationError, match="actor"):
        world.fulfillment.accept(fo.id, actor=actor)
    assert world.fulfillment.get(fo.id).status == "released"


def test_fulfillment_and_shipment_history_record_who_did_each_step(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 1})
    fo, shipment = ship_by_hand(world, order.id)
    steps = [(e.action, e.actor) for e in world.fulfillment.get(fo.id).history]
    assert steps == [
        ("released", "ops:ana"),
        ("accepted", "ber:kim"),
        ("picked", "ber:kim"),
        ("packed", "ber:lee"),
        ("labelled", "ber:lee"),
    ]
    shipped = world.fulfillment.shipment(shipment.id)
    assert shipped.history[0].actor == "ber:lee"
    assert shipped.history[0].action == "label_purchased"
    assert "ber:kim accepted" in world.fulfillment.get(fo.id).history[1].describe()
