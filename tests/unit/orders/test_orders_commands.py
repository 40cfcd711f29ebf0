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
