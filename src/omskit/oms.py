"""The OMS facade: one object that wires plugins, storage and every capability service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from omskit.admin.service import AdminService
from omskit.carriers.service import CarrierService
from omskit.catalog.service import CatalogService
from omskit.channels.service import ChannelService
from omskit.clock import Clock, SystemClock
from omskit.config import OMSConfig
from omskit.customers.service import CustomerService
from omskit.errors import PluginError
from omskit.events import DeadLetter, Subscriber
from omskit.fulfillment.service import FulfillmentService
from omskit.ids import IdGenerator, RandomIds, SequentialIds
from omskit.inventory.service import InventoryService
from omskit.money import ExchangeRateProvider
from omskit.notifications.service import NotificationService
from omskit.notifications.support_service import SupportService
from omskit.orders.service import OrderService
from omskit.payments.service import PaymentService
from omskit.plugins.manager import make_plugin_manager
from omskit.pricing.service import PricingService
from omskit.reporting.service import ReportService
from omskit.returns.service import ReturnsService
from omskit.routing.service import RoutingService
from omskit.runtime import Runtime

__all__ = ["OMS", "EventsService"]


class EventsService:
    """Event delivery controls. Reached as ``oms.events``."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def subscribe(self, name: str, handler: Subscriber) -> None:
        """Deliver every event committed from now on to ``handler`` as subscriber ``name``."""
        self._rt.subscribe(name, handler)

    def dispatch(self) -> int:
        """Deliver whatever is due in the outbox (retries included); returns deliveries made.

        omskit dispatches after every commit; call this on a timer to retry failed
        deliveries once their back-off has passed.
        """
        return self._rt.dispatcher.dispatch()

    def pending(self) -> int:
        """How many events still wait for at least one subscriber."""
        return self._rt.dispatcher.pending_count()

    def dead_letters(self) -> list[DeadLetter]:
        """Deliveries that failed every attempt allowed by the retry policy."""
        return self._rt.dispatcher.dead_letters()


