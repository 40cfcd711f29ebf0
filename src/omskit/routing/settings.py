"""Settings of routing: the ``routing`` section of the configuration, and the cost model."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from omskit.money import check_currency
from omskit.validation import Problems, check_decimal, check_text

__all__ = ["CostModel", "RoutingSettings"]


@attrs.frozen
class CostModel:
    """How routing estimates what a shipment costs (before a carrier quotes it).

    One shipment from a location costs its ``handling_per_shipment`` + ``base_fee`` +
    ``per_km`` x distance; each line picked adds the location's ``handling_per_line``;
    each unit adds its weight in kg x (``per_kg`` + ``per_kg_per_100km`` x distance / 100),
    and a unit that must ship alone adds one more ``base_fee``. When the destination has
    no coordinates the distance is taken as 0 km at home and ``unknown_distance_km``
    abroad.
    """

    currency: str = "EUR"
    base_fee: Decimal = Decimal("4.50")
    per_km: Decimal = Decimal("0.002")
    per_kg: Decimal = Decimal("0.80")
    per_kg_per_100km: Decimal = Decimal("0.10")
    unknown_distance_km: Decimal = Decimal(1000)


@attrs.frozen
class RoutingSettings:
    """``strategy`` (default ``"priority"``) and the [`CostModel`][]."""

    strategy: str = "priority"
    cost_model: CostModel = attrs.field(factory=CostModel)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], default_currency: str) -> RoutingSettings:
        """Parse the ``routing`` section: ``strategy`` and ``cost_model`` (a mapping)."""
        problems = Problems()
        for key in sorted(set(data) - {"strategy", "cost_model"}):
            problems.add(f"routing.{key}", "unknown setting; known: strategy, cost_model")
        strategy = problems.check("routing.strategy", check_text, data.get("strategy", "priority"),
                                  max_length=64) or "priority"  # fmt: skip
        raw = dict(data.get("cost_model") or {})
        values: dict[str, Any] = {"currency": default_currency}
        names = [f.name for f in attrs.fields(CostModel)]
        for key, value in raw.items():
            if key not in names:
                problems.add(f"routing.cost_model.{key}", f"unknown; known: {', '.join(names)}")
            elif key == "currency":
                values[key] = problems.check("routing.cost_model.currency", check_currency, value)
            else:
                values[key] = problems.check(f"routing.cost_model.{key}", check_decimal, value,
                                             minimum=Decimal(0))  # fmt: skip
        problems.raise_if_any()
        return cls(strategy=strategy, cost_model=CostModel(**values))
