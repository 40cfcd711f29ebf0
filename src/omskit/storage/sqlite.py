"""The embedded durable backend: one SQLite file (standard library ``sqlite3``).

``OMS.open("sqlite:///shop.db")`` (a path relative to the working directory;
``sqlite:////var/lib/shop.db`` for an absolute one). Each connection runs in WAL mode
(readers never wait for the writer) with a busy timeout, foreign keys on and
``synchronous=NORMAL`` (durable at every checkpoint, the last commits may be lost on
power failure; add ``?synchronous=FULL`` to the URL for an fsync per commit). Every
writing unit of work opens ``BEGIN IMMEDIATE``: the write lock is taken before anything
is written, so several threads and several processes on one file queue for it instead
of failing.

Each thread has its own connection; ``?timeout=30`` sets how many seconds a writer
waits for the lock before [`StorageError`][omskit.storage.errors.StorageError].
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from omskit.clock import Clock
from omskit.errors import ValidationError
from omskit.ids import IdGenerator
from omskit.storage.sql import META_TABLES, SqlStore, TableSpec

__all__ = ["SqliteStore", "sqlite_path"]

_UNIQUE = re.compile(r"UNIQUE constraint failed: \w+\.(\w+)")
_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


def sqlite_path(url: str) -> tuple[str, dict[str, str]]:
    """The file path and options in a ``sqlite:///path?option=value`` URL."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/"):
        raise ValidationError(
            "storage", url, "a SQLite URL such as 'sqlite:///shop.db' or 'sqlite:////abs/shop.db'"
        )
    path = parts.path[1:]
    if not path:
        raise ValidationError("storage", url, "a SQLite URL that names a file")
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return path, options


