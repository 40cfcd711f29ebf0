"""Bad input: each a specific error, every payload problem reported together, nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import (
    FloatNotAllowed,
    InvalidQuantity,
    InvalidTransition,
    NotFound,
    Problem,
    UnknownCurrency,
    UnknownSku,
    ValidationError,
)
from omskit.orders import ORDERS
from omskit.plugins import hookimpl


def snapshot(oms: OMS, gateway: Any) -> tuple[int, int, int, dict[str, Any]]:
    with oms.runtime.storage.unit_of_work() as uow:
        stored = uow.repo(ORDERS).count()
    return (stored, oms.inventory.available("TEE-M"), oms.events.pending(),
            gateway(oms).open_authorizations())  # fmt: skip


@pytest.fixture
def unchanged(shop: OMS, gateway: Any) -> Iterator[None]:
    """Asserts after the test that nothing was stored, reserved or authorized."""
    before = snapshot(shop, gateway)
    yield
    assert snapshot(shop, gateway) == before


def fields(exc: ValidationError) -> set[str]:
    return {p.field for p in exc.problems}


@pytest.mark.usefixtures("unchanged")
class TestMalformedPayloads:
    def test_missing_fields_are_all_reported_together(self, shop: OMS) -> None:
        with pytest.raises(ValidationError) as info:
            shop.orders.capture({"channel": "web"})
        assert {"external_id", "customer", "ship_to", "lines"} <= fields(info.value)

    def test_wrong_types_are_reported_with_their_paths(self, shop: OMS, order_payload: Any) -> None:
        bad = order_payload(external_id=42, lines="TEE-M", customer=["dana"], ship_to="Berlin",
                            coupons="SAVE10", payment="tok_visa")  # fmt: skip
        with pytest.raises(ValidationError) as info:
            shop.orders.capture(bad)
        assert fields(info.value) == {"external_id", "lines", "customer", "ship_to", "coupons",
                                      "payment"}  # fmt: skip

    def test_a_payload_that_is_not_a_mapping_is_refused(self, shop: OMS) -> None:
        with pytest.raises(ValidationError):
            shop.orders.capture(["not", "an", "order"])  # type: ignore[arg-type]

    def test_one_unknown_sku_is_an_unknown_sku_error(self, shop: OMS, order_payload: Any) -> None:
        with pytest.raises(UnknownSku) as info:
            shop.orders.capture(order_payload(lines=[{"sku": "NOPE-1", "quantity": 1}]))
        assert info.value.sku == "NOPE-1"

    def test_zero_quantity_is_an_invalid_quantity(self, shop: OMS, order_payload: Any) -> None:
        with pytest.raises(InvalidQuantity) as info:
            shop.orders.capture(order_payload(lines=[{"sku": "TEE-M", "quantity": 0}]))
        assert info.value.field == "lines[0].quantity"

    @pytest.mark.parametrize("qty", [10**12, -1, "2", 1.5, True])
    def test_absurd_or_mistyped_quantities_are_refused(
        self, shop: OMS, order_payload: Any, qty: Any
    ) -> None:
        with pytest.raises((InvalidQuantity, FloatNotAllowed)):
            shop.orders.capture(order_payload(lines=[{"sku": "TEE-M", "quantity": qty}]))

    def test_a_float_price_is_refused(self, shop: OMS, order_payload: Any) -> None:
        lines = [{"sku": "TEE-M", "quantity": 1, "unit_price": 17.99}]
        with pytest.raises(FloatNotAllowed):
            shop.orders.capture(order_payload(channel="amazon-de", lines=lines))

    def test_an_unknown_currency_code_is_unknown_currency(
        self, shop: OMS, order_payload: Any
    ) -> None:
        with pytest.raises(UnknownCurrency):
            shop.orders.capture(order_payload(currency="EURO"))

    def test_a_currency_the_channel_does_not_sell_is_refused(
        self, shop: OMS, order_payload: Any
    ) -> None:
        with pytest.raises(ValidationError) as info:
            shop.orders.capture(order_payload(currency="USD"))
        assert info.value.field == "currency"
        assert "EUR" in str(info.value)

    def test_an_unknown_channel_is_not_found(self, shop: OMS, order_payload: Any) -> None:
        with pytest.raises(NotFound) as info:
            shop.orders.capture(order_payload(channel="ebay"))
        assert "web" in str(info.value)

    def test_an_incomplete_address_lists_what_is_missing(
        self, shop: OMS, order_payload: Any
    ) -> None:
        with pytest.raises(ValidationError) as info:
            shop.orders.capture(order_payload(ship_to={"country": "US"}))
        assert fields(info.value) == {"ship_to.line1", "ship_to.city", "ship_to.postal_code",
                                      "ship_to.region"}  # fmt: skip

    def test_structural_and_catalog_problems_are_reported_together(
        self, shop: OMS, order_payload: Any
    ) -> None:
        bad = order_payload(
            currency="USD",
            customer={"email": "not-an-email"},
            lines=[{"sku": "NOPE-1", "quantity": 1}, {"sku": "TEE-M", "quantity": 0},
                   {"sku": "bad sku!", "quantity": 1}, {"sku": "MUG-01", "quantity": 1,
                                                       "colour": "red"}],
        )  # fmt: skip
        with pytest.raises(ValidationError) as info:
            shop.orders.capture(bad)
        assert fields(info.value) == {"currency", "customer.email", "lines[0].sku",
                                      "lines[1].quantity", "lines[2].sku",
                                      "lines[3].colour"}  # fmt: skip
        assert type(info.value) is ValidationError

    def test_a_deactivated_product_is_not_sellable(self, shop: OMS, order_payload: Any) -> None:
        shop.catalog.deactivate("MUG-01")
        with pytest.raises(ValidationError) as info:
            shop.orders.capture(order_payload())
        assert info.value.field == "lines[1].sku"

    def test_marketplace_prices_outside_tolerance_are_reported(
        self, shop: OMS, order_payload: Any
    ) -> None:
        shop.channels.update("web", channel_prices="tolerance", price_tolerance="5")
        lines = [{"sku": "TEE-M", "quantity": 1, "unit_price": "9.99"}]
        with pytest.raises(ValidationError) as info:
            shop.orders.capture(order_payload(lines=lines))
        assert "lines[0]" in info.value.field


def test_host_validation_problems_join_the_report_and_nothing_is_stored(
    make: Any, order_payload: Any, gateway: Any
) -> None:
    class NoPoBoxes:
        @hookimpl
        def omskit_validate_order(self, order: Any) -> list[Problem]:
            if "po box" in order.ship_to.line1.lower():
                return [Problem("ship_to.line1", "we do not deliver to PO boxes")]
            return []

    oms = make(plugins=[NoPoBoxes()])
    before = snapshot(oms, gateway)
    ship_to = {"country": "DE", "line1": "PO Box 12", "city": "Berlin", "postal_code": "10115"}
    with pytest.raises(ValidationError) as info:
        oms.orders.capture(order_payload(ship_to=ship_to))
    assert info.value.problems[0].message == "we do not deliver to PO boxes"
    assert snapshot(oms, gateway) == before


def test_a_failure_after_authorizing_voids_the_authorization(
    shop: OMS, order_payload: Any, gateway: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = shop.runtime.storage
    real = store.unit_of_work

    class Broken:
        def __init__(self) -> None:
            self.inner = real()

        def __enter__(self) -> Any:
            self.inner.__enter__()
            return self

        def __exit__(self, *exc: Any) -> None:
            self.inner.__exit__(*exc)

        def repo(self, c: Any) -> Any:
            return self.inner.repo(c)

        def commit(self) -> Any:
            raise RuntimeError("disk full")

    monkeypatch.setattr(store, "unit_of_work", Broken)
    with pytest.raises(RuntimeError):
        shop.orders.capture(order_payload())
    monkeypatch.setattr(store, "unit_of_work", real)
    assert gateway(shop).open_authorizations() == {}
    assert shop.orders.find_by_external("web", "W-1") is None
    assert shop.inventory.available("TEE-M") == 50


class TestActionsOnCancelledOrders:
    @pytest.fixture
    def cancelled(self, shop: OMS, order_payload: Any) -> str:
        order = shop.orders.capture(order_payload())
        return shop.orders.cancel(order.id, reason="customer asked").id

    @pytest.mark.parametrize(
        "action",
        [
            lambda oms, oid: oms.orders.cancel(oid, reason="again"),
            lambda oms, oid: oms.orders.cancel_lines(oid, {"L1": 1}, reason="x"),
            lambda oms, oid: oms.orders.edit(oid, {"quantities": {"L1": 3}}),
            lambda oms, oid: oms.orders.hold(oid, reason="x"),
            lambda oms, oid: oms.orders.approve(oid),
            lambda oms, oid: oms.orders.capture_payment(oid),
            lambda oms, oid: oms.orders.refund(oid, reason="x"),
            lambda oms, oid: oms.orders.pay(oid, "tok_visa"),
        ],
    )
    def test_every_action_is_an_invalid_transition(
        self, shop: OMS, cancelled: str, action: Any
    ) -> None:
        before = shop.orders.get(cancelled)
        with pytest.raises(InvalidTransition) as info:
            action(shop, cancelled)
        assert info.value.state == "cancelled"
        assert "cancelled" not in info.value.allowed_from
        assert shop.orders.get(cancelled).version == before.version


def test_an_unknown_order_is_not_found(shop: OMS) -> None:
    with pytest.raises(NotFound):
        shop.orders.cancel("ord_999999", reason="x")
    with pytest.raises(NotFound):
        shop.orders.get("ord_999999")
