"""What only a durable store promises: a restart keeps everything, processes share it.

Each test runs on every durable backend (SQLite, and PostgreSQL with the extra).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import runpy
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from omskit import OMS, OmskitError
from omskit.__main__ import main
from omskit.events import Event
from omskit.inventory.stock import STOCK
from omskit.orders import ORDERS
from omskit.storage.errors import SchemaOutdated, StorageError
from omskit.storage.sql import SqlStore
from omskit.testing import FakeClock

from ..stores import BACKENDS, store_url  # noqa: TID252 - shared test helpers

DURABLE = [kind for kind in BACKENDS if kind != "memory"]
WORKER = Path(__file__).with_name("race_worker.py")
T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def order(external_id: str, sku: str = "TEE-M", quantity: int = 2) -> dict[str, Any]:
    return {
        "channel": "web",
        "external_id": external_id,
        "customer": {"email": "dana@example.com", "name": "Dana Levi"},
        "ship_to": {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                    "postal_code": "10115"},
        "lines": [{"sku": sku, "quantity": quantity}],
    }  # fmt: skip


def stocked(url: str, clock: FakeClock, stock: dict[str, dict[str, int]]) -> None:
    """Products and stock ``{sku: {location: units}}`` in the store at ``url``."""
    with OMS.open(url, clock=clock, autoload=False) as oms:
        for location in sorted({loc for levels in stock.values() for loc in levels}):
            oms.inventory.add_location(location, name=location, country="DE", lat=52.5, lon=13.4)
        for sku, levels in stock.items():
            oms.catalog.add_product(sku, name=sku, price="10.00", currency="EUR")
            for location, units in levels.items():
                oms.inventory.receive(sku, location=location, quantity=units)


class Failing:
    """A subscriber that is down until told otherwise."""

    def __init__(self) -> None:
        self.up = False
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        if not self.up:
            raise ConnectionError("erp down")
        self.events.append(event)


@pytest.fixture(params=DURABLE)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return store_url(request.param, tmp_path)


def test_an_order_its_stock_and_its_undelivered_events_survive_a_restart(url: str) -> None:
    clock = FakeClock(T0)
    stocked(url, clock, {"TEE-M": {"BER": 5}})
    erp = Failing()
    with OMS.open(url, clock=clock, autoload=False) as oms:
        oms.events.subscribe("erp", erp)
        captured = oms.orders.capture(order("W-1"))
        assert oms.events.pending() >= 1  # the ERP was down: kept for a retry
    erp = Failing()
    erp.up = True
    clock.advance(hours=1)  # past the retry back-off
    with OMS.open(url, clock=clock, autoload=False) as oms:
        again = oms.orders.get(captured.id)
        assert (again.status, again.version) == (captured.status, captured.version)
        assert [(line.sku, line.allocated) for line in again.lines] == [("TEE-M", 2)]
        (level,) = oms.inventory.levels("TEE-M")
        assert (level.on_hand, level.reserved) == (5, 2)
        oms.events.subscribe("erp", erp)
        oms.events.dispatch()
        assert "OrderCaptured" in [e.event_type for e in erp.events]
        assert oms.events.pending() == 0
        # a replay after the restart is still a replay
        assert oms.orders.capture(order("W-1")).id == captured.id
    with OMS.open(url, clock=clock, autoload=False) as oms:
        oms.events.subscribe("erp", erp)
        delivered = len(erp.events)
        oms.events.dispatch()
        assert len(erp.events) == delivered  # never the same event twice
        ids = [e.event_id for e in erp.events]
        assert len(ids) == len(set(ids))


def _race(url: str, processes: int) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(
            target=runpy.run_path,
            args=(str(WORKER),),
            kwargs={
                "run_name": "__main__",
                "init_globals": {
                    "URL": url,
                    "NAME": f"P{n}",
                    "BARRIER": barrier,
                    "RESULTS": results,
                },
            },
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    found = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    return found


@pytest.mark.slow
def test_processes_racing_for_the_last_units_never_oversell_and_share_one_order(
    url: str,
) -> None:
    stocked(url, FakeClock(T0), {"LAST": {"BER": 3, "MUC": 2}, "PLENTY": {"BER": 100}})
    results = _race(url, processes=4)
    assert [r["errors"] for r in results] == [[], [], [], []]
    won = [id for r in results for id in r["won"]]
    assert len(won) == len(set(won)) == 5  # every last unit sold once, none twice
    assert len({r["same"] for r in results}) == 1  # one order for (web, SAME-1)
    with OMS.open(url, autoload=False) as oms:
        levels = {lv.location: lv for lv in oms.inventory.levels("LAST")}
        assert {k: (v.on_hand, v.reserved) for k, v in levels.items()} == {
            "BER": (3, 3),
            "MUC": (2, 2),
        }
        with oms.runtime.storage.unit_of_work() as uow:
            orders = list(uow.repo(ORDERS).scan())
        assert sorted(o.external_id for o in orders if o.external_id == "SAME-1") == ["SAME-1"]
        sold = Counter(line.sku for o in orders for line in o.lines for _ in range(line.allocated))
        assert sold == {"LAST": 5, "PLENTY": 1}


def test_a_connection_lost_mid_commit_is_a_storage_error_and_writes_nothing(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(T0)
    stocked(url, clock, {"TEE-M": {"BER": 5}})
    with OMS.open(url, clock=clock, autoload=False) as oms:
        store = oms.runtime.storage
        assert isinstance(store, SqlStore)
        real_write = type(store.outbox).write

        def lose_connection(self: Any, conn: Any, events: Any) -> None:
            conn.close()  # the server went away between the rows and the outbox
            real_write(self, conn, events)

        monkeypatch.setattr(type(store.outbox), "write", lose_connection)
        with pytest.raises(StorageError, match="commit failed") as info:
            oms.orders.capture(order("W-1"))
        assert isinstance(info.value, OmskitError)
        monkeypatch.undo()
        with store.unit_of_work() as uow:
            assert uow.repo(ORDERS).count() == 0
            (level,) = uow.repo(STOCK).list_by("sku", "TEE-M")
            assert level.reserved == 0
        assert oms.orders.capture(order("W-1")).status == "allocated"  # and it recovers


def test_an_older_schema_is_refused_with_the_command_that_upgrades_it(tmp_path: Path) -> None:
    url = store_url("sqlite", tmp_path)
    OMS.open(url, autoload=False).close()
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE omskit_schema SET version = 0")  # as an older omskit left it
    with pytest.raises(SchemaOutdated, match=r"python -m omskit db upgrade sqlite:///"):
        OMS.open(url, autoload=False)
    assert main(["db", "upgrade", url]) == 0
    with OMS.open(url, autoload=False) as oms:
        assert oms.channels.get("web").id == "web"


def test_db_status_shows_the_schema_the_rows_and_the_outbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = store_url("sqlite", tmp_path)
    stocked(url, FakeClock(T0), {"TEE-M": {"BER": 5}})
    assert main(["db", "status", url]) == 0
    out = capsys.readouterr().out
    assert "schema version 1" in out
    assert "stock_levels" in out
    assert "outbox backlog" in out


def test_a_newer_schema_is_refused_too(tmp_path: Path) -> None:
    url = store_url("sqlite", tmp_path)
    OMS.open(url, autoload=False).close()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE omskit_schema SET version = 99")
    with pytest.raises(SchemaOutdated, match="newer omskit"):
        OMS.open(url, autoload=False)
