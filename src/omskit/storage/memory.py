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
from typing import Any, Generic, Self

from omskit.clock import Clock
from omskit.errors import AlreadyExists, ConcurrencyConflict, NotFound, OmskitError
from omskit.events import Event, OutboxRecord
from omskit.ids import IdGenerator
from omskit.storage.ports import A, Aggregate, Collection

__all__ = ["MemoryOutbox", "MemoryStore", "MemoryUnitOfWork"]


class _Table:
    """One collection's committed rows and index entries."""

    __slots__ = ("collection", "indexes", "rows", "unique")

    def __init__(self, collection: Collection[Any]) -> None:
        self.collection = collection
        self.rows: dict[str, Aggregate] = {}
        self.unique: dict[str, dict[Hashable, str]] = {k: {} for k in collection.unique}
        self.indexes: dict[str, dict[Hashable, dict[str, None]]] = {
            k: {} for k in collection.indexes
        }

    def write(self, stored: Aggregate, previous: Aggregate | None) -> None:
        c = self.collection
        for key, fn in c.unique.items():
            if previous is not None:
                old = fn(previous)
                if old is not None and self.unique[key].get(old) == stored.id:
                    del self.unique[key][old]  # unless another row took it in this commit
            new = fn(stored)
            if new is not None:
                self.unique[key][new] = stored.id
        for key, fn in c.indexes.items():
            if previous is not None:
                old = fn(previous)
                if old is not None:
                    bucket = self.indexes[key].get(old)
                    if bucket is not None:
                        bucket.pop(stored.id, None)
            new = fn(stored)
            if new is not None:
                self.indexes[key].setdefault(new, {})[stored.id] = None
        self.rows[stored.id] = stored


class MemoryOutbox:
    """Committed events waiting for delivery, kept in memory in commit order."""

    def __init__(self) -> None:
        self._records: dict[int, OutboxRecord] = {}
        self._seq = 0
        self._lock = threading.Lock()

    def append(self, events: Iterable[Event]) -> None:
        """Add freshly committed events."""
        with self._lock:
            for event in events:
                self._seq += 1
                self._records[self._seq] = OutboxRecord(event)

    def pending(self) -> list[OutboxRecord]:
        """Records not yet settled, oldest first."""
        with self._lock:
            return list(self._records.values())

    def settle(self, records: Iterable[OutboxRecord], subscribers: Iterable[str]) -> None:
        """Drop records that every subscriber has received or given up on."""
        names = list(subscribers)
        records = list(records)
        done = {id(r) for r in records if r.settled(names)}
        if not done:
            return
        with self._lock:
            if len(done) == len(self._records) and len(records) == len(done):
                self._records.clear()  # the usual case: everything delivered at once
                return
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
        """A new transaction."""
        return MemoryUnitOfWork(self)

    def table(self, collection: Collection[Any]) -> _Table:
        """The table behind ``collection``, created on first use."""
        table = self._tables.get(collection.name)
        if table is None:
            with self.lock:
                table = self._tables.setdefault(collection.name, _Table(collection))
        return table


