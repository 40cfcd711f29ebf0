"""What the SQL backends share: tables per collection, repositories, commits, the outbox.

[`SqliteStore`][omskit.storage.sqlite.SqliteStore] and
``PostgresStore`` differ only in how they connect,
open a write transaction, hand out sequence numbers and name a broken constraint; the
rows, the unit of work and the outbox are written here once.

Rows. Each collection is a table named after it::

    id TEXT PRIMARY KEY, seq INTEGER, version INTEGER, body TEXT (JSONB),
    u_<key> TEXT ...            one per unique key, under a UNIQUE index
    x_<index> TEXT, x_<index>_at INTEGER ...   one pair per lookup index

``body`` is the aggregate as [`codec`][omskit.storage.codec] JSON. ``seq`` is the order
rows were first written in (what ``scan`` is ordered by) and ``x_<index>_at`` the moment
the row took its current value of that index (what ``list_by`` is ordered by), so
queries come back in the same order as from the in-memory store. Append-only
collections are insert-only tables: a trigger refuses every UPDATE and DELETE.

Isolation. Reads run outside any transaction and see what is committed when they run,
as with the in-memory store. Commit opens one write transaction, writes every saved
aggregate with a conditional update (``... WHERE id = ? AND version = ?``: no row means
someone else wrote first, [`ConcurrencyConflict`][]), inserts new rows under their
unique indexes ([`AlreadyExists`][]) and the events into the outbox, and commits. So a
stock level read, checked and saved by two processes at once is written by one of them
only; the other's commit conflicts and [`Runtime.run`][omskit.runtime.Runtime.run]
retries it on fresh data.
"""

# ruff: noqa: S608 - table and column names are checked identifiers; values are bound
from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

from omskit.clock import Clock
from omskit.errors import AlreadyExists, ConcurrencyConflict, OmskitError, ValidationError
from omskit.events import Event, OutboxRecord
from omskit.ids import IdGenerator
from omskit.storage import codec
from omskit.storage.errors import CodecError, SchemaOutdated, StorageError
from omskit.storage.ports import _JOINED, A, Aggregate, Collection
from omskit.storage.rules import RepositoryRules

__all__ = ["SCHEMA_VERSION", "SqlOutbox", "SqlStore", "SqlUnitOfWork"]

#: The first statements of migration 1 on every dialect: the version and the collections.
META_TABLES = [
    "CREATE TABLE IF NOT EXISTS omskit_schema (version INTEGER NOT NULL)",
    "INSERT INTO omskit_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM omskit_schema)",
    "CREATE TABLE IF NOT EXISTS omskit_collections (name TEXT PRIMARY KEY, spec TEXT NOT NULL)",
]

#: The version of the tables omskit itself keeps (schema, collections, counter, outbox).
#: Collection tables follow their [`Collection`][] declarations: a new unique key or
#: index is added (and filled from the stored rows) when the collection is first used.
SCHEMA_VERSION = 1

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,54}$")
_LEASE_SECONDS = 300.0  # how long a relay's claim on outbox rows lasts if it dies


_OUTBOX_MODES = ("dispatch", "relay")


def _outbox_mode(url: str) -> str:
    """The ``?outbox=`` option of a store URL: ``dispatch`` (the default) or ``relay``."""
    values = parse_qs(urlsplit(url).query).get("outbox", ["dispatch"])
    mode = values[-1]
    if mode not in _OUTBOX_MODES:
        raise ValidationError("storage.outbox", mode, "one of " + ", ".join(_OUTBOX_MODES))
    return mode


def _checked_name(kind: str, name: str) -> str:
    if not _NAME.match(name):
        raise ValidationError(
            kind,
            name,
            "a SQL-safe name: lower-case letters, digits and '_', starting with a letter",
        )
    return name


