"""Capture throughput per storage backend, as a ratio to the in-memory store, and flatness.

For each backend (memory, SQLite on a temporary file, PostgreSQL when
``OMSKIT_TEST_POSTGRES_DSN`` is set and the ``postgres`` extra is installed) it builds
the same shop, captures orders (the minimal three-line shape of ``capture.py``) and
prints orders/s with p50/p99 latency and the ratio to memory measured in the same run.
Then it fills each store with copies of a stored order up to 10^3 and 10^5 orders and
captures again at both sizes: a flat backend costs the same per order at both.

    python benchmarks/storage.py [--count 200] [--fill 100000] [--backends memory,sqlite]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from capture import payload  # the benchmark's sibling module

from omskit import OMS
from omskit.orders import ORDERS
from omskit.storage.memory import MemoryStore
from omskit.storage.sql import SqlStore, _body
from omskit.testing import FakeClock

SKUS = 30
LOCATIONS = (("BER", "DE", 52.52, 13.40), ("HAM", "DE", 53.55, 9.99), ("MUC", "DE", 48.14, 11.58))


def open_shop(backend: str, directory: Path) -> tuple[OMS, FakeClock]:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    if backend == "memory":
        oms = OMS.in_memory(clock=clock, autoload=False)
    elif backend == "sqlite":
        oms = OMS.open(f"sqlite:///{directory / 'bench.db'}", clock=clock, autoload=False)
    else:
        dsn = os.environ["OMSKIT_TEST_POSTGRES_DSN"]
        schema = f"omskit_bench_{uuid.uuid4().hex[:8]}"
        oms = OMS.open(f"{dsn}?schema={schema}", clock=clock, autoload=False)
    for i in range(SKUS):
        oms.catalog.add_product(f"SKU-{i:04d}", name=f"P{i}", price="9.90", currency="EUR")
    for code, country, lat, lon in LOCATIONS:
        oms.inventory.add_location(code, name=code, country=country, lat=lat, lon=lon)
        for i in range(SKUS):
            oms.inventory.receive(f"SKU-{i:04d}", location=code, quantity=1_000_000)
    return oms, clock


def capture(oms: OMS, clock: FakeClock, start: int, count: int) -> list[float]:
    latencies = []
    for n in range(start, start + count):
        data = payload(n)
        data["lines"] = [{"sku": f"SKU-{(n * 3 + k) % SKUS:04d}", "quantity": 1} for k in range(3)]
        clock.advance(seconds=1)
        t0 = time.perf_counter()
        oms.orders.capture(data)
        latencies.append(time.perf_counter() - t0)
    return latencies


def stored(oms: OMS) -> int:
    with oms.runtime.storage.unit_of_work() as uow:
        return uow.repo(ORDERS).count()


def fill(oms: OMS, target: int) -> None:
    """Copies of the last stored order (new ids and external ids) up to ``target``."""
    storage: Any = oms.runtime.storage
    with storage.unit_of_work() as uow:
        template = next(iter(uow.repo(ORDERS).scan()))
    have = stored(oms)
    copies = []
    for n in range(have, target):
        copy = template.clone()
        copy.id, copy.external_id, copy.version = f"fill_{n}", f"F-{n}", 0
        copies.append(copy)
    if isinstance(storage, MemoryStore):
        table = storage.table(ORDERS)
        for copy in copies:
            copy.version = 1
            table.insert(copy)
        return
    assert isinstance(storage, SqlStore)
    spec = storage.spec(ORDERS)

    def work(conn: Any) -> None:
        for i in range(0, len(copies), 5_000):
            chunk = copies[i : i + 5_000]
            seqs = storage.take_seq(conn, len(chunk))
            rows = []
            for copy, seq in zip(chunk, seqs, strict=True):
                unique, index = spec.keys(copy)
                row: list[Any] = [copy.id, seq, 1, _body(copy, 1), *unique]
                for value in index:
                    row += [value, seq]
                rows.append(row)
            storage.executemany(conn, spec.insert_sql, rows)

    storage.transaction(work)


def summary(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    rate = len(latencies) / sum(latencies)
    return rate, statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="orders captured per run")
    parser.add_argument("--fill", type=int, default=100_000, help="the large store size")
    parser.add_argument("--backends", default="")
    args = parser.parse_args()
    backends = ["memory", "sqlite"]
    if os.environ.get("OMSKIT_TEST_POSTGRES_DSN"):
        if importlib.util.find_spec("psycopg") is None:
            print("postgres: skipped (pip install -e '.[postgres]')")
        else:
            backends.append("postgres")
    if args.backends:
        backends = args.backends.split(",")
    print(f"capture of {args.count} three-line orders per backend, same run, same machine")
    print(f"{'backend':<10} {'orders/s':>9} {'x memory':>9} {'p50 ms':>8} {'p99 ms':>8}"
          f" {'@10^3 ms':>9} {f'@{args.fill:.0e} ms':>10} {'flat':>6}")  # fmt: skip
    base = 0.0
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            oms, clock = open_shop(backend, Path(tmp))
            capture(oms, clock, 0, 20)  # warm up: tables, caches, prepared statements
            rate, p50, p99 = summary(capture(oms, clock, 100, args.count))
            base = base or rate
            fill(oms, 1_000)
            small = statistics.median(capture(oms, clock, 10_000, args.count))
            fill(oms, args.fill)
            large = statistics.median(capture(oms, clock, 20_000, args.count))
            oms.close()
        print(f"{backend:<10} {rate:>9.0f} {rate / base:>9.2f} {p50 * 1e3:>8.2f} "
              f"{p99 * 1e3:>8.2f} {small * 1e3:>9.2f} {large * 1e3:>10.2f} "
              f"{large / small:>6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
