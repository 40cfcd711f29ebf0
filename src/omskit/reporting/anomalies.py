"""Anomalies worth a message to staff, found in daily report series.

Three checks, each on one day (by default the last complete local day):

* ``orders_below_forecast`` - a channel's orders that day fell below the lower bound of
  the prediction interval of a forecast fitted on the days before it;
* ``sku_above_forecast`` - a SKU's units ordered that day rose above the upper bound of
  its forecast's interval;
* ``on_time_rate_falling`` - a location's on-time ship rate over the last ``window``
  days fell below its rate over the ``baseline`` days before, by more than chance
  explains (Fisher's exact test, one-sided) and by at least ``min_drop``.

Forecasts are picked per series by backtest ([`choose`][omskit.reporting.forecast.choose],
over the last 14 days of the history). The interval is ``forecast -/+ z * sigma`` with
``z`` the two-sided quantile of ``level``, ``sigma`` the method's one-step error over
the history, and at least ``sqrt(forecast)``:
counts of orders or units vary at least as much as a Poisson count, so a flat history
(sigma 0 in sample) does not make every small wobble an anomaly. A series needs
``min_active_days`` days with some demand in its history before it is judged.

Each [`Anomaly`][] carries what was measured, what was expected (with the interval) and
a sentence saying so; ``oms.reports.tick()`` records new ones as
[`AnomalyDetected`][omskit.reporting.events.AnomalyDetected] events, once each.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence

import attrs

from omskit.reporting.forecast import choose
from omskit.storage.ports import Aggregate, Collection

__all__ = [
    "ANOMALIES",
    "ANOMALY_KINDS",
    "Anomaly",
    "AnomalyRecord",
    "check_above",
    "check_below",
    "check_rate_drop",
    "z_of",
]

#: What each kind of anomaly means.
ANOMALY_KINDS: dict[str, str] = {
    "orders_below_forecast": "a channel's daily orders fell below the forecast's interval",
    "sku_above_forecast": "a SKU's daily units ordered rose above the forecast's interval",
    "on_time_rate_falling": "a location's on-time ship rate fell below its trailing baseline",
}


@attrs.frozen
class Anomaly:
    """One anomaly: ``kind`` (see `ANOMALY_KINDS`) of ``dimension`` = ``key`` on ``day``.

    Attributes:
        measured: the value seen (orders, units, or a rate from 0 to 1).
        expected: what the forecast or baseline said.
        low, high: the range within which ``measured`` would have been normal.
        method: how ``expected`` was computed (a forecasting method, or ``baseline``).
        explanation: one sentence for a person, with the figures.
    """

    kind: str
    dimension: str
    key: str
    day: dt.date
    measured: float
    expected: float
    low: float
    high: float
    method: str
    explanation: str

    @property
    def id(self) -> str:
        """What identifies it: kind, key and day (one record, however often checked)."""
        return f"anomaly:{self.kind}:{self.key}:{self.day.isoformat()}"

    @property
    def headline(self) -> str:
        """A short title: ``"channel web: orders below forecast"``."""
        return f"{self.dimension} {self.key}: {self.kind.replace('_', ' ')}"


@attrs.define(eq=False)
class AnomalyRecord(Aggregate):
    """An anomaly recorded by ``oms.reports.tick()``, so it is reported only once."""

    kind: str
    key: str
    day: dt.date
    explanation: str
    actor: str = "system"
    recorded_at: dt.datetime | None = None

    def clone(self) -> AnomalyRecord:
        """The record itself: recorded anomalies never change."""
        return self


ANOMALIES: Collection[AnomalyRecord] = Collection(
    "report_anomalies",
    AnomalyRecord,
    label="recorded anomaly",
    append_only=True,
)


def _band(history: Sequence[float], z: float) -> tuple[float, float, float, str]:
    test = min(14, max(2, len(history) // 4))
    forecast, _ranking = choose(history, 1, holdout=test)
    expected = max(0.0, forecast.values[0])
    sigma = max(forecast.sigma, math.sqrt(expected))
    return expected, max(0.0, expected - z * sigma), expected + z * sigma, forecast.method


def _active(history: Sequence[float], min_active_days: int) -> bool:
    return sum(1 for v in history if v > 0) >= min_active_days


def check_below(history: Sequence[float], actual: float, *, z: float, dimension: str,
                key: str, day: dt.date, what: str,
                min_active_days: int = 7) -> Anomaly | None:  # fmt: skip
    """An ``orders_below_forecast`` anomaly when ``actual`` is under the interval.

    ``history`` is the daily series before ``day``, oldest first.
    """
    if not _active(history, min_active_days):
        return None
    expected, low, high, method = _band(history, z)
    if actual >= low or low <= 0:
        return None
    text = (f"{dimension} {key} had {actual:g} {what} on {day.isoformat()}, expected "
            f"{expected:.1f} (normal range {low:.1f} to {high:.1f}, {method} forecast "
            f"from the {len(history)} days before); "
            f"{100 * (1 - actual / expected):.0f}% below forecast")  # fmt: skip
    return Anomaly("orders_below_forecast", dimension, key, day, actual, expected, low,
                   high, method, text)  # fmt: skip


def check_above(history: Sequence[float], actual: float, *, z: float, dimension: str,
                key: str, day: dt.date, what: str,
                min_active_days: int = 7) -> Anomaly | None:  # fmt: skip
    """A ``sku_above_forecast`` anomaly when ``actual`` is over the interval."""
    if not _active(history, min_active_days):
        return None
    expected, low, high, method = _band(history, z)
    if actual <= high:
        return None
    ratio = f"{actual / expected:.1f} times the forecast" if expected else "above a zero forecast"
    text = (f"{dimension} {key} sold {actual:g} {what} on {day.isoformat()}, expected "
            f"{expected:.1f} (normal range {low:.1f} to {high:.1f}, {method} forecast "
            f"from the {len(history)} days before); {ratio}")  # fmt: skip
    return Anomaly("sku_above_forecast", dimension, key, day, actual, expected, low, high,
                   method, text)  # fmt: skip


def check_rate_drop(recent: tuple[int, int], baseline: tuple[int, int], *, alpha: float,
                    dimension: str, key: str, day: dt.date, window: int,
                    baseline_days: int, min_count: int = 10,
                    min_drop: float = 0.05) -> Anomaly | None:  # fmt: skip
    """An ``on_time_rate_falling`` anomaly from (on time, total) counts.

    Flags when both windows have at least ``min_count`` shipments, the recent rate is
    at least ``min_drop`` under the baseline rate, and Fisher's exact test (one-sided)
    says so few on-time shipments among the recent ones would happen by chance with
    probability below ``alpha``, were both windows alike. ``low`` is the lowest recent
    rate chance explains at that ``alpha``, given the shipments' on-time total.
    """
    (hit, n), (base_hit, base_n) = recent, baseline
    if n < min_count or base_n < min_count:
        return None
    p, rate = base_hit / base_n, hit / n
    if p - rate < min_drop:
        return None
    cdf = _fisher_lower(n, hit + base_hit, n + base_n)
    if cdf[hit] >= alpha:
        return None
    lowest = next(k for k, c in enumerate(cdf) if c >= alpha)
    low = lowest / n
    text = (f"{dimension} {key} shipped {hit} of {n} on time in the {window} days to "
            f"{day.isoformat()} ({100 * rate:.1f}%), against {100 * p:.1f}% ({base_hit} "
            f"of {base_n}) in the {baseline_days} days before; chance explains no lower "
            f"than {100 * low:.1f}% (Fisher's exact test, p = {cdf[hit]:.2g})")  # fmt: skip
    return Anomaly("on_time_rate_falling", dimension, key, day, rate, p, low, 1.0,
                   "baseline", text)  # fmt: skip


def _fisher_lower(draws: int, successes: int, total: int) -> list[float]:
    """``P(X <= k)`` for ``k = 0..draws``, X hypergeometric (``draws`` of ``total``)."""
    lo, hi = max(0, draws - (total - successes)), min(draws, successes)

    def log_comb(a: int, b: int) -> float:
        return math.lgamma(a + 1) - math.lgamma(b + 1) - math.lgamma(a - b + 1)

    base = log_comb(total, draws)
    out, acc = [], 0.0
    for k in range(draws + 1):
        if lo <= k <= hi:
            acc += math.exp(log_comb(successes, k) + log_comb(total - successes, draws - k)
                            - base)  # fmt: skip
        out.append(min(1.0, acc))
    return out


def z_of(level: float) -> float:
    """The two-sided normal quantile for a central interval of ``level``."""
    return statistics.NormalDist().inv_cdf(0.5 + level / 2)
