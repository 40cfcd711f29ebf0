"""Release, accept, reject, pick (short picks too), pack and ship, with bad inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS
from omskit.carriers import LABELS, UnknownServiceLevel, UnserviceableAddress
from omskit.carriers.errors import NoRateAvailable
from omskit.errors import InvalidTransition, NotFound, UnknownProvider, ValidationError
from omskit.fulfillment import SHIPMENTS, ItemTooLarge, OverConfirmation

Capture = Callable[..., Any]
KP = {"country": "KP", "line1": "Street 1", "city": "Pyongyang", "lat": 39.0, "lon": 125.7}


def snapshot(oms: OMS, order_id: str) -> tuple[Any, ...]:
    """Everything a failed call must leave untouched."""
    order = oms.orders.get(order_id)
    with oms.runtime.storage.unit_of_work() as uow:
        labels = sorted(r.tracking_number for r in uow.repo(LABELS).scan())
        shipments = sorted(s.id for s in uow.repo(SHIPMENTS).scan())
    return (
        order.status,
        [(x.allocated, x.backordered, x.shipped) for x in order.lines],
        [
            (
                f.id,
                f.status,
                [(x.picked, x.short, x.packed, x.shipped) for x in f.lines],
                len(f.boxes),
            )
            for f in oms.fulfillment.for_order(order_id)
        ],
        [(r.location, r.quantity, r.consumed) for r in oms.inventory.reservations(order_id)],
        [
            oms.inventory.level(s, loc).on_hand
            for s in ("TEE-M", "MUG-01")
            for loc in ("BER", "MUC")
        ],
        labels,
        shipments,
    )


def test_release_creates_one_fulfillment_order_per_location_of_a_split(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 12, "MUG-01": 1})  # BER has 10 tees: 2 come from MUC
    fos = world.fulfillment.release(order.id)
    assert {f.location: [(x.sku, x.quantity) for x in f.lines] for f in fos} == {
        "BER": [("TEE-M", 10), ("MUG-01", 1)],
        "MUC": [("TEE-M", 2)],
    }
    assert world.fulfillment.release(order.id) == []  # everything is released already


def test_a_held_or_cancelled_order_cannot_be_released(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 1})
    world.orders.cancel(order.id, reason="customer changed their mind")
    with pytest.raises(InvalidTransition, match="release to fulfillment"):
        world.fulfillment.release(order.id)
    assert world.fulfillment.for_order(order.id) == []


def test_rejection_routes_the_work_to_another_location(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 2})
    (fo,) = world.fulfillment.release(order.id)
    new = world.fulfillment.reject(fo.id, reason="conveyor down")
    assert [(f.location, f.lines[0].quantity) for f in new] == [("MUC", 2)]
    assert world.fulfillment.get(fo.id).status == "rejected"
    held = {(r.location, r.quantity) for r in world.inventory.reservations(order.id)}
    assert ("MUC", 2) in held
    assert world.inventory.level("TEE-M", "BER").reserved == 0


def test_rejection_with_nowhere_else_to_go_backorders(world: OMS, capture: Capture) -> None:
    order = capture({"TV-55": 1})
    (fo,) = world.fulfillment.release(order.id)
    assert world.fulfillment.reject(fo.id, reason="broken forklift") == []
    line = world.orders.get(order.id).lines[0]
    assert (line.allocated, line.backordered) == (0, 1)
    assert world.inventory.level("TV-55", "BER").reserved == 0


def test_a_rejection_needs_a_reason_and_a_rejected_order_cannot_be_accepted(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 1})
    (fo,) = world.fulfillment.release(order.id)
    before = snapshot(world, order.id)
    with pytest.raises(ValidationError, match="reason"):
        world.fulfillment.reject(fo.id, reason="  ")
    assert snapshot(world, order.id) == before
    world.fulfillment.reject(fo.id, reason="closed today")
    with pytest.raises(InvalidTransition, match="accept"):
        world.fulfillment.accept(fo.id)


def test_a_short_pick_is_routed_elsewhere_and_the_phantom_stock_written_off(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 3})
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.accept(fo.id)
    picked = world.fulfillment.confirm_pick(fo.id, {"L1": 1})
    assert (picked.lines[0].picked, picked.lines[0].short, picked.status) == (1, 2, "picked")
    others = [f for f in world.fulfillment.for_order(order.id) if f.id != fo.id]
    assert [(f.location, f.lines[0].quantity) for f in others] == [("MUC", 2)]
    assert world.inventory.level("TEE-M", "BER").on_hand == 8  # 10 minus 2 not found
    assert world.inventory.level("TEE-M", "BER").reserved == 1


def test_a_short_pick_with_no_stock_elsewhere_is_backordered(world: OMS, capture: Capture) -> None:
    order = capture({"TV-55": 2})
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.accept(fo.id)
    world.fulfillment.confirm_pick(fo.id, {"L1": 1})
    line = world.orders.get(order.id).lines[0]
    assert (line.allocated, line.backordered, line.active) == (1, 1, 2)


def test_nothing_found_cancels_the_fulfillment_order(world: OMS, capture: Capture) -> None:
    order = capture({"SOFA": 1})
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.accept(fo.id)
    assert world.fulfillment.confirm_pick(fo.id, {"L1": 0}).status == "cancelled"


@pytest.mark.parametrize(
    ("picked", "error"),
    [({"L1": 3}, OverConfirmation), ({"L9": 1}, NotFound), ({"L1": -1}, ValidationError)],
)
def test_confirming_more_than_there_is_to_pick_changes_nothing(
    world: OMS, capture: Capture, picked: dict[str, int], error: type[Exception]
) -> None:
    order = capture({"TEE-M": 2})
    (fo,) = world.fulfillment.release(order.id)
    world.fulfillment.accept(fo.id)
    before = snapshot(world, order.id)
    with pytest.raises(error):
        world.fulfillment.confirm_pick(fo.id, picked)
    assert snapshot(world, order.id) == before


def test_picking_before_acceptance_or_twice_is_refused(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 1})
    (fo,) = world.fulfillment.release(order.id)
    with pytest.raises(InvalidTransition, match="cannot pick"):
        world.fulfillment.confirm_pick(fo.id)
    world.fulfillment.accept(fo.id)
    world.fulfillment.confirm_pick(fo.id)
    before = snapshot(world, order.id)
    with pytest.raises(ValidationError, match="picked already"):
        world.fulfillment.confirm_pick(fo.id)
    assert snapshot(world, order.id) == before


def picked_order(world: OMS, capture: Capture, lines: dict[str, int], **kw: Any) -> str:
    order = capture(lines, **kw)
    fos = world.fulfillment.release(order.id)
    for fo in fos:
        world.fulfillment.accept(fo.id)
        world.fulfillment.confirm_pick(fo.id)
    return fos[0].id


def test_packing_respects_ship_alone_items_and_reports_the_bound(
    world: OMS, capture: Capture
) -> None:
    fo_id = picked_order(world, capture, {"TV-55": 2, "TEE-M": 2})
    result = world.fulfillment.pack(fo_id)
    assert result.boxes_used == 3  # each TV alone, the tees together
    assert result.lower_bound == 2
    fo = world.fulfillment.get(fo_id)
    assert fo.status == "packed"
    assert [x.packed for x in fo.lines] == [2, 2]


def test_packing_more_than_was_picked_or_an_oversize_item_changes_nothing(
    world: OMS, capture: Capture
) -> None:
    fo_id = picked_order(world, capture, {"SOFA": 1, "TEE-M": 1})
    order_id = world.fulfillment.get(fo_id).order_id
    before = snapshot(world, order_id)
    with pytest.raises(OverConfirmation):
        world.fulfillment.pack(fo_id, {"L2": 2})
    with pytest.raises(ItemTooLarge) as info:
        world.fulfillment.pack(fo_id)
    assert info.value.sku == "SOFA"
    assert snapshot(world, order_id) == before
    assert world.fulfillment.pack(fo_id, {"L2": 1}).boxes_used == 1  # the tee alone is fine


def test_shipping_rate_shops_and_buys_one_label_per_parcel(world: OMS, capture: Capture) -> None:
    fo_id = picked_order(world, capture, {"TV-55": 2})
    world.fulfillment.pack(fo_id)
    shipment = world.fulfillment.ship(fo_id, objective="fastest")
    assert len(shipment.tracking_numbers) == 2
    assert shipment.rate_explanation.startswith(f"{shipment.carrier}/{shipment.service} chosen")
    assert shipment.status == "label_purchased"
    assert world.orders.get(shipment.order_id).status == "in_fulfillment"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"carrier": "pigeon", "service": "fast"}, UnknownProvider),
        ({"carrier": "sandbox", "service": "overnight"}, UnknownServiceLevel),
    ],
)
def test_an_unknown_carrier_or_service_buys_nothing(
    world: OMS, capture: Capture, kwargs: dict[str, str], error: type[Exception]
) -> None:
    fo_id = picked_order(world, capture, {"TEE-M": 1})
    world.fulfillment.pack(fo_id)
    order_id = world.fulfillment.get(fo_id).order_id
    before = snapshot(world, order_id)
    with pytest.raises(error):
        world.fulfillment.ship(fo_id, **kwargs)
    assert snapshot(world, order_id) == before


def test_an_address_no_carrier_serves_buys_nothing(world: OMS, capture: Capture) -> None:
    fo_id = picked_order(world, capture, {"TEE-M": 1}, ship_to=KP)
    world.fulfillment.pack(fo_id)
    order_id = world.fulfillment.get(fo_id).order_id
    before = snapshot(world, order_id)
    with pytest.raises(UnserviceableAddress) as info:
        world.fulfillment.ship(fo_id, carrier="sandbox", service="standard")
    assert info.value.carrier == "sandbox"
    with pytest.raises(NoRateAvailable) as shopping:
        world.fulfillment.ship(fo_id)
    assert len(shopping.value.reasons) == 2  # both carriers say why
    assert snapshot(world, order_id) == before


def test_shipping_without_a_packed_parcel_is_refused(world: OMS, capture: Capture) -> None:
    fo_id = picked_order(world, capture, {"TEE-M": 1})
    with pytest.raises(InvalidTransition, match="cannot ship"):
        world.fulfillment.ship(fo_id)


def test_partial_shipments_ship_what_is_packed_now_and_the_rest_later(
    world: OMS, capture: Capture
) -> None:
    fo_id = picked_order(world, capture, {"TEE-M": 2, "MUG-01": 2})
    world.fulfillment.pack(fo_id, {"L1": 2})
    first = world.fulfillment.hand_over(world.fulfillment.ship(fo_id).id)
    assert first.lines == {"L1": 2}
    assert world.orders.get(first.order_id).status == "partially_shipped"
    assert world.fulfillment.get(fo_id).status == "partially_shipped"
    world.fulfillment.pack(fo_id)
    second = world.fulfillment.hand_over(world.fulfillment.ship(fo_id).id)
    assert second.lines == {"L2": 2}
    assert world.orders.get(first.order_id).status == "shipped"
    assert world.fulfillment.get(fo_id).status == "shipped"
    assert world.inventory.level("MUG-01", "BER").on_hand == 8


def test_wave_pick_list_merges_orders_by_sku_along_the_path(world: OMS, capture: Capture) -> None:
    for lines in ({"TEE-M": 1, "MUG-01": 1}, {"TEE-M": 2}, {"TV-55": 1}):
        order = capture(lines)
        for fo in world.fulfillment.release(order.id):
            world.fulfillment.accept(fo.id)
    pick = world.fulfillment.pick_list("BER")
    assert [(t.sku, t.quantity, str(t.bin)) for t in pick.tasks] == [
        ("MUG-01", 1, "A-01-5-A"),
        ("TEE-M", 3, "A-03-2-B"),
        ("TV-55", 1, "B-01-1-A"),
    ]
    assert len(pick.references) == 3
    text = world.fulfillment.documents.pick_list(pick).text
    assert "TEE-M" in text
    assert "T-shirt M" in text
