"""The storage backends the contract suite holds to one behaviour, opened for a test.

``open_store("memory" | "sqlite" | "postgres", directory)`` gives a fresh, empty store:
a new SQLite file in ``directory``, or a new schema of the test PostgreSQL database
(``service_address("postgres")``) that is dropped when the test session ends.
"""

from __future__ import annotations

import atexit
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from omskit.clock import Clock
from omskit.ids import IdGenerator, SequentialIds
from omskit.storage.memory import MemoryStore
from omskit.testing import FakeClock

from .services import service_address

BACKENDS = ("memory", "sqlite")
_schemas: list[str] = []


def postgres_url() -> str:
    """A URL on a schema of its own in the test database (dropped at exit)."""
    pytest.importorskip("psycopg", reason="the postgres extra: pip install -e '.[postgres]'")
    dsn = service_address("postgres")
    schema = f"omskit_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    _schemas.append(schema)
    if len(_schemas) == 1:
        atexit.register(_drop_schemas, dsn)
    separator = "&" if "?" in dsn else "?"
    return f"{dsn}{separator}schema={schema}"


def _drop_schemas(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        for schema in _schemas:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def store_url(kind: str, directory: Path) -> str:
    """Where a new store of ``kind`` lives."""
    if kind == "sqlite":
        return f"sqlite:///{directory / f'store-{uuid.uuid4().hex[:8]}.db'}"
    if kind == "postgres":
        return postgres_url()
    raise ValueError(kind)


def open_store(
    kind: str, directory: Path, clock: Clock | None = None, ids: IdGenerator | None = None
) -> Any:
    """A fresh, empty store of ``kind``."""
    clock = clock or FakeClock()
    ids = ids or SequentialIds()
    if kind == "memory":
        return MemoryStore(clock, ids)
    if kind == "sqlite":
        from omskit.storage.sqlite import SqliteStore

        return SqliteStore(store_url(kind, directory), clock, ids)
    from omskit.storage.postgres import PostgresStore

    return PostgresStore(store_url(kind, directory), clock, ids)