class _MemoryRepository(Generic[A]):
    """A repository over one table, private to one unit of work."""

    def __init__(self, store: MemoryStore, collection: Collection[A]) -> None:
        self._collection = collection
        self._table = store.table(collection)
        self._seen: dict[str, A] = {}  # identity map: everything read or added here
        self._read_version: dict[str, int] = {}  # version at read time; -1 for new
        self._dirty: dict[str, A] = {}

    # -- reads ---------------------------------------------------------------
    def find(self, id: str) -> A | None:
        seen = self._seen.get(id)
        if seen is not None:
            return seen
        stored = self._table.rows.get(id)
        if stored is None:
            return None
        copy: A = stored.clone()  # type: ignore[assignment]
        self._seen[id] = copy
        self._read_version[id] = copy.version
        return copy

    def get(self, id: str) -> A:
        found = self.find(id)
        if found is None:
            raise NotFound(self._collection.noun, id)
        return found

    def find_by(self, key: str, value: Hashable) -> A | None:
        fn = self._unique_fn(key)
        for agg in self._dirty.values():
            if fn(agg) == value:
                return agg
        id = self._table.unique[key].get(value)
        if id is None:
            return None
        found = self.find(id)
        return found if found is not None and fn(found) == value else None

    def list_by(self, index: str, value: Hashable) -> list[A]:
        fn = self._collection.indexes.get(index)
        if fn is None:
            raise OmskitError(
                f"collection {self._collection.name!r} has no index {index!r}; "
                f"indexes: {sorted(self._collection.indexes)}"
            )
        ids = list(self._table.indexes[index].get(value, ()))
        result = [a for a in (self.find(i) for i in ids) if a is not None and fn(a) == value]
        listed = {a.id for a in result}
        result.extend(a for a in self._dirty.values() if a.id not in listed and fn(a) == value)
        return result

    def scan(self) -> Iterator[A]:
        for id in list(self._table.rows):
            found = self.find(id)
            if found is not None:
                yield found
        for id, agg in list(self._dirty.items()):
            if self._read_version.get(id) == -1:
                yield agg

    def count(self) -> int:
        return len(self._table.rows)

    # -- writes --------------------------------------------------------------
    def add(self, aggregate: A) -> None:
        if aggregate.id in self._seen or aggregate.id in self._table.rows:
            raise AlreadyExists(self._collection.noun, aggregate.id)
        self._seen[aggregate.id] = aggregate
        self._read_version[aggregate.id] = -1
        self._dirty[aggregate.id] = aggregate

    def save(self, aggregate: A) -> None:
        current = self._seen.get(aggregate.id)
        if current is None:
            self.add(aggregate)
        elif current is not aggregate:
            raise OmskitError(
                f"{self._collection.noun} {aggregate.id!r} was not loaded in this unit of work;"
                " save the object that get() returned"
            )
        else:
            self._dirty[aggregate.id] = aggregate

    # -- commit --------------------------------------------------------------
    def _unique_fn(self, key: str) -> Callable[[A], Hashable | None]:
        fn = self._collection.unique.get(key)
        if fn is None:
            raise OmskitError(
                f"collection {self._collection.name!r} has no unique key {key!r}; "
                f"keys: {sorted(self._collection.unique)}"
            )
        return fn

    def check(self) -> None:
        rows = self._table.rows
        claimed: dict[tuple[str, Hashable], str] = {}
        for id, agg in self._dirty.items():
            stored = rows.get(id)
            read = self._read_version[id]
            if read == -1:
                if stored is not None:
                    raise AlreadyExists(self._collection.noun, id)
            elif stored is None or stored.version != read:
                raise ConcurrencyConflict(
                    self._collection.noun, id, read, -1 if stored is None else stored.version
                )
            for key, fn in self._collection.unique.items():
                value = fn(agg)
                if value is None:
                    continue
                owner = self._table.unique[key].get(value)
                if owner is not None and owner != id:
                    releasing = self._dirty.get(owner)  # the owner gives it up in this commit
                    if releasing is None or fn(releasing) == value:
                        raise AlreadyExists(f"{self._collection.noun} with {key}", value)
                if claimed.get((key, value), id) != id:
                    raise AlreadyExists(f"{self._collection.noun} with {key}", value)
                claimed[(key, value)] = id

    def apply(self) -> list[Event]:
        events: list[Event] = []
        rows = self._table.rows
        for id, agg in self._dirty.items():
            events.extend(agg.pull_events())
            agg.version += 1
            self._table.write(agg.clone(), rows.get(id))
            self._read_version[id] = agg.version
        self._dirty.clear()
        return events


class MemoryUnitOfWork:
    """One transaction on a :class:`MemoryStore`."""

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
        self.rollback()

    def repo(self, collection: Collection[A]) -> _MemoryRepository[A]:
        """The repository for ``collection`` within this transaction."""
        repo = self._repos.get(collection.name)
        if repo is None:
            repo = self._repos[collection.name] = _MemoryRepository(self._store, collection)
        return repo

    def commit(self) -> list[Event]:
        """Check every write, then apply all of them and queue their events; or raise."""
        store = self._store
        with store.lock:
            for repo in self._repos.values():
                repo.check()
            events: list[Event] = []
            for repo in self._repos.values():
                events.extend(repo.apply())
            if events:
                now: dt.datetime = store.clock.now()
                events = [e.stamped(store.ids.new_id("evt"), now) for e in events]
                store.outbox.append(events)
        return events

    def rollback(self) -> None:
        """Forget every uncommitted change."""
        self._repos.clear()
