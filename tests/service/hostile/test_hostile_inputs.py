"""JSON-shaped input that used to escape as a bare Python error, or burn the CPU.

Each case is what ``json.loads(body, parse_float=Decimal)`` can make of a hostile
request (or what a host's code passes on from one): a number with a huge exponent, a
lone surrogate, deep nesting, keys of mixed types, a mapping sent as a string. Every one
is refused with an ``OmskitError`` naming the field, and nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import InvalidAmount, InvalidQuantity, OmskitError, ValidationError

from .conftest import order_payload, store_state

HUGE = json.loads('{"n": 1E+999999}', parse_float=Decimal)["n"]


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture
def shop(make_shop: Callable[..., OMS]) -> OMS:
    return make_shop()


def refused(oms: OMS, call: Callable[[], object], field: str) -> OmskitError:
    """Run ``call``: it must raise an OmskitError naming ``field`` and change nothing."""
    before = store_state(oms)
    with pytest.raises(OmskitError) as info:
        call()
    assert field in str(info.value)
    assert store_state(oms) == before
    return info.value


@pytest.mark.parametrize(
    "value",
    [HUGE, -HUGE, Decimal("1E+30"), 10**5000, -(10**5000)],
    ids=["1E+999999", "-1E+999999", "1E+30", "10**5000", "-10**5000"],
)
def test_a_number_with_a_huge_exponent_is_refused_as_a_quantity_at_once(
    shop: OMS, value: object
) -> None:
    lines = [{"sku": "TEE-M", "quantity": value}]
    error = refused(
        shop, lambda: shop.orders.capture(order_payload("W-1", lines=lines)), "lines[0].quantity"
    )
    assert isinstance(error, InvalidQuantity)
    assert "1,000,000" in str(error) or "positive" in str(error)


@pytest.mark.parametrize(
    "call",
    [
        lambda oms: oms.inventory.receive("TEE-M", location="BER", quantity=HUGE),
        lambda oms: oms.catalog.add_product(
            "HUGE", name="x", price="1.00", currency="EUR", weight_grams=HUGE
        ),
    ],
    ids=["inventory.receive", "catalog.add_product"],
)
def test_a_huge_exponent_is_refused_in_stock_and_catalog_integers(
    shop: OMS, call: Callable[[OMS], object]
) -> None:
    before = store_state(shop)
    with pytest.raises(ValidationError):
        call(shop)
    assert store_state(shop) == before


@pytest.mark.parametrize(
    "value", [HUGE, Decimal("1E-999999999"), -HUGE], ids=["1E+999999", "1E-999999999", "-1E+999999"]
)
def test_a_huge_or_tiny_exponent_is_refused_as_a_price(shop: OMS, value: Decimal) -> None:
    lines = [{"sku": "TEE-M", "quantity": 1, "unit_price": value}]
    before = store_state(shop)
    with pytest.raises(OmskitError) as info:
        shop.orders.capture(order_payload("W-1", lines=lines))
    assert "lines[0].unit_price" in str(info.value)
    assert store_state(shop) == before


def test_a_lone_surrogate_is_refused_naming_its_field(shop: OMS) -> None:
    method = json.loads('"tok_\\ud800"')
    error = refused(
        shop,
        lambda: shop.orders.capture(order_payload("W-1", payment={"method": method})),
        "payment.method",
    )
    assert "surrogate" in str(error)


@pytest.mark.parametrize("where", ["notes", "ship_to"])
def test_a_lone_surrogate_in_any_text_of_a_capture_is_refused(shop: OMS, where: str) -> None:
    text = json.loads('"Caf\\udce9"')
    payload = order_payload("W-1")
    if where == "notes":
        payload["notes"] = text
    else:
        payload["ship_to"] = dict(payload["ship_to"], city=text)
    refused(shop, lambda: shop.orders.capture(payload), where)


def test_addresses_given_as_a_number_are_refused(shop: OMS) -> None:
    refused(shop, lambda: shop.customers.register("dana@example.com", addresses=2), "addresses")


def test_mixed_type_keys_are_reported_not_sorted_into_a_type_error(shop: OMS) -> None:
    payload: dict[Any, Any] = order_payload("W-1")
    payload[1] = "one"
    payload[(2, 3)] = "tuple"
    payload["zz"] = "text"
    error = refused(shop, lambda: shop.orders.capture(payload), "zz")
    assert "1" in str(error)
    assert "(2, 3)" in str(error)


def test_nesting_fifty_thousand_deep_is_reported_without_a_recursion_error(shop: OMS) -> None:
    refused(shop, lambda: shop.orders.capture(order_payload("W-1", lines=nested(50_000))), "lines")
    refused(shop, lambda: shop.orders.capture(order_payload("W-1", notes=nested(50_000))), "notes")


def released_work(oms: OMS) -> tuple[str, str]:
    order = oms.orders.capture(order_payload("W-9"))
    (fo,) = oms.fulfillment.release(order.id)
    return order.id, fo.id


def test_mappings_given_as_strings_are_refused_naming_the_argument(shop: OMS) -> None:
    order_id, fo_id = released_work(shop)
    refused(shop, lambda: shop.orders.cancel_lines(order_id, "L1", reason="x"), "lines")
    shop.fulfillment.accept(fo_id)
    refused(shop, lambda: shop.fulfillment.confirm_pick(fo_id, "L1"), "picked")  # type: ignore[arg-type]
    shop.fulfillment.confirm_pick(fo_id)
    refused(shop, lambda: shop.fulfillment.pack(fo_id, "L1"), "quantities")  # type: ignore[arg-type]


def test_a_reason_that_is_not_text_is_refused(shop: OMS) -> None:
    _order_id, fo_id = released_work(shop)
    refused(shop, lambda: shop.fulfillment.reject(fo_id, reason=7), "reason")  # type: ignore[arg-type]
    refused(shop, lambda: shop.fulfillment.reject(fo_id, reason=None), "reason")  # type: ignore[arg-type]


def test_a_mapping_key_that_is_not_text_is_refused_in_picks_and_packs(shop: OMS) -> None:
    _order_id, fo_id = released_work(shop)
    shop.fulfillment.accept(fo_id)
    refused(shop, lambda: shop.fulfillment.confirm_pick(fo_id, {1: 1}), "picked")  # type: ignore[dict-item]


def test_messages_name_a_huge_value_without_printing_all_of_it() -> None:
    error = ValidationError("quantity", 10**100_000, "at most 1,000,000")
    assert len(str(error)) < 200
    assert "digits" in str(error)
    deep = ValidationError("lines", nested(50_000), "expected a list of lines")
    assert str(deep).startswith("lines: got [[[")
    assert str(InvalidAmount("amount", "x" * 10_000, "a number")).count("x") < 400


FOUND_BY_FUZZING: list[tuple[str, Callable[[OMS], object]]] = [
    (
        "lat",
        lambda oms: oms.inventory.add_location("MUC", name="M", country="DE", lat=10**5000, lon=1),
    ),
    ("fulfillment order", lambda oms: oms.fulfillment.accept({"id": 1})),
    ("order", lambda oms: oms.orders.get(["ord_000001"])),
    ("payment", lambda oms: oms.payments.capture({"ref": 1})),
    ("carrier", lambda oms: oms.carriers.get([1])),
    (
        "customer",
        lambda oms: oms.pricing.quote(
            channel="web", lines=[{"sku": "TEE-M", "quantity": 1}], customer={1: 2, "a": 3}
        ),
    ),
    (
        "idempotency_key",
        lambda oms: oms.payments.capture(
            oms.orders.capture(order_payload("W-5")).id, idempotency_key={"k": 1}
        ),
    ),
    ("bins", lambda oms: oms.fulfillment.configure_location("BER", bins=Decimal("1.0"))),
    ("boxes", lambda oms: oms.fulfillment.configure_location("BER", boxes="small")),
]


@pytest.mark.parametrize(("field", "call"), FOUND_BY_FUZZING, ids=[f for f, _ in FOUND_BY_FUZZING])
def test_what_the_fuzz_test_found_is_refused_by_name(
    shop: OMS, field: str, call: Callable[[OMS], object]
) -> None:
    before = store_state(shop)
    with pytest.raises(OmskitError) as info:
        call(shop)
    assert field in str(info.value)
    if field != "idempotency_key":  # that case captures an order first, on purpose
        assert store_state(shop) == before


def test_shipping_options_that_are_not_text_are_refused_and_nothing_is_bought(
    shop: OMS,
) -> None:
    order = shop.orders.capture(order_payload("W-7"))
    (fo,) = shop.fulfillment.release(order.id)
    shop.fulfillment.accept(fo.id)
    shop.fulfillment.confirm_pick(fo.id)
    shop.fulfillment.pack(fo.id)
    sandbox: Any = shop.carriers.get("sandbox")
    before = store_state(shop)
    for options in (Decimal("1.0"), {"scenario": [1]}, {1: "lost"}):
        with pytest.raises(ValidationError, match="options"):
            shop.fulfillment.ship(fo.id, carrier="sandbox", service="standard", options=options)  # type: ignore[arg-type]
    with pytest.raises(OmskitError, match="service level"):
        shop.fulfillment.ship(fo.id, carrier="sandbox", service="teleport")
    assert store_state(shop) == before  # no purchase record for a refusal either
    assert sandbox.bought() == []


def test_a_tiny_exponent_is_refused_as_an_allocation_weight_or_amount() -> None:
    from omskit.money import Money, allocate, to_decimal

    tiny = json.loads('{"n": 1e-999999}', parse_float=Decimal)["n"]
    with pytest.raises(InvalidAmount, match="weights"):
        allocate(Money("10.00", "EUR"), [tiny, 1])  # was seconds of big-integer scaling
    with pytest.raises(InvalidAmount, match="after the point"):
        to_decimal(tiny, "shipping")
    assert to_decimal("0.0000000001", "rate") == Decimal("1E-10")
