"""Pure lifecycle rules: statuses derived from quantities, tables consistent."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.customers import Address
from omskit.errors import InvalidTransition
from omskit.money import Money, TaxedMoney
from omskit.orders import (
    LINE_MOVES,
    LINE_STATUSES,
    ORDER_ACTIONS,
    ORDER_MOVES,
    ORDER_STATUSES,
    Order,
    OrderLine,
)
from omskit.orders.lifecycle import line_status, order_status, require_action


def line(**quantities: int) -> str:
    base = {"quantity": 4, "cancelled": 0, "allocated": 0, "backordered": 0,
            "in_fulfillment": 0, "shipped": 0, "delivered": 0}  # fmt: skip
    base.update(quantities)
    return line_status(**base, approved=True, completed=False)


def test_line_status_follows_the_quantities() -> None:
    assert line() == "approved"
    assert line(backordered=4) == "backordered"
    assert line(allocated=2, backordered=2) == "partially_allocated"
    assert line(allocated=4) == "allocated"
    assert line(allocated=4, in_fulfillment=1) == "in_fulfillment"
    assert line(allocated=4, shipped=1) == "partially_shipped"
    assert line(allocated=4, shipped=4) == "shipped"
    assert line(allocated=4, shipped=4, delivered=4) == "delivered"
    assert line(cancelled=4) == "cancelled"
    assert line(cancelled=2, allocated=2, shipped=2) == "shipped"


def test_the_order_status_follows_its_lines() -> None:
    assert order_status(["cancelled", "cancelled"], on_hold=False) == "cancelled"
    assert order_status(["allocated", "approved"], on_hold=False) == "partially_allocated"
    assert order_status(["allocated", "cancelled"], on_hold=False) == "allocated"
    assert order_status(["shipped", "allocated"], on_hold=False) == "partially_shipped"
    assert order_status(["delivered", "shipped"], on_hold=False) == "shipped"
    assert order_status(["allocated"], on_hold=True) == "on_hold"
    assert order_status(["shipped", "allocated"], on_hold=True) == "partially_shipped"
    assert order_status(["backordered", "approved"], on_hold=False) == "backordered"


@given(st.lists(st.sampled_from(LINE_STATUSES), min_size=1, max_size=5), st.booleans())
def test_every_combination_of_lines_gives_a_known_order_status(
    lines: list[str], on_hold: bool
) -> None:
    assert order_status(lines, on_hold=on_hold) in ORDER_STATUSES


def test_the_tables_cover_every_status() -> None:
    assert set(ORDER_ACTIONS) == set(ORDER_STATUSES) == set(ORDER_MOVES)
    assert set(LINE_MOVES) == set(LINE_STATUSES)
    assert ORDER_ACTIONS["cancelled"] == frozenset()
    assert ORDER_MOVES["cancelled"] == {"cancelled"}


def test_a_forbidden_action_names_the_state_and_where_it_is_allowed() -> None:
    with pytest.raises(InvalidTransition) as info:
        require_action("order ord_1", "shipped", "cancel")
    assert info.value.state == "shipped"
    assert "allocated" in info.value.allowed_from
    assert "cannot cancel order ord_1" in str(info.value)


def make_order() -> Order:
    zero = Money.zero("EUR")
    taxed = TaxedMoney(zero, zero)
    lines = [OrderLine(id="L1", sku="A", quantity=2, unit_price=zero, total=taxed, discount=zero)]
    return Order(id="ord_1", channel="web", external_id="X", currency="EUR",
                 customer_email="a@example.com", ship_to=Address(country="DE"), lines=lines,
                 total=taxed, shipping=taxed,
                 created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip


def test_refresh_refuses_a_move_the_table_forbids() -> None:
    order = make_order()
    order.approved = True
    order.refresh()
    order.lines[0].allocated = 2
    order.refresh()
    order.lines[0].shipped = 2
    order.refresh()
    assert order.status == "shipped"
    order.lines[0].shipped = 0
    order.lines[0].allocated = 0
    with pytest.raises(InvalidTransition):
        order.refresh()


def test_clone_is_independent_of_the_original() -> None:
    order = make_order()
    copy = order.clone()
    copy.lines[0].cancelled = 2
    copy.history.append(copy.history[0] if copy.history else None)  # type: ignore[arg-type]
    copy.shipments["s1"] = "shipped"
    assert order.lines[0].cancelled == 0
    assert order.history == []
    assert order.shipments == {}
    assert copy.id == order.id
    assert copy.version == order.version
