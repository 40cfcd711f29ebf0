"""The shared runtime every capability service works through.

It owns the injected clock and id generator, the storage backend, the plugin manager and
the event dispatcher, and gives services one way to run a use case:
[`Runtime.transaction`][] (commit on success, roll back on error, deliver events after
commit) and [`Runtime.run`][] (the same, retried on a concurrency conflict).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

import pluggy

from omskit.clock import Clock
from omskit.config import OMSConfig
from omskit.errors import ConcurrencyConflict
from omskit.events import Event, EventDispatcher, Subscriber
from omskit.ids import IdGenerator
from omskit.storage.ports import StorageBackend, UnitOfWork

__all__ = ["Runtime"]

T = TypeVar("T")


class Runtime:
    """Clock, ids, storage, plugins and events, shared by all services of one OMS."""

    def __init__(
        self,
        config: OMSConfig,
        clock: Clock,
        ids: IdGenerator,
        storage: StorageBackend,
        plugins: pluggy.PluginManager,
    ) -> None:
        self.config = config
        self.clock = clock
        self.ids = ids
        self.storage = storage
        self.plugins = plugins
        self.dispatcher = EventDispatcher(storage.outbox, self._subscribers, clock, config.events)
        self._extra_subscribers: dict[str, Subscriber] = {}
        self._subscriber_cache: Mapping[str, Subscriber] = {}
        self._subscriber_key: tuple[object, ...] | None = None
        self._extra_version = 0

    def _subscribers(self) -> Mapping[str, Subscriber]:
        impls = self.plugins.hook.omskit_on_event.get_hookimpls()
        # hook implementations compare by identity, and the key holds them, so a
        # re-registered plugin is never mistaken for the one it replaced
        key = (*impls, self._extra_version)
        if key != self._subscriber_key:
            found: dict[str, Subscriber] = {}
            for impl in reversed(impls):
                found[impl.plugin_name] = _keyword_caller(impl.function)
            found.update(self._extra_subscribers)
            self._subscriber_cache, self._subscriber_key = found, key
        return self._subscriber_cache

    def subscribe(self, name: str, handler: Subscriber) -> None:
        """Deliver every committed event to ``handler`` too (without writing a plugin)."""
        self._extra_subscribers[name] = handler
        self._extra_version += 1

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """One unit of work: committed if the block succeeds, then its events delivered."""
        with self.storage.unit_of_work() as uow:
            yield uow
            events = uow.commit()
        if events:
            self.dispatcher.dispatch()

    def run(self, use_case: Callable[[UnitOfWork], T], attempts: int = 5) -> T:
        """Run ``use_case`` in a transaction, starting again on [`ConcurrencyConflict`][].

        Only for use cases that are safe to repeat from scratch (they re-read everything).
        """
        storage = self.storage
        for attempt in range(1, attempts + 1):
            try:  # transaction() inlined: this is the hot path of every use case
                with storage.unit_of_work() as uow:
                    result = use_case(uow)
                    events = uow.commit()
            except ConcurrencyConflict:
                if attempt == attempts:
                    raise
                continue
            if events:
                self.dispatcher.dispatch()
            return result
        raise AssertionError("unreachable")  # pragma: no cover


def _keyword_caller(function: Callable[..., object]) -> Subscriber:
    """Call a hook implementation the way pluggy does: with keyword arguments."""

    def deliver(event: Event) -> object:
        return function(event=event)

    return deliver
