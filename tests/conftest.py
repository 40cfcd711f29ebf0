"""Shared test setup: Hypothesis profiles and OMS fixtures."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from omskit import OMS
from omskit.config import OMSConfig
from omskit.ids import SequentialIds
from omskit.testing import FakeClock

from . import audit_spy
from .stores import postgres_url, recycle_postgres_url

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)

#: The backend the service suite runs on: ``memory`` (default), ``sqlite`` or
#: ``postgres``. With ``OMSKIT_TEST_STORAGE=sqlite`` every ``OMS.in_memory()`` a test
#: makes (the ``oms`` fixture and each test's own shops) opens a fresh SQLite file
#: instead (``postgres``: a fresh schema of the test database, dropped at exit), so the
#: suite proves the durable store keeps the storage ports' promises.
STORAGE = os.environ.get("OMSKIT_TEST_STORAGE", "memory")
if STORAGE not in ("memory", "sqlite", "postgres"):
    raise pytest.UsageError(f"OMSKIT_TEST_STORAGE={STORAGE!r}: expected memory, sqlite or postgres")
_files = itertools.count(1)

#: ``OMSKIT_TEST_AUDIT=1``: every OMS a test builds audits, and a spy outside the admin
#: guard checks that each successful guarded call left its record (``tests/audit_spy.py``).
if audit_spy.ENABLED:
    audit_spy.activate()


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``no_audit`` marker."""
    config.addinivalue_line(
        "markers",
        "no_audit(reason): under OMSKIT_TEST_AUDIT=1, build this test's OMS without the audit",
    )


@pytest.fixture(autouse=True)
def _audit_spy(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under ``OMSKIT_TEST_AUDIT=1``, fail the test when a guarded call left no audit record."""
    if not audit_spy.ENABLED:
        yield
        return
    audit_spy.STATE.exempt = request.node.get_closest_marker("no_audit") is not None
    audit_spy.reset()
    yield
    audit_spy.STATE.exempt = False
    problems = list(dict.fromkeys(audit_spy.STATE.problems))
    if problems:
        pytest.fail("audit spy:\n" + "\n".join(problems), pytrace=False)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Under ``OMSKIT_TEST_AUDIT=1``, list the guarded methods no test called."""
    if audit_spy.ENABLED:
        terminalreporter.write_sep("-", "audit coverage")
        for line in audit_spy.summary():
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _durable_in_memory(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Under ``OMSKIT_TEST_STORAGE=sqlite``, ``OMS.in_memory`` opens a new SQLite file."""
    if STORAGE == "memory":
        yield
        return
    directory = tmp_path_factory.mktemp("db")
    original = OMS.in_memory.__func__  # type: ignore[attr-defined]
    opened: weakref.WeakSet[OMS] = weakref.WeakSet()
    schemas: list[str] = []  # the PostgreSQL stores this test opened, emptied after it

    @functools.wraps(original)
    def in_memory(
        cls: type[OMS],
        config: Any = None,
        plugins: Any = (),
        *,
        clock: Any = None,
        ids: Any = None,
        autoload: bool | None = None,
    ) -> OMS:
        cfg = OMSConfig.coerce(config)
        if cfg.storage != "memory":  # let the real method refuse it
            return original(cls, config, plugins, clock=clock, ids=ids, autoload=autoload)  # type: ignore[no-any-return]
        if STORAGE == "sqlite":
            url = f"sqlite:///{directory}/oms-{next(_files)}.db"
        else:
            url = postgres_url()
            schemas.append(url)
        ids = ids or SequentialIds()
        oms = cls.open(url, cfg, plugins, clock=clock, ids=ids, autoload=autoload)
        opened.add(oms)
        return oms

    monkeypatch.setattr(OMS, "in_memory", classmethod(in_memory))
    yield
    for oms in list(opened):
        oms.close()
    for url in schemas:
        recycle_postgres_url(url)


@pytest.fixture
def clock() -> FakeClock:
    """A clock standing at 2026-11-24 09:00 UTC until a test moves it."""
    return FakeClock(START)


@pytest.fixture
def oms(clock: FakeClock) -> OMS:
    """A fresh in-memory OMS with a fake clock, sequential ids and no entry-point plugins."""
    return OMS.in_memory(clock=clock, autoload=False)
