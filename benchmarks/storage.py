"""Capture throughput per storage backend, as a ratio to the in-memory store, and flatness.

For each backend (memory, SQLite on a temporary file, PostgreSQL when
``OMSKIT_TEST_POSTGRES_DSN`` is set and the ``postgres`` extra is installed) it builds
the same shop, captures orders (the minimal three-line shape of ``capture.py``) and
prints, side by side in one run:

* orders/s on one connection with p50/p99 latency and the ratio to memory;
* orders/s of 1, 2 and 4 processes capturing at once into one store (durable ones);
* reservations/s (``inventory.reserve`` of one unit, its own transaction);
* rows and bytes written per order (rows counted per table; bytes as the growth of the
  SQLite file and its WAL, or of the PostgreSQL schema's relations);
* the median capture latency with 10^3, 10^5 and 10^6 orders stored (``--sizes``).

The stored orders are bulk-loaded with the store's own row writer: the first captured
order is encoded once, and each copy is that JSON with a new id and external id,
inserted with the table's INSERT statement through ``executemany`` in chunks of
5,000 rows per transaction (the in-memory store gets the copies in its table). Filling
10^6 orders takes about a minute per durable backend, not the hours of capturing them.

    python benchmarks/storage.py [--count 200] [--sizes 1000,100000,1000000]
        [--backends memory,sqlite,postgres] [--processes 1,2,4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import math
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs
from capture import payload  # the benchmark's sibling module

from omskit import OMS
from omskit.inventory import Allocation
from omskit.orders import ORDERS
from omskit.storage.memory import MemoryStore
from omskit.storage.sql import SqlStore, _body
from omskit.testing import FakeClock

SKUS = 30
LOCATIONS = (("BER", "DE", 52.52, 13.40), ("HAM", "DE", 53.55, 9.99), ("MUC", "DE", 48.14, 11.58))


def store_url(backend: str, directory: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory / 'bench.db'}"
    dsn = os.environ["OMSKIT_TEST_POSTGRES_DSN"]
    separator = "&" if "?" in dsn else "?"
    return f"{dsn}{separator}schema=omskit_bench_{uuid.uuid4().hex[:8]}"


def open_shop(backend: str, directory: Path, url: str = "") -> tuple[OMS, FakeClock]:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    if backend == "memory":
        oms = OMS.in_memory(clock=clock, autoload=False)
    else:
        oms = OMS.open(url or store_url(backend, directory), clock=clock, autoload=False)
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
    """Copies of the first stored order (new ids and external ids) up to ``target``."""
    storage: Any = oms.runtime.storage
    with storage.unit_of_work() as uow:
        template = next(iter(uow.repo(ORDERS).scan()))
    have = stored(oms)
    if isinstance(storage, MemoryStore):
        table = storage.table(ORDERS)
        for n in range(have, target):
            copy = template.clone()
            copy.id, copy.external_id, copy.version = f"fill_{n:07d}", f"F-{n:07d}", 1
            copy.customer_email = f"fill{n}@example.com"
            copy.ship_to = attrs.evolve(copy.ship_to, line1=f"Fillstr. {n}")
            table.insert(copy)
        return
    assert isinstance(storage, SqlStore)
    spec = storage.spec(ORDERS)
    first = (template.id, template.external_id, template.customer_email, template.ship_to)
    body = _body(template, 1)  # encoded once; each copy swaps its ids, email and street
    swaps = [f'"{first[0]}"', f'"{first[1]}"', f'"{first[2]}"', f'"{first[3].line1}"']

    def rows(chunk: range, seqs: list[int]) -> list[list[Any]]:
        made = []
        for n, seq in zip(chunk, seqs, strict=True):
            # a customer and a street of its own, as in a real store: the risk checks'
            # per-customer buckets stay small
            new = [f"fill_{n:07d}", f"F-{n:07d}", f"fill{n}@example.com", f"Fillstr. {n}"]
            template.id, template.external_id, template.customer_email = new[:3]
            template.ship_to = attrs.evolve(first[3], line1=new[3])
            unique, index = spec.keys(template)
            text = body
            for old, value in zip(swaps, new, strict=True):
                text = text.replace(old, f'"{value}"')
            row: list[Any] = [template.id, seq, 1, text, *unique]
            for value in index:
                row += [value, seq]
            made.append(row)
        return made

    for start in range(have, target, 5_000):
        chunk = range(start, min(start + 5_000, target))

        def work(conn: Any, chunk: range = chunk) -> None:
            made = rows(chunk, storage.take_seq(conn, len(chunk)))
            storage.executemany(conn, spec.insert_sql, made)

        storage.transaction(work)
    template.id, template.external_id, template.customer_email, template.ship_to = first


def footprint(oms: OMS) -> tuple[int, int]:
    """``(rows, bytes)`` the store holds now (every table; bytes on disk)."""
    storage: Any = oms.runtime.storage
    status = storage.status()
    rows = sum(status["collections"].values()) + status["outbox"]
    if storage.name == "sqlite":
        conn = storage.acquire()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = Path(storage.path).stat().st_size
    else:
        conn = storage.acquire()
        try:
            (size,) = conn.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'S')",
                (storage.schema,),
            ).fetchone()
        finally:
            storage.release(conn)
    return rows, int(size)


def drop_schema(oms: OMS) -> None:
    """Drop a PostgreSQL benchmark schema (a SQLite file goes with its directory)."""
    storage: Any = oms.runtime.storage
    if storage.name == "postgres":
        conn = storage.acquire()
        try:
            conn.execute(f'DROP SCHEMA "{storage.schema}" CASCADE')
        finally:
            storage.release(conn)


def reserve(oms: OMS, count: int) -> float:
    """Reservations per second: one unit of one SKU, each its own transaction."""
    t0 = time.perf_counter()
    for n in range(count):
        sku = f"SKU-{n % SKUS:04d}"
        oms.inventory.reserve(
            reference=f"R-{n}",
            allocations=[Allocation(location="BER", sku=sku, quantity=1, line_ref="1")],
        )
    return count / (time.perf_counter() - t0)


def _worker(url: str, name: str, count: int, barrier: Any, results: Any) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    with OMS.open(url, clock=clock, autoload=False) as oms:
        capture(oms, clock, 0, 5)  # warm up this process's connection and caches
        barrier.wait()
        t0 = time.perf_counter()
        for n in range(count):
            data = payload(n)
            data["external_id"] = f"{name}-{n}"
            data["lines"] = [
                {"sku": f"SKU-{(n * 3 + k) % SKUS:04d}", "quantity": 1} for k in range(3)
            ]
            for _ in range(50):  # a conflict that outlived run()'s own retries
                try:
                    oms.orders.capture(data)
                    break
                except Exception as exc:
                    if type(exc).__name__ != "ConcurrencyConflict":
                        raise
        results.put((t0, time.perf_counter()))


def processes(url: str, workers: int, count: int) -> float:
    """Orders/s of ``workers`` processes capturing ``count`` orders each into ``url``."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    results = context.Queue()
    started = [
        context.Process(target=_worker, args=(url, f"P{workers}x{i}", count, barrier, results))
        for i in range(workers)
    ]
    for process in started:
        process.start()
    spans = [results.get(timeout=600) for _ in started]
    for process in started:
        process.join(timeout=60)
    wall = max(end for _, end in spans) - min(start for start, _ in spans)
    return workers * count / wall


