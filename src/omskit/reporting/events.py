"""Events the reporting capability records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from omskit.events import Event

__all__ = ["ExchangeRateRecorded", "ReplenishmentApplied"]


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
