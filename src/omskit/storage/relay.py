"""The outbox relay: a long-running deliverer of a SQL store's committed events.

``python -m omskit relay --store URL`` runs one [`Relay`][]; any number may run at
once over one store, on one host or many. Each relay claims a batch of outbox rows
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite a claim column written under
``BEGIN IMMEDIATE``), so no two relays hold one event at a time. For every claimed event
it calls each subscriber still due for it and records the outcome in the outbox row in
a transaction of its own, event by event: an event is deleted once every subscriber has
it, and a subscriber that has an event is never handed it again, by this relay or by
another.

What that guarantees, and what it cannot:

* **at least once**: an event leaves the outbox only after every subscriber took it or
  used up its retries (a dead letter). A relay killed while holding a claim loses it
  when its lease runs out ([`SqlOutbox.lease`][omskit.storage.sql.SqlOutbox]) and
  another relay delivers what it had not recorded;
* **once per subscriber** whenever the relay records what it did, which is every time
  short of a crash: clean stops (SIGTERM, SIGINT) finish the batch in hand, and claims
  keep relays apart. A relay killed between a subscriber's return and the write of that
  delivery (one small transaction) leaves that one event due again for that subscriber,
  so a subscriber whose effect must happen once dedupes on ``event.event_id``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

import attrs

from omskit.clock import Clock
from omskit.events import EventDispatcher, Subscriber
from omskit.storage.sql import SqlOutbox

__all__ = ["Relay", "RelayPass"]


@attrs.define
class RelayPass:
    """What one walk over the outbox did.

    Attributes:
        events: events claimed and handed to their subscribers.
        deliveries: successful deliveries (one per event and subscriber).
        batches: how many claims the pass took.
    """

    events: int = 0
    deliveries: int = 0
    batches: int = 0


class Relay:
    """Delivers a SQL store's outbox to subscribers, batch by batch, until stopped.

    Args:
        outbox: the store's outbox (``store.outbox``).
        dispatcher: delivers one event and records failures and retries (the OMS's
            ``runtime.dispatcher``, so its retry policy applies).
        subscribers: the subscribers by name, asked afresh for every batch.
        clock: what "now" is for retry times.
        batch: how many events one claim takes (at most).
        interval: seconds to wait when the outbox has nothing due.
    """

    def __init__(
        self,
        outbox: SqlOutbox,
        dispatcher: EventDispatcher,
        subscribers: Callable[[], Mapping[str, Subscriber]],
        clock: Clock,
        *,
        batch: int = 100,
        interval: float = 1.0,
    ) -> None:
        self._outbox = outbox
        self._dispatcher = dispatcher
        self._subscribers = subscribers
        self._clock = clock
        self.batch = batch
        self.interval = interval
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the relay to stop once the batch in hand is delivered and recorded."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Whether [`stop`][] was called."""
        return self._stop.is_set()

    def drain(self) -> RelayPass:
        """Walk the outbox once, oldest first, delivering what is due; return the tally.

        Events committed while the walk runs are included (they come later in the
        outbox); events waiting for a retry are left for a later pass.
        """
        done = RelayPass()
        after = 0
        while not self._stop.is_set():
            if not self._subscribers():  # nobody to deliver to: every event stays put
                break
            claimed = self._outbox.claim(after=after, limit=self.batch)
            if not claimed:
                break
            done.batches += 1
            subscribers = self._subscribers()
            for seq, record in claimed:  # the whole batch, even when asked to stop
                now = self._clock.now()
                done.deliveries += self._dispatcher.deliver(record, subscribers, now)
                self._outbox.settle([record], subscribers)
                done.events += 1
                after = seq
        return done

    def run(self) -> RelayPass:
        """Drain, wait ``interval`` seconds when nothing was due, repeat until stopped."""
        total = RelayPass()
        while not self._stop.is_set():
            done = self.drain()
            total.events += done.events
            total.deliveries += done.deliveries
            total.batches += done.batches
            if not done.deliveries:
                self._stop.wait(self.interval)
        return total
