"""Fulfillment at its seams with inventory, routing and carriers.

A line split over two locations gives back only one location's hold; re-routing plans
units on top of what the order holds (routing's ``count_own_holds=False``); labels from
an unconfigured location carry only what inventory knows of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import OmskitError

Capture = Callable[..., Any]


def holds(oms: OMS, order_id: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in oms.inventory.reservations(order_id):
        out[r.location] = out.get(r.location, 0) + r.quantity
    return {k: v for k, v in out.items() if v}


def split_order(world: OMS, capture: Capture) -> tuple[Any, dict[str, Any]]:
    order = capture({"TEE-M": 12})  # BER holds 10, MUC the other 2
    fos = {f.location: f for f in world.fulfillment.release(order.id)}
    assert holds(world, order.id) == {"BER": 10, "MUC": 2}
    return order, fos


def test_rejecting_one_location_of_a_split_line_leaves_the_other_hold_untouched(
    world: OMS, capture: Capture
) -> None:
    order, fos = split_order(world, capture)
    before = [m for m in world.inventory.ledger(reference=order.id) if m.location == "BER"]
    world.fulfillment.reject(fos["MUC"].id, reason="closed today")
    assert holds(world, order.id) == {"BER": 10}
    after = [m for m in world.inventory.ledger(reference=order.id) if m.location == "BER"]
    assert after == before  # no release and re-reserve at BER
    released = [m for m in world.inventory.ledger(reference=order.id) if m.kind == "release"]
    assert [(m.location, m.reserved) for m in released] == [("MUC", -2)]
    assert world.inventory.level("TEE-M", "MUC").reserved == 0
    assert not world.inventory.reconcile()


def test_a_rejected_share_is_rerouted_without_counting_the_orders_own_holds(
    world: OMS, capture: Capture
) -> None:
    world.inventory.add_location("FRA", name="Frankfurt DC", country="DE", lat=50.11,
                                 lon=8.68, priority=3)  # fmt: skip
    world.inventory.receive("TEE-M", location="FRA", quantity=5)
    order, fos = split_order(world, capture)
    new = world.fulfillment.reject(fos["MUC"].id, reason="conveyor down")
    # BER is first in priority, but everything there is the order's own hold already
    assert [(f.location, [(x.line_ref, x.quantity) for x in f.lines]) for f in new] == [
        ("FRA", [("L1", 2)])
    ]
    assert holds(world, order.id) == {"BER": 10, "FRA": 2}
    assert {r.reference for r in world.inventory.reservations(order.id)} == {order.id}
    assert world.inventory.reservations(f"{order.id}:more") == []


def test_releasing_again_after_a_cancel_sources_only_the_missing_units(
    world: OMS, capture: Capture
) -> None:
    order, fos = split_order(world, capture)
    world.fulfillment.cancel(fos["MUC"].id, reason="wrong location", actor="ops")
    assert holds(world, order.id) == {"BER": 10}
    (again,) = world.fulfillment.release(order.id)
    assert (again.location, [(x.line_ref, x.quantity) for x in again.lines]) == (
        "MUC",
        [("L1", 2)],
    )
    assert holds(world, order.id) == {"BER": 10, "MUC": 2}
    assert world.orders.get(order.id).lines[0].allocated == 12


def test_a_short_pick_writes_off_through_the_inventory_api(world: OMS, capture: Capture) -> None:
    order, fos = split_order(world, capture)
    world.fulfillment.accept(fos["MUC"].id)
    world.fulfillment.confirm_pick(fos["MUC"].id, {"L1": 1})
    level = world.inventory.level("TEE-M", "MUC")
    # one unit was not on the shelf: it leaves the hold and is written off
    adjusted = [m for m in world.inventory.ledger(sku="TEE-M", location="MUC")
                if m.kind == "adjust"]  # fmt: skip
    assert [(m.on_hand, m.reference) for m in adjusted] == [(-1, fos["MUC"].id)]
    assert level.on_hand == 9
    assert holds(world, order.id)["BER"] == 10
    assert not world.inventory.reconcile()


def test_a_label_from_an_unconfigured_location_names_it_once(world: OMS, capture: Capture) -> None:
    _order, fos = split_order(world, capture)
    fo = fos["MUC"]  # only BER has a configured ship-from address
    world.fulfillment.accept(fo.id)
    world.fulfillment.confirm_pick(fo.id)
    world.fulfillment.pack(fo.id)
    shipment = world.fulfillment.ship(fo.id, carrier="sandbox", service="express")
    (label,) = world.fulfillment.documents.labels(shipment.id)
    assert "FROM: Munich DC, DE" in label.text
    assert label.text.count("Munich DC") == 1
    record = world.carriers.label(shipment.tracking_numbers[0])
    origin = record.label.ship_from
    assert (origin.name, origin.line1, origin.city, origin.country) == ("Munich DC", "", "", "DE")
    assert origin.point is not None


def test_a_configured_address_still_wins(world: OMS, capture: Capture) -> None:
    _order, fos = split_order(world, capture)
    fo = fos["BER"]
    world.fulfillment.accept(fo.id)
    world.fulfillment.confirm_pick(fo.id)
    world.fulfillment.pack(fo.id)
    shipment = world.fulfillment.ship(fo.id, carrier="sandbox", service="express")
    labels = world.fulfillment.documents.labels(shipment.id)
    assert all("FROM: Shop GmbH, Lagerweg 1, 12099 Berlin" in lb.text for lb in labels)


def test_a_failed_rejection_changes_no_hold(world: OMS, capture: Capture) -> None:
    order, fos = split_order(world, capture)
    before = [(r.location, r.quantity, r.released) for r in world.inventory.reservations(order.id)]
    with pytest.raises(OmskitError):
        world.fulfillment.reject(fos["MUC"].id, reason="   ")
    after = [(r.location, r.quantity, r.released) for r in world.inventory.reservations(order.id)]
    assert after == before
