"""The stored records of notifications: messages (the delivery outbox) and timers.

A [`Notification`][] is one message to one recipient on one channel. It is stored before
anything is sent, under a unique idempotency ``key`` (trigger, the event's identifying
fields, channel, recipient), so a replayed event finds its message already there and
sends nothing. Its status moves only along ``MOVES``::

    queued ──send──> sent
      │ └──fail──> failed ──send──> sent
      │              │ └──fail──> failed
      └──give_up──> dead <──give_up──┘
    dead ──requeue──> queued              suppressed (stored, never sent)

A [`Watch`][] is a timer the delay-detected and pickup-reminder triggers run from:
[`NotificationService.tick`][omskit.notifications.service.NotificationService.tick]
fires the watches that are due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

import attrs

from omskit.errors import InvalidTransition
from omskit.events import Event
from omskit.storage.ports import Aggregate, Collection, Repository

__all__ = [
    "MOVES",
    "NOTIFICATIONS",
    "STATUSES",
    "WATCHES",
    "Notification",
    "NotificationStep",
    "Watch",
]

#: Every status a notification can have.
STATUSES: tuple[str, ...] = ("queued", "sent", "failed", "dead", "suppressed")

#: The transition table: action -> (statuses it is allowed from, status it leads to).
MOVES: dict[str, tuple[frozenset[str], str]] = {
    "send": (frozenset({"queued", "failed"}), "sent"),
    "fail": (frozenset({"queued", "failed"}), "failed"),
    "give_up": (frozenset({"queued", "failed"}), "dead"),
    "requeue": (frozenset({"dead"}), "queued"),
}


@attrs.frozen
class NotificationStep:
    """One entry of a message's history: when, the status it reached, why, and who."""

    at: dt.datetime
    status: str
    note: str = ""
    actor: str = "system"


@attrs.define(eq=False)
class Notification(Aggregate):
    """One message to one recipient on one channel, and how its delivery went.

    ``locale`` is the template's locale; ``locale_note`` says why it is not the one the
    recipient asked for. ``not_before`` defers sending (quiet hours, back-off).
    """

    key: str
    trigger: str
    topic: str
    kind: str
    channel: str
    recipient: str
    event_id: str
    event_type: str
    created_at: dt.datetime
    not_before: dt.datetime
    subject: str = ""
    text: str = ""
    html: str = ""
    locale: str = ""
    locale_note: str = ""
    customer: str = ""
    order_id: str = ""
    status: str = "queued"
    reason: str = ""
    attempts: int = 0
    last_error: str = ""
    provider: str = ""
    provider_ref: str = ""
    sent_at: dt.datetime | None = None
    unsubscribe_url: str = ""
    history: list[NotificationStep] = attrs.field(factory=list)

    ENTITY: ClassVar[str] = "notification"

    def move(self, action: str, at: dt.datetime, note: str = "", actor: str = "system") -> None:
        """Apply ``action`` from ``MOVES``; raises [`InvalidTransition`][] off the table."""
        allowed, target = MOVES[action]
        if self.status not in allowed:
            raise InvalidTransition(f"notification {self.id}", self.status, action, sorted(allowed))
        self.status = target
        self.history.append(NotificationStep(at, target, note, actor))

    @property
    def due(self) -> bool:
        """Whether the message still waits to be sent (queued or failed, not dead)."""
        return self.status in ("queued", "failed")

    def clone(self) -> Notification:
        """A copy with its own history; every other field holds an immutable value.

        Storage copies a message on every read and commit (four times per captured
        order), and the generic deep copy was a sixth of a capture's time.
        """
        if type(self) is not Notification:  # a subclass may add mutable fields
            return super().clone()
        new = object.__new__(Notification)
        for name in _NOTIFICATION_SLOTS:
            object.__setattr__(new, name, getattr(self, name))
        new._events = []
        new.history = list(self.history)
        return new


_NOTIFICATION_SLOTS = tuple(a.name for a in attrs.fields(Notification) if a.name != "_events")


NOTIFICATIONS: Collection[Notification] = Collection(
    "notifications",
    Notification,
    unique={"key": lambda n: n.key},
    indexes={
        "status": lambda n: n.status,
        "order": lambda n: n.order_id or None,
        "customer": lambda n: n.customer or None,
    },
    label="notification",
)


@attrs.define(eq=False)
class Watch(Aggregate):
    """A timer: when ``due`` passes, ``tick`` records ``event`` (once)."""

    kind: str
    due: dt.datetime
    order_id: str
    event: Any  # an Event subclass: stored with its type tag, so it loads as itself
    fired: bool = False
    cleared: bool = False

    def fire(self) -> None:
        """Record the watch's event and mark it fired."""
        if not isinstance(self.event, Event):
            raise TypeError(f"watch {self.id} holds {self.event!r}, not an event")
        self.fired = True
        self.record(self.event)


WATCHES: Collection[Watch] = Collection(
    "notification_watches",
    Watch,
    indexes={"open": lambda w: None if (w.fired or w.cleared) else "open"},
    label="notification watch",
)


_A = TypeVar("_A", bound=Aggregate)


def select(repo: Repository[_A], by: Mapping[str, tuple[str, Any]], **also: Any) -> list[_A]:
    """Stored rows matching every given criterion, oldest first.

    ``by`` maps an index name to ``(attribute, wanted)``: the first with a wanted value
    (not ``None``) picks the rows through the index, then every criterion of ``by`` and
    ``also`` (attribute names) that is not ``None`` must hold. Nothing given: every row.
    """
    criteria = dict(by.values()) | also
    criteria = {attr: wanted for attr, wanted in criteria.items() if wanted is not None}
    index = next(((name, w) for name, (_, w) in by.items() if w is not None), None)
    found = list(repo.scan()) if index is None else repo.list_by(*index)
    return [row for row in found
            if all(getattr(row, attr) == wanted for attr, wanted in criteria.items())]  # fmt: skip