class TableSpec:
    """One collection's table: its columns and the statements that read and write it."""

    def __init__(self, collection: Collection[Any], store: SqlStore) -> None:
        self.collection = collection
        self.kind = collection.kind
        self.noun = collection.noun
        name = _checked_name("collection", collection.name)
        self.name = name
        self.unique = [
            (key, f"u_{_checked_name('unique key', key)}", fn)
            for key, fn in collection.unique.items()
        ]
        self.indexes = [
            (key, f"x_{_checked_name('index', key)}", fn) for key, fn in collection.indexes.items()
        ]
        self.append_only = collection.append_only
        self.fixed_keys = collection.fixed_keys
        # append-only rows handed out and still held somewhere: the same object again, as
        # the in-memory store returns what was added
        self.records: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        p = store.param
        body = store.body_column
        cols = ["id", "seq", "version", "body"]
        cols += [c for _, c, _ in self.unique]
        for _, c, _ in self.indexes:
            cols += [c, f"{c}_at"]
        self.insert_sql = (
            f"INSERT INTO {name} ({', '.join(cols)}) VALUES "
            f"({', '.join([p, p, p, store.body_param] + [p] * (len(cols) - 4))})"
        )
        self.select = f"SELECT id, version, {body} FROM {name}"
        self.get_sql = f"{self.select} WHERE id = {p}"
        self.exists_sql = f"SELECT 1 FROM {name} WHERE id = {p}"
        self.version_sql = f"SELECT version FROM {name} WHERE id = {p}"
        self.scan_sql = f"{self.select} ORDER BY seq"
        self.count_sql = f"SELECT count(*) FROM {name}"
        self.by_sql = {key: f"{self.select} WHERE {c} = {p}" for key, c, _ in self.unique}
        self.list_sql = {
            key: f"{self.select} WHERE {c} = {p} ORDER BY {c}_at, seq" for key, c, _ in self.indexes
        }
        sets = [f"version = {p}", f"body = {store.body_param}"]
        self.update_fixed_sql = (
            f"UPDATE {name} SET {', '.join(sets)} WHERE id = {p} AND version = {p}"
        )
        same = store.null_safe_equal
        sets += [f"{c} = {p}" for _, c, _ in self.unique]
        # SET expressions see the old row: the index moment moves only when the value does
        sets += [
            f"{c}_at = CASE WHEN {c} {same} {p} THEN {c}_at ELSE {p} END, {c} = {p}"
            for _, c, _ in self.indexes
        ]
        self.update_sql = f"UPDATE {name} SET {', '.join(sets)} WHERE id = {p} AND version = {p}"
        keys = ", ".join(f"{c} = {p}" for _, c, _ in self.unique)
        self.set_unique_sql = f"UPDATE {name} SET {keys} WHERE id = {p}" if keys else ""

    def spec(self) -> dict[str, Any]:
        """The declaration the table was made for, as stored in ``omskit_collections``."""
        return {
            "unique": [c for _, c, _ in self.unique],
            "indexes": [c for _, c, _ in self.indexes],
            "append_only": self.append_only,
        }

    def keys(self, agg: Aggregate) -> tuple[list[str | None], list[str | None]]:
        """The unique-key and index column values of ``agg``.

        Raises:
            ValidationError: a key value that cannot be indexed (one the in-memory store
                could not hash either), named by its key.
        """
        return (
            [self._key_of(agg, key, fn) for key, _, fn in self.unique],
            [self._key_of(agg, key, fn) for key, _, fn in self.indexes],
        )

    def _key_of(self, agg: Aggregate, key: str, fn: Callable[[Any], Any]) -> str | None:
        value: Any = "<unusable>"
        try:
            value = fn(agg)
            if value is None:
                return None
            hash(value)
            return codec.key_text(value)
        except (TypeError, ValueError, AttributeError, CodecError):
            raise ValidationError(
                f"{self.noun}.{key}",
                value,
                "an index or key value must be text, a number, a date or a tuple of them",
            ) from None


def _key(value: Hashable | None) -> str | None:
    return None if value is None else codec.key_text(value)


