"""The shared runtime every capability service works through.

It owns the injected clock and id generator, the storage backend, the plugin manager and
the event dispatcher, and gives services one way to run a use case:
[`Runtime.transaction`][] (commit on success, roll back on error, deliver events after
commit) and [`Runtime.run`][] (the same, retried on a concurrency conflict).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol, TypeVar

import pluggy

from omskit.clock import Clock
from omskit.config import OMSConfig
from omskit.errors import ConcurrencyConflict
from omskit.events import _ACTOR, Event, EventDispatcher, Subscriber
from omskit.ids import IdGenerator
from omskit.storage.ports import StorageBackend, UnitOfWork
from omskit.validation import check_text

__all__ = ["CommitHook", "Runtime", "check_actor", "committing_with"]

T = TypeVar("T")


class CommitHook(Protocol):
    """Told about every commit ``Runtime.run`` / ``Runtime.transaction`` makes in a block.

    The admin service's audit uses it to write its record in the same unit of work as
    the change it records (see [`committing_with`][omskit.runtime.committing_with]).
    """

    def before_commit(self, uow: UnitOfWork, result: object) -> None:
        """Add to ``uow`` before it commits; ``result`` is what the use case returned."""

    def retried(self) -> None:
        """The last unit of work ``before_commit`` saw was rolled back for a retry."""


_HOOK: contextvars.ContextVar[CommitHook | None] = contextvars.ContextVar(
    "omskit_commit_hook", default=None
)


@contextmanager
def committing_with(hook: CommitHook) -> Iterator[None]:
    """Every commit made through the runtime inside the block calls ``hook`` first."""
    token = _HOOK.set(hook)
    try:
        yield
    finally:
        _HOOK.reset(token)


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

    def subscribers(self) -> Mapping[str, Subscriber]:
        """Every subscriber by name: the ``omskit_on_event`` plugins and [`subscribe`][]'s."""
        return self._subscribers()

    def subscribe(self, name: str, handler: Subscriber) -> None:
        """Deliver every committed event to ``handler`` too (without writing a plugin)."""
        self._extra_subscribers[name] = handler
        self._extra_version += 1

    @contextmanager
    def transaction(self, *, actor: str | None = None) -> Iterator[UnitOfWork]:
        """One unit of work: committed if the block succeeds, then its events delivered.

        ``actor`` is who the change is made for (see [`Runtime.run`][]).
        """
        token = None if actor is None else _ACTOR.set(check_actor(actor))
        try:
            with self.storage.unit_of_work() as uow:
                yield uow
                hook = _HOOK.get()
                if hook is not None:
                    hook.before_commit(uow, None)
                events = uow.commit()
        finally:
            if token is not None:
                _ACTOR.reset(token)
        if events:
            self.dispatcher.dispatch()

    def run(
        self, use_case: Callable[[UnitOfWork], T], attempts: int = 5, *, actor: str | None = None
    ) -> T:
        """Run ``use_case`` in a transaction, starting again on [`ConcurrencyConflict`][].

        Only for use cases that are safe to repeat from scratch (they re-read everything).
        ``actor`` is who the change is made for: every event the use case records carries
        it (``Event.actor``), and ``omskit.events.current_actor()`` returns it inside the
        use case. ``None`` keeps the actor of a surrounding call (``"system"`` at the top).

        Raises:
            ValidationError: ``actor`` is not text of 1 to 100 characters.
        """
        if actor is None:
            return self._run(use_case, attempts)
        token = _ACTOR.set(check_actor(actor))
        try:
            return self._run(use_case, attempts)
        finally:
            _ACTOR.reset(token)

    def _run(self, use_case: Callable[[UnitOfWork], T], attempts: int) -> T:
        storage = self.storage
        hook = _HOOK.get()
        for attempt in range(1, attempts + 1):
            handed = False
            try:  # transaction() inlined: this is the hot path of every use case
                with storage.unit_of_work() as uow:
                    result = use_case(uow)
                    if hook is not None:
                        hook.before_commit(uow, result)
                        handed = True
                    events = uow.commit()
            except ConcurrencyConflict:
                if handed:
                    hook.retried()  # type: ignore[union-attr]
                if attempt == attempts:
                    raise
                continue
            if events:
                self.dispatcher.dispatch()
            return result
        raise AssertionError("unreachable")  # pragma: no cover


def check_actor(actor: object) -> str:
    """``actor`` as stored: stripped text of 1 to 100 characters.

    Raises:
        ValidationError: anything else (naming the field ``actor``).
    """
    if (
        type(actor) is str
        and 0 < len(actor) <= 100
        and actor.isprintable()
        and actor == actor.strip()
    ):
        return actor  # the common case, checked without the general text rules
    return check_text(actor, "actor", max_length=100)


def _keyword_caller(function: Callable[..., object]) -> Subscriber:
    """Call a hook implementation the way pluggy does: with keyword arguments."""

    def deliver(event: Event) -> object:
        return function(event=event)

    return deliver
