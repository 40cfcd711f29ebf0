"""Domain events and their delivery.

Aggregates record past-tense events (``OrderCaptured``, ``StockReserved``) while they
change. The unit of work stamps each with an id and the clock's time, and writes them to
the outbox *in the same commit* as the change itself. After the commit, the
[`EventDispatcher`][] hands every event to every ``omskit_on_event`` subscriber:

* a subscriber that raises never undoes the business change; its delivery is retried
  later, with exponential back-off, up to `RetryPolicy.max_attempts`, and is then
  parked as dead (visible through [`EventDispatcher.dead_letters`][]);
* a subscriber receives an event at most once: deliveries are recorded per subscriber,
  so a retry only goes to the subscribers that have not had it yet;
* what a subscriber raises is contained, ``BaseException`` subclasses included (a
  custom one, ``GeneratorExit``...): it is recorded as that delivery's failure and never
  reaches the caller whose commit produced the event. Only ``KeyboardInterrupt`` and
  ``SystemExit``, which ask the process to stop, propagate: the change is committed, and
  the event stays due for that subscriber (and any not reached yet) at the next dispatch.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

import attrs

from omskit.clock import Clock

__all__ = [
    "DeadLetter",
    "Event",
    "EventDispatcher",
    "OutboxRecord",
    "OutboxStore",
    "RetryPolicy",
    "Subscriber",
    "acting_as",
    "current_actor",
]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

#: Who the use case running in this thread (or task) acts for; ``None`` outside one.
_ACTOR: ContextVar[str | None] = ContextVar("omskit_actor", default=None)


def current_actor(default: str = "system") -> str:
    """The actor of the use case running now (see [`acting_as`][]), else ``default``."""
    return _ACTOR.get() or default


@contextmanager
def acting_as(actor: str | None) -> Iterator[None]:
    """Run the block on behalf of ``actor``: events recorded in it carry that actor.

    ``None`` leaves the current actor as it is (an inner call made by an outer one keeps
    the outer call's actor). Services use this through ``Runtime.run(..., actor=...)``;
    the value is per thread and per asyncio task.
    """
    if actor is None:
        yield
        return
    token = _ACTOR.set(actor)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def _actor_now() -> str:
    return _ACTOR.get() or "system"


@attrs.frozen(kw_only=True)
class Event:
    """Base of every domain event: something that has happened, named in the past tense.

    ``event_id`` and ``occurred_at`` are filled in by the unit of work when the change
    that recorded the event commits; until then they are empty. ``actor`` is who made the
    change: the ``actor`` given to the service call that recorded the event (every
    state-changing call takes one), ``"system"`` when none was given.
    """

    event_id: str = ""
    occurred_at: dt.datetime = EPOCH
    actor: str = attrs.field(factory=_actor_now)

    @property
    def event_type(self) -> str:
        """The event's type name, e.g. ``"OrderCaptured"``."""
        return type(self).__name__

    def stamped(self, event_id: str, at: dt.datetime) -> Event:
        """This event carrying ``event_id`` and ``occurred_at``.

        An unstamped event has not been seen outside the aggregate that recorded it, so
        it is stamped in place; an event that already has an id gets a stamped copy.
        """
        if self.event_id:
            return attrs.evolve(self, event_id=event_id, occurred_at=at)
        object.__setattr__(self, "event_id", event_id)
        object.__setattr__(self, "occurred_at", at)
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping with the event's name and fields (for webhooks, ERP, BI)."""
        data = attrs.asdict(self, value_serializer=_json_value)
        data["event_type"] = self.event_type
        return data


def _json_value(_inst: object, _field: object, value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "amount") and hasattr(value, "currency"):
        return {"amount": str(value.amount), "currency": value.currency}
    if type(value).__name__ == "Decimal":
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)  # a JSON array, in a stable order
    if isinstance(value, tuple):
        return list(value)
    return value


class EventRecorder:
    """Mixin for aggregates: [`record`][] events now, the unit of work collects them later."""

    __slots__ = ()
    _events: list[Event]

    def record(self, event: Event) -> None:
        """Remember ``event`` until the unit of work commits."""
        self._events.append(event)

    def pull_events(self) -> list[Event]:
        """Hand over the recorded events and forget them."""
        events, self._events[:] = list(self._events), []
        return events


@attrs.define
class RetryPolicy:
    """How failed deliveries are retried.

    ``max_attempts`` in all, waiting ``backoff_seconds * 2 ** (attempt - 1)`` (capped at
    ``max_backoff_seconds``) in between.
    """

    max_attempts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    backoff_seconds: float = attrs.field(default=30.0, validator=attrs.validators.ge(0))
    max_backoff_seconds: float = attrs.field(default=3600.0, validator=attrs.validators.ge(0))

    def delay(self, attempt: int) -> dt.timedelta:
        """How long to wait after failed ``attempt`` (1-based) before the next one."""
        seconds = min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)
        return dt.timedelta(seconds=seconds)