class SqliteStore(SqlStore):
    """Storage in one SQLite file, safe for many threads and processes.

    Args:
        url: ``sqlite:///path.db``, optionally ``?timeout=<seconds>&synchronous=FULL``.
        clock: stamps committed events with their time.
        ids: gives committed events their ids.
        check_schema: refuse a file whose schema version is not this omskit's
            (``db upgrade`` opens it without checking).
    """

    name: ClassVar[str] = "sqlite"
    driver_errors = (sqlite3.Error,)

    def __init__(
        self, url: str, clock: Clock, ids: IdGenerator, *, check_schema: bool = True
    ) -> None:
        super().__init__(url, clock, ids, check_schema=check_schema)
        self.path, options = sqlite_path(url)
        try:
            self.timeout = float(options.get("timeout", "30"))
        except ValueError:
            raise ValidationError(
                "storage.timeout", options["timeout"], "seconds, e.g. 30"
            ) from None
        self.synchronous = options.get("synchronous", "NORMAL").upper()
        if self.synchronous not in _SYNCHRONOUS:
            raise ValidationError(
                "storage.synchronous", self.synchronous, "one of " + ", ".join(_SYNCHRONOUS)
            )
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._pid = os.getpid()
        self.open_schema()

    def acquire(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        if self._pid != os.getpid():  # a forked child never uses its parent's connections
            self._pid, self._local, self._all = os.getpid(), threading.local(), []
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path,
                    timeout=self.timeout,
                    isolation_level=None,  # autocommit: omskit issues BEGIN/COMMIT itself
                    check_same_thread=False,  # used by its own thread; closed by close()
                    cached_statements=512,
                )
                conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                conn.execute("PRAGMA foreign_keys = ON")
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            except sqlite3.Error as exc:
                raise self.failed(exc, f"opening {self.path}") from exc
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def discard(self, conn: Any) -> None:
        """Close a connection that failed; the thread opens a new one next time."""
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        with self._all_lock:
            if conn in self._all:
                self._all.remove(conn)
        with contextlib.suppress(sqlite3.Error):  # already broken
            conn.close()

    def begin(self, conn: Any) -> None:
        """``BEGIN IMMEDIATE``: take the write lock now (waiting up to the timeout)."""
        if conn.in_transaction:  # left open by a failure: never write on top of it
            conn.execute("ROLLBACK")
        conn.execute("BEGIN IMMEDIATE")

    def end(self, conn: Any, commit: bool) -> None:
        """Commit or roll back."""
        if commit:
            conn.execute("COMMIT")
        elif conn.in_transaction:
            conn.execute("ROLLBACK")

    def take_seq(self, conn: Any, count: int) -> list[int]:
        """Numbers from the counter row (writers are serialised, so no gaps are needed)."""
        (top,) = conn.execute(
            "UPDATE omskit_counter SET n = n + ? RETURNING n", (count,)
        ).fetchone()
        return list(range(top - count + 1, top + 1))

    def broken_constraint(self, exc: BaseException) -> str | None:
        """The column named by a ``UNIQUE constraint failed`` error."""
        if isinstance(exc, sqlite3.IntegrityError):
            found = _UNIQUE.search(str(exc))
            if found:
                return found[1]
        return None

    def claim_outbox(
        self, conn: Any, owner: str, now: float, until: float, *, after: int, limit: int | None
    ) -> list[Any]:
        """Claim the rows that are free, or ours, or whose claim has run out.

        Writers are serialised by ``BEGIN IMMEDIATE``, so two relays never claim one row.
        """
        return list(
            conn.execute(
                "UPDATE omskit_outbox SET claimed_by = ?, claimed_until = ? "
                "WHERE seq IN (SELECT seq FROM omskit_outbox WHERE seq > ? AND "
                "(claimed_by IS NULL OR claimed_by = ? OR claimed_until < ?) "
                "ORDER BY seq LIMIT ?) "
                "RETURNING seq, event_id, body, state",
                (owner, until, after, owner, now, -1 if limit is None else limit),
            ).fetchall()
        )

    def has_table(self, conn: Any, name: str) -> bool:
        """Whether ``sqlite_master`` lists the table ``name``."""
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return found is not None

    def meta_sql(self) -> list[list[str]]:
        """Migration 1: the schema version, the collections, the counter and the outbox."""
        return [
            [
                *META_TABLES,
                "CREATE TABLE IF NOT EXISTS omskit_counter (n INTEGER NOT NULL)",
                "INSERT INTO omskit_counter SELECT 0 "
                "WHERE NOT EXISTS (SELECT 1 FROM omskit_counter)",
                "CREATE TABLE IF NOT EXISTS omskit_outbox ("
                " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                " event_id TEXT NOT NULL UNIQUE, event_type TEXT NOT NULL,"
                " body TEXT NOT NULL, occurred_at TEXT NOT NULL, writer TEXT NOT NULL,"
                " state TEXT, claimed_by TEXT, claimed_until REAL)",
                "CREATE INDEX IF NOT EXISTS omskit_outbox_writer ON omskit_outbox (writer)",
            ]
        ]

    def append_only_sql(self, spec: TableSpec) -> list[str]:
        """Two triggers that abort every UPDATE and DELETE."""
        t = spec.name
        return [
            f"CREATE TRIGGER {t}_no_{action.lower()} BEFORE {action} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
            for action in ("UPDATE", "DELETE")
        ]

    def add_column_sql(self, spec: TableSpec, column: str, unique: bool) -> list[str]:
        """``ALTER TABLE ... ADD COLUMN`` (one per column) and the column's index."""
        t = spec.name
        added = [f"ALTER TABLE {t} ADD COLUMN {column} TEXT"]
        if not unique:
            added.append(f"ALTER TABLE {t} ADD COLUMN {column}_at INTEGER")
        return [*added, self.index_sql(spec, column, unique)]

    def close(self) -> None:
        """Release outbox claims, optimise, and close every thread's connection."""
        if self.closed:
            return
        with contextlib.suppress(Exception):  # closing must not fail on a broken file
            self.outbox.release()
        self.closed = True
        with self._all_lock:
            connections, self._all = self._all, []
        for conn in connections:
            try:
                conn.execute("PRAGMA optimize")
                conn.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()
