"""The broker relay: committed events, from the outbox, onto a message broker.

The relay is an event subscriber (``relay.attach(oms.runtime)``). omskit writes each
event to the outbox in the commit that made it and records, per subscriber, whether it
was delivered; so the relay's guarantees follow from the outbox's:

* **at least once**: an event is settled for the relay only after the broker confirmed
  it (publisher confirms). A broker that is down, refuses, or never answers makes the
  delivery fail; the dispatcher retries it with back-off. A process that dies between
  the broker's confirm and the outbox's record publishes it again when it resumes;
* **no duplicates for a consumer that dedupes**: every message carries the event id as
  its message id (and as ``id`` in the body), so a consumer drops what it has seen;
* **ordered per aggregate**: while an event of an aggregate is not published, every
  later event of that aggregate is held back (its delivery fails with "held behind")
  and goes out right after the blocker does, in commit order; so consumers never see
  ``OrderShipped`` before the ``OrderCaptured`` it follows. Other aggregates go on.

Give the dispatcher's retry policy (``OMSConfig(events=...)``) room for the longest
outage you want to ride out; what runs out of attempts is parked as a dead letter, and
[`BrokerRelay.republish`][] sends dead letters again once the broker is back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from omskit.events import DeadLetter, Event
from omskit.integrations.broker.envelope import AggregateOf, aggregate_of, envelope, envelope_bytes

__all__ = [
    "BrokerMessage",
    "BrokerRelay",
    "BrokerUnavailable",
    "EventHeldBack",
    "MemoryPublisher",
    "Publisher",
    "Subscribable",
]


@attrs.frozen
class BrokerMessage:
    """One event as a broker message.

    Attributes:
        message_id: the event id (consumers dedupe on it).
        type: the event type, e.g. ``OrderCaptured``.
        routing_key: ``<aggregate type>.<event type>``, e.g. ``order.OrderCaptured``.
        aggregate: ``(type, id)`` of the aggregate.
        body: the JSON envelope (see ``omskit.integrations.broker.envelope``).
        timestamp: the event's time, Unix seconds.
    """

    message_id: str
    type: str
    routing_key: str
    aggregate: tuple[str, str]
    body: bytes
    timestamp: int


class BrokerUnavailable(ConnectionError):
    """The broker did not confirm a message (down, refused, nacked, or returned it).

    A ``ConnectionError``: the relay's delivery fails and the outbox retries it. Every
    publisher (RabbitMQ, NATS JetStream) raises this one type.
    """


class Publisher(Protocol):
    """Sends messages to a broker; returns only once the broker has confirmed them all."""

    def publish(self, message: BrokerMessage) -> None:
        """Publish ``message`` and wait for the broker's confirm; raise if there is none."""
        ...


class Subscribable(Protocol):
    """What the relay needs of omskit's runtime: a way to subscribe by name."""

    def subscribe(self, name: str, handler: Any) -> None:
        """Deliver every committed event to ``handler`` under ``name``."""
        ...


class EventHeldBack(RuntimeError):
    """An event waits for an earlier event of its aggregate to be published first."""

    def __init__(self, event_id: str, aggregate: tuple[str, str], blocker: str) -> None:
        self.event_id = event_id
        self.aggregate = aggregate
        self.blocker = blocker
        super().__init__(
            f"event {event_id} held behind {blocker}, not yet published, of "
            f"{aggregate[0]} {aggregate[1]!r}: events of one aggregate go out in order"
        )


class BrokerRelay:
    """Publishes every committed event through a [`Publisher`][], in order per aggregate.

    Args:
        publisher: the broker client (``RabbitMQPublisher``).
        name: the subscriber name; keep it stable, since the outbox records deliveries
            under it (a renamed relay would publish everything again).
        aggregate: which aggregate an event belongs to (default: its first field).
        types: publish only these event types (default: all).
    """

    def __init__(
        self,
        publisher: Publisher,
        *,
        name: str = "broker",
        aggregate: AggregateOf = aggregate_of,
        types: Iterable[str] | None = None,
    ) -> None:
        self.publisher = publisher
        self.name = name
        self._aggregate = aggregate
        self._types = frozenset(types) if types is not None else None
        self._held: dict[tuple[str, str], list[Event]] = {}
        self._flushed: set[str] = set()
        self._lock = threading.Lock()
        self.published = 0

    def attach(self, runtime: Subscribable) -> BrokerRelay:
        """Subscribe to ``runtime``'s committed events (``oms.runtime``); returns self."""
        runtime.subscribe(self.name, self)
        return self

    def message(self, event: Event) -> BrokerMessage:
        """``event`` as the message the relay publishes."""
        document = envelope(event, self._aggregate)
        kind, key = document["aggregate"]["type"], document["aggregate"]["id"]
        return BrokerMessage(
            message_id=event.event_id,
            type=event.event_type,
            routing_key=f"{kind}.{event.event_type}",
            aggregate=(kind, key),
            body=envelope_bytes(document),
            timestamp=int(event.occurred_at.timestamp()),
        )

    def __call__(self, event: Event) -> None:
        """Publish ``event``, or raise so the outbox keeps it for a later attempt."""
        if self._types is not None and event.event_type not in self._types:
            return
        message = self.message(event)
        agg = message.aggregate
        with self._lock:
            if event.event_id in self._flushed:  # published behind its blocker already
                self._flushed.discard(event.event_id)
                return
            queue = self._held.get(agg)
            if queue and queue[0].event_id != event.event_id:
                if all(e.event_id != event.event_id for e in queue):
                    queue.append(event)
                raise EventHeldBack(event.event_id, agg, queue[0].event_id)
            try:
                self.publisher.publish(message)
            except BaseException:
                if not queue:
                    self._held[agg] = [event]
                raise
            self.published += 1
            if queue:
                queue.pop(0)
                self._flush(agg, queue)

    def _flush(self, agg: tuple[str, str], queue: list[Event]) -> None:
        """Publish the events held behind a blocker that just went out, in order."""
        while queue:
            try:
                self.publisher.publish(self.message(queue[0]))
            except Exception:  # the new head blocks; its own delivery retries it
                return
            self.published += 1
            self._flushed.add(queue.pop(0).event_id)
        del self._held[agg]

    def held(self) -> Mapping[tuple[str, str], tuple[str, ...]]:
        """Aggregates with events waiting: the blocker first, then those behind it."""
        with self._lock:
            return {agg: tuple(e.event_id for e in q) for agg, q in self._held.items()}

    def republish(self, dead: Sequence[DeadLetter]) -> int:
        """Publish again the dead letters that were this relay's, oldest first.

        Returns how many were handed over; raises the first failure.
        """
        mine = [d for d in dead if d.subscriber == self.name]
        for letter in mine:  # a dead blocker is still its aggregate's head: it goes first
            self(letter.event)
        return len(mine)


class MemoryPublisher:
    """A publisher that keeps messages in a list (for tests and examples).

    ``fail`` set to an exception makes every publish raise it, as a broker outage would.
    """

    def __init__(self) -> None:
        self.messages: list[BrokerMessage] = []
        self.fail: BaseException | None = None

    def publish(self, message: BrokerMessage) -> None:
        """Append ``message``, or raise ``fail``."""
        if self.fail is not None:
            raise self.fail
        self.messages.append(message)
