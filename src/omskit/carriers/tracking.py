"""Tracking statuses and the merge rule that makes tracking order-independent.

A parcel's status is a pure function of the *set* of tracking events known for it, so
webhooks that arrive late, out of order or twice always leave the same final state:

* ``delivered`` dominates everything (a parcel that arrived has arrived);
* then ``returned_to_sender`` (it came back);
* otherwise the latest event by time wins, ties broken by how far along the status is.

``shipped`` (the parcel left the warehouse) and ``delivered`` are monotone facts: once an
event proving them is in the set, they stay true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from omskit.carriers.model import TrackingEvent
from omskit.errors import ValidationError

__all__ = [
    "EXCEPTION_STATUSES",
    "STATUSES",
    "TERMINAL_STATUSES",
    "combine_statuses",
    "is_delivered",
    "is_shipped",
    "merge_events",
    "parse_time",
    "status_of",
]

#: Every parcel status, in lifecycle order (exceptions after the happy path).
STATUSES: tuple[str, ...] = (
    "label_purchased",
    "handed_over",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "delayed",
    "failed_attempt",
    "lost",
    "returned_to_sender",
)

#: Statuses that mean something went wrong.
EXCEPTION_STATUSES = frozenset({"delayed", "failed_attempt", "lost", "returned_to_sender"})
#: Statuses after which nothing more is expected.
TERMINAL_STATUSES = frozenset({"delivered", "returned_to_sender"})

# How far along each status is (ties at one timestamp go to the furthest).
_RANK = {
    "label_purchased": 0,
    "handed_over": 1,
    "in_transit": 2,
    "delayed": 2,
    "out_for_delivery": 3,
    "failed_attempt": 3,
    "lost": 4,
    "returned_to_sender": 5,
    "delivered": 6,
}
_DOMINANCE = {"delivered": 2, "returned_to_sender": 1}
# Severity of exceptions when several parcels of one shipment disagree.
_SEVERITY = {"lost": 4, "returned_to_sender": 3, "failed_attempt": 2, "delayed": 1}
_STAGE = {
    "label_purchased": 0,
    "handed_over": 1,
    "in_transit": 2,
    "out_for_delivery": 3,
    "delivered": 4,
}


def _key(event: TrackingEvent) -> tuple[int, dt.datetime, int, str, str, str]:
    return (
        _DOMINANCE.get(event.status, 0),
        event.at,
        _RANK[event.status],
        event.code,
        event.location,
        event.description,
    )


def status_of(events: Iterable[TrackingEvent], default: str = "label_purchased") -> str:
    """The status a set of events adds up to (``default`` when there are none)."""
    best = max(events, key=_key, default=None)
    return default if best is None else best.status


def merge_events(
    known: Iterable[TrackingEvent], incoming: Iterable[TrackingEvent]
) -> tuple[tuple[TrackingEvent, ...], tuple[TrackingEvent, ...]]:
    """Union ``incoming`` into ``known``: returns (all events sorted, the new ones only)."""
    have = set(known)
    new: list[TrackingEvent] = []
    for event in incoming:
        if event not in have:
            have.add(event)
            new.append(event)
    return tuple(sorted(have)), tuple(sorted(set(new)))


def is_shipped(events: Iterable[TrackingEvent]) -> bool:
    """True once any event shows the parcel left the shipper (any status past the label)."""
    return any(e.status != "label_purchased" for e in events)


def is_delivered(events: Iterable[TrackingEvent]) -> bool:
    """True once a delivery scan is known."""
    return any(e.status == "delivered" for e in events)


def combine_statuses(statuses: Iterable[str]) -> str:
    """One status for a multi-parcel shipment.

    ``delivered`` when every parcel is; otherwise the most severe exception among parcels
    not yet delivered, or else the least advanced parcel's status.
    """
    found = list(statuses)
    if not found:
        return "label_purchased"
    open_ = [s for s in found if s != "delivered"]
    if not open_:
        return "delivered"
    exceptions = [s for s in open_ if s in _SEVERITY]
    if exceptions:
        return max(exceptions, key=_SEVERITY.__getitem__)
    return min(open_, key=_STAGE.__getitem__)


def parse_time(value: object, field: str) -> dt.datetime:
    """An ISO 8601 timestamp with a time zone, as a UTC datetime."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                field, value, "expected an ISO 8601 time such as '2026-11-25T10:00:00+00:00'"
            ) from None
    else:
        raise ValidationError(field, value, "expected an ISO 8601 time string")
    if parsed.tzinfo is None:
        raise ValidationError(field, value, "the time needs a UTC offset, e.g. '+00:00' or 'Z'")
    return parsed.astimezone(dt.UTC)
