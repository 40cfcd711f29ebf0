"""Finding orders: by id, external id, customer, status, channel and date range, paged.

The most selective criterion picks a store index (external id, customer, status,
channel, then day by day through a date range); the rest filter what it returns.
Matching, counting and sorting look at read-only views, so only the page handed back is
copied: asking for 50 orders of a channel with a million costs 50 copies, not a million.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Generic, TypeVar

import attrs

from omskit.errors import ValidationError
from omskit.orders.lifecycle import ORDER_STATUSES
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS, day_of
from omskit.storage.ports import UnitOfWork

__all__ = ["OrderQuery", "Page", "run_query"]

T = TypeVar("T")

_MAX_LIMIT = 1000


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


@attrs.frozen(kw_only=True)
class OrderQuery:
    """Criteria for finding orders; every given criterion must match.

    ``since`` is inclusive, ``until`` exclusive (both timezone-aware).
    """

    channel: str | None = None
    external_id: str | None = None
    customer: str | None = None
    status: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    offset: int = 0
    limit: int = 50

    def __attrs_post_init__(self) -> None:
        if self.status is not None and self.status not in ORDER_STATUSES:
            raise ValidationError("status", self.status,
                                  f"expected one of {', '.join(ORDER_STATUSES)}")  # fmt: skip
        if self.external_id is not None and self.channel is None:
            raise ValidationError("channel", None, "an external id is unique per channel; "
                                  "give the channel too")  # fmt: skip
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
                raise ValidationError(name, value, "expected a timezone-aware datetime")
        if isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0:
            raise ValidationError("offset", self.offset, "expected a whole number >= 0")
        if (isinstance(self.limit, bool) or not isinstance(self.limit, int)
                or not 1 <= self.limit <= _MAX_LIMIT):  # fmt: skip
            raise ValidationError("limit", self.limit, f"expected 1 to {_MAX_LIMIT}")

    def matches(self, order: Order) -> bool:
        """Whether ``order`` meets every criterion."""
        return (
            (self.channel is None or order.channel == self.channel)
            and (self.external_id is None or order.external_id == self.external_id)
            and (self.customer is None or order.customer_email.lower() == self.customer.lower())
            and (self.status is None or order.status == self.status)
            and (self.since is None or order.created_at >= self.since)
            and (self.until is None or order.created_at < self.until)
        )


def _candidates(uow: UnitOfWork, q: OrderQuery) -> Iterable[Order]:
    """Read-only views of the orders the most selective criterion allows."""
    repo = uow.repo(ORDERS)
    if q.external_id is not None:
        found = repo.view_by("external", (q.channel, q.external_id))
        return [found] if found is not None else []
    if q.customer is not None:
        return repo.list_view("customer", q.customer.lower())
    if q.status is not None:
        return repo.list_view("status", q.status)
    if q.since is not None and q.until is not None and (q.until - q.since).days <= 366:
        days, day, last = [], day_of(q.since), day_of(q.until)
        while day <= last:
            days.append(day)
            day += dt.timedelta(days=1)
        return [o for d in days for o in repo.list_view("day", d)]
    if q.channel is not None:
        return repo.list_view("channel", q.channel)
    return repo.scan_view()


def run_query(uow: UnitOfWork, query: OrderQuery) -> Page[Order]:
    """The page of orders ``query`` asks for, oldest first."""
    matched = sorted((o for o in _candidates(uow, query) if query.matches(o)),
                     key=lambda o: (o.created_at, o.id))  # fmt: skip
    repo = uow.repo(ORDERS)
    items = tuple(repo.get(o.id) for o in matched[query.offset : query.offset + query.limit])
    return Page(items, len(matched), query.offset, query.limit)
