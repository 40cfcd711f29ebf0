"""Inventory use cases on the in-memory store: movements, bad input, alerts, settings."""

from __future__ import annotations

import datetime as dt

import pytest

from omskit import (
    OMS,
    AlreadyExists,
    FloatNotAllowed,
    InsufficientStock,
    InvalidQuantity,
    UnknownSku,
    ValidationError,
)
from omskit.inventory import (
    Allocation,
    BackInStock,
    LocationInactive,
    LowStock,
    NotEnoughToMove,
    OutOfStock,
    UnknownLocation,
    UnknownReservation,
)
from omskit.testing import FakeClock, RecordingSubscriber


@pytest.fixture
def stocked(oms: OMS) -> OMS:
    oms.catalog.add_product("TEE-M", name="Tee", weight_grams=180)
    oms.catalog.add_product("MUG-1", name="Mug", weight_grams=320)
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.52, lon=13.40)
    oms.inventory.add_location("MUC", name="Munich", country="DE", lat=48.14, lon=11.58)
    oms.inventory.receive("TEE-M", location="BER", quantity=10, reference="GR-1")
    oms.inventory.receive("MUG-1", location="BER", quantity=4)
    return oms


def state(oms: OMS) -> list[tuple[str, int, int, int, int]]:
    levels = sorted((lv.id, lv.on_hand, lv.reserved, lv.quarantined, lv.safety_stock)
                    for lv in oms.inventory.levels())  # fmt: skip
    return [*levels, ("ledger", len(oms.inventory.ledger()), 0, 0, 0)]


def test_receiving_books_stock_and_a_ledger_entry_with_reference_and_actor(stocked: OMS) -> None:
    level = stocked.inventory.level("TEE-M", "BER")
    assert (level.on_hand, level.reserved, level.available) == (10, 0, 10)
    entry = stocked.inventory.ledger(sku="TEE-M", location="BER")[0]
    assert (entry.kind, entry.on_hand, entry.reference, entry.actor) == (
        "receive",
        10,
        "GR-1",
        "system",
    )


