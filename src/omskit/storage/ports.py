"""Storage ports: aggregates, collections, repositories and the unit of work.

A durable backend (SQLite, PostgreSQL) implements these same protocols, so nothing in
the domain changes when one plugs in through the ``omskit_storage`` hook:

* an :class:`Aggregate` has an ``id`` and a ``version``; a commit that finds a newer
  stored version raises :class:`~omskit.errors.ConcurrencyConflict`;
* a :class:`Collection` names where one kind of aggregate lives and declares its unique
  keys (``(channel, external_id)``) and lookup indexes (by customer, by status): a SQL
  backend turns those into unique constraints and indexed columns;
* a :class:`UnitOfWork` is one transaction: everything saved through its repositories is
  committed together with the events the aggregates recorded, or nothing is.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterator, Mapping
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

import attrs

from omskit.events import Event, EventRecorder, OutboxStore

__all__ = [
    "Aggregate",
    "Collection",
    "Repository",
    "StorageBackend",
    "UnitOfWork",
]


@attrs.define(eq=False, slots=True)
class Aggregate(EventRecorder):
    """Base of every stored entity: identity by ``id``, optimistic ``version``, events.

    Subclasses are ``@attrs.define(eq=False)`` classes. Storage hands out private copies
    (:meth:`clone`), so changing an aggregate touches nothing stored until the unit of work
    commits. Override :meth:`clone` with a cheaper copy when profiling says so.
    """

    id: str = attrs.field(kw_only=True)
    version: int = attrs.field(default=0, kw_only=True)
    _events: list[Event] = attrs.field(factory=list, init=False, repr=False)

    def clone(self) -> Self:
        """An independent copy, without pending events."""
        pending, self._events = self._events, []
        try:
            return copy.deepcopy(self)
        finally:
            self._events = pending


A = TypeVar("A", bound=Aggregate)

KeyFunc = Callable[[A], Hashable | None]


@attrs.frozen
class Collection(Generic[A]):
    """Where aggregates of one ``kind`` are stored, with their unique keys and indexes.

    Each key or index function returns the value to look the aggregate up by, or ``None``
    to leave it out (an order without an external id has no external key).
    """

    name: str
    kind: type[A]
    unique: Mapping[str, KeyFunc[A]] = attrs.field(factory=dict)
    indexes: Mapping[str, KeyFunc[A]] = attrs.field(factory=dict)
    label: str = ""

    @property
    def noun(self) -> str:
        """How errors name one item of this collection ("order", "product")."""
        return self.label or self.name.rstrip("s")


class Repository(Protocol[A]):
    """Loads and saves the aggregates of one :class:`Collection` inside a unit of work.

    Everything returned is the unit of work's own copy: reading the same id twice in one
    unit of work gives the same object, and changes stay private until commit.
    """

    def get(self, id: str) -> A:
        """The aggregate with ``id``; raises :class:`~omskit.errors.NotFound`."""
        ...

    def find(self, id: str) -> A | None:
        """The aggregate with ``id``, or ``None``."""
        ...

    def find_by(self, key: str, value: Hashable) -> A | None:
        """The aggregate whose unique ``key`` equals ``value``, or ``None``."""
        ...

    def list_by(self, index: str, value: Hashable) -> list[A]:
        """Aggregates whose ``index`` equals ``value``, oldest first."""
        ...

    def scan(self) -> Iterator[A]:
        """Every aggregate in the collection, oldest first."""
        ...

    def count(self) -> int:
        """How many aggregates are stored (not counting ones added in this unit of work)."""
        ...

    def add(self, aggregate: A) -> None:
        """Add a new aggregate; raises :class:`~omskit.errors.AlreadyExists` for a used id."""
        ...

    def save(self, aggregate: A) -> None:
        """Mark ``aggregate`` (new or loaded here) to be written at commit."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every collection.

    Use it as a context manager: leaving the block without :meth:`commit` (or through an
    exception) rolls everything back.
    """

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def repo(self, collection: Collection[A]) -> Repository[A]:
        """The repository for ``collection`` within this transaction."""
        ...

    def commit(self) -> list[Event]:
        """Write every saved aggregate and its events atomically; return the stamped events.

        Raises:
            ConcurrencyConflict: an aggregate changed since it was read.
            AlreadyExists: a new aggregate's id or unique key is taken.
        """
        ...

    def rollback(self) -> None:
        """Forget every change made in this unit of work."""
        ...


class StorageBackend(Protocol):
    """A store: opens units of work and keeps the event outbox."""

    name: str
    outbox: OutboxStore

    def unit_of_work(self) -> UnitOfWork:
        """A new transaction."""
        ...
