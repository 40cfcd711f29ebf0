"""Finding fulfillment work: a location's queue and a shipment by its tracking number."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS, ValidationError
from omskit.fulfillment.lookups import OPEN_STATUSES
from omskit.inventory import UnknownLocation
from omskit.testing import FakeClock

from .fulfillment_helpers import shipped

Capture = Callable[..., Any]


def test_an_order_and_its_shipment_are_found_by_a_parcel_tracking_number(
    world: OMS, capture: Capture
) -> None:
    shipment = shipped(world, capture, {"TV-55": 2})  # ships alone: one parcel per TV
    first, second = shipment.tracking_numbers
    found = world.fulfillment.find_by_tracking(second)
    assert found is not None
    assert (found.order.id, found.shipment.id) == (shipment.order_id, shipment.id)
    assert found.parcel.tracking_number == second
    again = world.fulfillment.find_by_tracking(first, carrier="sandbox")
    assert again is not None
    assert again.shipment.id == shipment.id


def test_an_unknown_tracking_number_finds_nothing(world: OMS, capture: Capture) -> None:
    shipped(world, capture, {"TEE-M": 1})
    assert world.fulfillment.find_by_tracking("NO-SUCH-NUMBER") is None


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda oms: oms.fulfillment.find_by_tracking(""), "tracking_number"),
        (lambda oms: oms.fulfillment.find_by_tracking(42), "tracking_number"),
        (lambda oms: oms.fulfillment.find_by_tracking("1Z", carrier="nope"), "carrier"),
    ],
)
def test_a_malformed_tracking_lookup_names_the_field(world: OMS, call: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        call(world)
    assert info.value.field == field
    if field == "carrier":
        assert "sandbox" in str(info.value)  # the registered carriers are named


def test_a_location_queue_lists_its_open_work_oldest_first_and_pages(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    ids = []
    for _ in range(3):
        (fo,) = world.fulfillment.release(capture({"TEE-M": 1}).id)
        ids.append(fo.id)
        clock.advance(minutes=5)
    world.fulfillment.accept(ids[1])
    world.fulfillment.cancel(ids[2], reason="customer called")
    queue = world.fulfillment.list(location="BER")
    assert ([f.id for f in queue.items], queue.total) == (ids[:2], 2)
    released = world.fulfillment.list(location="BER", status="released")
    assert [f.id for f in released.items] == [ids[0]]
    both = world.fulfillment.list(location="BER", status=["accepted", "cancelled"])
    assert [f.id for f in both.items] == ids[1:]
    page = world.fulfillment.list(location="BER", limit=1, offset=1)
    assert ([f.id for f in page.items], page.total, page.has_more) == ([ids[1]], 2, False)
    assert world.fulfillment.list(location="MUC").total == 0
    assert world.fulfillment.list(kind="pickup").total == 0
    assert [f.id for f in world.fulfillment.list().items] == ids[:2]
    assert "cancelled" not in OPEN_STATUSES


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"status": []}, "status"),
        ({"status": ["released", 7]}, "status"),
        ({"kind": "teleport"}, "kind"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"location": ""}, "location"),
    ],
)
def test_bad_queue_criteria_name_the_field_and_what_is_allowed(
    world: OMS, criteria: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        world.fulfillment.list(**criteria)
    assert info.value.field == field


def test_the_queue_of_an_unknown_location_is_an_error(world: OMS) -> None:
    with pytest.raises(UnknownLocation):
        world.fulfillment.list(location="NOWHERE")
