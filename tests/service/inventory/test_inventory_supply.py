"""Backorders, preorders, promise dates, suppliers and replenishment."""

from __future__ import annotations

import datetime as dt

import pytest

from omskit import OMS, InsufficientStock, InvalidQuantity, ValidationError
from omskit.inventory import Allocation, BackorderLimitReached, UnknownSupplier
from omskit.testing import FakeClock


@pytest.fixture
def shop(oms: OMS) -> OMS:
    oms.catalog.add_product("LAMP", name="Lamp", weight_grams=2400)
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.52, lon=13.40)
    oms.inventory.add_location("MUC", name="Munich", country="DE", lat=48.14, lon=11.58)
    oms.inventory.receive("LAMP", location="BER", quantity=2)
    oms.inventory.add_supplier("LUMA", name="Luma", lead_time_days=10)
    oms.inventory.set_supply_terms("LUMA", "LAMP", unit_cost="21.00", moq=10, pack_size=6)
    return oms


def test_deny_is_the_default_and_refuses_to_oversell(shop: OMS) -> None:
    assert shop.inventory.backorder_policy("LAMP").mode == "deny"
    with pytest.raises(InsufficientStock):
        shop.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "LAMP", 3, "1")])


def test_backorders_oversell_up_to_the_cap_across_locations(shop: OMS) -> None:
    shop.inventory.set_backorder_policy("LAMP", "backorder", cap=4)
    shop.inventory.reserve(reference="O-1", allocations=[Allocation("BER", "LAMP", 5, "1")])
    assert shop.inventory.level("LAMP", "BER").available == -3
    shop.inventory.reserve(reference="O-2", allocations=[Allocation("MUC", "LAMP", 1, "1")])
    with pytest.raises(BackorderLimitReached, match="cap of 4"):
        shop.inventory.reserve(reference="O-3", allocations=[Allocation("MUC", "LAMP", 1, "1")])
    assert shop.inventory.available("LAMP") == 0


def test_promise_dates_combine_stock_purchase_orders_and_reservations(
    shop: OMS, clock: FakeClock
) -> None:
    today = clock.now().date()
    assert shop.inventory.promise("LAMP", 2).date == today
    assert shop.inventory.promise("LAMP", 3).date is None  # deny, nothing incoming
    po = shop.inventory.place_purchase_order(supplier="LUMA", location="MUC", lines={"LAMP": 12})
    assert po.expected == today + dt.timedelta(days=10)
    shop.inventory.set_backorder_policy("LAMP", "backorder")
    p = shop.inventory.promise("LAMP", 5)
    assert (p.date, p.location, p.basis) == (po.expected, "MUC", "backorder")
    shop.inventory.reserve(reference="O-1", allocations=[Allocation("MUC", "LAMP", 10, "1")])
    # BER 2 on hand + MUC 12 incoming - 10 promised already = 4 across both locations
    split = shop.inventory.promise("LAMP", 4)
    assert (split.date, split.location) == (po.expected, None)
    assert "several locations" in split.note
    assert shop.inventory.promise("LAMP", 5).date is None
    assert shop.inventory.promise("LAMP", 2, location="MUC").date == po.expected


def test_preorders_are_never_promised_before_release(shop: OMS, clock: FakeClock) -> None:
    release = clock.now().date() + dt.timedelta(days=30)
    with pytest.raises(ValidationError):
        shop.inventory.set_backorder_policy("LAMP", "preorder")
    shop.inventory.set_backorder_policy("LAMP", "preorder", release_date=release, cap=100)
    p = shop.inventory.promise("LAMP", 1)
    assert (p.date, p.basis) == (release, "preorder")


def test_receiving_a_purchase_order_books_stock_and_clears_incoming(shop: OMS) -> None:
    po = shop.inventory.place_purchase_order(supplier="LUMA", location="MUC", lines={"LAMP": 12})
    assert shop.inventory.level("LAMP", "MUC").incoming_total == 12
    part = shop.inventory.receive_purchase_order(po.id, {"LAMP": 5})
    assert part.status == "partially_received"
    level = shop.inventory.level("LAMP", "MUC")
    assert (level.on_hand, level.incoming_total) == (5, 7)
    with pytest.raises(InvalidQuantity):
        shop.inventory.receive_purchase_order(po.id, {"LAMP": 8})
    done = shop.inventory.receive_purchase_order(po.id)
    assert done.status == "received"
    assert shop.inventory.level("LAMP", "MUC").on_hand == 12
    assert shop.inventory.ledger(reference=po.id)[0].kind == "receive"


def test_reorder_point_uses_recent_demand_and_rounds_to_moq_and_packs(
    shop: OMS, clock: FakeClock
) -> None:
    shop.inventory.receive("LAMP", location="BER", quantity=40)
    for i in range(14):  # 2 a day for two weeks
        shop.inventory.reserve(reference=f"O-{i}", allocations=[Allocation("BER", "LAMP", 2, "1")])
        shop.inventory.consume(reference=f"O-{i}", line_ref="1", location="BER", quantity=2)
        clock.advance(days=1)
    shop.inventory.set_reorder_policy("LAMP", location="BER", supplier="LUMA", demand_days=14,
                                      cover_days=7)  # fmt: skip
    # position 42 - 28 = 14; demand 2/day x 10 days lead = reorder point 20
    (po,) = shop.inventory.suggest_purchase_orders()
    (line,) = po.lines
    assert (po.supplier, po.location) == ("LUMA", "BER")
    assert "reorder point 20" in line.reason
    assert line.quantity % 6 == 0
    assert line.quantity >= 20 - 14 + 14
    assert str(po.total) == f"{21 * line.quantity:.2f} EUR"


def test_min_max_orders_up_to_max(shop: OMS) -> None:
    shop.inventory.set_reorder_policy("LAMP", location="BER", supplier="LUMA", method="min_max",
                                      minimum=5, maximum=30)  # fmt: skip
    (po,) = shop.inventory.suggest_purchase_orders(location="BER")
    assert po.lines[0].quantity == 30  # 28 wanted, rounded up to packs of 6
    shop.inventory.receive("LAMP", location="BER", quantity=10)
    assert shop.inventory.suggest_purchase_orders() == []


def test_bad_supplier_input_is_refused(shop: OMS) -> None:
    with pytest.raises(UnknownSupplier):
        shop.inventory.set_reorder_policy("LAMP", location="BER", supplier="NOPE")
    with pytest.raises(ValidationError):
        shop.inventory.set_reorder_policy("LAMP", location="BER", supplier="LUMA",
                                          method="min_max", minimum=9, maximum=2)  # fmt: skip
    with pytest.raises(UnknownSupplier):
        shop.inventory.place_purchase_order(supplier="NOPE", location="BER", lines={"LAMP": 1})
