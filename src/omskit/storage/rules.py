"""The repository rules every store enforces alike: how saving works, and key look-ups.

[`RepositoryRules`][omskit.storage.rules.RepositoryRules] is the base of the in-memory
and the SQL repositories, so both refuse the same mistakes with the same messages:
saving an object this unit of work did not load, saving a stored append-only record,
asking for a unique key or index the collection does not declare.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic

from omskit.errors import NotFound, OmskitError
from omskit.storage.ports import A, Collection

__all__ = ["RepositoryRules"]


class RepositoryRules(Generic[A]):
    """Saving and key look-ups over a repository's identity map (see the module docs).

    A subclass keeps ``_collection``, ``_append_only``, ``_seen`` (everything read or
    added), ``_read_version`` (-1 for new) and ``_dirty``, and provides ``find``,
    ``add`` and ``_stored`` (whether a row with that id is committed).
    """

    __slots__ = ()

    _collection: Collection[A]
    _append_only: bool
    _seen: dict[str, A]
    _read_version: dict[str, int]
    _dirty: dict[str, A]

    def add(self, aggregate: A) -> None:
        """Add a new aggregate (each store checks its id its own way)."""
        raise NotImplementedError

    def find(self, id: str) -> A | None:
        """The aggregate with ``id``, or ``None`` (each store reads its own way)."""
        raise NotImplementedError

    def get(self, id: str) -> A:
        """The aggregate with ``id``; raises [`NotFound`][omskit.errors.NotFound]."""
        found = self.find(id)
        if found is None:
            raise NotFound(self._collection.noun, id)
        return found

    def _stored(self, id: str) -> bool:
        """Whether a committed row has ``id``."""
        raise NotImplementedError

    def save(self, aggregate: A) -> None:
        """Mark ``aggregate`` (new, or loaded in this unit of work) to be written at commit."""
        id = aggregate.id
        current = self._seen.get(id)
        if current is None:
            if self._append_only and self._stored(id):
                raise self._immutable(id)
            self.add(aggregate)
        elif current is not aggregate:
            raise OmskitError(
                f"{self._collection.noun} {id!r} was not loaded in this unit of work;"
                " save the object that get() returned"
            )
        elif self._append_only and self._read_version[id] != -1:
            raise self._immutable(id)  # pragma: no cover - append-only reads are not tracked
        else:
            self._dirty[id] = aggregate

    def _immutable(self, id: str) -> OmskitError:
        return OmskitError(
            f"{self._collection.noun} {id!r} is in the append-only collection "
            f"{self._collection.name!r}: add new records, never save stored ones"
        )

    def _unique_fn(self, key: str) -> Callable[[A], Hashable | None]:
        fn = self._collection.unique.get(key)
        if fn is None:
            raise OmskitError(
                f"collection {self._collection.name!r} has no unique key {key!r}; "
                f"keys: {sorted(self._collection.unique)}"
            )
        return fn

    def _index_fn(self, index: str) -> Callable[[A], Hashable | None]:
        fn = self._collection.indexes.get(index)
        if fn is None:
            raise OmskitError(
                f"collection {self._collection.name!r} has no index {index!r}; "
                f"indexes: {sorted(self._collection.indexes)}"
            )
        return fn
