"""The hook machinery, and the kernel's own hooks (storage, exchange rates, events).

Each capability declares its hooks beside it, in its ``hooks`` module
(`omskit.carriers.hooks`, `omskit.payments.hooks`, `omskit.routing.hooks`,
`omskit.pricing.hooks`, `omskit.orders.hooks`), typed with the capability's own ports;
``omskit.plugins.manager.HOOKSPEC_MODULES`` lists them all.

pluggy never compares an implementation with its hookspec, so every hook also has a
typing Protocol for plugins: here `StoragePlugin`, `ExchangeRatesPlugin` and
`EventPlugin`, and one in each capability's ``hooks`` module. A host that annotates its
plugin with one gets a ``mypy --strict`` error when a hook takes or returns the wrong kind
of object.

Every hook is prefixed ``omskit_``. Implement one with the `hookimpl` marker in any
object or module and pass it to ``OMS(plugins=[...])``, or publish it under the
``omskit`` entry-point group of your package so it loads automatically (set
``OMSKIT_DISABLE_PLUGIN_AUTOLOAD=1`` to turn automatic loading off).

Hooks marked *firstresult* stop at the first non-None result; plugins passed to ``OMS``
are called before the built-in defaults, so a host's answer wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pluggy

if TYPE_CHECKING:
    from omskit.clock import Clock
    from omskit.config import OMSConfig
    from omskit.events import Event
    from omskit.ids import IdGenerator
    from omskit.money import ExchangeRateProvider
    from omskit.storage.ports import StorageBackend

__all__ = [
    "PROJECT_NAME",
    "EventPlugin",
    "ExchangeRatesPlugin",
    "StoragePlugin",
    "hookimpl",
    "hookspec",
]

PROJECT_NAME = "omskit"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class StoragePlugin(Protocol):
    """What a plugin providing a storage backend looks like to a type checker.

    Implement the hook with all three parameters to use it (pluggy itself also accepts
    fewer).
    """

    def omskit_storage(
        self, config: OMSConfig, clock: Clock, ids: IdGenerator
    ) -> StorageBackend | None:
        """The storage backend ``config.storage`` names, or ``None`` to pass."""
        ...


class ExchangeRatesPlugin(Protocol):
    """What a plugin providing the exchange-rate source looks like to a type checker."""

    def omskit_exchange_rates(self, config: OMSConfig) -> ExchangeRateProvider | None:
        """The exchange-rate provider, or ``None`` to pass."""
        ...


class EventPlugin(Protocol):
    """What a plugin subscribing to committed domain events looks like to a type checker."""

    def omskit_on_event(self, event: Event) -> None:
        """Hear one committed event."""
        ...


@hookspec(firstresult=True)
def omskit_storage(config: OMSConfig, clock: Clock, ids: IdGenerator) -> StorageBackend | None:
    """Provide the storage backend that every unit of work is opened on.

    Stops at the first non-None result. The built-in ``memory`` backend answers when
    ``config.storage == "memory"``; a durable backend answers for its own name.

    :param config: the OMS configuration; ``config.storage`` names the backend wanted.
    :param clock: stamps committed events with their time.
    :param ids: gives committed events their ids.
    :returns: a [`StorageBackend`][], or ``None`` to pass.
    """


@hookspec(firstresult=True)
def omskit_exchange_rates(config: OMSConfig) -> ExchangeRateProvider | None:
    """Provide the source of currency exchange rates.

    Stops at the first non-None result; the built-in answer is a fixed table built from
    ``config.exchange_rates``.

    :param config: the OMS configuration.
    :returns: an [`ExchangeRateProvider`][], or ``None`` to pass.
    """


@hookspec
def omskit_on_event(event: Event) -> None:
    """Receive a domain event after the change that produced it has committed.

    Delivered through the outbox: an implementation that raises is retried later
    (see [`RetryPolicy`][]) and never undoes the change; each
    implementation receives each event at most once. Use it to feed ERP, WMS, CRM,
    accounting, BI tools or webhooks.

    :param event: the committed [`Event`][].
    """
