"""The hooks through which host applications and third-party packages extend omskit.

Every hook is prefixed ``omskit_``. Implement one with the `hookimpl` marker in any
object or module and pass it to ``OMS(plugins=[...])``, or publish it under the
``omskit`` entry-point group of your package so it loads automatically (set
``OMSKIT_DISABLE_PLUGIN_AUTOLOAD=1`` to turn automatic loading off).

Hooks marked *firstresult* stop at the first non-None result; plugins passed to ``OMS``
are called before the built-in defaults, so a host's answer wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from omskit.clock import Clock
    from omskit.config import OMSConfig
    from omskit.errors import Problem
    from omskit.events import Event
    from omskit.ids import IdGenerator
    from omskit.money import ExchangeRateProvider
    from omskit.storage.ports import StorageBackend

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "omskit"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


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


@hookspec
def omskit_register_carriers() -> Iterable[Any]:
    """Register carrier implementations.

    Every item needs a unique ``name``; two carriers with one name is an error. The
    built-ins are ``tablerate`` and ``sandbox``; a carrier with a ``configured(section)``
    method receives its settings from configuration section ``carriers``.

    :returns: carrier objects implementing
        [`omskit.carriers.Carrier`][omskit.carriers.port.Carrier].
    """


@hookspec
def omskit_register_payment_gateways() -> Iterable[Any]:
    """Register payment gateway implementations.

    Every item needs a unique ``name``; two gateways with one name is an error.

    :returns: gateway objects implementing the payment gateway port.
    """


@hookspec
def omskit_register_routing_strategies() -> Iterable[Any]:
    """Register sourcing (routing) strategies, selectable by ``name`` in configuration.

    Every item needs a unique ``name``; two strategies with one name is an error.

    :returns: strategy objects implementing the routing strategy port.
    """


@hookspec(firstresult=True)
def omskit_tax_provider(config: OMSConfig) -> Any | None:
    """Provide the tax provider that computes tax lines for quotes.

    Stops at the first non-None result; the built-in rule-based provider answers last.

    :param config: the OMS configuration.
    :returns: a tax provider, or ``None`` to pass.
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
def omskit_risk_checks(order: Any, context: Mapping[str, Any]) -> Iterable[Any]:
    """Add fraud and risk signals for an order being captured.

    Called for every captured order after the built-in rules. Each signal carries a
    score, a reason and optionally a ``group`` of correlated evidence; hard signals add
    up in full, each group up to a cap, and the total decides approve, hold for review
    or reject (a group alone never rejects; see ``docs/orders.md``).

    :param order: the order being captured (not yet stored).
    :param context: read-only facts gathered for the checks (e.g. recent orders).
    :returns: risk signals; an empty iterable when there is nothing to report.
    """


@hookspec
def omskit_validate_order(order: Any) -> Iterable[Problem]:
    """Add the host's own validation problems for an order being captured.

    Problems from every implementation are reported together with omskit's own; any
    problem rejects the order and nothing is stored.

    :param order: the order being captured (not yet stored).
    :returns: [`Problem`][] items; empty when the order is fine.
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
