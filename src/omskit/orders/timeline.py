"""One merged timeline of an order: its own history, payments, and what others add.

The order's history and its payment's transactions are read here; fulfillment (work at
locations, shipments and their tracking) and returns sit above orders in the import
order, so they add their entries through a *source* they register with
[`OrderService.add_timeline_source`][omskit.orders.service.OrderService.add_timeline_source]
when the OMS is built. Every entry has the same five facts (when, which source, what
kind of step, who, and a readable line), and the timeline is in time order; entries at
the same moment keep the order the sources give them (the order's own first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import attrs

from omskit.money import Money
from omskit.orders.model import Order, TimelineEntry
from omskit.storage.ports import UnitOfWork

__all__ = [
    "OrderTimeline",
    "TimelineEvent",
    "TimelineSource",
    "merge",
    "order_entries",
    "payment_entries",
]


@attrs.frozen
class TimelineEvent:
    """One step in an order's merged timeline.

    Attributes:
        at: when it happened (the OMS clock).
        source: where it comes from: ``"order"``, ``"payment"``, ``"fulfillment"``,
            ``"shipment"`` or ``"return"``.
        kind: what happened there (``"captured"``, ``"authorize"``, ``"accepted"``,
            a tracking status such as ``"in_transit"``, ``"receive"``...).
        actor: who did it (a user, a connector, ``"system"``, ``"carrier"``).
        text: one readable line about it, the kind of step included.
        ref: the id of the thing it happened to (the order, a fulfillment order, a
            shipment, a return); empty for the order's payment.
    """

    at: dt.datetime
    source: str
    kind: str
    actor: str
    text: str
    ref: str = ""

    def describe(self) -> str:
        """``2026-11-24 09:00 fulfillment ber:kim: fo_000001 at BER accepted``."""
        return f"{self.at:%Y-%m-%d %H:%M} {self.source:<11} {self.actor}: {self.text}"


#: A source of timeline entries: ``source(uow, order_id)`` gives what it knows.
TimelineSource = Callable[[UnitOfWork, str], Iterable[TimelineEvent]]


@attrs.frozen
class OrderTimeline:
    """Everything that happened to one order, oldest first."""

    order_id: str
    entries: tuple[TimelineEvent, ...]

    def sources(self) -> tuple[str, ...]:
        """The sources present, in the order they first appear."""
        return tuple(dict.fromkeys(e.source for e in self.entries))

    def explain(self) -> str:
        """The timeline as readable lines."""
        return "\n".join(e.describe() for e in self.entries)


def _order_text(entry: TimelineEntry) -> str:
    text = entry.action + (f" ({entry.status})" if entry.status else "")
    if entry.reason:
        text += f": {entry.reason}"
    if entry.changes:
        text += "; " + ", ".join(f"{k} {v}" for k, v in entry.changes)
    return text


def order_entries(order: Order) -> list[TimelineEvent]:
    """The order's own history as timeline entries."""
    return [
        TimelineEvent(e.at, "order", e.action, e.actor, _order_text(e), order.id)
        for e in order.history
    ]


def _amount(money: Money) -> str:
    return f"{money.amount} {money.currency}"


def payment_entries(payment: object) -> list[TimelineEvent]:
    """The payment's recorded gateway operations as timeline entries."""
    out = []
    for txn in getattr(payment, "transactions", ()):
        if txn.at is None:  # pragma: no cover - the payment service stamps every one
            continue
        text = f"{txn.kind} {_amount(txn.amount)} on {txn.gateway}: {txn.status}"
        if not txn.succeeded and txn.message:
            text += f" ({txn.message})"
        out.append(TimelineEvent(txn.at, "payment", txn.kind, txn.actor or "system", text))
    return out


def merge(order: Order, payment: object, extra: Iterable[Iterable[TimelineEvent]]) -> OrderTimeline:
    """The order's, the payment's and the sources' entries in one list, by time."""
    entries = order_entries(order)
    if payment is not None:
        entries.extend(payment_entries(payment))
    for found in extra:
        entries.extend(found)
    entries.sort(key=lambda e: e.at)  # stable: same-moment entries keep source order
    return OrderTimeline(order.id, tuple(entries))
