"""Storage ports: aggregates, collections, repositories and the unit of work.

A durable backend (SQLite, PostgreSQL) implements these same protocols, so nothing in
the domain changes when one plugs in through the ``omskit_storage`` hook:

* an [`Aggregate`][] has an ``id`` and a ``version``; a commit that finds a newer
  stored version raises [`ConcurrencyConflict`][];
* a [`Collection`][] names where one kind of aggregate lives and declares its unique
  keys (``(channel, external_id)``) and lookup indexes (by customer, by status): a SQL
  backend turns those into unique constraints and indexed columns;
* a [`UnitOfWork`][] is one transaction: everything saved through its repositories is
  committed together with the events the aggregates recorded, or nothing is.
"""

from __future__ import annotations

import contextvars
import copy
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

import attrs

from omskit.errors import OmskitError
from omskit.events import Event, EventRecorder, OutboxStore

__all__ = [
    "Aggregate",
    "Collection",
    "Repository",
    "StorageBackend",
    "UnitOfWork",
    "joined_read",
    "reading_in",
]


@attrs.define(eq=False, slots=True)
class Aggregate(EventRecorder):
    """Base of every stored entity: identity by ``id``, optimistic ``version``, events.

    Subclasses are ``@attrs.define(eq=False)`` classes. Storage hands out private copies
    ([`clone`][]), so changing an aggregate touches nothing stored until the unit of work
    commits. Override [`clone`][] with a cheaper copy when profiling says so.
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

    ``append_only=True`` declares records that are written once and never changed (ledger
    entries, audit records): they may only be [`add`][Repository.add]-ed; saving one that
    is already stored raises [`OmskitError`][]. The store then skips
    version checks and copies for them: what you add *is* what is stored and what every
    later read returns, so an append-only aggregate must not be changed after ``add``
    (make it frozen in spirit: no setters, no child lists that grow). A SQL backend maps
    such a collection to an insert-only table.

    ``fixed_keys=True`` promises that no unique key and no index value of an aggregate
    ever changes once it is added (a stock level's SKU and location): the store then
    skips comparing old and new keys when it writes a new version.
    """

    name: str
    kind: type[A]
    unique: Mapping[str, KeyFunc[A]] = attrs.field(factory=dict)
    indexes: Mapping[str, KeyFunc[A]] = attrs.field(factory=dict)
    label: str = ""
    append_only: bool = False
    fixed_keys: bool = False

    @property
    def noun(self) -> str:
        """How errors name one item of this collection ("order", "product")."""
        return self.label or self.name.rstrip("s")


class Repository(Protocol[A]):
    """Loads and saves the aggregates of one [`Collection`][] inside a unit of work.

    Everything returned is the unit of work's own copy: reading the same id twice in one
    unit of work gives the same object, and changes stay private until commit.
    """

    def get(self, id: str) -> A:
        """The aggregate with ``id``; raises [`NotFound`][]."""
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

    # -- read-only views -----------------------------------------------------------
    # Views are for queries and planning that only look. They return shared objects, not
    # private copies: callers must not change them (nor record events on them), and a
    # view is not tracked for optimistic versions (a later write of that aggregate in
    # another unit of work does not make this one conflict). What a view shows is this
    # unit of work's own copy when it has one (read your writes), otherwise the committed
    # row as of the read: the store replaces a committed row by a new object on every
    # write and never mutates it, so a view is a consistent snapshot of its row. A
    # backend without cheap shared objects may implement each view as its copying
    # counterpart (``view`` as ``find``...).

    def view(self, id: str) -> A | None:
        """The aggregate with ``id`` for reading only (no copy), or ``None``."""
        ...

    def view_by(self, key: str, value: Hashable) -> A | None:
        """The aggregate whose unique ``key`` equals ``value``, for reading only, or ``None``."""
        ...

    def list_view(self, index: str, value: Hashable) -> list[A]:
        """Aggregates whose ``index`` equals ``value``, for reading only, oldest first."""
        ...

    def scan_view(self) -> Iterator[A]:
        """Every aggregate in the collection for reading only, oldest first."""
        ...

    def add(self, aggregate: A) -> None:
        """Add a new aggregate; raises [`AlreadyExists`][] for a used id."""
        ...

    def save(self, aggregate: A) -> None:
        """Mark ``aggregate`` (new or loaded here) to be written at commit.

        Raises:
            OmskitError: ``aggregate`` was not loaded in this unit of work, or it is a
                stored record of an append-only collection.
        """
        ...


class UnitOfWork(Protocol):
    """One transaction over every collection.

    Use it as a context manager: leaving the block without [`commit`][] (or through an
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

    @property
    def outbox(self) -> OutboxStore:
        """The event outbox (read-only here, so a store may hold a more specific one)."""
        ...

    def unit_of_work(self) -> UnitOfWork:
        """A new transaction."""
        ...


class _JoinedRead:
    """A unit of work that reads through another one that is still open (and never commits).

    What [`reading_in`][omskit.storage.ports.reading_in] hands out: leaving its block
    neither commits nor rolls back the unit of work it joins.
    """

    __slots__ = ("_uow",)

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def repo(self, collection: Collection[A]) -> Repository[A]:
        return self._uow.repo(collection)

    def commit(self) -> list[Event]:
        raise OmskitError("a read joined to an open unit of work cannot commit")

    def rollback(self) -> None:
        return None


_JOINED: contextvars.ContextVar[_JoinedRead | None] = contextvars.ContextVar(
    "omskit_joined_read", default=None
)


def joined_read() -> UnitOfWork | None:
    """The open unit of work reads should join now (inside ``reading_in``), else ``None``.

    A backend's ``unit_of_work()`` returns it when set, so a read made through a
    service's public methods sees what ``uow`` has changed but not yet committed. The
    built-in backends honour it; a backend that does not just reads committed state.
    """
    return _JOINED.get()


@contextmanager
def reading_in(uow: UnitOfWork) -> Iterator[None]:
    """Inside the block, every ``unit_of_work()`` of a built-in store reads through ``uow``."""
    token = _JOINED.set(_JoinedRead(uow))
    try:
        yield
    finally:
        _JOINED.reset(token)
