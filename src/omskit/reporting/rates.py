"""Recorded exchange rates: the dated rates reports convert with.

A rate is recorded once (append-only) for a pair and a day; a report converts each fact
row at the latest rate recorded on or before the row's local day, so a report run today
and again next year gives the same figures. When no rate is recorded for a pair, the
[`RateBook`][] asks the OMS's exchange-rate provider, and says so in the rate's
``source``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import attrs

from omskit.errors import NotFound
from omskit.money import ExchangeRate, ExchangeRateProvider, check_currency
from omskit.storage.ports import Aggregate, Collection

__all__ = ["RATES", "RateBook", "RecordedRate"]


@attrs.define(eq=False)
class RecordedRate(Aggregate):
    """1 ``base`` bought ``rate`` ``quote`` on ``on``; recorded by ``actor`` at ``recorded_at``."""

    base: str
    quote: str
    rate: Decimal
    on: dt.date
    source: str = "recorded"
    actor: str = "system"
    recorded_at: dt.datetime | None = None

    def clone(self) -> RecordedRate:
        """The record itself: recorded rates never change."""
        return self


RATES: Collection[RecordedRate] = Collection(
    "report_rates",
    RecordedRate,
    indexes={"pair": lambda r: (r.base, r.quote)},
    label="recorded exchange rate",
    append_only=True,
)


class RateBook:
    """An [`ExchangeRateProvider`][] over recorded dated rates, with a fallback.

    For ``base -> quote`` on a day it answers, in order: the latest rate recorded for that
    pair on or before the day; the inverse of one recorded for ``quote -> base`` (one
    Decimal division, 28 significant digits); the product of two such rates through a
    pivot currency; the ``fallback`` provider's rate.
    """

    def __init__(
        self, recorded: Iterable[RecordedRate], fallback: ExchangeRateProvider | None = None
    ) -> None:
        pairs: dict[tuple[str, str], list[RecordedRate]] = {}
        for r in recorded:
            pairs.setdefault((r.base, r.quote), []).append(r)
        self._pairs = {
            k: sorted(v, key=lambda r: (r.on, r.recorded_at or dt.datetime.min.replace(
                tzinfo=dt.UTC)))
            for k, v in pairs.items()
        }  # fmt: skip
        self._days = {k: [r.on for r in v] for k, v in self._pairs.items()}
        self._currencies = sorted({c for pair in self._pairs for c in pair})
        self._fallback = fallback
        self._cache: dict[tuple[str, str, dt.date | None], ExchangeRate] = {}

    def _recorded(self, base: str, quote: str, on: dt.date | None) -> RecordedRate | None:
        rows = self._pairs.get((base, quote))
        if not rows:
            return None
        if on is None:
            return rows[-1]
        i = bisect.bisect_right(self._days[(base, quote)], on)
        return rows[i - 1] if i else None

    def _known(self, base: str, quote: str, on: dt.date | None) -> ExchangeRate | None:
        if base == quote:
            return ExchangeRate(base, quote, Decimal(1), on or dt.date.min, "identity")
        if (r := self._recorded(base, quote, on)) is not None:
            return ExchangeRate(base, quote, r.rate, r.on, r.source)
        if (r := self._recorded(quote, base, on)) is not None:
            return ExchangeRate(base, quote, Decimal(1) / r.rate, r.on, f"{r.source} (inverse)")
        return None

    def rate(self, base: str, quote: str, on: dt.date | None = None) -> ExchangeRate:
        """The rate from ``base`` to ``quote`` for day ``on`` (the latest when ``None``).

        Raises:
            NotFound: no rate is recorded for the pair on or before ``on`` and the
                fallback provider knows none either.
        """
        key = (base, quote, on)
        found = self._cache.get(key)
        if found is not None:
            return found
        base, quote = check_currency(base, "base"), check_currency(quote, "quote")
        found = self._known(base, quote, on)
        if found is None:  # across a pivot currency, like the fixed table
            for pivot in self._currencies:
                first, second = self._known(base, pivot, on), self._known(pivot, quote, on)
                if first is not None and second is not None and pivot not in (base, quote):
                    found = ExchangeRate(base, quote, first.rate * second.rate,
                                         min(first.as_of, second.as_of),
                                         f"{first.source} via {pivot}")  # fmt: skip
                    break
        if found is None and self._fallback is not None:
            try:
                found = self._fallback.rate(base, quote, on)
            except NotFound:
                found = None
        if found is None:
            raise NotFound(
                "exchange rate",
                f"{base}->{quote}",
                f"none recorded on or before {on}; record one with "
                "oms.reports.record_rate() or configure exchange_rates",
            )
        self._cache[key] = found
        return found
