"""The error tree: one root, data on every error, messages that say what is allowed."""

from __future__ import annotations

import inspect
import re

import pytest

from omskit import errors
from omskit.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    CurrencyMismatch,
    DuplicateRegistration,
    FloatNotAllowed,
    IdempotencyConflict,
    InsufficientStock,
    InvalidTransition,
    NotFound,
    OmskitError,
    Problem,
    UnknownProvider,
    UnknownSku,
    ValidationError,
)

ERROR_CLASSES = [
    obj
    for obj in vars(errors).values()
    if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == errors.__name__
]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_descends_from_omskit_error_and_is_drawn_in_the_tree(cls: type) -> None:
    assert issubclass(cls, OmskitError)
    assert re.search(rf"\b{cls.__name__}\b", errors.__doc__ or "")
    assert cls.__doc__


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ValidationError, ValueError),
        (FloatNotAllowed, TypeError),
        (CurrencyMismatch, ValueError),
        (NotFound, LookupError),
        (UnknownSku, LookupError),
    ],
)
def test_errors_also_subclass_the_builtin_host_code_already_catches(
    cls: type, builtin: type
) -> None:
    assert issubclass(cls, builtin)


def test_a_validation_error_names_the_field_the_value_and_what_is_allowed() -> None:
    exc = ValidationError("lines[0].quantity", -2, "must be positive")
    assert (exc.field, exc.value, exc.allowed) == ("lines[0].quantity", -2, "must be positive")
    assert str(exc) == "lines[0].quantity: got -2; must be positive"
    assert exc.problems == (Problem("lines[0].quantity", "got -2; must be positive", -2),)


def test_several_problems_are_reported_together() -> None:
    exc = ValidationError.from_problems(
        [Problem("email", "not an address", "x"), Problem("country", "unknown", "XX")]
    )
    assert exc.field == "email"
    assert len(exc.problems) == 2
    assert str(exc).splitlines() == [
        "2 problems:",
        "  - email: not an address",
        "  - country: unknown",
    ]


def test_from_problems_needs_at_least_one_problem() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ValidationError.from_problems([])


def test_data_carrying_errors_keep_their_data_and_explain_themselves() -> None:
    stock = InsufficientStock("TEE-M", 5, 2, "BER")
    assert (stock.sku, stock.requested, stock.available, stock.location) == ("TEE-M", 5, 2, "BER")
    assert str(stock) == "cannot reserve 5 x 'TEE-M' at 'BER': only 2 available"

    move = InvalidTransition("order O-7", "cancelled", "ship", ["allocated", "partially_shipped"])
    assert str(move) == (
        "cannot ship order O-7: status is 'cancelled'; "
        "ship is allowed from 'allocated', 'partially_shipped'"
    )
    assert "no state" in str(InvalidTransition("order", "closed", "edit", []))

    stale = ConcurrencyConflict("order", "O-1", 3, 4)
    assert (stale.expected, stale.found) == (3, 4)
    assert "read version 3" in str(stale)
    assert "now 4" in str(stale)

    assert str(NotFound("order", "O-9")) == "no order 'O-9'"
    assert str(NotFound("order", "O-9", "check the id")) == "no order 'O-9'; check the id"
    assert UnknownSku("X-1").sku == "X-1"
    assert "add it to the catalog" in str(UnknownSku("X-1"))
    assert str(AlreadyExists("product", "X-1")) == "product 'X-1' already exists"
    assert "(amount differs)" in str(IdempotencyConflict("k-1", "amount differs"))


def test_unknown_provider_lists_the_known_names_sorted() -> None:
    exc = UnknownProvider("carrier", "fedx", ["ups", "dhl"])
    assert exc.known == ("dhl", "ups")
    assert "known: 'dhl', 'ups'" in str(exc)
    assert "none registered" in str(UnknownProvider("carrier", "x", []))


def test_duplicate_registration_names_both_sources() -> None:
    exc = DuplicateRegistration("carrier", "dhl", "plugin 'a'", "plugin 'b'")
    assert "plugin 'a'" in str(exc)
    assert "plugin 'b'" in str(exc)
    assert (exc.kind, exc.name) == ("carrier", "dhl")
