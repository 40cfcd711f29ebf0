"""Fulfillment settings, from configuration section ``fulfillment``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from omskit.carriers.shopping import OBJECTIVES
from omskit.validation import Problems, check_quantity, check_text

__all__ = ["FulfillmentSettings"]


@attrs.frozen
class FulfillmentSettings:
    """How fulfillment behaves.

    Attributes:
        pickup_days: how long a click & collect order waits at the store.
        rate_objective: how [`ship`][omskit.fulfillment.service.FulfillmentService.ship] chooses a
            carrier when none is named (``cheapest``, ``fastest`` or ``promise`` with
            ``promise_days``).
        promise_days: business days from today the ``promise`` objective must meet.
        default_carrier: a carrier to use without rate shopping (optional).
        default_service: its service level.
    """

    pickup_days: int = 7
    rate_objective: str = "cheapest"
    promise_days: int = 3
    default_carrier: str = ""
    default_service: str = ""

    @property
    def pickup_window(self) -> dt.timedelta:
        """How long a pickup is held."""
        return dt.timedelta(days=self.pickup_days)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FulfillmentSettings:
        """Validate the ``fulfillment`` section, reporting every problem at once."""
        p = Problems()
        known = {
            "pickup_days",
            "rate_objective",
            "promise_days",
            "default_carrier",
            "default_service",
        }
        for key in sorted(set(data) - known):
            p.add(f"fulfillment.{key}", f"unknown setting; known: {', '.join(sorted(known))}")
        out: dict[str, Any] = {}
        for key in ("pickup_days", "promise_days"):
            if key in data:
                out[key] = p.check(f"fulfillment.{key}", check_quantity, data[key], maximum=365)
        if "rate_objective" in data:
            if data["rate_objective"] not in OBJECTIVES:
                p.add(
                    "fulfillment.rate_objective",
                    f"one of {', '.join(OBJECTIVES)}",
                    data["rate_objective"],
                )
            else:
                out["rate_objective"] = data["rate_objective"]
        for key in ("default_carrier", "default_service"):
            if key in data:
                out[key] = p.check(f"fulfillment.{key}", check_text, data[key], max_length=64)
        p.raise_if_any()
        return cls(**out)
