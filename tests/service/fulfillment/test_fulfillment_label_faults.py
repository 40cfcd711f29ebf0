"""A carrier that fails around a label purchase never leaves a second label paid for.

The carrier is the sandbox behind a fault plan (``tests/faults.py``): it raises a
``ConnectionError`` before buying, or after buying (the answer lost on the way back),
and can fail its key lookup too. Whatever happens, retrying ``ship`` ends with exactly
one live label per parcel at the carrier, and omskit knows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS
from omskit.carriers import CarrierUnavailable
from omskit.carriers.base import serial_for
from omskit.errors import ValidationError
from omskit.fulfillment import shipping
from omskit.testing import FakeClock

from ...faults import CarrierPlugin, FaultyCarrier, LegacyCarrier  # noqa: TID252 - shared test helpers
from .conftest import START, build_world, make_capture

Packed = Callable[..., tuple[OMS, str]]


@pytest.fixture
def packed() -> Packed:
    """An OMS with ``carriers`` plugged in and a packed fulfillment order waiting."""

    def make(*carriers: Any, lines: dict[str, int] | None = None) -> tuple[OMS, str]:
        oms = OMS.in_memory(
            plugins=[CarrierPlugin(*carriers)], clock=FakeClock(START), autoload=False
        )
        build_world(oms)
        order = make_capture(oms)(lines or {"TEE-M": 2})
        (fo,) = oms.fulfillment.release(order.id)
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        return oms, fo.id

    return make


def test_a_carrier_failing_after_buying_is_looked_up_and_its_label_used(packed: Packed) -> None:
    flaky = FaultyCarrier().fail("buy_label", when="after")
    oms, fo_id = packed(flaky)
    shipment = oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    assert [x.tracking_number for x in flaky.purchases()] == list(shipment.tracking_numbers)
    assert oms.carriers.unsettled_purchases() == []


def test_an_unknown_outcome_is_settled_by_the_retry_and_one_label_is_paid_for(
    packed: Packed,
) -> None:
    flaky = FaultyCarrier(find=False).fail("buy_label", when="after")
    oms, fo_id = packed(flaky)
    with pytest.raises(CarrierUnavailable) as info:
        oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    assert info.value.outcome_unknown
    assert isinstance(info.value.__cause__, ConnectionError)
    assert (info.value.carrier, info.value.operation) == ("flaky", "buy_label")
    assert oms.fulfillment.shipments(oms.fulfillment.get(fo_id).order_id) == []
    (unknown,) = oms.carriers.unsettled_purchases()
    assert unknown.id.startswith(f"{fo_id}:parcels-1#")
    shipment = oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    assert len(flaky.purchases()) == 1
    assert [x.tracking_number for x in flaky.live_purchases()] == list(shipment.tracking_numbers)
    assert oms.carriers.unsettled_purchases() == []


def test_a_carrier_failing_before_buying_is_simply_tried_again(packed: Packed) -> None:
    flaky = FaultyCarrier().fail("buy_label", when="before")
    oms, fo_id = packed(flaky)
    with pytest.raises(CarrierUnavailable):
        oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    assert flaky.purchases() == []
    oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    assert len(flaky.live_purchases()) == 1


def test_switching_carrier_after_an_unknown_outcome_voids_the_first_label(
    packed: Packed,
) -> None:
    flaky = FaultyCarrier().fail("buy_label", when="after").fail("find_labels")
    oms, fo_id = packed(flaky)
    with pytest.raises(CarrierUnavailable):
        oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    assert len(flaky.live_purchases()) == 1  # paid for, unknown to the shop
    shipment = oms.fulfillment.ship(fo_id, carrier="sandbox", service="standard")
    assert flaky.live_purchases() == []  # looked up by key and voided first
    assert shipment.carrier == "sandbox"
    (settled,) = flaky.purchases()
    assert flaky.is_voided(settled.tracking_number)


def test_nothing_new_is_bought_while_an_earlier_outcome_cannot_be_settled(
    packed: Packed,
) -> None:
    flaky = FaultyCarrier().fail("buy_label", when="after").fail("find_labels")
    flaky.fail("find_labels").fail("buy_label", when="before")  # still down on the retry
    oms, fo_id = packed(flaky)
    with pytest.raises(CarrierUnavailable):
        oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    sandbox: Any = oms.carriers.get("sandbox")
    with pytest.raises(CarrierUnavailable) as info:
        oms.fulfillment.ship(fo_id, carrier="sandbox", service="standard")
    assert info.value.carrier == "flaky"  # the earlier purchase could not be settled
    assert sandbox.bought() == []
    assert len(flaky.live_purchases()) == 1
    assert len(oms.carriers.unsettled_purchases()) == 1
    settled = oms.carriers.reconcile_purchases()  # later, the carrier is back
    assert [p.status for p in settled] == ["reconciled"]
    assert flaky.live_purchases() == []


def test_labels_bought_by_a_failed_transaction_are_voided_and_their_key_spent(
    packed: Packed, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = FaultyCarrier()
    oms, fo_id = packed(flaky)
    real = shipping.add_shipment_in
    calls = []

    def fail_once(uow: Any, shipment: Any) -> None:
        calls.append(shipment.id)
        if len(calls) == 1:
            raise ValidationError("shipment", shipment.id, "a failure after the purchase")
        real(uow, shipment)

    monkeypatch.setattr(shipping, "add_shipment_in", fail_once)
    with pytest.raises(ValidationError):
        oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    assert len(flaky.purchases()) == 1
    assert flaky.live_purchases() == []
    shipment = oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    assert [x.tracking_number for x in flaky.live_purchases()] == list(shipment.tracking_numbers)
    assert shipment.tracking_numbers[0] != flaky.purchases()[0].tracking_number


def test_a_carrier_without_keys_is_retried_by_reference_and_buys_once(packed: Packed) -> None:
    legacy = LegacyCarrier().fail("buy_label", when="after")
    oms, fo_id = packed(legacy)
    with pytest.raises(CarrierUnavailable):
        oms.fulfillment.ship(fo_id, carrier="legacy", service="standard")
    shipment = oms.fulfillment.ship(fo_id, carrier="legacy", service="standard")
    assert len(legacy.purchases()) == 1
    assert legacy.purchases()[0].tracking_number == shipment.tracking_numbers[0]


def test_a_retry_with_a_fresh_shipment_id_used_to_buy_a_second_label(packed: Packed) -> None:
    flaky = FaultyCarrier(find=False).fail("buy_label", when="after")
    oms, fo_id = packed(flaky, lines={"TV-55": 2})
    with pytest.raises(CarrierUnavailable):  # a raw ConnectionError before the fix
        oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    oms.fulfillment.ship(fo_id, carrier="flaky", service="standard")
    assert len(flaky.live_purchases()) == 2  # two parcels, one label each, bought once


def test_tracking_numbers_cannot_be_computed_from_the_shipment_id(packed: Packed) -> None:
    oms, fo_id = packed(FaultyCarrier())
    shipment = oms.fulfillment.ship(fo_id, carrier="sandbox", service="standard")
    serial = serial_for("sandbox", shipment.id, 0, digits=8)
    assert serial not in shipment.tracking_numbers[0]
