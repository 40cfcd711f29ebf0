"""Holds kept in the ledger: what a reserve call stores, and reservations summed back."""

from __future__ import annotations

import datetime as dt

import pytest

from omskit import OMS
from omskit.inventory import Allocation
from omskit.inventory.ledger import MOVEMENTS
from omskit.inventory.reservations import EXPIRING_HOLDS
from omskit.inventory.stock import STOCK
from omskit.testing import FakeClock, RecordingSubscriber


def _stocked(oms: OMS) -> OMS:
    oms.catalog.add_product("TEE-M", name="Tee", weight_grams=100)
    oms.catalog.add_product("MUG-1", name="Mug", weight_grams=100)
    for code in ("BER", "MUC"):
        oms.inventory.add_location(code, name=code, country="DE", lat=50.0, lon=10.0)
        oms.inventory.receive("TEE-M", location=code, quantity=10)
        oms.inventory.receive("MUG-1", location=code, quantity=10)
    return oms


def _counts(oms: OMS) -> tuple[int, int, int]:
    with oms.runtime.storage.unit_of_work() as uow:
        return (uow.repo(STOCK).count(), uow.repo(MOVEMENTS).count(),
                uow.repo(EXPIRING_HOLDS).count())  # fmt: skip


def test_an_order_reservation_stores_one_ledger_entry_per_line_and_nothing_else(
    oms: OMS,
) -> None:
    _stocked(oms)
    levels, moves, markers = _counts(oms)
    oms.inventory.reserve(reference="O-1", allocations=[
        Allocation("BER", "TEE-M", 1, "1"), Allocation("MUC", "MUG-1", 2, "2")])  # fmt: skip
    assert _counts(oms) == (levels, moves + 2, markers)
    entries = oms.inventory.ledger(reference="O-1")
    assert [(m.kind, m.line_ref, m.location, m.reserved) for m in entries] == [
        ("reserve", "1", "BER", 1), ("reserve", "2", "MUC", 2)]  # fmt: skip


def test_a_cart_reservation_also_leaves_one_expiry_marker(clock: FakeClock) -> None:
    oms = _stocked(OMS.in_memory(clock=clock, autoload=False))
    levels, moves, markers = _counts(oms)
    lines = [Allocation("BER", "TEE-M", 1, "1"), Allocation("BER", "MUG-1", 1, "2")]
    oms.inventory.reserve(reference="cart-1", allocations=lines, cart=True)
    assert _counts(oms) == (levels, moves + 2, markers + 1)


def test_a_reservation_is_the_sum_of_its_reserve_release_and_consume_entries(oms: OMS) -> None:
    _stocked(oms)
    alloc = [Allocation("BER", "TEE-M", 3, "1")]
    oms.inventory.reserve(reference="O-1", allocations=alloc)
    oms.inventory.reserve(reference="O-1", allocations=alloc)
    oms.inventory.release(reference="O-1", line_ref="1", quantity=2, reason="customer edit")
    oms.inventory.consume(reference="O-1", line_ref="1", location="BER", quantity=1)
    [held] = oms.inventory.reservations("O-1")
    assert (held.quantity, held.released, held.consumed, held.status) == (3, 2, 1, "open")
    level = oms.inventory.level("TEE-M", "BER")
    assert (level.on_hand, level.reserved) == (9, 3)
    kinds = [(m.kind, m.reason, m.line_ref) for m in oms.inventory.ledger(reference="O-1")]
    assert kinds == [("reserve", "1", "1"), ("reserve", "1", "1"),
                     ("release", "customer edit", "1"), ("consume", "1", "1")]  # fmt: skip
    assert not oms.inventory.reconcile()


def test_holds_of_other_references_and_other_movements_are_not_counted(oms: OMS) -> None:
    _stocked(oms)
    oms.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 2, "1")])
    oms.inventory.reserve(reference="O-2", allocations=[Allocation("BER", "TEE-M", 4, "1")])
    oms.inventory.receive("TEE-M", location="BER", quantity=5, reference="O-1")
    assert [(r.reference, r.quantity) for r in oms.inventory.reservations("O-1")] == [("O-1", 2)]
    assert [r.quantity for r in oms.inventory.reservations("O-2")] == [4]


def test_reservations_returned_by_reserve_show_what_the_line_holds_in_total(oms: OMS) -> None:
    _stocked(oms)
    oms.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 2, "1")])
    again = oms.inventory.reserve(reference="O-1", allocations=[
        Allocation("BER", "TEE-M", 1, "1"), Allocation("BER", "MUG-1", 1, "2")])  # fmt: skip
    assert [(r.line_ref, r.quantity) for r in again] == [("1", 3), ("2", 1)]
    assert [r.id for r in again] == [r.id for r in oms.inventory.reservations("O-1")]


def test_expiry_releases_only_due_holds_and_then_forgets_the_cart(clock: FakeClock) -> None:
    rec = RecordingSubscriber()
    oms = _stocked(OMS.in_memory(plugins=[rec], clock=clock, autoload=False))
    soon = clock.now() + dt.timedelta(minutes=5)
    later = clock.now() + dt.timedelta(minutes=50)
    oms.inventory.reserve(reference="cart-1", allocations=[Allocation("BER", "TEE-M", 2, "1")],
                          expires_at=soon)  # fmt: skip
    oms.inventory.reserve(reference="cart-1", allocations=[Allocation("MUC", "MUG-1", 1, "2")],
                          expires_at=later)  # fmt: skip
    clock.advance(minutes=10)
    assert oms.inventory.expire_reservations() == ["cart-1"]
    held = {r.line_ref: (r.quantity, r.released) for r in oms.inventory.reservations("cart-1")}
    assert held == {"1": (0, 2), "2": (1, 0)}
    assert rec.names().count("ReservationExpired") == 1
    clock.advance(minutes=60)
    assert oms.inventory.expire_reservations() == ["cart-1"]
    assert oms.inventory.expire_reservations() == []
    with oms.runtime.storage.unit_of_work() as uow:
        assert uow.repo(EXPIRING_HOLDS).list_by("open", True) == []
    assert oms.inventory.level("MUG-1", "MUC").reserved == 0
    assert not oms.inventory.reconcile()


def test_a_failed_reservation_leaves_no_ledger_entry_or_marker(oms: OMS) -> None:
    _stocked(oms)
    before = _counts(oms)
    with pytest.raises(Exception, match="TEE-M"):
        oms.inventory.reserve(reference="cart-9", cart=True, allocations=[
            Allocation("BER", "MUG-1", 1, "1"), Allocation("BER", "TEE-M", 99, "2")])  # fmt: skip
    assert _counts(oms) == before
    assert oms.inventory.reservations("cart-9") == []
