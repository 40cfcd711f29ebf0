"""Settings of the inventory capability: the ``inventory`` section of the configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from omskit.validation import Problems, check_quantity

__all__ = ["InventorySettings"]

ReserveOn = Literal["capture", "allocation"]


@attrs.frozen
class InventorySettings:
    """How inventory behaves.

    Attributes:
        reserve_on: when orders hold stock: at ``"capture"`` (default) or only at
            ``"allocation"`` (when routing assigns locations). Read by the orders side.
        cart_ttl: how long an unpaid cart keeps its reservation (default 30 minutes).
        demand_days: days of ledger history that reorder policies read by default.
    """

    reserve_on: ReserveOn = "capture"
    cart_ttl: dt.timedelta = dt.timedelta(minutes=30)
    demand_days: int = 28

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> InventorySettings:
        """Parse the ``inventory`` section, reporting every problem at once.

        Keys: ``reserve_on`` (``"capture"`` | ``"allocation"``), ``cart_ttl_minutes``,
        ``demand_days``.
        """
        problems = Problems()
        known = ("reserve_on", "cart_ttl_minutes", "demand_days")
        for key in sorted(set(data) - set(known)):
            problems.add(f"inventory.{key}", f"unknown setting; known: {', '.join(known)}")
        out: dict[str, Any] = {}
        if "reserve_on" in data:
            if data["reserve_on"] not in ("capture", "allocation"):
                problems.add("inventory.reserve_on", "expected 'capture' or 'allocation'",
                             data["reserve_on"])  # fmt: skip
            else:
                out["reserve_on"] = data["reserve_on"]
        if "cart_ttl_minutes" in data:
            minutes = problems.check("inventory.cart_ttl_minutes", check_quantity,
                                     data["cart_ttl_minutes"], maximum=60 * 24 * 30)  # fmt: skip
            if minutes is not None:
                out["cart_ttl"] = dt.timedelta(minutes=minutes)
        if "demand_days" in data:
            days = problems.check("inventory.demand_days", check_quantity, data["demand_days"],
                                  maximum=3660)  # fmt: skip
            if days is not None:
                out["demand_days"] = days
        problems.raise_if_any()
        return cls(**out)
