"""Pages of query results, shared by every capability that lists things."""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

from omskit.errors import ValidationError

__all__ = ["MAX_LIMIT", "Page", "check_page"]

T = TypeVar("T")

#: The most items one page may hold.
MAX_LIMIT = 1000


@attrs.frozen
class Page(Generic[T]):
    """One page of results: ``items``, how many matched in all, and where the page starts."""

    items: tuple[T, ...]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        """Whether another page follows."""
        return self.offset + len(self.items) < self.total


def check_page(offset: object, limit: object) -> tuple[int, int]:
    """``(offset, limit)`` checked: a whole ``offset >= 0`` and ``1 <= limit <= 1000``."""
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError("offset", offset, "expected a whole number >= 0")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("limit", limit, f"expected 1 to {MAX_LIMIT}")
    return offset, limit
