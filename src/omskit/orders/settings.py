"""Settings of the orders capability, from the ``orders`` configuration section."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from omskit.money import check_currency
from omskit.validation import Problems, check_bool, check_country, check_decimal, check_quantity

__all__ = ["OrderSettings", "RiskSettings"]

_DEFAULT_HIGH_VALUE = {"EUR": Decimal(1000), "USD": Decimal(1100), "GBP": Decimal(900),
                       "CHF": Decimal(1000), "JPY": Decimal(160000)}  # fmt: skip
_DEFAULT_FIRST_ORDER = {k: v / 2 for k, v in _DEFAULT_HIGH_VALUE.items()}

_RISK_KEYS = (
    "hold_at", "reject_at", "high_value", "high_value_score", "country_mismatch_score",
    "velocity_window_hours", "velocity_limit", "velocity_score", "high_risk_countries",
    "high_risk_score", "first_order_value", "first_order_score", "group_cap",
)  # fmt: skip


@attrs.frozen
class RiskSettings:
    """Thresholds and scores of the built-in risk rules.

    Hard signals add up in full; the signals of one group of correlated evidence (the
    velocity rules) add up to at most ``group_cap`` (``None``: ``hold_at``). At
    ``hold_at`` or more the order is held for review; at ``reject_at`` or more it is
    rejected if a hard signal is among the reasons, else held. Amount thresholds are
    per currency (an order in a currency without a threshold skips that rule). The
    whole table is in ``docs/orders.md``.
    """

    hold_at: int = 50
    reject_at: int = 100
    high_value: Mapping[str, Decimal] = attrs.field(factory=lambda: dict(_DEFAULT_HIGH_VALUE))
    high_value_score: int = 30
    country_mismatch_score: int = 25
    velocity_window_hours: int = 24
    velocity_limit: int = 5
    velocity_score: int = 40
    high_risk_countries: frozenset[str] = frozenset()
    high_risk_score: int = 50
    first_order_value: Mapping[str, Decimal] = attrs.field(
        factory=lambda: dict(_DEFAULT_FIRST_ORDER)
    )
    first_order_score: int = 35
    group_cap: int | None = None


@attrs.frozen
class OrderSettings:
    """How orders are captured.

    Attributes:
        risk: the risk rules' thresholds.
        backorders: accept lines that cannot be reserved now and record them as
            backordered (default); when ``False`` a short order is refused with
            [`InsufficientStock`][].
        routing_strategy: the routing strategy used when capture reserves stock
            (``None``: routing's default).
        max_lines: the most lines one order may have.
    """

    risk: RiskSettings = attrs.field(factory=RiskSettings)
    backorders: bool = True
    routing_strategy: str | None = None
    max_lines: int = 500

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> OrderSettings:
        """Read the ``orders`` section, reporting every problem at once.

        Keys: ``backorders``, ``routing_strategy``, ``max_lines`` and ``risk`` (a mapping
        with the fields of [`RiskSettings`][]; amounts as ``{"EUR": "1000"}``).
        """
        problems = Problems()
        known = ("risk", "backorders", "routing_strategy", "max_lines")
        for key in sorted(set(data) - set(known)):
            problems.add(f"orders.{key}", f"unknown setting; known: {', '.join(known)}")
        out: dict[str, Any] = {}
        if "backorders" in data:
            out["backorders"] = problems.check("orders.backorders", check_bool, data["backorders"])
        if data.get("routing_strategy") is not None:
            out["routing_strategy"] = str(data["routing_strategy"])
        if "max_lines" in data:
            out["max_lines"] = problems.check("orders.max_lines", check_quantity,
                                              data["max_lines"], maximum=10_000)  # fmt: skip
        raw = data.get("risk", {})
        if not isinstance(raw, Mapping):
            problems.add("orders.risk", "expected a mapping", raw)
            raw = {}
        out["risk"] = _risk(raw, problems)
        problems.raise_if_any()
        return cls(**out)


def _risk(data: Mapping[str, Any], problems: Problems) -> RiskSettings:
    for key in sorted(set(data) - set(_RISK_KEYS)):
        problems.add(f"orders.risk.{key}", f"unknown setting; known: {', '.join(_RISK_KEYS)}")
    out: dict[str, Any] = {}
    for key in _RISK_KEYS:
        if key not in data:
            continue
        field = f"orders.risk.{key}"
        value = data[key]
        if key == "group_cap" and value is None:
            continue
        if key in ("high_value", "first_order_value"):
            if not isinstance(value, Mapping):
                problems.add(field, "expected amounts by currency, e.g. {'EUR': '1000'}", value)
                continue
            amounts = {}
            for code, amount in value.items():
                currency = problems.check(f"{field}.{code}", check_currency, code)
                number = problems.check(f"{field}.{code}", check_decimal, amount,
                                        minimum=Decimal(0))  # fmt: skip
                if currency and number is not None:
                    amounts[currency] = number
            out[key] = amounts
        elif key == "high_risk_countries":
            if isinstance(value, str) or not hasattr(value, "__iter__"):
                problems.add(field, "expected a list of country codes", value)
                continue
            codes = [problems.check(f"{field}[{i}]", check_country, c) for i, c in
                     enumerate(value)]  # fmt: skip
            out[key] = frozenset(c for c in codes if c)
        else:
            out[key] = problems.check(field, check_quantity, value, minimum=0, maximum=10**6)
    return RiskSettings(**out)
