"""Fulfillment settings, from configuration section ``fulfillment``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from omskit.carriers.shopping import OBJECTIVES
from omskit.fulfillment.packing import DEFAULT_FILL_FACTOR, check_fill_factor
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
        packing_fill_factor: the share of a box's inner volume a parcel of several
            items may fill (above 0, at most 1; default 0.85).
    """

    pickup_days: int = 7
    rate_objective: str = "cheapest"
    promise_days: int = 3
    default_carrier: str = ""
    default_service: str = ""
    packing_fill_factor: float = DEFAULT_FILL_FACTOR

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
            "packing_fill_factor",
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
        if "packing_fill_factor" in data:
            out["packing_fill_factor"] = p.check(
                "fulfillment.packing_fill_factor", check_fill_factor, data["packing_fill_factor"]
            )
        p.raise_if_any()
        return cls(**out)
