"""The embedded, thread-safe in-memory store: omskit's default backend.

Isolation comes from copies: a unit of work reads private clones and the store keeps its
own clone of whatever is committed, so an uncommitted or failed change never shows.
Commits are serialised by one lock and check every version and unique key before
writing anything, which makes each commit all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from types import TracebackType
from typing import Any, Self

from omskit.clock import Clock
from omskit.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    ValidationError,
)
from omskit.events import Event, OutboxRecord
from omskit.ids import IdGenerator
from omskit.storage.ports import _JOINED, A, Aggregate, Collection
from omskit.storage.rules import RepositoryRules

__all__ = ["MemoryOutbox", "MemoryStore", "MemoryUnitOfWork"]

_NO_EVENTS: tuple[Event, ...] = ()


class _Table:
    """One collection's committed rows and index entries.

    Rows are never changed in place: a write stores a new object, so whatever a reader
    holds (a view) stays a consistent snapshot of its row.
    """

    __slots__ = (
        "append_only",
        "collection",
        "fixed_keys",
        "index_fns",
        "indexes",
        "lock",
        "rows",
        "unindexed",
        "unique",
        "unique_fns",
    )  # fmt: skip

    def __init__(self, collection: Collection[Any], lock: threading.RLock) -> None:
        self.collection = collection
        self.lock = lock
        self.append_only = collection.append_only
        self.fixed_keys = collection.fixed_keys
        self.unique_fns = tuple(collection.unique.items())
        self.index_fns = tuple(collection.indexes.items())
        self.rows: dict[str, Aggregate] = {}
        self.unique: dict[str, dict[Hashable, str]] = {k: {} for k in collection.unique}
        self.indexes: dict[str, dict[Hashable, Bucket]] = {k: {} for k in collection.indexes}
        # Append-only rows whose index entries are not written yet. A ledger is written
        # far more often than it is queried, so its lookup indexes are brought up to date
        # by the first query after a write (`index`), not by every commit.
        self.unindexed: list[Aggregate] = []

    def insert(self, stored: Aggregate) -> None:
        """Store a new row and its keys (the index entries of append-only rows later)."""
        id = stored.id
        for key, fn in self.unique_fns:
            new = fn(stored)
            if new is not None:
                self.unique[key][new] = id
        if self.append_only:
            if self.index_fns:
                self.unindexed.append(stored)
        else:
            self._index(stored)
        self.rows[id] = stored

    def _index(self, stored: Aggregate) -> None:
        id = stored.id
        for key, fn in self.index_fns:
            new = fn(stored)
            if new is not None:
                _bucket_add(self.indexes[key], new, id)

    def index(self) -> None:
        """Write the index entries of the append-only rows stored since the last query.

        Runs under the store's lock, so a commit never adds rows while they are indexed;
        the rows keep their commit order in every bucket.
        """
        with self.lock:
            pending, self.unindexed = self.unindexed, []
            done = 0
            try:
                for stored in pending:
                    self._index(stored)
                    done += 1
            finally:
                if done < len(pending):
                    # never lose the rows after a failing one: they stay queued
                    self.unindexed[:0] = pending[done + 1 :]

    def replace(self, stored: Aggregate, previous: Aggregate) -> None:
        """Store a new version of a row; only keys that changed are touched."""
        id = stored.id
        if self.fixed_keys:
            self.rows[id] = stored  # no key of this collection ever changes
            return
        for key, fn in self.unique_fns:
            old, new = fn(previous), fn(stored)
            if old == new:
                continue
            unique = self.unique[key]
            if old is not None and unique.get(old) == id:
                del unique[old]  # unless another row took it in this commit
            if new is not None:
                unique[new] = id
        for key, fn in self.index_fns:
            old, new = fn(previous), fn(stored)
            if old == new:
                continue  # the row keeps its place (and its age) in the bucket
            index = self.indexes[key]
            if old is not None:
                _bucket_remove(index, old, id)
            if new is not None:
                _bucket_add(index, new, id)
        self.rows[id] = stored


# An index bucket holds the ids of the rows with one key value, oldest first. Most
# buckets of the busiest indexes hold one row (an email on one day, one card, one
# address), so a bucket of one is the bare id string and only grows into an
# insertion-ordered dict (a set that remembers order, O(1) removal) at the second id.
# That saves a dict (~180 bytes, and one more object for the garbage collector to
# track) per stored row and index.
Bucket = str | dict[str, None]


def _bucket_add(index: dict[Hashable, Bucket], key: Hashable, id: str) -> None:
    bucket = index.get(key)
    if bucket is None:
        index[key] = id
    elif type(bucket) is str:
        if bucket != id:
            index[key] = {bucket: None, id: None}
    else:
        bucket[id] = None  # type: ignore[index]


def _bucket_remove(index: dict[Hashable, Bucket], key: Hashable, id: str) -> None:
    bucket = index.get(key)
    if bucket is None:
        return
    if type(bucket) is str:
        if bucket == id:
            del index[key]
        return
    assert isinstance(bucket, dict)
    bucket.pop(id, None)
    if len(bucket) == 1:
        index[key] = next(iter(bucket))  # back to a bare id
    elif not bucket:  # pragma: no cover - a dict bucket shrinks to one id first
        del index[key]


def _bucket_ids(bucket: Bucket | None) -> tuple[str, ...] | list[str]:
    """The ids in ``bucket``, oldest first (a snapshot: safe to iterate while writing)."""
    if bucket is None:
        return ()
    if type(bucket) is str:
        return (bucket,)
    return list(bucket)


class MemoryOutbox:
    """Committed events waiting for delivery, kept in memory in commit order.

    Events are wrapped in [`OutboxRecord`][] only when a dispatcher
    asks for them ([`pending`][]); when nobody subscribes they are simply dropped
    ([`discard_all`][]), which keeps commits cheap.
    """

    def __init__(self) -> None:
        self._records: dict[int, OutboxRecord] = {}
        self._fresh: list[Event] = []  # appended, not yet wrapped in records
        self._seq = 0
        self._lock = threading.Lock()

    def append(self, events: Iterable[Event]) -> None:
        """Add freshly committed events."""
        with self._lock:
            self._fresh.extend(events)

    def pending(self) -> list[OutboxRecord]:
        """Records not yet settled, oldest first."""
        with self._lock:
            if self._fresh:
                records = self._records
                seq = self._seq
                for event in self._fresh:
                    seq += 1
                    records[seq] = OutboxRecord(event)
                self._seq = seq
                self._fresh.clear()
            return list(self._records.values())

    def discard_all(self) -> None:
        """Settle everything at once: there is no subscriber to deliver to."""
        with self._lock:
            self._fresh.clear()
            self._records.clear()

    def settle(self, records: Iterable[OutboxRecord], subscribers: Iterable[str]) -> None:
        """Drop records that every subscriber has received or given up on."""
        names = list(subscribers)
        records = list(records)
        if names:
            settled = [r for r in records if r.settled(names)]
            if not settled:
                return
        else:
            settled = records  # nobody listens: every record is settled
        with self._lock:
            if len(settled) == len(self._records) == len(records):
                self._records.clear()  # the usual case: everything delivered at once
                return
            done = {id(r) for r in settled}
            for seq in [s for s, r in self._records.items() if id(r) in done]:
                del self._records[seq]


class MemoryStore:
    """Thread-safe in-memory storage backend.

    Args:
        clock: stamps committed events with their time.
        ids: gives committed events their ids.
    """

    name = "memory"

    def __init__(self, clock: Clock, ids: IdGenerator) -> None:
        self.clock = clock
        self.ids = ids
        self.outbox = MemoryOutbox()
        self._tables: dict[str, _Table] = {}
        self.lock = threading.RLock()

    def unit_of_work(self) -> MemoryUnitOfWork:
        """A new transaction (or, inside ``reading_in``, a read through an open one)."""
        joined = _JOINED.get()
        if joined is not None:
            return joined  # type: ignore[return-value]  # reads only, same protocol
        return MemoryUnitOfWork(self)

    def table(self, collection: Collection[Any]) -> _Table:
        """The table behind ``collection``, created on first use."""
        table = self._tables.get(collection.name)
        if table is None:
            with self.lock:
                table = self._tables.setdefault(collection.name, _Table(collection, self.lock))
        return table


class _MemoryRepository(RepositoryRules[A]):
    """A repository over one table, private to one unit of work."""

    __slots__ = ("_append_only", "_collection", "_dirty", "_read_version", "_seen", "_table")

    def __init__(self, store: MemoryStore, collection: Collection[A]) -> None:
        self._collection = collection
        self._table = store.table(collection)
        self._append_only = collection.append_only
        self._seen: dict[str, A] = {}  # identity map: everything read or added here
        self._read_version: dict[str, int] = {}  # version at read time; -1 for new
        self._dirty: dict[str, A] = {}

    # -- reads ---------------------------------------------------------------
    def find(self, id: str) -> A | None:
        try:
            seen = self._seen.get(id)
        except TypeError:  # an unhashable id (a list, a dict) names nothing stored
            return None
        if seen is not None:
            return seen
        stored: A | None = self._table.rows.get(id)  # type: ignore[assignment]
        if stored is None or self._append_only:
            return stored  # append-only rows never change: no copy needed
        copy: A = stored.clone()
        self._seen[id] = copy
        self._read_version[id] = copy.version
        return copy

    def find_by(self, key: str, value: Hashable) -> A | None:
        return self._by(key, value, self.find)

    def list_by(self, index: str, value: Hashable) -> list[A]:
        return self._list(index, value, self.find)

    def scan(self) -> Iterator[A]:
        for id in list(self._table.rows):
            found = self.find(id)
            if found is not None:
                yield found
        yield from self._new()

    def count(self) -> int:
        return len(self._table.rows)

    # -- read-only views -----------------------------------------------------
    def view(self, id: str) -> A | None:
        try:
            seen = self._seen.get(id)
        except TypeError:  # an unhashable id names nothing stored
            return None
        if seen is not None:
            return seen
        return self._table.rows.get(id)  # type: ignore[return-value]

    def view_by(self, key: str, value: Hashable) -> A | None:
        return self._by(key, value, self.view)

    def list_view(self, index: str, value: Hashable) -> list[A]:
        return self._list(index, value, self.view)

    def scan_view(self) -> Iterator[A]:
        seen = self._seen
        rows: list[A] = list(self._table.rows.values())  # type: ignore[arg-type]
        if seen:
            rows = [seen.get(a.id, a) for a in rows]
        yield from rows
        yield from self._new()

    def _new(self) -> Iterator[A]:
        for id, agg in list(self._dirty.items()):
            if self._read_version.get(id) == -1:
                yield agg

    def _by(self, key: str, value: Hashable, load: Callable[[str], A | None]) -> A | None:
        fn = self._unique_fn(key)
        for agg in self._dirty.values():
            if fn(agg) == value:
                return agg
        try:
            id = self._table.unique[key].get(value)
        except TypeError:  # an unhashable value is no key anything was stored under
            return None
        if id is None:
            return None
        found = load(id)
        return found if found is not None and fn(found) == value else None

    def _list(self, index: str, value: Hashable, load: Callable[[str], A | None]) -> list[A]:
        fn = self._index_fn(index)
        table = self._table
        if table.unindexed:
            table.index()
        try:
            ids = _bucket_ids(table.indexes[index].get(value))
        except TypeError:  # an unhashable value is in no index
            return []
        result = [a for a in map(load, ids) if a is not None and fn(a) == value]
        if self._dirty:
            listed = {a.id for a in result}
            result.extend(a for a in self._dirty.values() if a.id not in listed and fn(a) == value)
        return result

    # -- writes --------------------------------------------------------------
    def add(self, aggregate: A) -> None:
        id = aggregate.id
        if id in self._seen or id in self._table.rows:
            raise AlreadyExists(self._collection.noun, id)
        if self._append_only:  # indexed only later, when the first query needs it
            self._check_keys(aggregate)
        self._seen[id] = aggregate
        self._read_version[id] = -1
        self._dirty[id] = aggregate

    def _stored(self, id: str) -> bool:
        return id in self._table.rows

    # -- commit --------------------------------------------------------------
    def check(self) -> None:
        table = self._table
        rows = table.rows
        unique_fns = table.unique_fns
        read_version = self._read_version
        claimed: dict[tuple[str, Hashable], str] = {}
        for id, agg in self._dirty.items():
            stored = rows.get(id)
            read = read_version[id]
            if read == -1:
                if stored is not None:
                    raise AlreadyExists(self._collection.noun, id)
            elif stored is None or stored.version != read:
                raise ConcurrencyConflict(
                    self._collection.noun, id, read, -1 if stored is None else stored.version
                )
            if not unique_fns:
                continue
            for key, fn in unique_fns:
                value = fn(agg)
                if value is None:
                    continue
                owner = table.unique[key].get(value)
                if owner is not None and owner != id:
                    releasing = self._dirty.get(owner)  # the owner gives it up in this commit
                    if releasing is None or fn(releasing) == value:
                        raise AlreadyExists(f"{self._collection.noun} with {key}", value)
                if claimed.get((key, value), id) != id:
                    raise AlreadyExists(f"{self._collection.noun} with {key}", value)
                claimed[(key, value)] = id

    def _check_keys(self, agg: A) -> None:
        """Refuse an append-only row whose key or index value is unusable, when it is added.

        Its index entries are written only by a later query (`_Table.index`), after
        commit: a value that cannot be hashed (a dict given as a reference, say) would
        fail there, not here.
        """
        table = self._table
        for key, fn in table.index_fns + table.unique_fns:
            try:
                value = fn(agg)
                if value is not None:
                    hash(value)
            except (TypeError, ValueError, AttributeError):
                value = _safe_repr(agg, fn)
                raise ValidationError(
                    f"{self._collection.noun}.{key}",
                    value,
                    "an index or key value must be text, a number, a date or a tuple of them",
                ) from None

    def apply(self, events: list[Event]) -> None:
        table = self._table
        rows = table.rows
        append_only = self._append_only
        read_version = self._read_version
        for id, agg in self._dirty.items():
            recorded = agg._events
            if recorded:
                events.extend(recorded)
                recorded.clear()
            agg.version += 1
            if append_only:  # only ever new here: saving a stored record raises
                table.insert(agg)
            else:
                previous = rows.get(id)
                stored = agg.clone()
                # a committed row never records events (views must not change): it shares
                # one empty tuple instead of keeping an empty list of its own, and
                # recording on it by mistake fails loudly
                stored._events = _NO_EVENTS  # type: ignore[assignment]
                if previous is None:
                    table.insert(stored)
                else:
                    table.replace(stored, previous)
            read_version[id] = agg.version
        self._dirty.clear()


def _safe_repr(agg: Any, fn: Callable[[Any], Any]) -> Any:
    """What ``fn`` made of ``agg``, for an error message (itself possibly failing)."""
    try:
        return fn(agg)
    except Exception:
        return f"<unusable value of {type(agg).__name__} {agg.id!r}>"


class MemoryUnitOfWork:
    """One transaction on a [`MemoryStore`][]."""

    __slots__ = ("_repos", "_store")

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._repos: dict[str, _MemoryRepository[Any]] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._repos.clear()

    def repo(self, collection: Collection[A]) -> _MemoryRepository[A]:
        """The repository for ``collection`` within this transaction."""
        repo = self._repos.get(collection.name)
        if repo is None:
            repo = self._repos[collection.name] = _MemoryRepository(self._store, collection)
        return repo

    def commit(self) -> list[Event]:
        """Check every write, then apply all of them and queue their events; or raise."""
        store = self._store
        events: list[Event] = []
        with store.lock:
            writing = [repo for repo in self._repos.values() if repo._dirty]
            for repo in writing:
                repo.check()
            for repo in writing:
                repo.apply(events)
            if events:
                now: dt.datetime = store.clock.now()
                new_id = store.ids.new_id
                stamp = object.__setattr__
                for i, e in enumerate(events):
                    if e.event_id:  # already stamped once: it gets a stamped copy
                        events[i] = e.stamped(new_id("evt"), now)
                    else:  # Event.stamped(), inlined: fresh events are stamped in place
                        stamp(e, "event_id", new_id("evt"))
                        stamp(e, "occurred_at", now)
                store.outbox.append(events)
        return events

    def rollback(self) -> None:
        """Forget every uncommitted change."""
        self._repos.clear()
