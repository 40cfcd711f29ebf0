"""Finding orders: by id, external id, customer, status, channel and date range, paged.

The most selective criterion picks a store index (external id, customer, status,
channel, then day by day through a date range); the rest filter what it returns.
``customer`` is a registered customer's id or an email address: either way an order
matches when it is linked to that customer or was placed with that customer's email.
Matching, counting and sorting look at read-only views, so only the page handed back is
copied: asking for 50 orders of a channel with a million costs 50 copies, not a million.

On a store whose repositories can ``page`` (the SQL stores), the criteria become
conditions on the indexed columns instead (the ``created`` index holds each order's UTC
time as sortable text), and filtering, counting, sorting and paging all run in SQL:
only the page's rows are read and decoded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from omskit.customers.model import CUSTOMERS
from omskit.errors import ValidationError
from omskit.orders.lifecycle import ORDER_STATUSES
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS, created_key, day_of, email_key
from omskit.paging import MAX_LIMIT as _MAX_LIMIT
from omskit.paging import Page
from omskit.storage.ports import UnitOfWork

__all__ = ["OrderQuery", "Page", "run_query"]


@attrs.frozen(kw_only=True)
class OrderQuery:
    """Criteria for finding orders; every given criterion must match.

    ``customer`` is a customer id (``"cus_000001"``) or an email address (compared
    case-insensitively). ``external_id`` without ``channel`` matches the orders of
    every channel with that id. ``since`` is inclusive, ``until`` exclusive (both
    timezone-aware).
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
        for name in ("channel", "external_id"):
            text = getattr(self, name)
            if text is not None and (not isinstance(text, str) or not text.strip()):
                raise ValidationError(name, text, "expected non-empty text")
        customer = self.customer
        if customer is not None and (not isinstance(customer, str) or not customer.strip()):
            raise ValidationError(
                "customer", customer, "expected a customer id or an email address"
            )
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
                raise ValidationError(name, value, "expected a timezone-aware datetime")
        if isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0:
            raise ValidationError("offset", self.offset, "expected a whole number >= 0")
        if (isinstance(self.limit, bool) or not isinstance(self.limit, int)
                or not 1 <= self.limit <= _MAX_LIMIT):  # fmt: skip
            raise ValidationError("limit", self.limit, f"expected 1 to {_MAX_LIMIT}")

    def matches(self, order: Order, customer: tuple[str, str] | None = None) -> bool:
        """Whether ``order`` meets every criterion.

        ``customer`` is the ``(customer id, lower-case email)`` the ``customer``
        criterion resolved to (`run_query` looks it up); without it the criterion
        is compared with the order's customer id and email as given.
        """
        if self.customer is not None:
            wanted_id, wanted_email = customer or (self.customer, self.customer.lower())
            if not (
                (wanted_id and order.customer_id == wanted_id)
                or (wanted_email and email_key(order.customer_email) == wanted_email)
            ):
                return False
        return (
            (self.channel is None or order.channel == self.channel)
            and (self.external_id is None or order.external_id == self.external_id)
            and (self.status is None or order.status == self.status)
            and (self.since is None or order.created_at >= self.since)
            and (self.until is None or order.created_at < self.until)
        )


def resolve_customer(uow: UnitOfWork, text: str) -> tuple[str, str]:
    """``(customer id, lower-case email)`` for a customer criterion (either may be ``""``).

    An email names the registered customer with that email, if any; an id names the
    customer with that id, whose email then matches too.
    """
    text = text.strip()
    customers = uow.repo(CUSTOMERS)
    if "@" in text:
        email = text.lower()
        stored = customers.view_by("email", email)
        return (stored.id if stored is not None else "", email)
    stored = customers.view(text)
    return (text, stored.email.lower() if stored is not None else "")


def _candidates(  # noqa: PLR0911 - one return per index, most selective first
    uow: UnitOfWork, q: OrderQuery, customer: tuple[str, str] | None
) -> Iterable[Order]:
    """Read-only views of the orders the most selective criterion allows."""
    repo = uow.repo(ORDERS)
    if q.external_id is not None:
        if q.channel is None:  # unique per channel: over every channel it may repeat
            return repo.list_view("external_id", q.external_id)
        found = repo.view_by("external", (q.channel, q.external_id))
        return [found] if found is not None else []
    if customer is not None:
        wanted_id, wanted_email = customer
        linked = repo.list_view("customer_id", wanted_id) if wanted_id else []
        by_email = repo.list_view("customer", wanted_email) if wanted_email else []
        return list({o.id: o for o in (*linked, *by_email)}.values())
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


def _where(q: OrderQuery, customer: tuple[str, str] | None) -> list[list[tuple[str, str, object]]]:
    """``q``'s criteria as conditions on the order indexes (for a store's ``page``)."""
    where: list[list[tuple[str, str, object]]] = []
    if customer is not None:
        wanted_id, wanted_email = customer
        either: list[tuple[str, str, object]] = []
        if wanted_id:
            either.append(("customer_id", "=", wanted_id))
        if wanted_email:
            either.append(("customer", "=", wanted_email))
        where.append(either)  # empty when nobody is named: then nothing matches
    for index, value in (("status", q.status), ("channel", q.channel)):
        if value is not None:
            where.append([(index, "=", value)])
    if q.since is not None:
        where.append([("created", ">=", created_key(q.since))])
    if q.until is not None:
        where.append([("created", "<", created_key(q.until))])
    return where


def run_query(uow: UnitOfWork, query: OrderQuery) -> Page[Order]:
    """The page of orders ``query`` asks for, oldest first."""
    customer = None if query.customer is None else resolve_customer(uow, query.customer)
    repo = uow.repo(ORDERS)
    page = getattr(repo, "page", None)  # a SQL store filters, sorts and pages in SQL
    if page is not None and query.external_id is None:
        items, total = page(
            _where(query, customer), order="created", offset=query.offset, limit=query.limit
        )
        return Page(tuple(items), total, query.offset, query.limit)
    matched = sorted(
        (o for o in _candidates(uow, query, customer) if query.matches(o, customer)),
        key=lambda o: (o.created_at, o.id),
    )
    items = tuple(repo.get(o.id) for o in matched[query.offset : query.offset + query.limit])
    return Page(items, len(matched), query.offset, query.limit)
