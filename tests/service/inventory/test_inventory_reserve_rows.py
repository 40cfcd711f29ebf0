"""What one reserve call writes: one id per call, unique rows, a ledger that stays queryable."""

from __future__ import annotations

from omskit import OMS
from omskit.inventory import Allocation


def _stocked(oms: OMS) -> OMS:
    for sku in ("TEE-M", "MUG-1"):
        oms.catalog.add_product(sku, name=sku, weight_grams=100)
    for code in ("BER", "MUC"):
        oms.inventory.add_location(code, name=code, country="DE", lat=50.0, lon=10.0)
        for sku in ("TEE-M", "MUG-1"):
            oms.inventory.receive(sku, location=code, quantity=10)
    return oms


def test_every_row_of_a_multi_line_reservation_gets_its_own_id(oms: OMS) -> None:
    _stocked(oms)
    allocations = [Allocation("BER", "TEE-M", 1, "1"), Allocation("MUC", "TEE-M", 2, "1"),
                   Allocation("BER", "MUG-1", 3, "2")]  # fmt: skip
    first = oms.inventory.reserve(reference="O-1", allocations=allocations)
    second = oms.inventory.reserve(reference="O-2", allocations=allocations[:1])
    ids = [r.id for r in first + second]
    assert len(set(ids)) == len(ids) == 4
    moves = oms.inventory.ledger()
    move_ids = [m.id for m in moves]
    assert len(set(move_ids)) == len(move_ids)
    assert not set(move_ids) & set(ids)


def test_the_ledger_answers_by_reference_sku_and_location_after_many_reservations(
    oms: OMS,
) -> None:
    _stocked(oms)
    assert len(oms.inventory.ledger(reference="O-0")) == 0  # a query before any write
    for n in range(6):
        oms.inventory.reserve(reference=f"O-{n}", allocations=[
            Allocation("BER" if n % 2 else "MUC", "TEE-M", 1, "1")])  # fmt: skip
    assert [m.reference for m in oms.inventory.ledger(reference="O-3")] == ["O-3"]
    ber = oms.inventory.ledger(sku="TEE-M", location="BER")
    assert [(m.kind, m.reference) for m in ber] == [
        ("receive", ""), ("reserve", "O-1"), ("reserve", "O-3"), ("reserve", "O-5")]  # fmt: skip
    assert not oms.inventory.reconcile()


def test_reserving_a_line_again_adds_to_its_row_instead_of_a_new_one(oms: OMS) -> None:
    _stocked(oms)
    oms.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 1, "1")])
    oms.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 2, "1")])
    held = oms.inventory.reservations("O-1")
    assert [(r.line_ref, r.quantity) for r in held] == [("1", 3)]
    assert oms.inventory.level("TEE-M", "BER").reserved == 3
