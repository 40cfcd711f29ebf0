"""Back-in-stock subscriptions: "tell me when this is available again".

A [`StockSubscription`][] is one request, by a customer or just an email address, to
hear when a SKU is back: anywhere (the salable quantity over every location that sells
online), or at one location (a store's shelf). When inventory records ``BackInStock``
for the SKU and the stock in the subscription's scope is still there when the event is
handled, the ``back_in_stock`` trigger sends each open subscription exactly one
message and closes it (``notified``), in the same unit of work as the messages are
stored. Its status moves only along ``SUBSCRIPTION_MOVES``::

    open ──notify──> notified
      └──cancel──> cancelled
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import attrs

from omskit.errors import InvalidTransition
from omskit.storage.ports import Aggregate, Collection

__all__ = ["STOCK_SUBSCRIPTIONS", "SUBSCRIPTION_MOVES", "StockSubscription"]

#: action -> (statuses it is allowed from, the status it leads to).
SUBSCRIPTION_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "notify": (frozenset({"open"}), "notified"),
    "cancel": (frozenset({"open"}), "cancelled"),
}


@attrs.define(eq=False)
class StockSubscription(Aggregate):
    """One request to be told when ``sku`` is back in stock.

    Attributes:
        sku: the product asked about.
        email: where the message goes (the customer's email when only ``customer`` was
            given), lower-cased.
        customer: the customer id, or empty for a guest; whose preferences apply.
        location: the one location whose stock counts, or empty for the salable
            quantity everywhere.
        channel: the sales channel the request came from (its locale is the message's
            when neither the request nor the customer names one), or empty.
        locale: the message's locale, or empty for the customer's.
        status: ``open``, ``notified`` or ``cancelled``.
        notifications: the ids of the messages the subscription produced.
    """

    sku: str
    email: str
    created_at: dt.datetime
    customer: str = ""
    location: str = ""
    channel: str = ""
    locale: str = ""
    status: str = "open"
    closed_at: dt.datetime | None = None
    notifications: tuple[str, ...] = ()
    history: list[tuple[dt.datetime, str, str]] = attrs.field(factory=list)

    ENTITY: ClassVar[str] = "stock subscription"

    @property
    def preference_key(self) -> str:
        """Whose preferences the message obeys: the customer id, else the email."""
        return self.customer or self.email

    def move(self, action: str, at: dt.datetime, actor: str) -> None:
        """Apply ``action`` of ``SUBSCRIPTION_MOVES``; [`InvalidTransition`][] off it."""
        allowed, target = SUBSCRIPTION_MOVES[action]
        if self.status not in allowed:
            raise InvalidTransition(f"stock subscription {self.id}", self.status, action,
                                    sorted(allowed))  # fmt: skip
        self.status, self.closed_at = target, at
        self.history.append((at, target, actor))


STOCK_SUBSCRIPTIONS: Collection[StockSubscription] = Collection(
    "notification_stock_subscriptions",
    StockSubscription,
    indexes={
        "open_sku": lambda s: s.sku if s.status == "open" else None,
        "sku": lambda s: s.sku,
        "email": lambda s: s.email,
    },
    label="stock subscription",
)
