"""Where omskit gets identifiers: an injected [`IdGenerator`][].

The core never invents ids itself, so tests can make them predictable
(``omskit.testing.SequentialIds``) and hosts can use their own scheme.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from typing import Protocol, runtime_checkable

__all__ = ["IdGenerator", "RandomIds", "SequentialIds"]


@runtime_checkable
class IdGenerator(Protocol):
    """A source of unique identifiers."""

    def new_id(self, prefix: str) -> str:
        """A new identifier, starting with ``prefix`` and an underscore (``ord_...``)."""
        ...


class RandomIds:
    """Random 128-bit identifiers, unique across processes: ``ord_3f2a9c...``."""

    def new_id(self, prefix: str) -> str:
        """A new random identifier with ``prefix``."""
        return f"{prefix}_{uuid.uuid4().hex}"


class SequentialIds:
    """Readable, predictable identifiers, counted per prefix: ``ord_000001``, ``ord_000002``.

    Unique within one process only; meant for demos, tests and embedded single-process use.
    Thread-safe.
    """

    def __init__(self, width: int = 6) -> None:
        self._width = width
        self._counters: dict[str, itertools.count[int]] = {}
        self._lock = threading.Lock()

    def new_id(self, prefix: str) -> str:
        """The next identifier for ``prefix``."""
        counter = self._counters.get(prefix)
        if counter is None:
            with self._lock:
                counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}_{next(counter):0{self._width}d}"
