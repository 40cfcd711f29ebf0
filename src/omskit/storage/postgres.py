"""The PostgreSQL backend, for hosts that outgrow one machine (the ``postgres`` extra).

``OMS.open("postgresql://user@host:5432/shop")``, after ``pip install 'omskit[postgres]'``
(psycopg 3 and psycopg-pool). Many processes on many hosts can share one database:

* a connection pool per store (``?pool_max=10``), each unit of work borrowing one
  connection while it runs;
* aggregates as JSONB, unique keys as unique indexes (two hosts capturing the same
  ``(channel, external_id)`` make one order), lookup indexes as indexed columns;
* optimistic versions as conditional updates (``UPDATE ... WHERE id = %s AND
  version = %s``; no row is [`ConcurrencyConflict`][]): a reservation writes its stock
  rows only if nobody wrote them since they were read, so no two hosts sell one unit.
  Only the rows a commit changes are locked, for the moment of the commit, always
  in the same order (collection, then the order they were saved in);
* the outbox claimed with ``FOR UPDATE SKIP LOCKED``, so several relays never deliver
  one event at once;
* ``?schema=name`` keeps omskit's tables in a schema of their own (created if missing);
* ``?outbox=relay`` leaves every event to ``python -m omskit relay`` (see the storage
  guide);
* ``?synchronous_commit=off`` commits without waiting for the WAL flush: the last
  commits may be lost on a server crash, never consistency (what SQLite's default
  ``synchronous=NORMAL`` promises); the server's own setting applies otherwise.

The URL is handed to libpq as it is (apart from omskit's own ``schema``, ``pool_max``,
``outbox`` and ``synchronous_commit``), so every libpq setting works: ``sslmode``,
``application_name``...
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import psycopg.errors
import psycopg_pool

from omskit.clock import Clock
from omskit.errors import ValidationError
from omskit.ids import IdGenerator
from omskit.storage.sql import META_TABLES, SqlStore, TableSpec

__all__ = ["PostgresStore", "postgres_dsn"]

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_OWN_OPTIONS = ("schema", "pool_max", "outbox", "synchronous_commit")
_SYNCHRONOUS_COMMIT = ("on", "off", "local", "remote_write", "remote_apply")
_LOCK_KEY = 7_212_026  # pg_advisory_xact_lock key of omskit's schema changes


def postgres_dsn(url: str) -> tuple[str, str, int]:
    """The libpq URL, the schema and the pool size in an omskit PostgreSQL URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValidationError("storage", url, "a URL such as 'postgresql://user@host/db'")
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = dict(query)
    schema = options.get("schema", "public")
    if not _SCHEMA.match(schema):
        raise ValidationError("storage.schema", schema, "a lower-case SQL identifier")
    try:
        pool_max = int(options.get("pool_max", "10"))
    except ValueError:
        raise ValidationError("storage.pool_max", options["pool_max"], "a whole number") from None
    if pool_max < 1:
        raise ValidationError("storage.pool_max", pool_max, "at least 1")
    rest = [(k, v) for k, v in query if k not in _OWN_OPTIONS]
    dsn = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(rest), parts.fragment))
    return dsn, schema, pool_max


