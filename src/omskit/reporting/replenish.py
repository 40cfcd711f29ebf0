"""From a demand forecast to reorder points that inventory's replenishment uses.

For one SKU at one location, with daily demand forecast ``d`` (units per day), the
forecast's one-step error ``sigma`` (units per day) and the supplier's lead time ``L``
days:

* safety stock ``SS = z x sigma x sqrt(L)``, ``z`` the standard normal quantile of the
  target cycle service level (95 % -> 1.645);
* reorder point ``ROP = d x L + SS``;
* order quantity: the economic order quantity ``EOQ = sqrt(2 D S / H)`` when an
  ordering cost ``S`` and a yearly holding cost ``H`` per unit are given (``D = 365 d``),
  else left to the policy's own cover days;
* for ``min_max`` policies ``min = ROP`` and ``max = ROP + EOQ`` (or ``ROP`` plus
  ``cover_days`` of demand).

Every figure is rounded **up** to whole units. [`ReportService.apply_replenishment`][]
writes them into inventory's reorder policies, which
[`suggest_purchase_orders`][omskit.inventory.replenishment.suggest_purchase_orders] then
reads as it always has.
"""

from __future__ import annotations

import math
import statistics
from decimal import Decimal

import attrs

from omskit.errors import ValidationError
from omskit.reporting.forecast import Forecast

__all__ = [
    "ReplenishmentSuggestion",
    "economic_order_quantity",
    "reorder_point",
    "safety_stock",
    "service_z",
    "suggest",
]


def service_z(service_level: float) -> float:
    """The standard normal quantile for a cycle service level in ``[0.5, 1)``."""
    if isinstance(service_level, bool) or not isinstance(service_level, int | float | Decimal):
        raise ValidationError("service_level", service_level, "expected a number like 0.95")
    level = float(service_level)
    if not 0.5 <= level < 1:
        raise ValidationError("service_level", service_level,
                              "expected at least 0.5 and below 1 (0.95 is 95 %)")  # fmt: skip
    return statistics.NormalDist().inv_cdf(level)


def safety_stock(sigma: float, lead_time: float, service_level: float) -> float:
    """``z x sigma x sqrt(lead_time)``: ``sigma`` per period, lead time in periods."""
    if sigma < 0 or lead_time < 0:
        raise ValidationError("sigma", (sigma, lead_time), "sigma and lead time must be >= 0")
    return service_z(service_level) * sigma * math.sqrt(lead_time)


def reorder_point(demand: float, lead_time: float, safety: float) -> float:
    """Demand over the lead time plus safety stock."""
    return demand * lead_time + safety


def economic_order_quantity(yearly_demand: float, order_cost: float,
                            holding_cost: float) -> float:  # fmt: skip
    """``sqrt(2 D S / H)``; 0 when there is no demand."""
    if order_cost <= 0 or holding_cost <= 0:
        raise ValidationError("order_cost", (order_cost, holding_cost),
                              "ordering and holding costs must be positive")  # fmt: skip
    return math.sqrt(2 * yearly_demand * order_cost / holding_cost) if yearly_demand > 0 else 0.0


@attrs.frozen
class ReplenishmentSuggestion:
    """Reorder figures for one SKU at one location, and how they were reached."""

    sku: str
    location: str
    supplier: str
    method: str
    daily_demand: float
    sigma: float
    lead_time_days: int
    service_level: float
    safety_stock: int
    reorder_point: int
    order_quantity: int | None
    minimum: int | None
    maximum: int | None
    forecast_method: str
    explanation: str

    @property
    def policy_id(self) -> str:
        """The reorder policy it is for (inventory's level id)."""
        return f"{self.location}:{self.sku}"


def suggest(
    *,
    sku: str,
    location: str,
    supplier: str,
    forecast: Forecast,
    lead_time_days: int,
    service_level: float,
    method: str = "reorder_point",
    cover_days: int = 14,
    order_cost: float | None = None,
    holding_cost: float | None = None,
) -> ReplenishmentSuggestion:
    """Turn a daily demand forecast into reorder figures (see the module docstring)."""
    if method not in ("reorder_point", "min_max"):
        raise ValidationError("method", method, "expected 'reorder_point' or 'min_max'")
    d = forecast.mean
    ss = safety_stock(forecast.sigma, lead_time_days, service_level)
    rop = reorder_point(d, lead_time_days, ss)
    eoq = None
    if order_cost is not None and holding_cost is not None:
        eoq = math.ceil(economic_order_quantity(365 * d, order_cost, holding_cost))
    ss_units, rop_units = math.ceil(ss), math.ceil(rop)
    why = (f"{forecast.method} forecast {d:.2f}/day (sigma {forecast.sigma:.2f}); lead time "
           f"{lead_time_days} days; service level {service_level:.0%} -> z "
           f"{service_z(service_level):.3f}; safety stock {ss_units}, reorder point "
           f"{rop_units}")  # fmt: skip
    minimum = maximum = None
    quantity = eoq if eoq else None
    if method == "min_max":
        minimum = rop_units
        maximum = rop_units + (eoq if eoq else max(1, math.ceil(d * cover_days)))
        why += f"; min {minimum}, max {maximum}"
    elif quantity:
        why += f"; order {quantity} (EOQ)"
    return ReplenishmentSuggestion(
        sku=sku, location=location, supplier=supplier, method=method, daily_demand=d,
        sigma=forecast.sigma, lead_time_days=lead_time_days,
        service_level=float(service_level), safety_stock=ss_units, reorder_point=rop_units,
        order_quantity=quantity, minimum=minimum, maximum=maximum,
        forecast_method=forecast.method, explanation=why,
    )  # fmt: skip
