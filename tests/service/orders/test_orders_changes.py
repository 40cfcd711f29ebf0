"""Cancelling and editing orders: stock released, money voided or refunded exactly."""

from __future__ import annotations

from typing import Any

import pytest

from omskit.errors import InvalidTransition, NotFound, ValidationError
from omskit.money import Money
from omskit.orders import UnitsInFulfillment


def open_reserved(oms: Any, order_id: str) -> dict[str, int]:
    held: dict[str, int] = {}
    for r in oms.inventory.reservations(order_id):
        held[r.line_ref] = held.get(r.line_ref, 0) + r.quantity
    return {k: v for k, v in held.items() if v}


def test_cancelling_an_order_releases_stock_and_voids_the_authorization(
    shop: Any, order_payload: Any, gateway: Any
) -> None:
    order = shop.orders.capture(order_payload())
    cancelled = shop.orders.cancel(order.id, reason="customer changed mind", actor="cs:ana")
    assert cancelled.status == "cancelled"
    assert all(x.status == "cancelled" for x in cancelled.lines)
    assert open_reserved(shop, order.id) == {}
    assert shop.inventory.available("TEE-M") == 50
    payment = shop.payments.get(order.id)
    assert payment.status == "voided"
    assert gateway(shop).open_authorizations() == {}
    last = shop.orders.history(order.id)[-1]
    assert (last.action, last.actor, last.reason) == ("cancelled", "cs:ana",
                                                     "customer changed mind")  # fmt: skip


def test_cancelling_a_captured_order_refunds_everything(make: Any, order_payload: Any) -> None:
    oms = make({"payments": {"capture": "order"}})
    order = oms.orders.capture(order_payload())
    oms.orders.cancel(order.id, reason="out of stock")
    payment = oms.payments.get(order.id)
    assert payment.status == "refunded"
    assert payment.refunded == order.total.gross
    assert payment.balance == Money("0", "EUR")


def test_cancelling_some_units_refunds_exactly_their_share(make: Any, order_payload: Any) -> None:
    oms = make({"payments": {"capture": "order"}})
    order = oms.orders.capture(order_payload(lines=[{"sku": "TEE-M", "quantity": 3}]))
    line_total = order.lines[0].total.gross
    after = oms.orders.cancel_lines(order.id, {"L1": 1}, reason="damaged")
    payment = oms.payments.get(order.id)
    assert after.lines[0].active == 2
    assert after.lines[0].total.gross + payment.refunded == line_total
    assert payment.balance == after.total.gross
    assert open_reserved(oms, order.id) == {"L1": 2}
    assert oms.inventory.available("TEE-M") == 48


def test_cancelling_lines_of_an_authorized_order_voids_part_of_the_authorization(
    shop: Any, order_payload: Any, gateway: Any
) -> None:
    order = shop.orders.capture(order_payload())
    after = shop.orders.cancel_lines(order.id, {"L2": 1}, reason="no longer wanted")
    payment = shop.payments.get(order.id)
    assert after.lines[1].status == "cancelled"
    assert after.status == "allocated"
    assert payment.open_amount == after.total.gross
    assert gateway(shop).open_amount(payment.authorization) == after.total.gross.amount


def test_cancelling_every_line_cancels_the_order(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    after = shop.orders.cancel_lines(order.id, {"L1": 2, "L2": 1}, reason="all gone")
    assert after.status == "cancelled"
    assert after.total.gross == Money("0", "EUR")
    assert shop.payments.get(order.id).status == "voided"


def test_bad_line_cancellations_are_refused_and_change_nothing(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    with pytest.raises(ValidationError) as info:
        shop.orders.cancel_lines(order.id, {"L1": 3, "L9": 1, "L2": 0}, reason="x")
    assert {p.field for p in info.value.problems} == {"lines.L1", "lines.L9", "lines.L2"}
    with pytest.raises(NotFound):
        shop.orders.cancel_lines(order.id, {"L9": 1}, reason="x")
    assert shop.orders.get(order.id).version == order.version


def test_editing_quantities_reprices_rereserves_and_authorizes_the_difference(
    shop: Any, order_payload: Any, gateway: Any
) -> None:
    order = shop.orders.capture(order_payload())
    edited = shop.orders.edit(order.id, {"quantities": {"L1": 4}}, reason="customer call",
                              actor="cs:ana")  # fmt: skip
    payment = shop.payments.get(order.id)
    assert edited.lines[0].active == 4
    assert edited.lines[0].total.gross == Money("79.60", "EUR")
    assert edited.total.gross > order.total.gross
    assert payment.open_amount == edited.total.gross
    assert open_reserved(shop, order.id) == {"L1": 4, "L2": 1}
    assert gateway(shop).open_amount(payment.authorization) == edited.total.gross.amount
    assert shop.orders.history(order.id)[-1].action == "edited"


def test_editing_to_less_voids_and_adding_and_removing_lines_works(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload())
    edited = shop.orders.edit(order.id, {"remove": ["L1"], "add": [{"sku": "CAP-RED",
                                                                    "quantity": 1}]})  # fmt: skip
    assert [(x.id, x.status) for x in edited.lines] == [("L1", "cancelled"), ("L2", "allocated"),
                                                        ("L3", "allocated")]  # fmt: skip
    payment = shop.payments.get(order.id)
    assert payment.covered == edited.total.gross
    assert open_reserved(shop, order.id) == {"L2": 1, "L3": 1}
    assert shop.inventory.available("TEE-M") == 50


def test_changing_the_address_is_checked_and_recorded(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    new = {"country": "DE", "line1": "Alexanderplatz 1", "city": "Berlin", "postal_code": "10178"}
    edited = shop.orders.edit(order.id, {"ship_to": new})
    assert edited.ship_to.line1 == "Alexanderplatz 1"
    with pytest.raises(ValidationError):
        shop.orders.edit(order.id, {"ship_to": {"country": "DE"}})


def test_bad_edits_are_refused_and_change_nothing(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    for bad in ({}, {"quantities": {"L1": 0}}, {"remove": ["L1", "L2"]},
                {"add": [{"sku": "NOPE-1", "quantity": 1}]}, {"colour": "red"}):  # fmt: skip
        with pytest.raises((ValidationError, NotFound)):
            shop.orders.edit(order.id, bad)
    assert shop.orders.get(order.id).version == order.version


def test_an_increase_the_card_cannot_cover_is_refused_and_changes_nothing(
    shop: Any, order_payload: Any
) -> None:
    order = shop.orders.capture(order_payload(payment={"method": "tok_visa"}))
    from omskit.payments import PaymentDeclined

    # an increase of exactly 666.66 is declined by the sandbox
    shop.catalog.add_product("GIFT-1", name="Gift card", price="666.66", currency="EUR")
    shop.inventory.receive("GIFT-1", location="BER", quantity=5)
    with pytest.raises(PaymentDeclined):
        shop.orders.edit(order.id, {"add": [{"sku": "GIFT-1", "quantity": 1}]})
    assert shop.orders.get(order.id).version == order.version
    assert open_reserved(shop, order.id) == {"L1": 2, "L2": 1}


def test_units_in_fulfillment_cannot_be_edited(shop: Any, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload())
    shop.fulfillment.release(order.id)
    assert shop.orders.get(order.id).status == "in_fulfillment"
    with pytest.raises(UnitsInFulfillment) as info:
        shop.orders.edit(order.id, {"quantities": {"L1": 1}})
    assert isinstance(info.value, InvalidTransition)
    assert [x.line_id for x in info.value.lines] == ["L1", "L2"]
