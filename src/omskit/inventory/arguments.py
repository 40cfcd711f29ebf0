"""Checks for the arguments of the inventory service, run at the edge before any work.

Every public method of `InventoryService` checks what it is
given with these (types and lengths) before it opens a unit of work, so bad input is
refused with a `ValidationError` naming the argument, the value and
what is allowed, and nothing is stored. What reaches the ledger is always plain text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from omskit.errors import ValidationError
from omskit.inventory.locations import check_location_code
from omskit.validation import (
    MAX_ACTOR,
    check_actor,
    check_bool,
    check_quantity,
    check_sku,
    check_text,
)

__all__ = [
    "MAX_ACTOR",
    "MAX_REASON",
    "MAX_REFERENCE",
    "check_actor",
    "check_day",
    "check_flag",
    "check_moment",
    "check_optional_code",
    "check_optional_sku",
    "check_quantities",
    "check_reason",
    "check_reference",
]

#: The longest reference (an order, cart, purchase order or document id) accepted.
MAX_REFERENCE = 200
#: The longest reason accepted.
MAX_REASON = 500


def check_reference(value: Any, field: str = "reference", *, required: bool = False) -> str:
    """A reference: text of at most `MAX_REFERENCE` characters (empty if optional)."""
    if not required and value == "" and isinstance(value, str):
        return value
    return check_text(value, field, max_length=MAX_REFERENCE)


def check_reason(value: Any, field: str = "reason", *, required: bool = False) -> str:
    """Why: text of at most `MAX_REASON` characters; empty only if not required."""
    if not required and isinstance(value, str) and not value.strip():
        return ""
    return check_text(value, field, max_length=MAX_REASON)


def check_flag(value: Any, field: str) -> bool:
    """A real boolean."""
    return check_bool(value, field)


def check_optional_code(value: Any, field: str = "location") -> str | None:
    """A location code, or ``None``."""
    return None if value is None else check_location_code(value, field)


def check_optional_sku(value: Any, field: str = "sku") -> str | None:
    """A SKU, or ``None``."""
    return None if value is None else check_sku(value, field)


def check_moment(value: Any, field: str) -> dt.datetime | None:
    """A timezone-aware datetime, or ``None``."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValidationError(field, value, "expected a timezone-aware datetime (or nothing)")
    return value


def check_day(value: Any, field: str) -> dt.date | None:
    """A calendar date (not a datetime), or ``None``."""
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError(field, value, "expected a date such as 2026-12-03 (or nothing)")
    return value


def check_quantities(value: Any, field: str, *, required: bool = True) -> dict[str, int]:
    """``{sku: units}``: SKUs as keys, positive whole numbers as values."""
    if not isinstance(value, Mapping):
        raise ValidationError(field, value, "expected a mapping of SKU to units")
    if required and not value:
        raise ValidationError(field, {}, "give at least one SKU and quantity")
    out: dict[str, int] = {}
    for sku, units in value.items():
        key = check_sku(sku, f"{field} key")
        out[key] = check_quantity(units, f"{field}.{key}")
    return out
