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
    """Forecast-driven reorder points were written into inventory's reorder policies."""

    policies: tuple[str, ...]
    actor: str