def _body(agg: Aggregate, version: int) -> str:
    data = codec.encode(agg)
    data["version"] = version
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class SqlStore:
    """Base of the SQL storage backends (see the module docs for the table layout).

    Subclasses connect and speak their dialect; everything else is here.
    """

    name: ClassVar[str] = "sql"
    param: ClassVar[str] = "?"
    body_column: ClassVar[str] = "body"
    body_param: ClassVar[str] = "?"
    null_safe_equal: ClassVar[str] = "IS"
    body_type: ClassVar[str] = "TEXT"
    int_type: ClassVar[str] = "INTEGER"
    driver_errors: tuple[type[BaseException], ...] = ()

    def __init__(
        self, url: str, clock: Clock, ids: IdGenerator, *, check_schema: bool = True
    ) -> None:
        self.url = url
        self.check_schema = check_schema
        self.relayed = _outbox_mode(url) == "relay"
        self.clock = clock
        self.ids = ids
        self.token = uuid.uuid4().hex  # this store's name on the outbox rows it writes
        self.outbox = SqlOutbox(self)
        self._specs: dict[str, TableSpec] = {}
        self._spec_lock = threading.Lock()
        self.closed = False

    # -- what a dialect provides --------------------------------------------------
    def acquire(self) -> Any:
        """A connection for one unit of work (in autocommit mode)."""
        raise NotImplementedError

    def release(self, conn: Any) -> None:
        """Give back a connection from [`acquire`][]."""

    def begin(self, conn: Any) -> None:
        """Open a write transaction on ``conn``."""
        raise NotImplementedError

    def end(self, conn: Any, commit: bool) -> None:
        """Commit (or roll back) the transaction [`begin`][] opened."""
        raise NotImplementedError

    def take_seq(self, conn: Any, count: int) -> list[int]:
        """``count`` new increasing sequence numbers, inside the write transaction."""
        raise NotImplementedError

    def broken_constraint(self, exc: BaseException) -> str | None:
        """The column (``id``, ``u_<key>``) whose uniqueness ``exc`` reports, else ``None``."""
        raise NotImplementedError

    def create_table_sql(self, spec: TableSpec) -> list[str]:
        """The statements that create ``spec``'s table, its indexes and guards.

        An append-only table also gets [`append_only_sql`][]'s guard against changes.
        """
        t = spec.name
        cols = ["id TEXT PRIMARY KEY", f"seq {self.int_type} NOT NULL", "version INTEGER NOT NULL"]
        cols += [f"body {self.body_type} NOT NULL"]
        cols += [f"{c} TEXT" for _, c, _ in spec.unique]
        for _, c, _ in spec.indexes:
            cols += [f"{c} TEXT", f"{c}_at {self.int_type}"]
        statements = [f"CREATE TABLE {t} ({', '.join(cols)})", f"CREATE INDEX {t}_seq ON {t} (seq)"]
        statements += [self.index_sql(spec, c, True) for _, c, _ in spec.unique]
        statements += [self.index_sql(spec, c, False) for _, c, _ in spec.indexes]
        if spec.append_only:
            statements += self.append_only_sql(spec)
        return statements

    def index_sql(self, spec: TableSpec, column: str, unique: bool) -> str:
        """The index of one key column.

        Unique for a unique key; for a lookup index on (value, moment, seq), the order
        ``list_by`` returns rows in.
        """
        t = spec.name
        if unique:
            return f"CREATE UNIQUE INDEX {t}_{column} ON {t} ({column})"
        return f"CREATE INDEX {t}_{column} ON {t} ({column}, {column}_at, seq)"

    def append_only_sql(self, spec: TableSpec) -> list[str]:
        """The trigger(s) that refuse every UPDATE and DELETE of an append-only table."""
        raise NotImplementedError

    def add_column_sql(self, spec: TableSpec, column: str, unique: bool) -> list[str]:
        """The statements that add one key column (and its index) to ``spec``'s table."""
        raise NotImplementedError

    def meta_sql(self) -> list[list[str]]:
        """The forward migrations of omskit's own tables: ``meta_sql()[v - 1]`` makes ``v``."""
        raise NotImplementedError

    def discard(self, conn: Any) -> None:
        """Drop a connection that failed (it is not given back for reuse)."""
        self.release(conn)

    def claim_outbox(
        self, conn: Any, owner: str, now: float, until: float, *, after: int, limit: int | None
    ) -> list[Any]:
        """Inside a write transaction: claim the outbox rows free at ``now`` for ``owner``.

        Only rows with ``seq > after``, the first ``limit`` of them (all when ``None``).
        Returns ``(seq, event_id, body, state)`` rows.
        """
        raise NotImplementedError

    def lock_schema(self, conn: Any) -> None:
        """Inside a write transaction: keep other processes out of schema changes."""

    def executemany(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run ``sql`` once per row."""
        conn.executemany(sql, rows)

    def close(self) -> None:
        """Close every connection; the store cannot be used afterwards."""
        self.closed = True

    # -- shared machinery ------------------------------------------------------------
    def unit_of_work(self) -> SqlUnitOfWork:
        """A new transaction (or, inside ``reading_in``, a read through an open one)."""
        if self.closed:
            raise StorageError(f"the store {self.url} is closed")
        joined = _JOINED.get()
        if joined is not None:
            return joined  # type: ignore[return-value]  # reads only, same protocol
        return SqlUnitOfWork(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def failed(self, exc: BaseException, doing: str) -> StorageError:
        """A driver error as a [`StorageError`][] that says what was being done."""
        return StorageError(f"{self.name} store {self.url}: {doing} failed: {exc}")

    def transaction(self, work: Callable[[Any], Any]) -> Any:
        """Run ``work(conn)`` in one write transaction of its own."""
        conn = self.acquire()
        try:
            try:
                self.begin(conn)
                try:
                    result = work(conn)
                except BaseException:
                    self.end(conn, commit=False)
                    raise
                self.end(conn, commit=True)
                return result
            except self.driver_errors as exc:
                raise self.failed(exc, "a write") from exc
        finally:
            self.release(conn)

    def schema_version(self, conn: Any) -> int | None:
        """The schema version stored in the database, or ``None`` for an empty one."""
        if not self.has_table(conn, "omskit_schema"):
            return None
        row = conn.execute("SELECT version FROM omskit_schema").fetchone()
        return None if row is None else int(row[0])

    def has_table(self, conn: Any, name: str) -> bool:
        """Whether the table ``name`` exists."""
        raise NotImplementedError

    def open_schema(self) -> None:
        """Create omskit's tables in an empty database; refuse one of another version."""
        conn = self.acquire()
        try:
            found = self.schema_version(conn)
        except self.driver_errors as exc:
            raise self.failed(exc, "reading the schema version") from exc
        finally:
            self.release(conn)
        if found is None:
            self.upgrade()
        elif found != SCHEMA_VERSION and self.check_schema:
            raise SchemaOutdated(self.url, found, SCHEMA_VERSION)

    def upgrade(self, to: int = SCHEMA_VERSION) -> tuple[int, int]:
        """Apply the forward migrations up to version ``to``; returns (from, to)."""
        migrations = self.meta_sql()

        def work(conn: Any) -> tuple[int, int]:
            self.lock_schema(conn)
            found = self.schema_version(conn) or 0
            if found > SCHEMA_VERSION:
                raise SchemaOutdated(self.url, found, SCHEMA_VERSION)
            for version in range(found + 1, to + 1):
                for statement in migrations[version - 1]:
                    conn.execute(statement)
                conn.execute(f"UPDATE omskit_schema SET version = {self.param}", (version,))
            return found, max(found, to)

        result: tuple[int, int] = self.transaction(work)
        return result

    def spec(self, collection: Collection[Any]) -> TableSpec:
        """The table behind ``collection``, created (or given new key columns) on first use."""
        spec = self._specs.get(collection.name)
        if spec is not None:
            return spec
        with self._spec_lock:
            spec = self._specs.get(collection.name)
            if spec is None:
                spec = TableSpec(collection, self)
                self.transaction(lambda conn: self._ensure_table(conn, spec))
                self._specs[collection.name] = spec
        return spec

    def _ensure_table(self, conn: Any, spec: TableSpec) -> None:
        p = self.param
        self.lock_schema(conn)
        row = conn.execute(
            f"SELECT spec FROM omskit_collections WHERE name = {p}", (spec.name,)
        ).fetchone()
        wanted = spec.spec()
        if row is None:
            for statement in self.create_table_sql(spec):
                conn.execute(statement)
            conn.execute(
                f"INSERT INTO omskit_collections (name, spec) VALUES ({p}, {p})",
                (spec.name, json.dumps(wanted)),
            )
            return
        have = json.loads(row[0])
        if have == wanted:
            return
        added = [
            (c, c in wanted["unique"])
            for c in wanted["unique"] + wanted["indexes"]
            if c not in have["unique"] + have["indexes"]
        ]
        for column, unique in added:
            for statement in self.add_column_sql(spec, column, unique):
                conn.execute(statement)
        if added:
            self._backfill(conn, spec, [c for c, _ in added])
        merged = {
            "unique": have["unique"] + [c for c in wanted["unique"] if c not in have["unique"]],
            "indexes": have["indexes"] + [c for c in wanted["indexes"] if c not in have["indexes"]],
            "append_only": have["append_only"],
        }
        conn.execute(
            f"UPDATE omskit_collections SET spec = {p} WHERE name = {p}",
            (json.dumps(merged), spec.name),
        )

    def _backfill(self, conn: Any, spec: TableSpec, columns: list[str]) -> None:
        """Fill newly added key columns from the stored bodies."""
        fns = {c: fn for _, c, fn in spec.unique + spec.indexes}
        p = self.param
        rows = conn.execute(f"SELECT id, version, {self.body_column}, seq FROM {spec.name}")
        for id, version, body, seq in rows.fetchall():
            agg = decode_row(spec, version, body)
            for column in columns:
                value = _key(fns[column](agg))
                sets = f"{column} = {p}"
                params: list[Any] = [value]
                if column.startswith("x_"):
                    sets += f", {column}_at = {p}"
                    params.append(seq)
                conn.execute(f"UPDATE {spec.name} SET {sets} WHERE id = {p}", (*params, id))

    def status(self) -> dict[str, Any]:
        """Schema version, rows per collection and the outbox backlog."""
        conn = self.acquire()
        try:
            version = self.schema_version(conn)
            names = [r[0] for r in conn.execute("SELECT name FROM omskit_collections").fetchall()]
            counts = {
                n: conn.execute(
                    f"SELECT count(*) FROM {_checked_name('collection', n)}"
                ).fetchone()[0]
                for n in sorted(names)
            }
            backlog = conn.execute("SELECT count(*) FROM omskit_outbox").fetchone()[0]
        except self.driver_errors as exc:
            raise self.failed(exc, "reading the status") from exc
        finally:
            self.release(conn)
        return {"schema_version": version, "collections": counts, "outbox": backlog}


def decode_row(spec: TableSpec, version: int, body: Any) -> Any:
    """The aggregate stored as ``body`` at ``version``."""
    data = json.loads(body) if isinstance(body, str | bytes) else body
    agg = codec.decode(spec.kind, data)
    agg.version = version
    return agg


class _SqlRepository(RepositoryRules[A]):
    """A repository over one table, private to one unit of work."""

    def __init__(self, uow: SqlUnitOfWork, spec: TableSpec) -> None:
        self._uow = uow
        self._spec = spec
        self._collection = spec.collection
        self._append_only = spec.append_only
        self._seen: dict[str, A] = {}  # identity map: everything read or added here
        self._views: dict[str, A] = {}  # read-only objects handed out by the views
        self._read_version: dict[str, int] = {}  # version at read time; -1 for new
        self._dirty: dict[str, A] = {}

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        return self._uow.query(sql, params)

    def _track(self, row: Any) -> A:
        id, version, body = row
        seen = self._seen.get(id)
        if seen is not None:
            return seen
        if self._append_only:
            return self._view_row(row)
        agg: A = decode_row(self._spec, version, body)
        self._seen[id] = agg
        self._read_version[id] = version
        return agg

    def _view_row(self, row: Any) -> A:
        id, version, body = row
        seen = self._seen.get(id)
        if seen is not None:
            return seen
        if self._append_only:  # never changes: one object per row while anyone holds it
            records = self._spec.records
            record: A | None = records.get(id)
            if record is None:
                record = records[id] = decode_row(self._spec, version, body)
            return record
        view = self._views.get(id)
        if view is None or view.version != version:
            view = self._views[id] = decode_row(self._spec, version, body)
        return view

    # -- reads ---------------------------------------------------------------
    def find(self, id: str) -> A | None:
        if type(id) is not str:
            return None
        seen = self._seen.get(id)
        if seen is not None:
            return seen
        rows = self._rows(self._spec.get_sql, (id,))
        return self._track(rows[0]) if rows else None

    def find_by(self, key: str, value: Hashable) -> A | None:
        return self._by(key, value, self._track)

    def list_by(self, index: str, value: Hashable) -> list[A]:
        return self._list(index, value, self._track)

    def scan(self) -> Iterator[A]:
        for row in self._rows(self._spec.scan_sql, ()):
            yield self._track(row)
        yield from self._new()

    def count(self) -> int:
        return int(self._rows(self._spec.count_sql, ())[0][0])

    def page(
        self,
        where: Sequence[Sequence[tuple[str, str, Hashable]]],
        *,
        order: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[A], int]:
        """One page of the committed rows matching ``where``, and how many match in all.

        ``where`` is an AND of OR-groups of ``(index, op, value)`` conditions on the
        collection's indexes, ``op`` one of ``=``, ``>=``, ``<`` (ranges compare the
        index's stored text, so they suit indexes whose text sorts like their values,
        such as fixed-width timestamps). Rows come sorted by the index ``order``, then
        id; or, with ``order=None``, in the order they were first written (as
        [`scan`][] returns them). Filtering, counting, sorting and paging run in SQL on
        the index columns; only the rows of the page are read and decoded (as copies
        tracked by this unit of work, like [`get`][]). Changes not committed yet are
        not seen.
        """
        spec = self._spec
        clauses: list[str] = []
        params: list[Any] = []
        p = self._uow._store.param
        for group in where:
            ors = []
            for index, op, value in group:
                if op not in ("=", ">=", "<"):
                    raise OmskitError(f"page: unknown operator {op!r}; use =, >= or <")
                probe = self._probe(value)
                if probe is None:  # nothing can be stored under it: this one never matches
                    continue
                ors.append(f"{self._column(index)} {op} {p}")
                params.append(probe)
            if not ors:
                return [], 0
            clauses.append("(" + " OR ".join(ors) + ")")
        condition = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sort = "seq" if order is None else f"{self._column(order)}, id"
        (total,) = self._rows(f"SELECT count(*) FROM {spec.name}{condition}", tuple(params))[0]
        if offset >= total:
            return [], int(total)
        ids = f"SELECT id FROM {spec.name}{condition} ORDER BY {sort} LIMIT {p} OFFSET {p}"
        rows = self._rows(
            f"{spec.select} WHERE id IN ({ids}) ORDER BY {sort}", (*params, limit, offset)
        )
        return [self._track(row) for row in rows], int(total)

    def _column(self, index: str) -> str:
        self._index_fn(index)  # an index the collection declares, or OmskitError
        return f"x_{index}"

    # -- read-only views -----------------------------------------------------
    def view(self, id: str) -> A | None:
        if type(id) is not str:
            return None
        seen = self._seen.get(id) or self._views.get(id)  # one snapshot per unit of work
        if seen is not None:
            return seen
        rows = self._rows(self._spec.get_sql, (id,))
        return self._view_row(rows[0]) if rows else None

    def view_by(self, key: str, value: Hashable) -> A | None:
        return self._by(key, value, self._view_row)

    def list_view(self, index: str, value: Hashable) -> list[A]:
        return self._list(index, value, self._view_row)

    def scan_view(self) -> Iterator[A]:
        for row in self._rows(self._spec.scan_sql, ()):
            yield self._view_row(row)
        yield from self._new()

    def _new(self) -> Iterator[A]:
        for id, agg in list(self._dirty.items()):
            if self._read_version.get(id) == -1:
                yield agg

    def _probe(self, value: Hashable) -> str | None:
        try:
            return _key(value)
        except (TypeError, ValueError, CodecError):
            return None  # a value nothing can be stored under

    def _by(self, key: str, value: Hashable, load: Callable[[Any], A]) -> A | None:
        fn = self._unique_fn(key)
        for agg in self._dirty.values():
            if fn(agg) == value:
                return agg
        probe = self._probe(value)
        if probe is None:
            return None
        rows = self._rows(self._spec.by_sql[key], (probe,))
        if not rows:
            return None
        found = load(rows[0])
        return found if fn(found) == value else None

    def _list(self, index: str, value: Hashable, load: Callable[[Any], A]) -> list[A]:
        fn = self._index_fn(index)
        probe = self._probe(value)
        result: list[A] = []
        if probe is not None:
            rows = self._rows(self._spec.list_sql[index], (probe,))
            result = [a for a in map(load, rows) if fn(a) == value]
        if self._dirty:
            listed = {a.id for a in result}
            result.extend(a for a in self._dirty.values() if a.id not in listed and fn(a) == value)
        return result

    # -- writes --------------------------------------------------------------
    def add(self, aggregate: A) -> None:
        id = aggregate.id
        if id in self._seen:
            raise AlreadyExists(self._collection.noun, id)
        # ledger records get fresh ids: a taken one fails at commit, saving a round trip
        if not self._append_only and self._rows(self._spec.exists_sql, (id,)):
            raise AlreadyExists(self._collection.noun, id)
        if self._append_only:
            self._spec.keys(aggregate)  # refuse unusable key values now, as memory does
        self._seen[id] = aggregate
        self._read_version[id] = -1
        self._dirty[id] = aggregate

    def _stored(self, id: str) -> bool:
        return bool(self._rows(self._spec.exists_sql, (id,)))

    # -- commit --------------------------------------------------------------
    def inserts(self) -> int:
        """How many new rows this repository writes at commit."""
        return sum(1 for id in self._dirty if self._read_version[id] == -1)

    def write(self, store: SqlStore, conn: Any, seqs: Iterator[int], moment: int) -> None:
        """Write every saved aggregate (updates first, so a released key can be taken)."""
        spec = self._spec
        read_version = self._read_version
        new_rows: list[list[Any]] = []
        new_aggs: list[A] = []
        # With several rows updated, one may give up a unique key another takes: their
        # keys are cleared first and set once every row is written, as SQL checks a
        # UNIQUE index row by row
        updates = sum(1 for id in self._dirty if read_version[id] != -1)
        staged: list[tuple[A, list[str | None]]] = []
        two_phase = bool(spec.unique) and not spec.fixed_keys and updates > 1
        for id, agg in self._dirty.items():
            read = read_version[id]
            if read == -1:
                new_rows.append(self._new_row(agg, next(seqs)))
                new_aggs.append(agg)
            else:
                self._update(
                    store, conn, agg, read, moment=moment, staged=staged if two_phase else None
                )
        for agg, unique in staged:
            self._execute(store, conn, spec.set_unique_sql, (*unique, agg.id), [agg])
        if len(new_rows) == 1:
            self._execute(store, conn, spec.insert_sql, new_rows[0], new_aggs)
        elif new_rows:
            try:
                store.executemany(conn, spec.insert_sql, new_rows)
            except store.driver_errors as exc:
                self._refused(store, exc, new_aggs)
                raise

    def _new_row(self, agg: A, seq: int) -> list[Any]:
        unique, index = self._spec.keys(agg)
        row: list[Any] = [agg.id, seq, agg.version + 1, _body(agg, agg.version + 1), *unique]
        for value in index:
            row += [value, seq]
        return row

    def _update(
        self,
        store: SqlStore,
        conn: Any,
        agg: A,
        read: int,
        *,
        moment: int,
        staged: list[tuple[A, list[str | None]]] | None,
    ) -> None:
        """``UPDATE ... WHERE id = ? AND version = ?``; no row: [`ConcurrencyConflict`][]."""
        spec = self._spec
        body = _body(agg, read + 1)
        if spec.fixed_keys:
            params: list[Any] = [read + 1, body]
            sql = spec.update_fixed_sql
        else:
            unique, index = spec.keys(agg)
            if staged is not None:
                staged.append((agg, unique))
                unique = [None] * len(unique)
            params = [read + 1, body, *unique]
            for value in index:
                params += [value, moment, value]
            sql = spec.update_sql
        cursor = self._execute(store, conn, sql, (*params, agg.id, read), [agg])
        if cursor.rowcount != 1:
            found = conn.execute(spec.version_sql, (agg.id,)).fetchone()
            raise ConcurrencyConflict(
                self._collection.noun, agg.id, read, -1 if found is None else found[0]
            )

    def _execute(
        self, store: SqlStore, conn: Any, sql: str, params: Sequence[Any], aggs: list[A]
    ) -> Any:
        try:
            return conn.execute(sql, params)
        except store.driver_errors as exc:
            self._refused(store, exc, aggs)
            raise

    def _refused(self, store: SqlStore, exc: BaseException, aggs: list[A]) -> None:
        """Raise [`AlreadyExists`][] if ``exc`` is a unique violation (else return)."""
        column = store.broken_constraint(exc)
        if column is None:
            return
        noun = self._collection.noun
        if column == "id":
            ids = [a.id for a in aggs]
            raise AlreadyExists(noun, ids[0] if len(ids) == 1 else ids) from None
        for key, col, fn in self._spec.unique:
            if col == column:
                values = [fn(a) for a in aggs if fn(a) is not None]
                value = values[0] if len(values) == 1 else values
                raise AlreadyExists(f"{noun} with {key}", value) from None
        raise AlreadyExists(noun, column) from None  # pragma: no cover - a column we do not know

    def events(self, into: list[Event]) -> None:
        """Add the events the saved aggregates recorded (they keep them until commit)."""
        for agg in self._dirty.values():
            if agg._events:
                into.extend(agg._events)

    def committed(self) -> None:
        """The transaction committed: new versions, events handed over, nothing dirty."""
        for id, agg in self._dirty.items():
            if agg._events:
                agg._events.clear()
            agg.version += 1
            self._read_version[id] = agg.version
        self._dirty.clear()


class SqlUnitOfWork:
    """One transaction on a SQL store: reads as they come, all writes at commit."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._repos: dict[str, _SqlRepository[Any]] = {}
        self._conn: Any = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._repos.clear()
        self._close()

    def _close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            self._store.release(conn)

    def _connection(self) -> Any:
        if self._conn is None:
            if self._store.closed:
                raise StorageError(f"the store {self._store.url} is closed")
            self._conn = self._store.acquire()
        return self._conn

    def query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """Rows of one read, outside any transaction."""
        store = self._store
        try:
            return list(self._connection().execute(sql, params).fetchall())
        except UnicodeEncodeError:  # text no stored row can hold (a lone surrogate)
            return []
        except store.driver_errors as exc:
            self._broken()
            raise store.failed(exc, "a read") from exc

    def _broken(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._store.discard(conn)

    def repo(self, collection: Collection[A]) -> _SqlRepository[A]:
        """The repository for ``collection`` within this transaction."""
        repo = self._repos.get(collection.name)
        if repo is None:
            spec = self._store.spec(collection)
            repo = self._repos[collection.name] = _SqlRepository(self, spec)
        return repo

    def commit(self) -> list[Event]:
        """Write every saved aggregate and its events in one transaction; or raise."""
        writing = [repo for repo in self._repos.values() if repo._dirty]
        if not writing:
            self._close()
            return []
        store = self._store
        events: list[Event] = []
        for repo in writing:
            repo.events(events)
        inserts = sum(repo.inserts() for repo in writing)
        conn = self._connection()
        try:
            store.begin(conn)
            try:
                seqs = store.take_seq(conn, inserts + 1)
                moment = seqs[-1]
                numbers = iter(seqs)
                for repo in writing:
                    repo.write(store, conn, numbers, moment)
                if events:
                    _stamp(events, store.clock.now(), store.ids.new_id)
                store.outbox.write(conn, events)
            except BaseException:
                store.end(conn, commit=False)
                raise
            store.end(conn, commit=True)
        except store.driver_errors as exc:
            self._broken()
            raise store.failed(exc, "commit") from exc
        except UnicodeEncodeError as exc:
            raise CodecError(
                f"cannot store text that is not valid Unicode ({exc.reason}: "
                f"{exc.object[exc.start : exc.end]!r}); nothing was written"
            ) from None
        finally:
            self._close()  # a pooled connection goes back as soon as the work is done
        for repo in writing:
            repo.committed()
        return events

    def rollback(self) -> None:
        """Forget every uncommitted change."""
        self._repos.clear()
        self._close()


def _stamp(events: list[Event], now: dt.datetime, new_id: Callable[[str], str]) -> None:
    stamp = object.__setattr__
    for i, e in enumerate(events):
        if e.event_id:  # already stamped once: it gets a stamped copy
            events[i] = e.stamped(new_id("evt"), now)
        else:
            stamp(e, "event_id", new_id("evt"))
            stamp(e, "occurred_at", now)


def _state(record: OutboxRecord) -> str:
    return json.dumps(
        {
            "delivered": sorted(record.delivered),
            "attempts": record.attempts,
            "retry_at": {k: v.isoformat() for k, v in record.retry_at.items()},
            "last_error": record.last_error,
            "dead": sorted(record.dead),
        }
    )


def _restore(record: OutboxRecord, state: str | None) -> None:
    data = json.loads(state) if state else {}
    record.delivered = set(data.get("delivered", ()))
    record.attempts = dict(data.get("attempts", {}))
    record.retry_at = {k: dt.datetime.fromisoformat(v) for k, v in data.get("retry_at", {}).items()}
    record.last_error = dict(data.get("last_error", {}))
    record.dead = set(data.get("dead", ()))


class SqlOutbox:
    """The outbox table: events committed with the change, delivered after it.

    Every store writes its events in the commit that made them. A dispatcher claims the
    rows it delivers (``claimed_by``, for a few minutes), so two processes never deliver
    the same event at once; [`settle`][] records each subscriber's outcome, deletes the
    rows everybody has and releases the claim on the rest. A process that dies while
    holding a claim loses it when the lease runs out, and another delivers those events
    (at least once; subscribers that must not see an event twice dedupe on ``event_id``).
    """

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._records: dict[str, OutboxRecord] = {}  # handed out, not settled yet
        self._lock = threading.Lock()
        self._discard = False
        #: seconds a claim lasts: a relay that dies holding rows loses them after this
        self.lease = _LEASE_SECONDS

    def write(self, conn: Any, events: Iterable[Event]) -> None:
        """Inside a commit: drop what was discarded, then add ``events``."""
        store = self._store
        p = store.param
        if self._discard:
            conn.execute(f"DELETE FROM omskit_outbox WHERE writer = {p}", (store.token,))
            self._discard = False
        rows = [
            (e.event_id, e.event_type, codec.dumps(e, Any), e.occurred_at.isoformat(), store.token)
            for e in events
        ]
        if rows:
            sql = (
                "INSERT INTO omskit_outbox (event_id, event_type, body, occurred_at, writer) "
                f"VALUES ({p}, {p}, {store.body_param}, {p}, {p})"
            )
            store.executemany(conn, sql, rows)

    def append(self, events: Iterable[Event]) -> None:
        """Add stamped events in a transaction of their own."""
        self._store.transaction(lambda conn: self.write(conn, list(events)))

    def discard_all(self) -> None:
        """Nobody subscribes: the events this store wrote are dropped (at its next write).

        Not with ``?outbox=relay``: there the events wait for ``python -m omskit relay``.
        """
        if self._store.relayed:
            return
        with self._lock:
            self._discard = True
            self._records.clear()

    def pending(self) -> list[OutboxRecord]:
        """Claim the unsettled rows nobody else holds; their records, oldest first.

        With ``?outbox=relay`` nothing: the relay claims them with [`claim`][].
        """
        if self._store.relayed:
            return []
        return [record for _seq, record in self.claim()]

    def claim(self, *, after: int = 0, limit: int | None = None) -> list[tuple[int, OutboxRecord]]:
        """Claim up to ``limit`` unsettled rows after ``seq`` ``after`` for this store.

        Rows another store holds (its ``lease`` of seconds not run out) are
        skipped. Returns ``(seq, record)`` pairs, oldest first; settle them with
        [`settle`][], which also releases the claim.
        """
        store = self._store
        with self._lock:
            rows = store.transaction(lambda conn: self._claim(conn, after, limit))
            found: list[tuple[int, OutboxRecord]] = []
            for seq, event_id, body, state in sorted(rows, key=lambda r: r[0]):
                record = self._records.get(event_id)
                if record is None:
                    data = json.loads(body) if isinstance(body, str | bytes) else body
                    record = self._records[event_id] = OutboxRecord(codec.decode(Any, data))
                _restore(record, state)
                found.append((seq, record))
            return found

    def _claim(self, conn: Any, after: int, limit: int | None) -> list[Any]:
        store = self._store
        if self._discard:
            self.write(conn, ())
        now = time.time()
        return store.claim_outbox(
            conn, store.token, now, now + self.lease, after=after, limit=limit
        )

    def settle(self, records: Iterable[OutboxRecord], subscribers: Iterable[str]) -> None:
        """Record how each delivery went; delete rows every subscriber has settled."""
        names = list(subscribers)
        records = list(records)
        store = self._store
        p = store.param

        def work(conn: Any) -> None:
            gone = [(r.event.event_id,) for r in records if not names or r.settled(names)]
            kept = [
                (_state(r), r.event.event_id) for r in records if names and not r.settled(names)
            ]
            if gone:
                store.executemany(conn, f"DELETE FROM omskit_outbox WHERE event_id = {p}", gone)
            if kept:
                store.executemany(
                    conn,
                    "UPDATE omskit_outbox SET state = "
                    f"{p}, claimed_by = NULL, claimed_until = NULL WHERE event_id = {p}",
                    kept,
                )
            for (event_id,) in gone:
                self._records.pop(event_id, None)

        with self._lock:
            store.transaction(work)

    def release(self) -> None:
        """Give up this store's claims and drop what it discarded (when it closes)."""
        store = self._store
        p = store.param

        def work(conn: Any) -> None:
            if self._discard:
                self.write(conn, ())
            conn.execute(
                "UPDATE omskit_outbox SET claimed_by = NULL, claimed_until = NULL "
                f"WHERE claimed_by = {p}",
                (store.token,),
            )

        with self._lock:
            store.transaction(work)