class PostgresStore(SqlStore):
    """Storage in a PostgreSQL database, shared by any number of processes and hosts.

    Args:
        url: ``postgresql://user@host:port/db``, optionally ``?schema=name&pool_max=10``.
        clock: stamps committed events with their time.
        ids: gives committed events their ids.
        check_schema: refuse a database whose schema version is not this omskit's.
    """

    name: ClassVar[str] = "postgres"
    param: ClassVar[str] = "%s"
    body_param: ClassVar[str] = "%s::jsonb"
    null_safe_equal: ClassVar[str] = "IS NOT DISTINCT FROM"
    body_type: ClassVar[str] = "JSONB"
    int_type: ClassVar[str] = "BIGINT"
    driver_errors = (psycopg.Error, psycopg_pool.PoolTimeout)

    def __init__(
        self, url: str, clock: Clock, ids: IdGenerator, *, check_schema: bool = True
    ) -> None:
        super().__init__(url, clock, ids, check_schema=check_schema)
        self.dsn, self.schema, pool_max = postgres_dsn(url)
        session = f"-c search_path={self.schema}"
        sync = dict(parse_qsl(urlsplit(url).query)).get("synchronous_commit")
        if sync is not None:
            if sync not in _SYNCHRONOUS_COMMIT:
                raise ValidationError(
                    "storage.synchronous_commit", sync, "one of " + ", ".join(_SYNCHRONOUS_COMMIT)
                )
            session += f" -c synchronous_commit={sync}"
        try:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self.pool = psycopg_pool.ConnectionPool(
                self.dsn,
                min_size=1,
                max_size=pool_max,
                kwargs={
                    "autocommit": True,
                    "options": session,
                    "prepare_threshold": 1,  # every statement is prepared from its 2nd use
                },
                open=True,
                timeout=30,
            )
        except psycopg.Error as exc:
            raise self.failed(exc, "connecting") from exc
        self.open_schema()

    def acquire(self) -> psycopg.Connection[Any]:
        """A pooled connection (autocommit; commit opens its own transaction)."""
        try:
            return self.pool.getconn()
        except psycopg_pool.PoolTimeout as exc:
            raise self.failed(exc, "waiting for a pooled connection") from exc

    def release(self, conn: Any) -> None:
        """Back to the pool (which drops it if it broke)."""
        self.pool.putconn(conn)

    def discard(self, conn: Any) -> None:
        """Close a failed connection and give it back, so the pool replaces it."""
        if not conn.closed:
            conn.close()
        self.pool.putconn(conn)

    def begin(self, conn: Any) -> None:
        """``BEGIN`` (read committed: each conditional update sees the latest row)."""
        conn.execute("BEGIN")

    def end(self, conn: Any, commit: bool) -> None:
        """Commit or roll back."""
        conn.execute("COMMIT" if commit else "ROLLBACK")

    def take_seq(self, conn: Any, count: int) -> list[int]:
        """``count`` values of the ``omskit_seq`` sequence."""
        rows = conn.execute(
            "SELECT nextval('omskit_seq') FROM generate_series(1, %s)", (count,)
        ).fetchall()
        return sorted(r[0] for r in rows)

    def executemany(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One batch (psycopg pipelines it: one round trip, not one per row)."""
        with conn.cursor() as cursor:
            cursor.executemany(sql, rows)

    def broken_constraint(self, exc: BaseException) -> str | None:
        """The column of the unique index ``exc`` reports (``id`` for the primary key)."""
        if not isinstance(exc, psycopg.errors.UniqueViolation):
            return None
        name = exc.diag.constraint_name or ""
        table = exc.diag.table_name or ""
        if name == f"{table}_pkey":
            return "id"
        prefix = f"{table}_"
        return name[len(prefix) :] if name.startswith(prefix) else None

    def claim_outbox(
        self, conn: Any, owner: str, now: float, until: float, *, after: int, limit: int | None
    ) -> list[Any]:
        """Claim the free rows, skipping any another relay has locked right now."""
        return list(
            conn.execute(
                "UPDATE omskit_outbox SET claimed_by = %s, claimed_until = %s "
                "WHERE seq IN (SELECT seq FROM omskit_outbox WHERE seq > %s AND "
                "(claimed_by IS NULL OR claimed_by = %s OR claimed_until < %s) "
                "ORDER BY seq LIMIT %s FOR UPDATE SKIP LOCKED) "
                "RETURNING seq, event_id, body, state",
                (owner, until, after, owner, now, limit),
            ).fetchall()
        )

    def lock_schema(self, conn: Any) -> None:
        """One process at a time changes omskit's tables (a transaction advisory lock)."""
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))

    def has_table(self, conn: Any, name: str) -> bool:
        """Whether the store's schema has the table ``name``."""
        found = conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()
        return found is not None and found[0] is not None

    def meta_sql(self) -> list[list[str]]:
        """Migration 1: schema version, collections, the sequence, the outbox."""
        return [
            [
                *META_TABLES,
                "CREATE SEQUENCE IF NOT EXISTS omskit_seq",
                "CREATE TABLE IF NOT EXISTS omskit_outbox ("
                " seq BIGSERIAL PRIMARY KEY,"
                " event_id TEXT NOT NULL UNIQUE, event_type TEXT NOT NULL,"
                " body JSONB NOT NULL, occurred_at TEXT NOT NULL, writer TEXT NOT NULL,"
                " state TEXT, claimed_by TEXT, claimed_until DOUBLE PRECISION)",
                "CREATE INDEX IF NOT EXISTS omskit_outbox_writer ON omskit_outbox (writer)",
                "CREATE OR REPLACE FUNCTION omskit_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
            ]
        ]

    def append_only_sql(self, spec: TableSpec) -> list[str]:
        """A trigger that raises on every UPDATE and DELETE."""
        return [
            f"CREATE TRIGGER {spec.name}_append_only BEFORE UPDATE OR DELETE ON {spec.name} "
            "FOR EACH ROW EXECUTE FUNCTION omskit_append_only()"
        ]

    def add_column_sql(self, spec: TableSpec, column: str, unique: bool) -> list[str]:
        """``ALTER TABLE ... ADD COLUMN`` and the column's index."""
        t = spec.name
        added = f"ALTER TABLE {t} ADD COLUMN {column} TEXT"
        if not unique:
            added += f", ADD COLUMN {column}_at BIGINT"
        return [added, self.index_sql(spec, column, unique)]

    def close(self) -> None:
        """Release outbox claims and close the pool."""
        if self.closed:
            return
        with contextlib.suppress(Exception):  # closing must not fail on a lost server
            self.outbox.release()
        self.closed = True
        self.pool.close()
