"""The values a KPI can have besides counts and money: ratios and duration spreads."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import attrs

__all__ = ["Ratio", "Spread", "percentile"]

_PLACES = Decimal("0.0001")


@attrs.frozen
class Ratio:
    """``numerator / denominator``, kept as both parts so breakdowns add up.

    ``value`` is the quotient rounded half-even to four places (``None`` when the
    denominator is zero); ``str()`` shows it as a percentage.
    """

    numerator: Decimal | int
    denominator: Decimal | int

    @property
    def value(self) -> Decimal | None:
        """The quotient to four decimal places, or ``None`` for ``x / 0``."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(
            _PLACES, ROUND_HALF_EVEN
        )

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)

    def __str__(self) -> str:
        v = self.value
        return "n/a" if v is None else f"{v * 100:.2f}%"


def percentile(sorted_values: Sequence[dt.timedelta], p: int) -> dt.timedelta | None:
    """The nearest-rank ``p``-th percentile: the value at rank ``ceil(p/100 * n)``."""
    n = len(sorted_values)
    if not n:
        return None
    return sorted_values[max(1, math.ceil(p * n / 100)) - 1]


@attrs.frozen
class Spread:
    """How long something took, over ``count`` cases: median and 90th percentile.

    Percentiles are nearest-rank (an observed value, never an interpolation).
    """

    count: int
    p50: dt.timedelta | None
    p90: dt.timedelta | None

    @classmethod
    def of(cls, durations: Sequence[dt.timedelta]) -> Spread:
        """The spread of ``durations`` (any order)."""
        ordered = sorted(durations)
        return cls(len(ordered), percentile(ordered, 50), percentile(ordered, 90))

    def __str__(self) -> str:
        if not self.count:
            return "n/a"
        return f"p50 {self.p50}, p90 {self.p90} (n={self.count})"