class OMS:
    """An order management system: the capability services over one store.

    Args:
        config: an [`OMSConfig`][] or a plain mapping (see its fields;
            other keys are per-capability sections).
        plugins: objects or modules implementing ``omskit_*`` hooks; they are called
            before the built-ins, so their answers win.
        clock: where time comes from (default: the system clock, UTC).
        ids: where identifiers come from (default: random 128-bit ids).
        autoload: load plugins from the ``omskit`` entry-point group (default: yes, unless
            ``OMSKIT_DISABLE_PLUGIN_AUTOLOAD`` is set).

    Attributes:
        channels: sales channels (a ``"web"`` channel exists from the start).
        catalog: products and SKUs.
        customers: customers and addresses.
        pricing: price lists, promotions, coupons, taxes, duties and quotes.
        carriers: carrier registry, rate shopping, labels and tracking webhooks.
        events: event delivery controls.
        inventory: stock locations, levels, the ledger, reservations, replenishment.
        routing: sourcing plans by named strategy, with explanations; re-planning.
        payments: payment authorizations, captures, voids and refunds per order.
        orders: order capture, risk, lifecycle, changes, timeline and queries.
        fulfillment: fulfillment orders, picking, packing, shipments, pickup, drop-ship.
        notifications: triggers, templates, channels, the message outbox, preferences.
        support: support cases linked to orders, with threads, SLAs and a timeline.
        returns: return eligibility, RMAs, receipt and inspection, refunds, exchanges,
            claims.
        reports: KPIs, time series, custom reports, exports, forecasts and
            replenishment suggestions over the store's records.
        admin: users, API clients, roles, access control, approvals, the audit log and
            the effective configuration.
    """

    def __init__(
        self,
        config: OMSConfig | Mapping[str, Any] | None = None,
        plugins: Iterable[object] = (),
        *,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        autoload: bool | None = None,
    ) -> None:
        self.config = OMSConfig.coerce(config)
        self.clock: Clock = clock or SystemClock()
        self.ids: IdGenerator = ids or RandomIds()
        self.plugins = make_plugin_manager(plugins, autoload=autoload)
        storage = self.plugins.hook.omskit_storage(
            config=self.config, clock=self.clock, ids=self.ids
        )
        if storage is None:
            raise PluginError(
                f"no plugin provides storage {self.config.storage!r}; install its plugin or "
                f"use storage='memory'"
            )
        self.runtime = Runtime(self.config, self.clock, self.ids, storage, self.plugins)
        self.channels = ChannelService(self.runtime)
        self.channels.ensure_default()
        self.catalog = CatalogService(self.runtime)
        self.customers = CustomerService(self.runtime)
        self.pricing = PricingService(self.runtime)
        self.inventory = InventoryService(self.runtime)
        self.routing = RoutingService(self.runtime)
        self.carriers = CarrierService(self.runtime)
        self.events = EventsService(self.runtime)
        self.payments = PaymentService(self.runtime)
        self.orders = OrderService(self.runtime, self)
        self.fulfillment = FulfillmentService(self.runtime, self)
        self.notifications = NotificationService(self.runtime, _Sources(self))
        self.support = SupportService(self.runtime, _Sources(self))
        self.returns = ReturnsService(self.runtime, self)
        self.reports = ReportService(self.runtime, self)
        # keep last: the admin service wraps the guarded methods of every service above
        self.admin = AdminService(self.runtime, self)

    @classmethod
    def in_memory(
        cls,
        config: OMSConfig | Mapping[str, Any] | None = None,
        plugins: Iterable[object] = (),
        *,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        autoload: bool | None = None,
    ) -> OMS:
        """An OMS on the embedded in-memory store, with readable sequential ids.

        Everything lives in this process; nothing is written to disk.
        """
        cfg = OMSConfig.coerce(config)
        if cfg.storage != "memory":
            raise PluginError(f"in_memory() uses storage 'memory', not {cfg.storage!r}")
        return cls(cfg, plugins, clock=clock, ids=ids or SequentialIds(), autoload=autoload)

    @classmethod
    def open(
        cls,
        url: str,
        config: OMSConfig | Mapping[str, Any] | None = None,
        plugins: Iterable[object] = (),
        *,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        autoload: bool | None = None,
    ) -> OMS:
        """An OMS on the durable store at ``url``.

        ``"sqlite:///shop.db"`` (a file, standard library) or ``"postgresql://host/db"``
        (the ``postgres`` extra). What the store holds survives the process: open the
        same URL again and the orders, stock and undelivered events are there. Close it
        with [`close`][] (or use the OMS as a context manager).
        """
        cfg = attrs.evolve(OMSConfig.coerce(config), storage=url)
        return cls(cfg, plugins, clock=clock, ids=ids, autoload=autoload)

    def close(self) -> None:
        """Close the store's connections (a no-op for the in-memory store)."""
        close = getattr(self.runtime.storage, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> OMS:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def exchange_rates(self) -> ExchangeRateProvider:
        """The exchange-rate provider chosen through the ``omskit_exchange_rates`` hook."""
        provider: ExchangeRateProvider = self.plugins.hook.omskit_exchange_rates(config=self.config)
        return provider


class _Sources:
    """What notifications read, through the services' public API."""

    def __init__(self, oms: OMS) -> None:
        self._oms = oms

    def order(self, order_id: str) -> Any:
        return self._oms.orders.get(order_id)

    def customer(self, customer_id: str) -> Any:
        return self._oms.customers.get(customer_id)

    def shipment(self, shipment_id: str) -> Any:
        return self._oms.fulfillment.shipment(shipment_id)

    def product(self, sku: str) -> Any:
        return self._oms.catalog.get(sku)

    def shipments(self, order_id: str) -> list[Any]:
        return list(self._oms.fulfillment.shipments(order_id))

    def timeline(self, order_id: str) -> Any:
        return self._oms.orders.timeline(order_id)

    def available(self, sku: str, location: str | None = None) -> int:
        return self._oms.inventory.available(sku, location)

    def location(self, code: str) -> Any:
        return self._oms.inventory.location(code)

    def channel(self, code: str) -> Any:
        return self._oms.channels.get(code)
