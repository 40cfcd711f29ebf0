"""Releasing one location's share of a line, and the in-transaction read/adjust APIs."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS
from omskit.errors import InvalidQuantity, UnknownSku, ValidationError
from omskit.inventory import Allocation, NotEnoughToMove, UnknownLocation, UnknownReservation
from omskit.storage.ports import UnitOfWork


@pytest.fixture
def split(oms: OMS) -> OMS:
    oms.catalog.add_product("TEE", name="Tee", weight_grams=180)
    for code in ("BER", "MUC"):
        oms.inventory.add_location(code, name=f"{code} DC", country="DE", lat=50.0, lon=10.0)
        oms.inventory.receive("TEE", location=code, quantity=10)
    oms.inventory.reserve(reference="O-1", allocations=[
        Allocation("BER", "TEE", 4, "L1"), Allocation("MUC", "TEE", 3, "L1"),
        Allocation("MUC", "TEE", 2, "L2"),
    ])  # fmt: skip
    return oms


def state(oms: OMS) -> tuple[object, ...]:
    res = sorted((r.line_ref, r.location, r.quantity, r.released, r.version)
                 for r in oms.inventory.reservations("O-1"))  # fmt: skip
    levels = tuple(
        (lv.id, lv.on_hand, lv.reserved, lv.version) for lv in oms.inventory.levels("TEE")
    )
    return tuple(res), levels, len(oms.inventory.ledger())


def test_release_at_one_location_keeps_the_lines_other_holds(split: OMS) -> None:
    changed = split.inventory.release(reference="O-1", line_ref="L1", quantity=2, location="MUC")
    assert [(r.location, r.quantity, r.released) for r in changed] == [("MUC", 1, 2)]
    held = {(r.line_ref, r.location): r.quantity for r in split.inventory.reservations("O-1")}
    assert held == {("L1", "BER"): 4, ("L1", "MUC"): 1, ("L2", "MUC"): 2}
    assert split.inventory.level("TEE", "BER").reserved == 4
    assert split.inventory.level("TEE", "MUC").reserved == 3
    assert not split.inventory.reconcile()


def test_release_at_a_location_without_a_line_gives_back_everything_held_there(
    split: OMS,
) -> None:
    split.inventory.release(reference="O-1", location="MUC", reason="MUC closed")
    held = {(r.line_ref, r.location): r.quantity for r in split.inventory.reservations("O-1")}
    assert held == {("L1", "BER"): 4, ("L1", "MUC"): 0, ("L2", "MUC"): 0}
    assert split.inventory.level("TEE", "MUC").reserved == 0


def test_release_in_honours_the_location_inside_a_transaction(split: OMS) -> None:
    def use_case(uow: UnitOfWork) -> None:
        split.inventory.release_in(uow, reference="O-1", line_ref="L1", location="BER")

    split.runtime.run(use_case)
    held = {(r.line_ref, r.location): r.quantity for r in split.inventory.reservations("O-1")}
    assert held[("L1", "BER")] == 0
    assert held[("L1", "MUC")] == 3


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"line_ref": "L1", "quantity": 4, "location": "MUC"}, InvalidQuantity),
        ({"line_ref": "L2", "location": "BER"}, UnknownReservation),
        ({"line_ref": "L1", "location": "HAM"}, UnknownReservation),
        ({"line_ref": "L1", "location": "no such place!"}, ValidationError),
        ({"line_ref": "L1", "location": 7}, ValidationError),
        ({"location": "MUC", "quantity": 1}, ValidationError),
        ({"line_ref": 3, "location": "MUC"}, ValidationError),
    ],
)
def test_bad_releases_at_a_location_change_nothing(
    split: OMS, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    before = state(split)
    with pytest.raises(error):
        split.inventory.release(reference="O-1", **kwargs)
    assert state(split) == before


def test_reservations_in_sees_the_transactions_own_changes(split: OMS) -> None:
    seen: list[list[tuple[str, str, int]]] = []

    def use_case(uow: UnitOfWork) -> None:
        inv = split.inventory
        inv.release_in(uow, reference="O-1", line_ref="L2", location="MUC")
        seen.append(sorted((r.line_ref, r.location, r.quantity)
                           for r in inv.reservations_in(uow, "O-1")))  # fmt: skip
        seen.append([(r.line_ref, r.location, r.quantity)
                     for r in inv.reservations_in(uow, "NONE")])  # fmt: skip
        raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        split.runtime.run(use_case)
    assert seen == [[("L1", "BER", 4), ("L1", "MUC", 3), ("L2", "MUC", 0)], []]
    assert {r.quantity for r in split.inventory.reservations("O-1") if r.line_ref == "L2"} == {2}
    with split.runtime.storage.unit_of_work() as uow, pytest.raises(ValidationError):
        split.inventory.reservations_in(uow, "")


def test_level_in_and_adjust_in_work_inside_the_callers_transaction(split: OMS) -> None:
    def use_case(uow: UnitOfWork) -> tuple[int, int, int]:
        inv = split.inventory
        before = inv.level_in(uow, "TEE", "MUC").on_hand
        inv.adjust_in(uow, "TEE", location="MUC", delta=-2, reason="damaged",
                      actor="ops", reference="FO-9")  # fmt: skip
        after = inv.level_in(uow, "TEE", "MUC")
        return before, after.on_hand, after.reserved

    assert split.runtime.run(use_case) == (10, 8, 5)
    (entry,) = [m for m in split.inventory.ledger(sku="TEE", location="MUC") if m.kind == "adjust"]
    assert (entry.on_hand, entry.reason, entry.actor, entry.reference) == (
        -2, "damaged", "ops", "FO-9")  # fmt: skip
    assert not split.inventory.reconcile()


def test_level_in_of_a_level_never_booked_is_all_zero(split: OMS) -> None:
    split.catalog.add_product("MUG", name="Mug", weight_grams=300)
    with split.runtime.storage.unit_of_work() as uow:
        level = split.inventory.level_in(uow, "MUG", "BER")
        assert (level.on_hand, level.reserved, level.available) == (0, 0, 0)
        with pytest.raises(UnknownSku):
            split.inventory.level_in(uow, "NOPE", "BER")
        with pytest.raises(UnknownLocation):
            split.inventory.level_in(uow, "TEE", "NOWHERE")
    assert [lv.id for lv in split.inventory.levels("MUG")] == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"delta": -6}, NotEnoughToMove),  # 10 on hand, 5 reserved
        ({"delta": 0}, InvalidQuantity),
        ({"delta": 1.5}, InvalidQuantity),
        ({"delta": -1, "location": "NOWHERE"}, UnknownLocation),
    ],
)
def test_bad_adjustments_in_a_transaction_change_nothing(
    split: OMS, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    before = state(split)
    args: dict[str, Any] = {"location": "MUC", "reason": "count", **kwargs}

    def use_case(uow: UnitOfWork) -> None:
        split.inventory.adjust_in(uow, "TEE", **args)

    with pytest.raises(error):
        split.runtime.run(use_case)
    assert state(split) == before
