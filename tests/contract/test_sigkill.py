"""A process killed with SIGKILL mid-capture leaves a consistent store.

After the kill the store is reopened: every order is whole (its lines reserved, its
``OrderCaptured`` event in the outbox), no stock is reserved for an order that is not
there, and the capture that was cut off can be replayed. The relay's kill test is in
``test_relay.py``. Every test runs on every durable backend.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from omskit import OMS
from omskit.inventory.stock import STOCK
from omskit.orders import ORDERS
from omskit.orders.events import OrderCaptured
from omskit.storage import codec

from ..stores import BACKENDS, outbox_column, store_url  # noqa: TID252 - shared test helpers
from .capture_worker import order

DURABLE = [kind for kind in BACKENDS if kind != "memory"]
ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("capture_worker.py")


def relayed(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}outbox=relay"  # events stay in the outbox


def outbox_events(url: str) -> list[Any]:
    """Every event waiting in the outbox, decoded."""
    bodies = outbox_column(url, "body")
    return [codec.decode(Any, json.loads(b) if isinstance(b, str | bytes) else b) for b in bodies]


def kill_mid_capture(url: str, prefix: str, log: Path) -> tuple[int, bool]:
    """Start the worker, SIGKILL it while a capture runs.

    Returns the last capture started, and whether it was still running (not logged done).
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMSKIT_DISABLE_PLUGIN_AUTOLOAD": "1"}
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), url, prefix, str(log)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (log.exists() and log.read_text().count("done") >= 3):
        assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # a capture takes milliseconds: a random moment inside one, mostly
    time.sleep(random.uniform(0, 0.01))
    worker.kill()
    worker.communicate(timeout=30)
    lines = log.read_text().splitlines()
    started = [line for line in lines if line.startswith("start")]
    return int(started[-1].split()[1]), lines[-1].startswith("start")


@pytest.mark.slow
@pytest.mark.parametrize("kind", DURABLE)
def test_a_process_killed_mid_capture_leaves_no_partial_order(kind: str, tmp_path: Path) -> None:
    url = relayed(store_url(kind, tmp_path))
    with OMS.open(url, autoload=False) as oms:
        for location in ("BER", "MUC"):
            oms.inventory.add_location(location, name=location, country="DE", lat=52.5, lon=13.4)
        for sku in ("TEE", "MUG"):
            oms.catalog.add_product(sku, name=sku, price="10.00", currency="EUR")
            for location in ("BER", "MUC"):
                oms.inventory.receive(sku, location=location, quantity=100_000)
    cut_off = []
    midway = []
    for round_ in range(3):
        log = tmp_path / f"capture-{round_}.log"
        n, running = kill_mid_capture(url, f"K{round_}", log)
        cut_off.append((f"K{round_}", n))
        midway.append(running)
    assert any(midway), "no kill landed inside a capture"

    with OMS.open(url, autoload=False) as oms:
        with oms.runtime.storage.unit_of_work() as uow:
            orders = list(uow.repo(ORDERS).scan())
            levels = list(uow.repo(STOCK).scan())
        assert orders
        allocated = Counter()
        for o in orders:
            assert [(line.sku, line.quantity) for line in o.lines] == [("TEE", 2), ("MUG", 1)]
            held = oms.inventory.reservations(o.id)
            by_sku = Counter()
            for r in held:
                by_sku[r.sku] += r.quantity
            assert by_sku == {"TEE": 2, "MUG": 1}, o.id  # a whole order is wholly reserved
            allocated.update(by_sku)
        reserved = Counter()
        for level in levels:
            reserved[level.sku] += level.reserved
        assert reserved == allocated  # no unit reserved for an order that is not stored
        events = outbox_events(url)
        captured = Counter(e.order_id for e in events if isinstance(e, OrderCaptured))
        assert captured == {o.id: 1 for o in orders}  # each order's event, once, none lost
        for prefix, n in cut_off:  # the capture that was cut off: absent or whole; replayable
            again = oms.orders.capture(order(f"{prefix}-{n}"))
            assert again.external_id == f"{prefix}-{n}"
        with oms.runtime.storage.unit_of_work() as uow:
            after = list(uow.repo(ORDERS).scan())
        keys = [o.external_id for o in after]
        assert len(keys) == len(set(keys))  # one order per external id


def test_a_postgres_backend_terminated_mid_commit_is_a_storage_error_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = store_url("postgres", tmp_path)  # skips without PostgreSQL
    import psycopg

    from omskit.storage.errors import StorageError
    from omskit.storage.postgres import PostgresStore, postgres_dsn

    with OMS.open(url, autoload=False) as oms:
        oms.inventory.add_location("BER", name="BER", country="DE", lat=52.5, lon=13.4)
        for sku in ("TEE", "MUG"):
            oms.catalog.add_product(sku, name=sku, price="10.00", currency="EUR")
            oms.inventory.receive(sku, location="BER", quantity=10)
        store = oms.runtime.storage
        assert isinstance(store, PostgresStore)
        real_write = type(store.outbox).write

        def terminated(self: Any, conn: Any, events: Any) -> None:
            # the order and stock rows are written, the commit not yet: the server
            # ends this session (an operator, a failover, an OOM kill)
            with psycopg.connect(postgres_dsn(url)[0], autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
            real_write(self, conn, events)

        monkeypatch.setattr(type(store.outbox), "write", terminated)
        with pytest.raises(StorageError, match="commit failed"):
            oms.orders.capture(order("T-1"))
        monkeypatch.undo()
        with store.unit_of_work() as uow:
            assert uow.repo(ORDERS).count() == 0
            assert [lv.reserved for lv in uow.repo(STOCK).scan()] == [0, 0]
        assert oms.orders.capture(order("T-1")).status == "allocated"  # the pool recovers
