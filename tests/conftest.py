"""Shared test setup: Hypothesis profiles and OMS fixtures."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, settings

from omskit import OMS
from omskit.testing import FakeClock

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> FakeClock:
    """A clock standing at 2026-11-24 09:00 UTC until a test moves it."""
    return FakeClock(START)


@pytest.fixture
def oms(clock: FakeClock) -> OMS:
    """A fresh in-memory OMS with a fake clock, sequential ids and no entry-point plugins."""
    return OMS.in_memory(clock=clock, autoload=False)
