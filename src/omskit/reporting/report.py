"""Report results: a KPI report over a date range and a time series with comparisons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import attrs

from omskit.money import Money
from omskit.reporting.measures import MEASURES, Value
from omskit.reporting.values import Ratio

__all__ = ["KpiReport", "Point", "Series", "change", "show"]


def show(value: Value) -> str:
    """A value as a person reads it (``"59.70 EUR"``, ``"97.50%"``, ``"p50 1 day..."``)."""
    if value is None:
        return "n/a"
    return str(value)


def change(now: Value, before: Value) -> Ratio | None:
    """Period-over-period change ``(now - before) / before`` of two numeric values.

    ``None`` when either side is not a number, money or ratio, or ``before`` is empty.
    """
    a, b = _number(now), _number(before)
    if a is None or b is None or not b:
        return None
    return Ratio(a - b, b)


def _number(value: Value) -> Decimal | None:
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, Ratio):
        return value.value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    return None


@attrs.frozen
class KpiReport:
    """Every KPI over ``start..end`` (local days, inclusive) in ``currency``.

    ``totals`` maps a KPI name to its value over everything; with ``by``, ``groups``
    maps each value of that dimension to the KPIs that table can break down by it (a KPI
    whose table lacks the dimension appears in ``totals`` only).
    """

    start: dt.date
    end: dt.date
    currency: str
    by: str | None
    totals: Mapping[str, Value]
    groups: Mapping[str, Mapping[str, Value]] = attrs.field(factory=dict)

    def __getitem__(self, name: str) -> Value:
        return self.totals[name]

    def formula(self, name: str) -> str:
        """How KPI ``name`` is computed, in words."""
        return MEASURES[name].formula

    def describe(self) -> str:
        """The report as readable lines, one KPI each."""
        head = f"KPIs {self.start}..{self.end} in {self.currency}"
        lines = [head + (f" by {self.by}" if self.by else "")]
        width = max((len(n) for n in self.totals), default=0)
        for name, value in self.totals.items():
            lines.append(f"  {name:<{width}}  {show(value)}")
        for key, values in self.groups.items():
            shown = ", ".join(f"{n} {show(v)}" for n, v in list(values.items())[:4])
            lines.append(f"  [{self.by}={key or '-'}] {shown}")
        return "\n".join(lines)


@attrs.frozen
class Point:
    """One period of a series: its first day, its value, the period before and the change."""

    period: dt.date
    value: Value
    previous: Value
    change: Ratio | None


@attrs.frozen
class Series:
    """``measure`` per ``every`` (day, week, month) over ``start..end``, local time.

    ``total`` is the measure over the whole range and ``previous_total`` over the same
    number of periods just before it; ``change`` compares the two.
    """

    measure: str
    every: str
    currency: str
    points: tuple[Point, ...]
    total: Value
    previous_total: Value
    change: Ratio | None

    def describe(self) -> str:
        """The series as readable lines, one period each."""
        lines = [f"{self.measure} by {self.every} ({self.currency})"]
        for p in self.points:
            delta = "" if p.change is None else f"  ({p.change} vs {show(p.previous)})"
            lines.append(f"  {p.period}  {show(p.value)}{delta}")
        lines.append(f"  total {show(self.total)}, before {show(self.previous_total)}"
                     + ("" if self.change is None else f", change {self.change}"))  # fmt: skip
        return "\n".join(lines)
