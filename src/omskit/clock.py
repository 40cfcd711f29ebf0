"""Where omskit gets the time: an injected [`Clock`][], never ``datetime.now()`` in the core.

Hosts and tests pass their own clock to [`OMS`][]; ``omskit.testing.FakeClock``
is a clock that only moves when told to.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock", "utc"]

utc = dt.UTC


@runtime_checkable
class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> dt.datetime:
        """The current time from the operating system, in UTC."""
        return dt.datetime.now(tz=utc)
