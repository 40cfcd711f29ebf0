"""A small stocked shop and a commit gate that forces two use cases to interleave."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import pytest

from omskit import OMS
from omskit.storage.ports import Collection, Repository, UnitOfWork
from omskit.testing import FakeClock

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)

BERLIN = {
    "country": "DE",
    "line1": "Invalidenstr. 117",
    "city": "Berlin",
    "postal_code": "10115",
    "name": "Dana Levi",
}


def stock_shop(oms: OMS, quantity: int = 50) -> OMS:
    """Two products with stock in Berlin, and a Berlin ship-from address."""
    oms.catalog.add_product(
        "TEE-M",
        name="T-shirt",
        price="19.90",
        currency="EUR",
        weight_grams=180,
        dimensions=[300, 200, 20],
    )
    oms.catalog.add_product(
        "MUG-01",
        name="Mug",
        price="12.50",
        currency="EUR",
        weight_grams=350,
        dimensions=[120, 90, 100],
    )
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    for sku in ("TEE-M", "MUG-01"):
        oms.inventory.receive(sku, location="BER", quantity=quantity)
    oms.fulfillment.configure_location(
        "BER",
        address={
            "country": "DE",
            "line1": "Lagerweg 1",
            "city": "Berlin",
            "postal_code": "12099",
            "name": "Shop GmbH",
        },
    )
    return oms


def order_payload(external_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid one-line web order paid with the sandbox gateway's good card."""
    data: dict[str, Any] = {
        "channel": "web",
        "external_id": external_id,
        "customer": {"email": "dana@example.com", "name": "Dana Levi"},
        "ship_to": dict(BERLIN),
        "lines": [{"sku": "TEE-M", "quantity": 2}],
        "payment": {"method": "tok_visa"},
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_shop() -> Callable[..., OMS]:
    """A factory of fresh stocked shops (one per race round)."""

    def make(config: dict[str, Any] | None = None, plugins: Any = (), quantity: int = 50) -> OMS:
        oms = OMS.in_memory(config, plugins, clock=FakeClock(START), autoload=False)
        return stock_shop(oms, quantity)

    return make


class _GatedUnitOfWork:
    """A unit of work whose first commit in each racing thread waits for the others."""

    def __init__(self, inner: UnitOfWork, gate: CommitGate) -> None:
        self._inner = inner
        self._gate = gate

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    def repo(self, collection: Collection[Any]) -> Repository[Any]:
        return self._inner.repo(collection)

    def commit(self) -> list[Any]:
        self._gate.arrive()
        return self._inner.commit()

    def rollback(self) -> None:
        self._inner.rollback()


class CommitGate:
    """Holds the first commit of each of ``parties`` racing threads until all arrived.

    Every racing use case has then read and decided before any of them writes: the
    interleaving that a write skew needs, forced in every round instead of hoped for.
    Only threads other than the one that installed the gate are held, each once (a retry
    after a conflict commits at once); a party that never commits releases the others
    after ``timeout`` seconds.
    """

    def __init__(self, oms: OMS, parties: int = 2, timeout: float = 5.0) -> None:
        self._barrier = threading.Barrier(parties, timeout=timeout)
        self._owner = threading.get_ident()
        self._passed: set[int] = set()
        self._lock = threading.Lock()
        storage = oms.runtime.storage
        original = storage.unit_of_work
        self._restore = lambda: setattr(storage, "unit_of_work", original)
        storage.unit_of_work = lambda: _GatedUnitOfWork(original(), self)  # type: ignore[method-assign]

    def arrive(self) -> None:
        me = threading.get_ident()
        with self._lock:
            if me == self._owner or me in self._passed:
                return
            self._passed.add(me)
        with contextlib.suppress(threading.BrokenBarrierError):
            self._barrier.wait()  # broken: a party failed before committing, go on alone

    def close(self) -> None:
        """Put the store's own unit of work back."""
        self._restore()


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in threads at once; each result is the value returned or the exception."""
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as exc:  # the caller inspects what each side got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def store_state(oms: OMS, events: list[Any] | None = None) -> tuple[Any, ...]:
    """Everything a refused call must leave as it was, across every collection.

    Per collection: how many rows and each row's version (the ledger and the other
    append-only collections included); the outbox's pending events; and, with
    ``events`` (filled by a subscriber), how many events were delivered so far.
    """
    storage = oms.runtime.storage
    tables = getattr(storage, "_tables", {})
    rows = tuple(
        (name, len(table.rows), tuple(sorted((i, r.version) for i, r in table.rows.items())))
        for name, table in sorted(tables.items())
        if table.rows  # a table appears on first use, empty: that is no change
    )
    return rows, oms.events.pending(), None if events is None else len(events)
