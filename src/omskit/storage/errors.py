"""Errors of the storage backends.

All are [`OmskitError`][] subclasses::

OmskitError
├── CodecError        a value cannot be stored, or stored data does not fit its type
└── StorageError      the database failed or refused: a lost connection, a lock
    │                 held past the busy timeout, a disk that is full
    └── SchemaOutdated    the database's schema is older (or newer) than this omskit;
                          the message names the command that upgrades it
"""

from __future__ import annotations

from omskit.errors import OmskitError

__all__ = ["CodecError", "SchemaOutdated", "StorageError"]


class CodecError(OmskitError):
    """A value cannot be stored, or stored data does not match its type."""


class StorageError(OmskitError):
    """The database failed or refused; nothing of the unit of work was written."""


class SchemaOutdated(StorageError):
    """The database's schema version is not the one this omskit writes.

    Attributes:
        found: the version the database has.
        expected: the version this omskit needs.
        url: the database, as given to the store.
    """

    def __init__(self, url: str, found: int, expected: int) -> None:
        self.url, self.found, self.expected = url, found, expected
        if found < expected:
            hint = f"upgrade it with: python -m omskit db upgrade {url}"
        else:
            hint = "it was written by a newer omskit; upgrade omskit to open it"
        super().__init__(
            f"database {url} has schema version {found}, omskit needs {expected}; {hint}"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.url, self.found, self.expected))
