"""Capture and edit commands from plain data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from omskit.errors import InvalidQuantity, ValidationError
from omskit.orders import CaptureOrder, EditOrder

GOOD: dict[str, Any] = {
    "channel": "web", "external_id": "W-1", "customer": {"email": "Dana@Example.COM"},
    "ship_to": {"country": "de", "line1": "Invalidenstr. 117", "city": "Berlin",
                "postal_code": "10115"},
    "lines": [{"sku": "TEE-M", "quantity": 2, "unit_price": "17.99"}],
    "payment": {"method": "tok_visa", "fingerprint": "fp_3f9a"},
}  # fmt: skip


def test_a_good_payload_becomes_a_normalised_command() -> None:
    command = CaptureOrder.from_mapping(GOOD)
    assert command.customer.email == "Dana@example.com"
    assert command.ship_to.country == "DE"
    assert command.lines[0].unit_price == Decimal("17.99")
    assert command.payment is not None
    assert command.payment.fingerprint


def test_the_fingerprint_changes_with_the_payload_and_only_then() -> None:
    a = CaptureOrder.from_mapping(GOOD)
    b = CaptureOrder.from_mapping(dict(GOOD))
    c = CaptureOrder.from_mapping({**GOOD, "lines": [{"sku": "TEE-M", "quantity": 3}]})
    assert a.fingerprint == b.fingerprint
    assert a.fingerprint != c.fingerprint


def test_one_problem_raises_its_specific_error() -> None:
    with pytest.raises(InvalidQuantity):
        CaptureOrder.from_mapping({**GOOD, "lines": [{"sku": "TEE-M", "quantity": 0}]})


def test_many_problems_are_reported_together_with_paths() -> None:
    with pytest.raises(ValidationError) as info:
        CaptureOrder.from_mapping({"lines": [{"sku": "", "quantity": "1"}], "extra": 1})
    fields = {p.field for p in info.value.problems}
    assert {"channel", "external_id", "customer", "ship_to", "lines[0].sku",
            "lines[0].quantity", "extra"} <= fields  # fmt: skip


def test_too_many_lines_are_refused() -> None:
    with pytest.raises(ValidationError):
        CaptureOrder.from_mapping({**GOOD, "lines": [{"sku": "A", "quantity": 1}] * 501})


def test_an_edit_needs_something_to_change() -> None:
    with pytest.raises(ValidationError):
        EditOrder.from_mapping({})
    edit = EditOrder.from_mapping({"add": [{"sku": "A", "quantity": 1}], "remove": ["L2"],
                                   "quantities": {"L1": 3}})  # fmt: skip
    assert (edit.add[0].sku, edit.remove, dict(edit.quantities)) == ("A", ("L2",), {"L1": 3})


def _built_in_code(email: str, quantity: int) -> CaptureOrder:
    """A command built directly in code, as a host might, skipping any payload."""
    from omskit.customers.address import Address
    from omskit.orders.commands import CaptureLine, CustomerInfo

    ship_to = Address.from_mapping(GOOD["ship_to"])
    return CaptureOrder(channel="web", external_id="W-1", customer=CustomerInfo(email),
                        ship_to=ship_to, lines=(CaptureLine("TEE-M", quantity),))  # fmt: skip


def _problems(exc: BaseException) -> list[tuple[str, str, Any]]:
    assert isinstance(exc, ValidationError)
    return [(p.field, p.message, p.value) for p in exc.problems]


def test_a_command_built_in_code_is_refused_exactly_like_the_parsed_payload() -> None:
    bad = {**GOOD, "customer": {"email": "not-an-email"},
           "lines": [{"sku": "TEE-M", "quantity": 10**9}]}  # fmt: skip
    bad.pop("payment")
    with pytest.raises(ValidationError) as parsed:
        CaptureOrder.from_mapping(bad)
    with pytest.raises(ValidationError) as built:
        _built_in_code("not-an-email", 10**9)
    assert type(built.value) is type(parsed.value)
    assert _problems(built.value) == _problems(parsed.value)
    assert {"customer.email", "lines[0].quantity"} <= {p[0] for p in _problems(built.value)}


def test_one_bad_field_built_in_code_raises_the_same_specific_error() -> None:
    with pytest.raises(InvalidQuantity) as built:
        _built_in_code("dana@example.com", 10**9)
    with pytest.raises(InvalidQuantity) as parsed:
        CaptureOrder.from_mapping({**GOOD, "lines": [{"sku": "TEE-M", "quantity": 10**9}]})
    assert _problems(built.value) == _problems(parsed.value)


def test_a_good_command_built_in_code_equals_the_parsed_one() -> None:
    built = _built_in_code("dana@example.com", 2)
    parsed = CaptureOrder.from_mapping(
        {
            **GOOD,
            "customer": {"email": "dana@example.com"},
            "payment": None,
            "lines": [{"sku": "TEE-M", "quantity": 2}],
        }
    )
    assert built == parsed


def test_an_edit_built_in_code_is_refused_like_the_parsed_one() -> None:
    from omskit.orders.commands import CaptureLine

    with pytest.raises(ValidationError) as parsed:
        EditOrder.from_mapping({"add": [{"sku": "-bad", "quantity": 0}], "quantities": {"L1": -1}})
    with pytest.raises(ValidationError) as built:
        EditOrder(add=(CaptureLine("-bad", 0),), quantities={"L1": -1})
    assert type(built.value) is type(parsed.value)
    assert _problems(built.value) == _problems(parsed.value)
    with pytest.raises(ValidationError, match="nothing to change"):
        EditOrder()
