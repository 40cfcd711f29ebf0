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
from urllib.parse import parse_qsl, urlsplit

import pytest

from omskit.clock import Clock
from omskit.ids import IdGenerator, SequentialIds
from omskit.storage.memory import MemoryStore
from omskit.testing import FakeClock

from .services import service_address

BACKENDS = ("memory", "sqlite", "postgres")
_schemas: list[str] = []
_free: list[str] = []  # schemas a finished test emptied, tables kept, for the next one


def postgres_url() -> str:
    """A URL on a schema of its own in the test database (dropped at exit).

    The schema is new, or one that [`recycle_postgres_url`][] emptied: then its tables
    are there already, which saves creating a dozen tables and indexes per test.
    """
    pytest.importorskip("psycopg", reason="the postgres extra: pip install -e '.[postgres]'")
    dsn = service_address("postgres")
    if _free:
        schema = _free.pop()
    else:
        schema = f"omskit_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        _schemas.append(schema)
        if len(_schemas) == 1:
            atexit.register(_drop_schemas, dsn)
    separator = "&" if "?" in dsn else "?"
    return f"{dsn}{separator}schema={schema}"


def recycle_postgres_url(url: str) -> bool:
    """Empty the schema of ``url`` (a finished test's, closed) for [`postgres_url`][].

    Every row goes, the tables, indexes and schema version stay. A schema that is not
    at this omskit's schema version, or whose rows are still locked by a connection
    left in a transaction, is not reused (it is dropped at exit as usual).
    """
    import psycopg

    from omskit.storage.sql import SCHEMA_VERSION

    schema = dict(parse_qsl(urlsplit(url).query)).get("schema", "")
    if schema not in _schemas or schema in _free:
        return False
    try:
        with (
            psycopg.connect(service_address("postgres"), autocommit=True) as conn,
            conn.transaction(),
        ):
            conn.execute("SET LOCAL lock_timeout = '2s'")
            # the append-only tables' triggers refuse DELETE; this test database is ours
            conn.execute("SET LOCAL session_replication_role = replica")
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
                ).fetchall()
            ]
            if "omskit_schema" not in tables:
                return False
            found = conn.execute(f'SELECT version FROM "{schema}".omskit_schema').fetchone()
            if found is None or found[0] != SCHEMA_VERSION:
                return False
            for table in tables:
                if table not in ("omskit_schema", "omskit_collections"):
                    conn.execute(f'DELETE FROM "{schema}"."{table}"')
    except psycopg.Error:
        return False
    _free.append(schema)
    return True


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
    url = store_url(kind, directory)  # skips first when PostgreSQL is not at hand
    from omskit.storage.postgres import PostgresStore

    return PostgresStore(url, clock, ids)


def outbox_column(url: str, column: str) -> list[Any]:
    """One column (``event_id``, ``body``) of the outbox rows of the store at ``url``."""
    from omskit.storage.plugin import open_sql_store

    with open_sql_store(url) as store:
        conn = store.acquire()
        try:
            rows = conn.execute(f"SELECT {column} FROM omskit_outbox ORDER BY seq").fetchall()
        finally:
            store.release(conn)
    return [r[0] for r in rows]