def test_available_subtracts_reserved_safety_stock_and_quarantine(stocked: OMS) -> None:
    stocked.inventory.set_safety_stock("TEE-M", location="BER", quantity=2)
    stocked.inventory.quarantine("TEE-M", location="BER", quantity=1, reason="torn")
    stocked.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 3, "1")])
    assert stocked.inventory.level("TEE-M", "BER").available == 10 - 3 - 2 - 1
    assert stocked.inventory.available("TEE-M") == 4


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda o: o.inventory.receive("NOPE", location="BER", quantity=1), UnknownSku),
        (lambda o: o.inventory.receive("TEE-M", location="XXX", quantity=1), UnknownLocation),
        (lambda o: o.inventory.receive("TEE-M", location="BER", quantity=-1), InvalidQuantity),
        (lambda o: o.inventory.receive("TEE-M", location="BER", quantity=0), InvalidQuantity),
        (lambda o: o.inventory.receive("TEE-M", location="BER", quantity=1.0), FloatNotAllowed),
        (
            lambda o: o.inventory.transfer(
                "TEE-M", from_location="BER", to_location="MUC", quantity=11
            ),
            NotEnoughToMove,
        ),
        (
            lambda o: o.inventory.transfer(
                "TEE-M", from_location="BER", to_location="BER", quantity=1
            ),
            ValidationError,
        ),
        (
            lambda o: o.inventory.adjust("MUG-1", location="BER", delta=-5, reason="lost"),
            NotEnoughToMove,
        ),
        (
            lambda o: o.inventory.adjust("MUG-1", location="BER", delta=0, reason="x"),
            InvalidQuantity,
        ),
        (
            lambda o: o.inventory.reserve(
                reference="O-9",
                allocations=[
                    Allocation("BER", "TEE-M", 1, "1"),
                    Allocation("BER", "MUG-1", 5, "2"),
                ],
            ),
            InsufficientStock,
        ),
        (
            lambda o: o.inventory.reserve(
                reference="O-9",
                allocations=[Allocation("BER", "TEE-M", 1, "1"), Allocation("BER", "NOPE", 1, "2")],
            ),
            UnknownSku,
        ),
        (
            lambda o: o.inventory.reserve(
                reference="O-9",
                allocations=[
                    Allocation("BER", "TEE-M", 1, "1"),
                    Allocation("ZZZ", "TEE-M", 1, "2"),
                ],
            ),
            UnknownLocation,
        ),
        (
            lambda o: o.inventory.reserve(
                reference="O-9", allocations=[Allocation("BER", "TEE-M", -2, "1")]
            ),
            InvalidQuantity,
        ),
        (
            lambda o: o.inventory.reserve(
                reference="", allocations=[Allocation("BER", "TEE-M", 1, "1")]
            ),
            ValidationError,
        ),
        (lambda o: o.inventory.reserve(reference="O-9", allocations=[]), ValidationError),
        (lambda o: o.inventory.release(reference="never"), UnknownReservation),
        (
            lambda o: o.inventory.consume(
                reference="never", line_ref="1", location="BER", quantity=1
            ),
            UnknownReservation,
        ),
        (
            lambda o: o.inventory.add_location("BER", name="again", country="DE", lat=1, lon=1),
            AlreadyExists,
        ),
        (
            lambda o: o.inventory.add_location("bad code", name="x", country="DE", lat=1, lon=1),
            ValidationError,
        ),
        (
            lambda o: o.inventory.add_location("X1", name="x", country="XX", lat=99, lon=1),
            ValidationError,
        ),
    ],
)
def test_bad_input_raises_a_specific_error_and_changes_nothing(
    stocked: OMS, call: object, error: type[Exception]
) -> None:
    before = state(stocked)
    with pytest.raises(error):
        call(stocked)  # type: ignore[operator]
    assert state(stocked) == before


def test_a_new_location_reports_every_problem_at_once(oms: OMS) -> None:
    with pytest.raises(ValidationError) as info:
        oms.inventory.add_location("X1", name="", country="XX", lat=99, lon=1, kind="shed")
    fields = {p.field for p in info.value.problems}
    assert {"name", "country", "kind", "lat"} <= fields


def test_receiving_into_a_deactivated_location_is_refused(stocked: OMS) -> None:
    stocked.inventory.deactivate_location("MUC", reason="closing")
    with pytest.raises(LocationInactive, match="inactive"):
        stocked.inventory.receive("TEE-M", location="MUC", quantity=1)
    with pytest.raises(LocationInactive):
        stocked.inventory.transfer("TEE-M", from_location="BER", to_location="MUC", quantity=1)
    assert stocked.inventory.level("TEE-M", "MUC").on_hand == 0
    assert [loc.id for loc in stocked.inventory.locations()] == ["BER"]


def test_transfer_moves_units_and_logs_both_sides(stocked: OMS) -> None:
    out, into = stocked.inventory.transfer(
        "TEE-M", from_location="BER", to_location="MUC", quantity=4
    )
    assert (out.on_hand, into.on_hand) == (6, 4)
    kinds = {m.kind: m.on_hand for m in stocked.inventory.ledger(sku="TEE-M")}
    assert kinds["transfer_out"] == -4
    assert kinds["transfer_in"] == 4


def test_transfer_cannot_take_reserved_units(stocked: OMS) -> None:
    stocked.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 8, "1")])
    with pytest.raises(NotEnoughToMove, match="only 2 available"):
        stocked.inventory.transfer("TEE-M", from_location="BER", to_location="MUC", quantity=3)


def test_a_count_sets_on_hand_and_logs_the_difference(stocked: OMS) -> None:
    level = stocked.inventory.count("TEE-M", location="BER", counted=7, actor="dana")
    assert level.on_hand == 7
    last = stocked.inventory.ledger(sku="TEE-M", location="BER")[-1]
    assert (last.kind, last.on_hand, last.actor) == ("count", -3, "dana")


