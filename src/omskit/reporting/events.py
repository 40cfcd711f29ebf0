"""Events the reporting capability records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from omskit.events import Event

__all__ = ["AnomalyDetected", "ExchangeRateRecorded", "ReplenishmentApplied"]


@attrs.frozen(kw_only=True)
class ExchangeRateRecorded(Event):
    """A dated exchange rate was recorded for reports to convert with."""

    base: str
    quote: str
    rate: Decimal
    on: dt.date
    source: str
    actor: str


@attrs.frozen(kw_only=True)
class ReplenishmentApplied(Event):
    """Forecast-driven figures were written into one of inventory's reorder policies."""

    policy: str
    method: str
    reorder_point: int | None
    order_quantity: int | None
    minimum: int | None
    maximum: int | None
    explanation: str
    actor: str


@attrs.frozen(kw_only=True)
class AnomalyDetected(Event):
    """``oms.reports.tick()`` found an anomaly (see ``omskit.reporting.anomalies``).

    ``reason`` is a short headline and ``description`` the explanation with the figures;
    the ``anomaly_detected`` notification trigger sends both to staff.
    """

    anomaly_id: str
    kind: str
    dimension: str
    key: str
    day: dt.date
    measured: float
    expected: float
    low: float
    high: float
    reason: str
    description: str
    actor: str
