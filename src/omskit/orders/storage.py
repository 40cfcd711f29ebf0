"""Where orders are stored, with the keys and indexes capture, risk and queries use.

Velocity indexes are bucketed by UTC day (``(email, date)``), so counting a customer's
recent orders reads one or two small buckets however many orders the store holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

from omskit.customers.address import Address
from omskit.orders.model import Order
from omskit.storage.ports import Collection

__all__ = ["ORDERS", "address_key", "created_key", "day_of", "email_key"]


_DAYS: dict[dt.date, dt.date] = {}


def day_of(moment: dt.datetime) -> dt.date:
    """The UTC calendar day of ``moment``.

    Equal days are one shared object, so the day-bucketed index keys of a million stored
    orders do not each hold a date of their own.
    """
    day = moment.astimezone(dt.UTC).date()
    return _DAYS.setdefault(day, day)


def address_key(address: Address) -> str:
    """A normalised key for "the same delivery address"."""
    street = " ".join(address.line1.lower().split())
    return f"{address.country}|{address.postal_code.replace(' ', '')}|{street}"


def email_key(email: str) -> str:
    """``email`` in lower case; the very string given when it already is (no copy)."""
    lower = email.lower()
    return email if lower == email else lower


def created_key(moment: dt.datetime) -> str:
    """``moment`` in UTC as fixed-width text, which sorts as the moments do.

    The ``created`` index holds it, so a SQL store filters by date range and sorts by
    creation time on an indexed column.
    """
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _card_day(order: Order) -> Hashable | None:
    if not order.card_fingerprint:
        return None
    return (order.card_fingerprint, day_of(order.created_at))


ORDERS: Collection[Order] = Collection(
    "orders",
    Order,
    unique={"external": lambda o: (o.channel, o.external_id)},
    indexes={
        "customer": lambda o: email_key(o.customer_email),
        "customer_id": lambda o: o.customer_id or None,
        "external_id": lambda o: o.external_id,
        "status": lambda o: o.status,
        "channel": lambda o: o.channel,
        "day": lambda o: day_of(o.created_at),
        "created": lambda o: created_key(o.created_at),
        "email_day": lambda o: (email_key(o.customer_email), day_of(o.created_at)),
        "card_day": _card_day,
        "address_day": lambda o: (address_key(o.ship_to), day_of(o.created_at)),
    },
    label="order",
)