def test_reservation_is_all_or_nothing_and_partial_when_allowed(stocked: OMS) -> None:
    allocs = [Allocation("BER", "TEE-M", 5, "1"), Allocation("BER", "MUG-1", 6, "2")]
    with pytest.raises(InsufficientStock) as info:
        stocked.inventory.reserve(reference="O-1", allocations=allocs)
    assert (info.value.sku, info.value.requested, info.value.available) == ("MUG-1", 6, 4)
    assert stocked.inventory.level("TEE-M", "BER").reserved == 0
    held = stocked.inventory.reserve(reference="O-1", allocations=allocs, allow_partial=True)
    assert [(r.sku, r.quantity) for r in held] == [("TEE-M", 5), ("MUG-1", 4)]


def test_two_lines_on_one_level_are_checked_together(stocked: OMS) -> None:
    allocs = [Allocation("BER", "TEE-M", 6, "1"), Allocation("BER", "TEE-M", 6, "2")]
    with pytest.raises(InsufficientStock):
        stocked.inventory.reserve(reference="O-1", allocations=allocs)
    assert stocked.inventory.level("TEE-M", "BER").reserved == 0


def test_release_gives_back_a_line_part_of_it_or_everything(stocked: OMS) -> None:
    stocked.inventory.reserve(
        reference="O-1",
        allocations=[Allocation("BER", "TEE-M", 5, "1"), Allocation("BER", "MUG-1", 2, "2")],
    )
    stocked.inventory.release(reference="O-1", line_ref="1", quantity=2, reason="edit")
    assert stocked.inventory.level("TEE-M", "BER").reserved == 3
    with pytest.raises(InvalidQuantity):
        stocked.inventory.release(reference="O-1", line_ref="1", quantity=4)
    with pytest.raises(UnknownReservation):
        stocked.inventory.release(reference="O-1", line_ref="9")
    stocked.inventory.release(reference="O-1", reason="cancelled")
    assert stocked.inventory.level("TEE-M", "BER").reserved == 0
    assert stocked.inventory.release(reference="O-1") == []  # twice is harmless
    assert {r.status for r in stocked.inventory.reservations("O-1")} == {"released"}


def test_consume_on_shipment_lowers_reserved_and_on_hand(stocked: OMS) -> None:
    stocked.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 3, "1")])
    res = stocked.inventory.consume(reference="O-1", line_ref="1", location="BER", quantity=2)
    level = stocked.inventory.level("TEE-M", "BER")
    assert (level.on_hand, level.reserved, res.quantity, res.consumed) == (8, 1, 1, 2)
    with pytest.raises(InvalidQuantity):
        stocked.inventory.consume(reference="O-1", line_ref="1", location="BER", quantity=2)
    with pytest.raises(UnknownReservation):
        stocked.inventory.consume(reference="O-1", line_ref="1", location="MUC", quantity=1)


def test_cart_reservations_expire_after_the_configured_ttl(clock: FakeClock) -> None:
    oms = OMS.in_memory({"inventory": {"cart_ttl_minutes": 15, "reserve_on": "allocation"}},
                        clock=clock, autoload=False)  # fmt: skip
    assert oms.inventory.settings.reserve_on == "allocation"
    oms.catalog.add_product("TEE-M", name="Tee")
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
    oms.inventory.receive("TEE-M", location="BER", quantity=5)
    oms.inventory.reserve(reference="cart-1", allocations=[Allocation("BER", "TEE-M", 2, "1")],
                          cart=True)  # fmt: skip
    oms.inventory.reserve(reference="order-1", allocations=[Allocation("BER", "TEE-M", 1, "1")])
    clock.advance(minutes=14)
    assert oms.inventory.expire_reservations() == []
    clock.advance(minutes=2)
    assert oms.inventory.expire_reservations() == ["cart-1"]
    assert oms.inventory.level("TEE-M", "BER").reserved == 1
    assert oms.inventory.expire_reservations() == []


