"""The fulfillment service: from a routing plan to the customer's door.

Reached as ``oms.fulfillment``. Every method is one transaction: it succeeds whole or
changes nothing (labels a failed transaction bought are voided again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from omskit.carriers.model import Label
from omskit.carriers.purchases import LabelPurchase
from omskit.carriers.service import CarrierService
from omskit.catalog.service import CatalogService
from omskit.customers.address import Address
from omskit.fulfillment import dropship, locations, lookups, pickup, release, shipping, station
from omskit.fulfillment.documents import Document
from omskit.fulfillment.lookups import TrackedShipment
from omskit.fulfillment.model import (
    FULFILLMENT_ORDERS,
    SHIPMENTS,
    FulfillmentOrder,
    LocationSetup,
    Shipment,
)
from omskit.fulfillment.packing import Box, PackingResult
from omskit.fulfillment.paperwork import Paperwork
from omskit.fulfillment.picking import BinLocation, Layout, PickList
from omskit.fulfillment.ports import FulfillmentContext
from omskit.fulfillment.settings import FulfillmentSettings
from omskit.inventory.service import InventoryService
from omskit.money import LocaleLike
from omskit.orders.service import OrderService
from omskit.paging import Page
from omskit.routing.service import RoutingService
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork

__all__ = ["FulfillmentService", "FulfillmentServices"]


class FulfillmentServices(Protocol):
    """The services fulfillment drives (the OMS facade is one)."""

    @property
    def orders(self) -> OrderService:
        """Orders."""
        ...

    @property
    def inventory(self) -> InventoryService:
        """Stock."""
        ...

    @property
    def routing(self) -> RoutingService:
        """Sourcing plans."""
        ...

    @property
    def carriers(self) -> CarrierService:
        """Carriers."""
        ...

    @property
    def catalog(self) -> CatalogService:
        """Products."""
        ...


class FulfillmentService:
    """Fulfillment orders, picking, packing, shipments, click & collect and drop-ship.

    Settings come from configuration section ``fulfillment``
    ([`FulfillmentSettings`][]).
    """

    def __init__(self, runtime: Runtime, services: FulfillmentServices) -> None:
        self.runtime = runtime
        self.services = services
        self.settings = FulfillmentSettings.from_mapping(runtime.config.section("fulfillment"))
        self.documents = Paperwork(runtime)
        self._ctx = FulfillmentContext(
            clock=runtime.clock,
            ids=runtime.ids,
            settings=self.settings,
            orders=services.orders,
            inventory=services.inventory,
            routing=services.routing,
            carriers=services.carriers,
        )
        ctx = self._ctx
        services.carriers.add_tracking_listener(
            lambda uow, record, new: shipping.on_tracking(ctx, uow, record, new)
        )
        services.orders.add_timeline_source(lookups.timeline_entries)

    # -- locations ----------------------------------------------------------------------
    def configure_location(
        self,
        code: str,
        *,
        address: Address | Mapping[str, Any] | None = None,
        bins: Mapping[str, str | BinLocation] | None = None,
        boxes: Sequence[Box] | None = None,
        layout: Layout | None = None,
        actor: str = "system",
    ) -> LocationSetup:
        """Set a location's ship-from address, bin per SKU, box catalogue or layout.

        Only what is given changes. Raises ``InvalidBinCode`` / ``ValidationError``
        for bad input, ``NotFound`` for an unknown location or SKU.
        """
        change = locations.check_setup(code, address, bins, boxes, layout)
        return self.runtime.run(lambda uow: locations.configure_in(uow, change), actor=actor)

    def location_setup(self, code: str) -> LocationSetup:
        """How ``code`` is set up (defaults when never configured)."""
        with self.runtime.storage.unit_of_work() as uow:
            return shipping.setup_in(uow, code)

    # -- release, accept, reject -----------------------------------------------------------
    def release(
        self,
        order_id: str,
        *,
        allocate: bool = True,
        strategy: str | None = None,
        pickup_location: str | None = None,
        actor: str = "system",
    ) -> list[FulfillmentOrder]:
        """Release the order's reserved units to their locations (see `release.release_in`).

        Returns the fulfillment orders created (none when everything is already released).
        """
        return self.runtime.run(
            lambda uow: release.release_in(
                self._ctx,
                uow,
                order_id,
                allocate=allocate,
                strategy=strategy,
                pickup_location=pickup_location,
            ),
            actor=actor,
        )

    def release_in(self, uow: UnitOfWork, order_id: str, **options: Any) -> list[FulfillmentOrder]:
        """[`release`][] inside the caller's unit of work."""
        return release.release_in(self._ctx, uow, order_id, **options)

    def accept(self, fulfillment_order_id: str, *, actor: str = "system") -> FulfillmentOrder:
        """The location accepts the work."""
        return self.runtime.run(
            lambda uow: station.accept_in(self._ctx, uow, fulfillment_order_id), actor=actor
        )

    def reject(
        self, fulfillment_order_id: str, *, reason: str, actor: str = "system"
    ) -> list[FulfillmentOrder]:
        """The location (or drop-ship supplier) refuses: its units are routed elsewhere.

        Returns the new fulfillment orders; what no location can take is backordered.
        """
        return self.runtime.run(
            lambda uow: station.reject_in(self._ctx, uow, fulfillment_order_id, reason)[1],
            actor=actor,
        )

    def cancel(
        self, fulfillment_order_id: str, *, reason: str, actor: str = "system"
    ) -> FulfillmentOrder:
        """Withdraw the work from its location before picking is confirmed.

        Allowed while ``released``, ``accepted`` (nothing picked yet) or
        ``sent_to_supplier``. The location's reservations are released and the units
        are unallocated on the order again: cancel them there
        (``oms.orders.cancel_lines``) or route them again ([`release`][]).

        Raises:
            InvalidTransition: picking was confirmed, or the work is already closed.
            ValidationError: an empty reason.
            NotFound: no such fulfillment order.
        """
        return self.runtime.run(
            lambda uow: station.cancel_in(self._ctx, uow, fulfillment_order_id, reason, actor),
            actor=actor,
        )

    def cancel_in(
        self, uow: UnitOfWork, fulfillment_order_id: str, *, reason: str, actor: str = "system"
    ) -> FulfillmentOrder:
        """[`cancel`][] inside the caller's unit of work."""
        return station.cancel_in(self._ctx, uow, fulfillment_order_id, reason, actor)

    # -- picking ------------------------------------------------------------------------
    def pick_list(self, location: str, fulfillment_orders: Sequence[str] | None = None) -> PickList:
        """A pick list for one order or a wave: every accepted order at ``location`` by default.

        Lines are merged by SKU and sorted along the serpentine walking path.
        """
        with self.runtime.storage.unit_of_work() as uow:
            return locations.pick_list_in(uow, location, fulfillment_orders)

    def confirm_pick(
        self,
        fulfillment_order_id: str,
        picked: Mapping[str, int] | None = None,
        *,
        complete: bool = True,
        actor: str = "system",
    ) -> FulfillmentOrder:
        """Record what was picked; short units are routed elsewhere or backordered."""
        return self.runtime.run(
            lambda uow: station.confirm_pick_in(
                self._ctx, uow, fulfillment_order_id, picked, complete=complete
            )[0],
            actor=actor,
        )

    # -- packing and shipping ---------------------------------------------------------------
    def pack(
        self,
        fulfillment_order_id: str,
        quantities: Mapping[str, int] | None = None,
        *,
        actor: str = "system",
    ) -> PackingResult:
        """Pack picked units into boxes from the location's catalogue."""
        return self.runtime.run(
            lambda uow: shipping.pack_in(self._ctx, uow, fulfillment_order_id, quantities),
            actor=actor,
        )

    def ship(
        self,
        fulfillment_order_id: str,
        *,
        carrier: str | None = None,
        service: str | None = None,
        objective: str | None = None,
        deliver_by: dt.date | None = None,
        options: Mapping[str, str] | None = None,
        actor: str = "system",
    ) -> Shipment:
        """Buy labels for the packed parcels; without a carrier and service, rate-shop.

        Labels are bought under an idempotency key derived from the fulfillment order and
        its parcels, so calling again after any failure never buys a second set: a
        purchase whose answer was lost is looked up, or bought again under its own key.

        Raises:
            UnknownProvider, UnknownServiceLevel, UnserviceableAddress, NoRateAvailable:
                from the carriers; nothing is stored and no label stays bought.
            CarrierUnavailable: the carrier failed; when it may have bought, the next
                call settles that purchase first (``oms.carriers.unsettled_purchases``).
        """
        bought: list[Label] = []
        attempts: list[LabelPurchase] = []
        try:
            return self.runtime.run(
                lambda uow: shipping.ship_in(
                    self._ctx,
                    uow,
                    fulfillment_order_id,
                    carrier=carrier,
                    service=service,
                    objective=objective,
                    deliver_by=deliver_by,
                    options=options,
                    bought=bought,
                    attempts=attempts,
                ),
                actor=actor,
            )
        except Exception:
            self.services.carriers.settle_failed(bought, attempts)
            raise

    def hand_over(self, shipment_id: str, *, actor: str = "system") -> Shipment:
        """The carrier collected the parcels: stock is consumed and the order shipped."""

        def use_case(uow: UnitOfWork) -> Shipment:
            shipping.hand_over_in(self._ctx, uow, shipment_id)
            return uow.repo(SHIPMENTS).get(shipment_id)

        return self.runtime.run(use_case, actor=actor)

    # -- click & collect and drop-ship ---------------------------------------------------------
    def ready_for_pickup(
        self, fulfillment_order_id: str, *, actor: str = "system"
    ) -> FulfillmentOrder:
        """Everything is picked at the store: issue the pickup code."""
        return self.runtime.run(
            lambda uow: pickup.ready_in(self._ctx, uow, fulfillment_order_id), actor=actor
        )

    def collect(
        self, fulfillment_order_id: str, code: str, *, actor: str = "system"
    ) -> FulfillmentOrder:
        """The customer collected with ``code``."""
        return self.runtime.run(
            lambda uow: pickup.collect_in(self._ctx, uow, fulfillment_order_id, code), actor=actor
        )

    def expire_pickups(self, *, actor: str = "system") -> list[FulfillmentOrder]:
        """Cancel pickups past their window; their stock becomes available again."""
        return self.runtime.run(lambda uow: pickup.expire_in(self._ctx, uow), actor=actor)

    def confirm_dropship(
        self,
        fulfillment_order_id: str,
        *,
        carrier: str,
        tracking_number: str,
        service: str = "supplier",
        actor: str = "system",
    ) -> Shipment:
        """The supplier shipped: the shipment is created with the supplier's tracking."""
        return self.runtime.run(
            lambda uow: dropship.confirm_dropship_in(
                self._ctx,
                uow,
                fulfillment_order_id,
                carrier=carrier,
                tracking_number=tracking_number,
                service=service,
            ),
            actor=actor,
        )

    # -- queries ---------------------------------------------------------------------------
    def get(self, fulfillment_order_id: str) -> FulfillmentOrder:
        """One fulfillment order."""
        with self.runtime.storage.unit_of_work() as uow:
            return uow.repo(FULFILLMENT_ORDERS).get(fulfillment_order_id)

    def for_order(self, order_id: str) -> list[FulfillmentOrder]:
        """Every fulfillment order of an order, oldest first."""
        with self.runtime.storage.unit_of_work() as uow:
            return uow.repo(FULFILLMENT_ORDERS).list_by("order", order_id)

    def holding_in(self, uow: UnitOfWork, order_id: str) -> list[FulfillmentOrder]:
        """The order's fulfillment orders still holding units (released, not shipped).

        Orders asks this before cancelling or editing units, inside its own unit of work.
        """
        return [f for f in release.live_orders(uow, order_id) if f.open_units]

    def shipment(self, shipment_id: str) -> Shipment:
        """One shipment."""
        with self.runtime.storage.unit_of_work() as uow:
            return uow.repo(SHIPMENTS).get(shipment_id)

    def shipments(self, order_id: str) -> list[Shipment]:
        """Every shipment of an order, oldest first."""
        with self.runtime.storage.unit_of_work() as uow:
            return uow.repo(SHIPMENTS).list_by("order", order_id)

    def find_by_tracking(
        self, tracking_number: str, *, carrier: str | None = None
    ) -> TrackedShipment | None:
        """The order, shipment and parcel a carrier tracking number belongs to, or ``None``.

        Looks at every registered carrier unless ``carrier`` names one. A number that
        is not a fulfillment shipment's (unknown, or a return label's) gives ``None``.

        Raises:
            ValidationError: a malformed tracking number, or a carrier not registered
                (naming the registered ones).
        """
        with self.runtime.storage.unit_of_work() as uow:
            return lookups.find_by_tracking_in(uow, self.services.carriers, tracking_number,
                                               carrier)  # fmt: skip

    def pick_list_document(self, pick: PickList, locale: LocaleLike = "en_US") -> Document:
        """A printable pick list (see `documents` for every other document)."""
        return self.documents.pick_list(pick, locale)

    def list(
        self, *, location: str | None = None, status: str | Sequence[str] = "open",
        kind: str | None = None, offset: int = 0, limit: int = 50,
    ) -> Page[FulfillmentOrder]:  # fmt: skip
        """A page of fulfillment orders, oldest first: a location's work queue.

        ``status`` is ``"open"`` (default: every status with something left to do, see
        ``OPEN_STATUSES``), one status or a list of them; ``kind`` is ``"ship"``,
        ``"pickup"`` or ``"dropship"``. Without ``location``, every location's.

        Raises:
            UnknownLocation: no such location.
            ValidationError: an unknown status or kind, or a bad ``offset``/``limit``,
                naming the field, the value and what is allowed.
        """
        args = lookups.check_queue_args(location, status, kind, offset, limit)
        with self.runtime.storage.unit_of_work() as uow:
            return lookups.queue_in(uow, args)
