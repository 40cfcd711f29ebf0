"""What fulfillment needs: a clock, ids, its settings and the capabilities it calls.

Fulfillment sits above orders, inventory, routing and carriers in the import order, so
it calls each through a typed port below; the OMS facade hands over the real services.
The use cases (``release``, ``station``, ``shipping``, ``pickup``, ``dropship``) are plain
functions over a [`FulfillmentContext`][omskit.fulfillment.ports.FulfillmentContext] and the
caller's unit of work; none of them sees the service facade.

Every call runs one way: fulfillment tells orders what shipped or arrived (orders takes
payment from there), asks inventory to move stock and carriers to buy or mark labels.
Nothing below calls back up into fulfillment, except the carriers' tracking listener,
which carries webhook scans (facts from the carrier) into ``shipping.on_tracking``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Protocol

import attrs

from omskit.carriers.model import Label, RateRequest, TrackingEvent
from omskit.carriers.purchases import LabelPurchase
from omskit.carriers.records import LabelRecord
from omskit.carriers.shopping import RateChoice
from omskit.clock import Clock
from omskit.fulfillment.settings import FulfillmentSettings
from omskit.ids import IdGenerator
from omskit.inventory.reservations import Allocation, Reservation
from omskit.inventory.stock import StockLevel
from omskit.orders.model import Order
from omskit.routing.model import Plan, SourcingRequest
from omskit.storage.ports import UnitOfWork

__all__ = [
    "CarriersPort",
    "FulfillmentContext",
    "InventoryPort",
    "OrdersPort",
    "RoutingPort",
]


class OrdersPort(Protocol):
    """Records on the order what fulfillment did with its units (same transaction)."""

    def sourcing_request(self, order: Order) -> SourcingRequest:
        """The routing request for ``order``'s unallocated units."""
        ...

    def record_allocation_in(
        self, uow: UnitOfWork, order_id: str, quantities: Mapping[str, int]
    ) -> Order:
        """Units of lines were allocated to locations."""
        ...

    def record_backorder_in(
        self, uow: UnitOfWork, order_id: str, quantities: Mapping[str, int], reason: str = ""
    ) -> Order:
        """Units of lines wait for stock."""
        ...

    def record_deallocation_in(
        self,
        uow: UnitOfWork,
        order_id: str,
        quantities: Mapping[str, int],
        *,
        reason: str,
        backorder: bool = False,
        started: bool = False,
        actor: str | None = None,
    ) -> Order:
        """Allocated units are no longer held at a location."""
        ...

    def record_fulfillment_started_in(
        self, uow: UnitOfWork, order_id: str, quantities: Mapping[str, int]
    ) -> Order:
        """Picking started for allocated units."""
        ...

    def record_shipment_in(
        self,
        uow: UnitOfWork,
        order_id: str,
        quantities: Mapping[str, int],
        *,
        shipment_id: str,
        actor: str | None = None,
    ) -> Order:
        """Units left in ``shipment_id``; orders captures payment when so configured."""
        ...

    def record_delivery_in(
        self,
        uow: UnitOfWork,
        order_id: str,
        quantities: Mapping[str, int],
        *,
        shipment_id: str,
        actor: str | None = None,
    ) -> Order:
        """Shipped units of ``shipment_id`` reached the customer."""
        ...

    def cancel_lines_in(
        self,
        uow: UnitOfWork,
        order_id: str,
        lines: Mapping[str, int],
        *,
        reason: str,
        actor: str = "system",
    ) -> Order:
        """Cancel units of lines (an expired pickup's)."""
        ...


class InventoryPort(Protocol):
    """Holds, gives back, consumes and corrects stock inside the caller's transaction."""

    def reservations_in(self, uow: UnitOfWork, reference: str) -> list[Reservation]:
        """The holds of ``reference``."""
        ...

    def reserve_in(
        self,
        uow: UnitOfWork,
        *,
        reference: str,
        allocations: Sequence[Allocation],
        actor: str = "system",
    ) -> list[Reservation]:
        """Reserve every allocation, or nothing."""
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
        """Give back holds of ``reference`` (a line's, a quantity, at one location)."""
        ...

    def consume_in(
        self,
        uow: UnitOfWork,
        *,
        reference: str,
        line_ref: str,
        location: str,
        quantity: int,
        actor: str = "system",
        sku: str | None = None,
    ) -> Reservation:
        """The units left: the hold and on-hand stock both go down."""
        ...

    def level_in(self, uow: UnitOfWork, sku: str, location: str) -> StockLevel:
        """The stock level of ``sku`` at ``location``."""
        ...

    def adjust_in(
        self,
        uow: UnitOfWork,
        sku: str,
        *,
        location: str,
        delta: int,
        reason: str,
        actor: str = "system",
        reference: str = "",
    ) -> StockLevel:
        """Correct on-hand stock by ``delta``."""
        ...


class RoutingPort(Protocol):
    """Plans where units come from."""

    def plan_in(
        self, uow: UnitOfWork, request: SourcingRequest, strategy: str | None = None
    ) -> Plan:
        """A sourcing plan for ``request``."""
        ...


class CarriersPort(Protocol):
    """Rates, labels and the hand-over scan on them."""

    def shop(
        self,
        request: RateRequest,
        objective: str = "cheapest",
        *,
        deliver_by: dt.date | None = None,
        carriers: Sequence[str] | None = None,
    ) -> RateChoice:
        """The best quote for ``objective``."""
        ...

    def buy_label_in(
        self,
        uow: UnitOfWork,
        request: RateRequest,
        *,
        carrier: str,
        service: str,
        reference: str,
        options: Mapping[str, str] | None = None,
        owner: str = "",
        bought: list[Label] | None = None,
        purchase: str | None = None,
        attempts: list[LabelPurchase] | None = None,
    ) -> list[LabelRecord]:
        """Buy one label per parcel of ``request`` (idempotent by ``purchase``)."""
        ...

    def register_label_in(
        self, uow: UnitOfWork, label: Label, *, reference: str, owner: str = ""
    ) -> LabelRecord:
        """Store a label bought elsewhere (a drop-ship supplier's)."""
        ...

    def find_in(
        self, uow: UnitOfWork, tracking_number: str, carrier: str | None = None
    ) -> LabelRecord:
        """The label with ``tracking_number``."""
        ...

    def hand_over_in(
        self, uow: UnitOfWork, record: LabelRecord, event: TrackingEvent
    ) -> tuple[TrackingEvent, ...]:
        """Record the hand-over scan on the label, without calling tracking listeners."""
        ...


@attrs.frozen
class FulfillmentContext:
    """What a fulfillment use case may use besides the unit of work.

    Attributes:
        clock: the injected clock.
        ids: the injected id generator.
        settings: configuration section ``fulfillment``.
        orders: records allocations, shipments and deliveries on the order.
        inventory: holds, releases, consumes and corrects stock.
        routing: plans where units come from.
        carriers: rates and labels.
    """

    clock: Clock
    ids: IdGenerator
    settings: FulfillmentSettings
    orders: OrdersPort
    inventory: InventoryPort
    routing: RoutingPort
    carriers: CarriersPort