def test_bad_inventory_settings_are_reported_together() -> None:
    with pytest.raises(ValidationError) as info:
        OMS.in_memory({"inventory": {"reserve_on": "never", "cart_ttl_minutes": -1,
                                     "colour": 1}}, autoload=False)  # fmt: skip
    assert len(info.value.problems) == 3


def test_alerts_fire_on_low_out_and_back_in_stock(clock: FakeClock) -> None:
    rec = RecordingSubscriber()
    oms = OMS.in_memory(plugins=[rec], clock=clock, autoload=False)
    oms.catalog.add_product("TEE-M", name="Tee")
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
    oms.inventory.receive("TEE-M", location="BER", quantity=10)
    oms.inventory.set_alert_threshold("TEE-M", location="BER", low=3)
    oms.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 7, "1")])
    oms.inventory.reserve(reference="O-2", allocations=[Allocation("BER", "TEE-M", 3, "1")])
    oms.inventory.receive("TEE-M", location="BER", quantity=20)
    alerts = [e for e in rec.events if isinstance(e, LowStock | OutOfStock | BackInStock)]
    assert [type(e).__name__ for e in alerts] == ["LowStock", "OutOfStock", "BackInStock"]
    assert alerts[0].available == 3
    assert "StockReserved" in rec.names()


def test_events_are_not_published_when_a_reservation_fails(clock: FakeClock) -> None:
    rec = RecordingSubscriber()
    oms = OMS.in_memory(plugins=[rec], clock=clock, autoload=False)
    oms.catalog.add_product("TEE-M", name="Tee")
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
    with pytest.raises(InsufficientStock):
        oms.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "TEE-M", 1, "1")])
    assert "StockReserved" not in rec.names()


def test_store_stock_is_protected_by_default(oms: OMS) -> None:
    store = oms.inventory.add_location("S-1", name="Shop", kind="store", country="DE", lat=1,
                                       lon=1)  # fmt: skip
    assert store.online_orders is False
    dc = oms.inventory.add_location("DC", name="DC", country="DE", lat=1, lon=1,
                                    handling_per_shipment="1.50")  # fmt: skip
    assert dc.online_orders is True
    assert str(dc.handling_per_shipment) == "1.50 EUR"
    updated = oms.inventory.update_location("S-1", online_orders=True, priority=5)
    assert (updated.online_orders, updated.priority) == (True, 5)


def test_restocking_a_return_is_its_own_ledger_kind(stocked: OMS) -> None:
    stocked.inventory.restock_return("TEE-M", location="BER", quantity=1, reference="RMA-1")
    entry = stocked.inventory.ledger(reference="RMA-1")[0]
    assert (entry.kind, entry.on_hand) == ("restock_return", 1)


def test_reconcile_reports_drift_between_levels_and_ledger(stocked: OMS) -> None:
    from omskit.inventory.stock import STOCK, level_id

    assert stocked.inventory.reconcile() == []
    with stocked.runtime.transaction() as uow:  # simulate a corrupted row written behind our back
        level = uow.repo(STOCK).get(level_id("TEE-M", "BER"))
        level.on_hand += 2
        uow.repo(STOCK).save(level)
    drift = stocked.inventory.reconcile()
    assert [(d.field, d.level, d.ledger) for d in drift] == [("on_hand", 12, 10)]
    assert "drift +2" in str(drift[0])


def test_timestamps_come_from_the_oms_clock(stocked: OMS, clock: FakeClock) -> None:
    clock.advance(days=1)
    stocked.inventory.receive("TEE-M", location="BER", quantity=1)
    assert stocked.inventory.ledger(sku="TEE-M")[-1].at == clock.now()
    assert clock.now().date() == dt.date(2026, 11, 25)