@attrs.define(eq=False)
class OutboxRecord:
    """One committed event and, per subscriber, how its delivery went."""

    event: Event
    delivered: set[str] = attrs.field(factory=set)
    attempts: dict[str, int] = attrs.field(factory=dict)
    retry_at: dict[str, dt.datetime] = attrs.field(factory=dict)
    last_error: dict[str, str] = attrs.field(factory=dict)
    dead: set[str] = attrs.field(factory=set)

    def waiting_for(self, subscriber: str, now: dt.datetime) -> bool:
        """Whether ``subscriber`` should get this event now."""
        if subscriber in self.delivered or subscriber in self.dead:
            return False
        due = self.retry_at.get(subscriber)
        return due is None or due <= now

    def settled(self, subscribers: Iterable[str]) -> bool:
        """True once every subscriber has the event or has given up on it."""
        return all(s in self.delivered or s in self.dead for s in subscribers)


@attrs.frozen
class DeadLetter:
    """An event a subscriber failed to take ``attempts`` times; ``error`` is the last failure."""

    event: Event
    subscriber: str
    attempts: int
    error: str


class OutboxStore(Protocol):
    """Where committed events wait for delivery (a table in a durable store).

    Storage backends implement it; [`append`][] is called inside the commit that produced
    the events, the other methods by the dispatcher after commit.
    """

    def append(self, events: Iterable[Event]) -> None:
        """Add freshly committed events."""
        ...

    def pending(self) -> list[OutboxRecord]:
        """Records not yet settled, oldest first."""
        ...

    def settle(self, records: Iterable[OutboxRecord], subscribers: Iterable[str]) -> None:
        """Persist delivery outcomes; drop records every subscriber has settled."""
        ...


Subscriber = Callable[[Event], object]


class EventDispatcher:
    """Delivers outbox records to subscribers, one at a time, retrying failures.

    Subscribers are ``(name, callable)`` pairs; the name identifies the subscriber in
    delivery records (for pluggy subscribers it is the plugin's name).
    """

    def __init__(
        self,
        outbox: OutboxStore,
        subscribers: Callable[[], Mapping[str, Subscriber]],
        clock: Clock,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._outbox = outbox
        self._subscribers = subscribers
        self._clock = clock
        self.policy = policy or RetryPolicy()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._dead: list[DeadLetter] = []
        self._discard: Callable[[], object] | None = getattr(outbox, "discard_all", None)

    def dispatch(self) -> int:
        """Deliver every due event to every subscriber still waiting for it.

        Returns the number of successful deliveries. Safe to call from many threads:
        deliveries are serialised, so none is made twice. A subscriber may itself run a
        use case: the events that commits are delivered by the dispatch already under way
        (a nested call returns 0 at once instead of waiting for itself).
        """
        if not self._subscribers():  # nobody listens: committed events are settled at once
            if self._discard is not None:
                self._discard()  # an outbox's optional shortcut for settling everything
                return 0
            with self._lock:
                if pending := self._outbox.pending():
                    self._outbox.settle(pending, ())
            return 0
        if getattr(self._local, "active", False):
            return 0
        delivered = 0
        with self._lock:
            self._local.active = True
            try:
                subscribers = self._subscribers()
                now = self._clock.now()
                done: list[OutboxRecord] = []  # keeps ids below unique while we run
                seen: set[int] = set()
                while records := [r for r in self._outbox.pending() if id(r) not in seen]:
                    for record in records:
                        delivered += self._deliver(record, subscribers, now)
                    self._outbox.settle(records, subscribers)
                    done.extend(records)
                    seen.update(id(r) for r in records)
            finally:
                self._local.active = False
        return delivered

    def deliver(
        self, record: OutboxRecord, subscribers: Mapping[str, Subscriber], now: dt.datetime
    ) -> int:
        """Deliver one claimed ``record`` to each subscriber due for it; returns deliveries.

        Failures are recorded on ``record`` (retry time, dead letter) as in [`dispatch`][];
        the caller settles it. For relays that claim rows themselves.
        """
        return self._deliver(record, subscribers, now)

    def _deliver(
        self, record: OutboxRecord, subscribers: Mapping[str, Subscriber], now: dt.datetime
    ) -> int:
        delivered = 0
        for name, handler in subscribers.items():
            if not record.waiting_for(name, now):
                continue
            try:
                handler(record.event)
            except (KeyboardInterrupt, SystemExit):
                raise  # the process is asked to stop: the event stays due for this subscriber
            except BaseException as exc:  # contained: the caller's change is committed
                self._failed(record, name, exc, now)
            else:
                record.delivered.add(name)
                record.retry_at.pop(name, None)
                delivered += 1
        return delivered

    def _failed(
        self, record: OutboxRecord, name: str, exc: BaseException, now: dt.datetime
    ) -> None:
        attempt = record.attempts.get(name, 0) + 1
        record.attempts[name] = attempt
        try:
            detail = str(exc)[:500]
        except Exception:  # a subscriber's exception whose __str__ fails as well
            detail = "(no message)"
        record.last_error[name] = f"{type(exc).__name__}: {detail}"
        if attempt >= self.policy.max_attempts:
            record.dead.add(name)
            record.retry_at.pop(name, None)
            self._dead.append(DeadLetter(record.event, name, attempt, record.last_error[name]))
        else:
            record.retry_at[name] = now + self.policy.delay(attempt)

    def dead_letters(self) -> list[DeadLetter]:
        """Deliveries that used up every attempt, oldest first."""
        with self._lock:
            return list(self._dead)

    def pending_count(self) -> int:
        """How many events still wait for at least one subscriber."""
        return len(self._outbox.pending())
