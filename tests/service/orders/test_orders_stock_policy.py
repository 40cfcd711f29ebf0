"""Capture and stock: each product's backorder policy decides, every short line is named.

Cases ported from Saleor's and Magento MSI's suites: a short ``deny`` line is refused
(routing's plan calls it rejected too), a preorder cap of 100 refuses an order for 101,
and a capture whose planned stock is taken before it reserves plans again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import pickle
import threading
from typing import Any

import pytest

from omskit import (
    OMS,
    BackorderLimitReached,
    InsufficientStock,
    ShortLine,
    StockShortfall,
)
from omskit.inventory import (
    Allocation,
    LocationInactive,
    NotEnoughToMove,
    UnknownLocation,
    UnknownPurchaseOrder,
    UnknownReservation,
    UnknownSupplier,
)
from omskit.orders import ORDERS
from omskit.routing import SourcingRequest

RELEASE = dt.date(2027, 3, 1)


def count_orders(oms: OMS) -> int:
    with oms.runtime.storage.unit_of_work() as uow:
        return uow.repo(ORDERS).count()


def lines(**quantities: int) -> list[dict[str, Any]]:
    return [{"sku": sku.replace("_", "-"), "quantity": q} for sku, q in quantities.items()]


@pytest.fixture
def game_shop(shop: OMS) -> OMS:
    """The shop, plus a game sold on preorder with a cap of 100 and nothing in stock."""
    shop.catalog.add_product("GAME", name="Game", price="59.00", currency="EUR",
                             weight_grams=100)  # fmt: skip
    shop.inventory.set_backorder_policy("GAME", "preorder", cap=100, release_date=RELEASE)
    return shop


# -- deny: the default policy refuses, and routing says so too ----------------------------
def test_a_short_line_of_a_product_that_takes_no_backorders_is_refused(
    shop: OMS, order_payload: Any
) -> None:
    with pytest.raises(StockShortfall) as caught:
        shop.orders.capture(order_payload(lines=lines(CAP_RED=60, TEE_M=1)))
    exc = caught.value
    assert isinstance(exc, InsufficientStock)
    assert (exc.sku, exc.requested, exc.available) == ("CAP-RED", 60, 50)
    assert "CAP-RED does not take backorders" in str(exc)
    assert count_orders(shop) == 0
    assert shop.inventory.available("CAP-RED") == 50
    assert shop.inventory.available("TEE-M") == 50


def test_the_plan_for_the_same_request_calls_the_units_rejected(shop: OMS) -> None:
    request = SourcingRequest(reference="probe", lines=[{"sku": "CAP-RED", "quantity": 60}],
                              ship_to={"country": "DE", "line1": "Invalidenstr. 117",
                                       "city": "Berlin", "postal_code": "10115"})  # fmt: skip
    (short,) = shop.routing.plan(request).unfulfilled
    assert (short.kind, short.quantity) == ("rejected", 10)
    assert "does not take backorders" in short.reason


def test_every_short_line_is_reported_at_once_as_data(shop: OMS, order_payload: Any) -> None:
    with pytest.raises(StockShortfall) as caught:
        shop.orders.capture(order_payload(lines=lines(TEE_M=100, MUG_01=1, CAP_RED=57)))
    exc = caught.value
    assert exc.shortfalls == (
        ShortLine("TEE-M", 100, 50, "L1", reason="TEE-M does not take backorders"),
        ShortLine("CAP-RED", 57, 50, "L3", reason="CAP-RED does not take backorders"),
    )
    message = str(exc)
    assert "2 lines" in message
    assert "100 x 'TEE-M'" in message
    assert "57 x 'CAP-RED'" in message
    assert [p.field for p in exc.problems] == ["lines.L1.quantity", "lines.L3.quantity"]
    assert (exc.sku, exc.requested, exc.available) == ("TEE-M", 100, 50)  # the first line


def test_a_direct_reservation_names_every_allocation_that_does_not_fit(shop: OMS) -> None:
    with pytest.raises(StockShortfall) as caught:
        shop.inventory.reserve(reference="cart-1", allocations=[
            Allocation("BER", "TEE-M", 70, "1"), Allocation("BER", "MUG-01", 2, "2"),
            Allocation("BER", "CAP-RED", 51, "3"),
        ])  # fmt: skip
    assert [(s.sku, s.requested, s.available, s.location) for s in caught.value.shortfalls] == [
        ("TEE-M", 70, 50, "BER"), ("CAP-RED", 51, 50, "BER")]  # fmt: skip
    assert shop.inventory.reservations("cart-1") == []


def test_stock_errors_survive_pickling_with_their_data() -> None:
    short = StockShortfall([ShortLine("V", 100, 7, "L1"), ShortLine("W", 5, 0, "L2", "BER")])
    capped = BackorderLimitReached("GAME", 101, 0, 100, "preorder", short.shortfalls)
    errors: list[Exception] = [
        short, capped, NotEnoughToMove("V", 3, 1, "BER", "transfer"), UnknownLocation("X"),
        UnknownReservation("o-1", "L1"), UnknownSupplier("S"), UnknownPurchaseOrder("po-1"),
        LocationInactive("BER", "receive stock at"),
    ]  # fmt: skip
    for error in errors:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert str(back) == str(error)
        assert vars(back) == vars(error)


# -- backorders and preorders: the policy decides, the cap holds ---------------------------
def test_a_preorder_cap_of_100_refuses_101_accepts_100_and_refuses_one_more(
    game_shop: OMS, order_payload: Any
) -> None:
    with pytest.raises(BackorderLimitReached) as caught:
        game_shop.orders.capture(order_payload("P-1", lines=lines(GAME=101)))
    assert (caught.value.cap, caught.value.mode, caught.value.requested) == (100, "preorder", 101)
    assert count_orders(game_shop) == 0
    first = game_shop.orders.capture(order_payload("P-2", lines=lines(GAME=100)))
    assert first.lines[0].backordered == 100
    assert game_shop.inventory.reservations(first.id) == []  # nothing held: nothing there
    with pytest.raises(BackorderLimitReached, match="cap of 100"):
        game_shop.orders.capture(order_payload("P-3", lines=lines(GAME=1)))
    assert count_orders(game_shop) == 1


def test_a_cancelled_preorder_gives_its_units_back_to_the_cap(
    game_shop: OMS, order_payload: Any
) -> None:
    first = game_shop.orders.capture(order_payload("P-1", lines=lines(GAME=100)))
    game_shop.orders.cancel(first.id, reason="changed mind")
    again = game_shop.orders.capture(order_payload("P-2", lines=lines(GAME=100)))
    assert again.lines[0].backordered == 100


def test_cancelling_some_preordered_units_frees_that_much_of_the_cap(
    game_shop: OMS, order_payload: Any
) -> None:
    first = game_shop.orders.capture(order_payload("P-1", lines=lines(GAME=100)))
    game_shop.orders.cancel_lines(first.id, {"L1": 30}, reason="fewer")
    game_shop.orders.capture(order_payload("P-2", lines=lines(GAME=30)))
    with pytest.raises(BackorderLimitReached):
        game_shop.orders.capture(order_payload("P-3", lines=lines(GAME=1)))


def test_an_edited_preorder_is_not_counted_against_itself(
    game_shop: OMS, order_payload: Any
) -> None:
    order = game_shop.orders.capture(order_payload("P-1", lines=lines(GAME=90)))
    edited = game_shop.orders.edit(order.id, {"quantities": {"L1": 100}}, reason="more")
    assert edited.lines[0].backordered == 100
    with pytest.raises(BackorderLimitReached):
        game_shop.orders.edit(order.id, {"quantities": {"L1": 101}}, reason="one more")
    assert game_shop.orders.get(order.id).lines[0].active == 100


def test_a_backorder_cap_counts_only_units_beyond_stock(shop: OMS, order_payload: Any) -> None:
    shop.inventory.set_backorder_policy("CAP-RED", "backorder", cap=5)
    shop.channels.update("web", allow_partial=True)
    order = shop.orders.capture(order_payload("B-1", lines=lines(CAP_RED=55)))
    assert [(x.allocated, x.backordered) for x in order.lines] == [(50, 5)]
    with pytest.raises(BackorderLimitReached) as caught:
        shop.orders.capture(order_payload("B-2", lines=lines(CAP_RED=1, MUG_01=60)))
    # the mug line is refused too (its SKU takes no backorders), in the same error
    assert [s.sku for s in caught.value.shortfalls] == ["CAP-RED", "MUG-01"]


def test_the_plan_says_preorder_up_to_the_cap_and_rejected_beyond(
    game_shop: OMS, order_payload: Any
) -> None:
    game_shop.orders.capture(order_payload("P-1", lines=lines(GAME=60)))
    request = SourcingRequest(reference="probe", lines=[{"sku": "GAME", "quantity": 50}],
                              ship_to={"country": "DE", "line1": "Invalidenstr. 117",
                                       "city": "Berlin", "postal_code": "10115"})  # fmt: skip
    kinds = [(s.kind, s.quantity) for s in game_shop.routing.plan(request).unfulfilled]
    assert kinds == [("preorder", 40), ("rejected", 10)]


def test_switching_backorders_off_refuses_what_the_policy_would_take(
    make: Any, order_payload: Any
) -> None:
    oms = make({"orders": {"backorders": False}})
    oms.inventory.set_backorder_policy("CAP-RED", "backorder")
    with pytest.raises(StockShortfall, match="switched off"):
        oms.orders.capture(order_payload(lines=lines(CAP_RED=60)))
    assert count_orders(oms) == 0


def test_two_captures_racing_for_the_last_unit_under_a_cap_accept_only_one(
    game_shop: OMS, order_payload: Any
) -> None:
    game_shop.orders.capture(order_payload("P-0", lines=lines(GAME=99)))
    inventory = game_shop.inventory
    decide = inventory.backorder_in
    both_decided = threading.Barrier(2, timeout=10)

    def racing(uow: Any, **kwargs: Any) -> Any:
        booked = decide(uow, **kwargs)
        # both have seen one unit of room left before either commits; the retry after
        # the conflict finds no room and decides alone
        with contextlib.suppress(threading.BrokenBarrierError):
            both_decided.wait()
        return booked

    inventory.backorder_in = racing  # type: ignore[method-assign]
    outcomes: list[str] = []

    def buy(ref: str) -> None:
        try:
            game_shop.orders.capture(order_payload(ref, lines=lines(GAME=1)))
            outcomes.append("accepted")
        except BackorderLimitReached:
            both_decided.abort()
            outcomes.append("refused")

    threads = [threading.Thread(target=buy, args=(f"P-{i}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["accepted", "refused"]
    assert count_orders(game_shop) == 2


# -- contention: the stock planned for went to another order ------------------------------
def test_a_capture_whose_planned_stock_is_taken_plans_again_and_backorders_the_rest(
    shop: OMS, order_payload: Any
) -> None:
    shop.inventory.set_backorder_policy("CAP-RED", "backorder")
    shop.channels.update("web", allow_partial=True)
    inventory = shop.inventory
    reserve = inventory.reserve_in
    planned, taken = threading.Barrier(2, timeout=10), threading.Barrier(2, timeout=10)
    capturing: dict[str, threading.Thread] = {}

    def paused(uow: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is capturing.get("thread") and not planned.broken:
            planned.wait()  # the capture has planned 50 units from BER ...
            taken.wait()  # ... and another order has taken 30 of them meanwhile
            planned.abort()  # pause only once
        return reserve(uow, **kwargs)

    inventory.reserve_in = paused  # type: ignore[method-assign]
    result: dict[str, Any] = {}

    def capture() -> None:
        try:
            result["order"] = shop.orders.capture(order_payload(lines=lines(CAP_RED=50)))
        except Exception as exc:
            result["error"] = exc

    capturing["thread"] = thread = threading.Thread(target=capture)
    thread.start()
    planned.wait()
    inventory.reserve(reference="walk-in", allocations=[Allocation("BER", "CAP-RED", 30, "1")])
    taken.wait()
    thread.join(timeout=30)
    assert "error" not in result, result.get("error")
    order = result["order"]
    assert [(x.allocated, x.backordered) for x in order.lines] == [(20, 30)]
    assert shop.inventory.level("CAP-RED", "BER").reserved == 50
