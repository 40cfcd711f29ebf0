"""Test helpers for host applications: deterministic fakes and Hypothesis strategies.

The strategies need Hypothesis (``pip install hypothesis``); importing this module without
it still gives the fakes.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

from omskit.clock import utc
from omskit.customers.address import Address
from omskit.customers.geo import GeoPoint
from omskit.events import Event
from omskit.ids import SequentialIds
from omskit.money import Money, minor_unit
from omskit.plugins.spec import hookimpl

__all__ = [
    "FakeClock",
    "RecordingSubscriber",
    "SequentialIds",
    "addresses",
    "currencies",
    "money",
    "products",
    "rates",
    "skus",
    "weights",
]


class FakeClock:
    """A clock that stands still until [`advance`][] or [`set`][] moves it.

    Starts at 2026-01-01 09:00 UTC unless told otherwise.
    """

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime(2026, 1, 1, 9, 0, tzinfo=utc)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware datetime")
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        """The clock's current time."""
        return self._now

    def advance(self, **delta: float) -> dt.datetime:
        """Move forward by ``timedelta(**delta)``, e.g. ``advance(minutes=30)``."""
        with self._lock:
            self._now += dt.timedelta(**delta)
            return self._now

    def set(self, when: dt.datetime) -> None:
        """Jump to ``when`` (timezone-aware)."""
        if when.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware datetime")
        self._now = when


class RecordingSubscriber:
    """A plugin that keeps every event it receives in `events`.

    Pass it in ``OMS(plugins=[RecordingSubscriber()])``; ``fail_times`` makes it raise
    on its first deliveries, to exercise retries.
    """

    def __init__(self, fail_times: int = 0) -> None:
        self.events: list[Event] = []
        self.fail_times = fail_times
        self.calls = 0

    @hookimpl
    def omskit_on_event(self, event: Event) -> None:
        """Record ``event`` (or fail, while ``fail_times`` lasts)."""
        self.calls += 1
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("subscriber down (scripted failure)")
        self.events.append(event)

    def names(self) -> list[str]:
        """The names of the events received, in order."""
        return [e.event_type for e in self.events]


try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is optional for hosts
    st = None  # type: ignore[assignment]


def _need_hypothesis() -> Any:
    if st is None:  # pragma: no cover
        raise ImportError("omskit.testing strategies need hypothesis: pip install hypothesis")
    return st


def currencies(codes: tuple[str, ...] = ("EUR", "USD", "JPY", "GBP", "KWD", "CHF")) -> Any:
    """Currency codes with 0, 2 and 3 minor-unit digits."""
    return _need_hypothesis().sampled_from(codes)


def money(
    currency: Any = None, *, min_value: Decimal = Decimal(0), max_value: Decimal = Decimal(10**6)
) -> Any:
    """Omskit ``Money`` quantized to its currency's minor unit, within the bounds."""
    s = _need_hypothesis()
    currency_st = currencies() if currency is None else s.just(currency)

    def build(code: str) -> Any:
        unit = minor_unit(code)
        low, high = int(min_value / unit), int(max_value / unit)
        return s.integers(low, high).map(lambda n: Money(Decimal(n) * unit, code))

    return currency_st.flatmap(build)


def weights(*, min_size: int = 1, max_size: int = 8, decimals: bool = True) -> Any:
    """Lists of allocation weights: zero or positive, at least one positive.

    Items are ints, or with ``decimals`` also Decimals with up to 3 digits after the point.
    """
    s = _need_hypothesis()
    item = s.integers(0, 1000)
    if decimals:
        item = s.one_of(item, s.integers(0, 10**6).map(lambda n: Decimal(n).scaleb(-3)))
    return s.lists(item, min_size=min_size, max_size=max_size).filter(
        lambda ws: any(w > 0 for w in ws)
    )


def rates(*, min_value: str = "0.0001", max_value: str = "10000") -> Any:
    """Positive exchange rates: Decimals with 4 places between the bounds."""
    s = _need_hypothesis()
    low, high = Decimal(min_value), Decimal(max_value)
    return s.decimals(low, high, places=4, allow_nan=False, allow_infinity=False).filter(
        lambda d: d > 0
    )


def skus() -> Any:
    """Valid SKU codes."""
    return _need_hypothesis().from_regex(r"[A-Z0-9]{1,4}-[A-Z0-9]{1,8}", fullmatch=True)


def addresses(countries: tuple[str, ...] = ("DE", "FR", "US", "GB", "JP", "IL", "CH")) -> Any:
    """Complete, shippable [`Address`][] objects in ``countries``."""
    s = _need_hypothesis()
    postal = {"DE": "10115", "FR": "75001", "US": "10001", "GB": "SW1A 1AA", "JP": "100-0001",
              "IL": "6100000", "CH": "8001"}  # fmt: skip
    text = s.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=20).map(
        lambda t: t.strip() or "Main"
    )
    return s.builds(
        lambda country, line1, city, lat, lon: Address(
            country=country, line1=line1, city=city, postal_code=postal.get(country, "1000"),
            region="NY" if country == "US" else "",
            point=GeoPoint(lat, lon),
        ),
        s.sampled_from(countries), text, text,
        s.floats(-60, 60, allow_nan=False), s.floats(-179, 179, allow_nan=False),
    )  # fmt: skip


def products(currency: str = "EUR") -> Any:
    """Keyword arguments for ``oms.catalog.add_product`` (a dict with ``sku`` included)."""
    s = _need_hypothesis()
    return s.fixed_dictionaries(
        {
            "sku": skus(),
            "name": s.text(alphabet="ABCDEFGHIJ klmnop", min_size=1, max_size=30).filter(
                lambda t: t.strip() != ""
            ),
            "price": money(currency, min_value=Decimal("0.5"), max_value=Decimal(500)).map(
                lambda m: m.amount
            ),
            "currency": s.just(currency),
            "weight_grams": s.integers(1, 30_000),
            "tax_class": s.sampled_from(("standard", "reduced", "zero")),
        }
    )
