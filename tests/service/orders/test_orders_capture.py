"""Capturing orders: pricing, reservation, payment, idempotency."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import IdempotencyConflict
from omskit.money import Money, sum_money
from omskit.orders import ORDERS, CaptureOrder, OrderCaptured
from omskit.testing import RecordingSubscriber


def count_orders(oms: OMS) -> int:
    with oms.runtime.storage.unit_of_work() as uow:
        return uow.repo(ORDERS).count()


def test_a_captured_order_is_priced_reserved_and_authorized(shop: OMS, order_payload: Any,
                                                            gateway: Any) -> None:  # fmt: skip
    order = shop.orders.capture(order_payload())
    assert order.status == "allocated"
    assert order.payment_status == "authorized"
    assert [x.allocated for x in order.lines] == [2, 1]
    assert order.quote is not None
    assert order.total == order.quote.total
    lines = sum_money((x.total.gross for x in order.lines), "EUR")
    assert lines + order.shipping.gross == order.total.gross
    assert order.lines[0].unit_price == Money("19.90", "EUR")
    assert shop.inventory.available("TEE-M") == 48
    payment = shop.payments.get(order.id)
    assert payment.authorized == order.total.gross
    assert gateway(shop).open_amount(payment.authorization) == order.total.gross.amount
    assert shop.orders.get(order.id).history[0].action == "captured"


def test_capture_accepts_keyword_fields_and_typed_commands(shop: OMS, order_payload: Any) -> None:
    by_kwargs = shop.orders.capture(**order_payload("K-1"))
    command = CaptureOrder.from_mapping(order_payload("K-2"))
    by_command = shop.orders.capture(command)
    assert by_kwargs.external_id == "K-1"
    assert by_command.external_id == "K-2"
    assert by_command.total == by_kwargs.total


def test_a_replay_returns_the_same_order_and_changes_nothing(shop: OMS, order_payload: Any,
                                                             gateway: Any) -> None:  # fmt: skip
    first = shop.orders.capture(order_payload())
    calls = gateway(shop).calls
    again = shop.orders.capture(order_payload())
    assert again.id == first.id
    assert again.version == first.version
    assert count_orders(shop) == 1
    assert gateway(shop).calls == calls
    assert shop.inventory.available("TEE-M") == 48


def test_a_replay_with_a_changed_payload_is_an_idempotency_conflict(
    shop: OMS, order_payload: Any
) -> None:
    first = shop.orders.capture(order_payload())
    changed = order_payload(lines=[{"sku": "TEE-M", "quantity": 3}])
    with pytest.raises(IdempotencyConflict, match="W-1"):
        shop.orders.capture(changed)
    assert shop.orders.get(first.id).version == first.version
    assert count_orders(shop) == 1
    assert shop.inventory.available("TEE-M") == 48


def test_the_same_external_id_on_another_channel_is_another_order(
    shop: OMS, order_payload: Any
) -> None:
    web = shop.orders.capture(order_payload("X-1"))
    market = shop.orders.capture(order_payload("X-1", channel="amazon-de"))
    assert web.id != market.id


def test_concurrent_replays_from_threads_make_exactly_one_order(
    shop: OMS, order_payload: Any, gateway: Any
) -> None:
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        try:
            results.append(shop.orders.capture(order_payload("RACE-1")).id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    assert count_orders(shop) == 1
    order = shop.orders.get(results[0])
    open_auths = gateway(shop).open_authorizations()
    assert open_auths == {shop.payments.get(order.id).authorization: order.total.gross.amount}
    assert shop.inventory.available("TEE-M") == 48


def test_a_marketplace_sends_its_own_prices(shop: OMS, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload(
        "AMZ-1", channel="amazon-de",
        lines=[{"sku": "TEE-M", "quantity": 1, "unit_price": "17.99"}],
    ))  # fmt: skip
    assert order.lines[0].unit_price == Money("17.99", "EUR")
    assert order.lines[0].channel_price == Money("17.99", "EUR")


def test_capture_records_events_after_commit(clock: Any, make: Any, order_payload: Any) -> None:
    recorder = RecordingSubscriber()
    oms = make(plugins=[recorder])
    order = oms.orders.capture(order_payload())
    captured = [e for e in recorder.events if isinstance(e, OrderCaptured)]
    assert [e.order_id for e in captured] == [order.id]
    assert "PaymentAuthorized" in recorder.names()


def test_short_stock_is_backordered(make: Any, order_payload: Any) -> None:
    oms = make()
    oms.inventory.set_backorder_policy("CAP-RED", "backorder")
    order = oms.orders.capture(order_payload(lines=[{"sku": "CAP-RED", "quantity": 60}]))
    line = order.lines[0]
    assert order.status == "backordered"
    assert (line.allocated, line.backordered) == (0, 60)


def test_a_channel_allowing_partial_reserves_what_there_is(make: Any, order_payload: Any) -> None:
    oms = make()
    oms.inventory.set_backorder_policy("CAP-RED", "backorder")
    oms.channels.update("web", allow_partial=True)
    order = oms.orders.capture(order_payload(lines=[{"sku": "CAP-RED", "quantity": 60},
                                                    {"sku": "TEE-M", "quantity": 1}]))  # fmt: skip
    assert order.status == "partially_allocated"
    assert [(x.allocated, x.backordered) for x in order.lines] == [(50, 10), (1, 0)]


def test_without_reservation_at_capture_nothing_is_reserved(make: Any, order_payload: Any) -> None:
    oms = make({"inventory": {"reserve_on": "allocation"}})
    order = oms.orders.capture(order_payload())
    assert order.status == "approved"
    assert oms.inventory.reservations(order.id) == []
