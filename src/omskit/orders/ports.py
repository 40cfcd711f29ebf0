"""What orders needs to do its work: a small context and typed ports.

The use cases of orders (capture, changes, billing, what fulfillment reports) are plain
functions over ``(ctx, uow, ...)``: ``ctx`` is an [`OrderContext`][] holding the clock,
the ids, the orders settings, the plugin hooks and the capabilities orders calls, each
typed by the Protocol below that says what orders uses of it. Orders sits above
pricing, inventory, routing and payments in the import order and below fulfillment, so
the types of the first come from their own packages and fulfillment is reached only
through [`FulfillmentPort`][] (optional: an OMS without fulfillment has none).
The OMS facade hands over the real services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import pluggy

from omskit.clock import Clock
from omskit.ids import IdGenerator
from omskit.inventory.backorders import Backorder, Waiting
from omskit.inventory.errors import ShortLine
from omskit.inventory.reservations import Allocation, Reservation
from omskit.inventory.settings import InventorySettings
from omskit.orders.settings import OrderSettings
from omskit.payments.service import PaymentService
from omskit.pricing.quote import Quote
from omskit.pricing.request import QuoteRequest
from omskit.routing.model import Plan, SourcingRequest
from omskit.storage.ports import StorageBackend, UnitOfWork

__all__ = [
    "FulfillmentPort",
    "HeldWork",
    "InventoryPort",
    "OrderContext",
    "PricingPort",
    "RoutingPort",
    "Services",
]


class PricingPort(Protocol):
    """Prices a quote request inside the caller's transaction."""

    def quote_in(self, uow: UnitOfWork, request: QuoteRequest) -> Quote:
        """A [`Quote`][] for ``request``."""
        ...

    def redeem_coupons_in(
        self, uow: UnitOfWork, quote: Quote, *, order_id: str, customer_key: str
    ) -> list[str]:
        """Consume the coupon uses of ``quote`` (raises when a limit is reached)."""
        ...

    def release_coupons_in(self, uow: UnitOfWork, codes: Sequence[str], *, order_id: str) -> int:
        """Give back the uses ``order_id`` made of ``codes``; return how many were given back."""
        ...


class InventoryPort(Protocol):
    """Holds and gives back stock inside the caller's transaction."""

    @property
    def settings(self) -> InventorySettings:
        """The ``inventory`` settings (``reserve_on`` says whether capture reserves)."""
        ...

    def reserve_in(
        self,
        uow: UnitOfWork,
        *,
        reference: str,
        allocations: Sequence[Allocation],
        expires_at: dt.datetime | None = None,
        actor: str = "system",
        oversell: bool = True,
    ) -> list[Reservation]:
        """Reserve every allocation, or nothing (raises ``InsufficientStock``).

        ``oversell=False``: only stock that is there (no backorder holds).
        """
        ...

    def backorder_in(
        self,
        uow: UnitOfWork,
        *,
        reference: str,
        lines: Sequence[ShortLine],
        allow: bool = True,
        waiting: Waiting | None = None,
    ) -> list[Backorder]:
        """Accept short lines as backorders as each SKU's policy says, or refuse them all."""
        ...

    def release_in(
        self,
        uow: UnitOfWork,
        *,
        reference: str,
        line_ref: str | None = None,
        quantity: int | None = None,
        reason: str = "",
        location: str | None = None,
    ) -> list[Reservation]:
        """Release a reference's reservations: all, one line's, or part of one line's.

        With ``location``, only the holds there.
        """
        ...

    def reservations_in(self, uow: UnitOfWork, reference: str) -> list[Reservation]:
        """The reference's reservations, as this transaction sees them."""
        ...


class RoutingPort(Protocol):
    """Decides which locations ship what."""

    def plan_in(
        self, uow: UnitOfWork, request: SourcingRequest, strategy: str | None = None
    ) -> Plan:
        """A routing plan: allocations and shortfalls."""
        ...


class HeldWork(Protocol):
    """A fulfillment order as orders sees it: where it is and what it still holds."""

    @property
    def id(self) -> str:
        """The fulfillment order id."""
        ...

    @property
    def location(self) -> str:
        """The location doing the work."""
        ...

    @property
    def open_units(self) -> Mapping[str, int]:
        """Units per order line released to the location and not yet shipped."""
        ...


class FulfillmentPort(Protocol):
    """Tells orders which units a location is working on (optional: orders without it)."""

    def holding_in(self, uow: UnitOfWork, order_id: str) -> Sequence[HeldWork]:
        """The order's fulfillment orders that still hold units, oldest first."""
        ...


class Services(Protocol):
    """The services orders drive (the OMS facade is one)."""

    @property
    def pricing(self) -> PricingPort:
        """Quotes."""
        ...

    @property
    def inventory(self) -> InventoryPort:
        """Stock."""
        ...

    @property
    def routing(self) -> RoutingPort:
        """Sourcing plans."""
        ...

    @property
    def payments(self) -> PaymentService:
        """Payments."""
        ...


class OrderContext:
    """What every orders use case works with (see the module docstring).

    ``storage`` opens units of work where a use case needs one of its own (capture's
    checks and recovery); ``dispatch`` delivers events a commit queued. The
    capabilities are looked up on ``services`` when used: the OMS facade builds orders
    before the capabilities above it (fulfillment) exist.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        ids: IdGenerator,
        settings: OrderSettings,
        hooks: pluggy.HookRelay,
        storage: StorageBackend,
        dispatch: Callable[[], object],
        services: Services,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.settings = settings
        self.hooks = hooks
        self.storage = storage
        self.dispatch = dispatch
        self.services = services

    @property
    def pricing(self) -> PricingPort:
        """Quotes and coupons."""
        return self.services.pricing

    @property
    def inventory(self) -> InventoryPort:
        """Stock holds."""
        return self.services.inventory

    @property
    def routing(self) -> RoutingPort:
        """Sourcing plans."""
        return self.services.routing

    @property
    def payments(self) -> PaymentService:
        """The payment service orders charge through."""
        return self.services.payments

    @property
    def fulfillment(self) -> FulfillmentPort | None:
        """Which units locations are working on, when the OMS has fulfillment."""
        found: FulfillmentPort | None = getattr(self.services, "fulfillment", None)
        return found

    @property
    def reserves_at_capture(self) -> bool:
        """Whether capture reserves stock (``inventory.reserve_on == "capture"``)."""
        inventory: InventoryPort | None = getattr(self.services, "inventory", None)
        return inventory is not None and inventory.settings.reserve_on == "capture"