def summary(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    rate = len(latencies) / sum(latencies)
    return rate, statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="orders captured per run")
    parser.add_argument("--sizes", default="1000,100000,1000000", help="stored orders")
    parser.add_argument("--processes", default="1,2,4", help="process counts (durable)")
    parser.add_argument("--backends", default="")
    parser.add_argument(
        "--memory-max", type=int, default=100_000, help="largest in-memory store (RAM)"
    )
    args = parser.parse_args()
    sizes = [int(float(x)) for x in args.sizes.split(",")]
    workers = [int(x) for x in args.processes.split(",") if x]
    backends = ["memory", "sqlite"]
    if os.environ.get("OMSKIT_TEST_POSTGRES_DSN"):
        if importlib.util.find_spec("psycopg") is None:
            print("postgres: skipped (pip install -e '.[postgres]')")
        else:
            backends.append("postgres")
    if args.backends:
        backends = args.backends.split(",")
    print(f"capture of {args.count} three-line orders per backend, same run, same machine")
    heads = [f"{'@' + f'{n:.0e}'.replace('+0', '') + ' ms':>9}" for n in sizes]
    print(f"{'backend':<9} {'orders/s':>8} {'x mem':>6} {'p50 ms':>7} {'p99 ms':>7} "
          + " ".join(f"{f'{w} proc/s':>9}" for w in workers)
          + f" {'reserve/s':>9} {'rows/ord':>8} {'B/ord':>7} " + " ".join(heads)
          + f" {'flat':>5}")  # fmt: skip
    base = 0.0
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            url = "" if backend == "memory" else store_url(backend, Path(tmp))
            oms, clock = open_shop(backend, Path(tmp), url)
            capture(oms, clock, 0, 20)  # warm up: tables, caches, prepared statements
            before = (0, 0) if backend == "memory" else footprint(oms)
            rate, p50, p99 = summary(capture(oms, clock, 100, args.count))
            after = (0, 0) if backend == "memory" else footprint(oms)
            base = base or rate
            per_rows = (after[0] - before[0]) / args.count
            per_bytes = (after[1] - before[1]) / args.count
            reserved = reserve(oms, args.count)
            parallel = []
            for n in workers:
                parallel.append(processes(url, n, args.count) if url else float("nan"))
            at = []
            for i, size in enumerate(sizes):
                if backend == "memory" and size > args.memory_max:
                    at.append(float("nan"))  # 10^6 orders take ~10 GB of RAM in memory
                    continue
                fill(oms, size)
                at.append(statistics.median(capture(oms, clock, 10**7 * (i + 1), args.count)))
            drop_schema(oms)
            oms.close()
        measured = [x for x in at if not math.isnan(x)]
        cells = " ".join(f"{x:>9.0f}" for x in parallel)
        sized = " ".join(f"{x * 1e3:>9.2f}" for x in at)
        flat = measured[-1] / measured[0]
        print(f"{backend:<9} {rate:>8.0f} {rate / base:>6.2f} {p50 * 1e3:>7.2f} "
              f"{p99 * 1e3:>7.2f} {cells} {reserved:>9.0f} {per_rows:>8.1f} "
              f"{per_bytes:>7.0f} {sized} {flat:>5.2f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
