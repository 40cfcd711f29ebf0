"""The inventory service: locations, stock movements, reservations and what can be promised.

Reached as ``oms.inventory``. Every method is one use case: it validates, runs in one
unit of work (retried on a concurrency conflict) and either applies everything or
nothing. The ``*_in`` methods run inside a caller's unit of work instead, so that orders
can reserve in the same transaction as capture.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from omskit.errors import AlreadyExists, ConcurrencyConflict, ValidationError
from omskit.inventory.events import LocationAdded, LocationDeactivated, LocationUpdated
from omskit.inventory.expiry import expire_due
from omskit.inventory.ledger import MOVEMENTS, Drift, LevelTotals, Movement, rebuild_levels
from omskit.inventory.ledger import reconcile as reconcile_ledger
from omskit.inventory.locations import (
    LOCATIONS,
    Location,
    check_location_code,
    clean_location_fields,
)
from omskit.inventory.operations import (
    adjust_in,
    count_in,
    load_location,
    quarantine_in,
    receive_in,
    transfer_between,
)
from omskit.inventory.reservations import (
    RESERVATIONS,
    Allocation,
    Reservation,
    consume_lines,
    release_lines,
    reserve_lines,
)
from omskit.inventory.settings import InventorySettings
from omskit.inventory.stock import STOCK, StockLevel, level_id
from omskit.inventory.supply_service import SupplyMixin, require_sku
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_quantity

__all__ = ["InventoryService"]

T = TypeVar("T")

#: How often a reservation is tried when other writers keep changing the same levels first
#: (with a short, growing pause between tries).
RESERVE_ATTEMPTS = 100


class InventoryService(SupplyMixin):
    """Stock per location, the ledger, reservations, backorders and replenishment.

    Settings come from the ``inventory`` configuration section (see
    :class:`~omskit.inventory.settings.InventorySettings`).
    """

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.settings = InventorySettings.from_mapping(runtime.config.section("inventory"))

    # -- plumbing ------------------------------------------------------------------
    def _run(self, fn: Callable[[UnitOfWork], T]) -> T:
        return self._rt.run(fn)

    def _read(self, fn: Callable[[UnitOfWork], T]) -> T:
        with self._rt.storage.unit_of_work() as uow:
            return fn(uow)

    # -- locations -----------------------------------------------------------------
    def add_location(self, code: str, **fields: Any) -> Location:
        """Set up a stock location.

        Args:
            code: 1-32 letters, digits, ``_`` or ``-`` (``"BER"``).
            **fields: ``name``, ``kind`` (``"warehouse"``, ``"store"``, ``"supplier"``),
                ``country``, ``lat``, ``lon``, ``priority`` (lower first, default 100),
                ``capabilities`` (mapping: ``international``, ``hazmat``,
                ``max_parcel_grams``, ``click_and_collect``), ``handling_per_shipment``,
                ``handling_per_line`` (amounts in the default currency, or Money),
                ``online_orders`` (stores default to False), ``ships_to``.

        Raises:
            ValidationError: listing every invalid field.
            AlreadyExists: the code is taken.
        """
        code = check_location_code(code, "code")
        clean = clean_location_fields(fields, currency=self._rt.config.default_currency)

        def use_case(uow: UnitOfWork) -> Location:
            repo = uow.repo(LOCATIONS)
            if repo.find(code) is not None:
                raise AlreadyExists("location", code)
            location = Location(id=code, **clean)
            location.record(LocationAdded(location=code, kind=location.kind))
            repo.add(location)
            return location

        return self._run(use_case)

    def update_location(self, code: str, **changes: Any) -> Location:
        """Change some fields of a location (same fields as :meth:`add_location`)."""
        clean = clean_location_fields(
            changes, currency=self._rt.config.default_currency, partial=True
        )
        if not clean:
            raise ValidationError("changes", {}, "give at least one field to change")

        def use_case(uow: UnitOfWork) -> Location:
            location = load_location(uow, code)
            changed = tuple(k for k, v in clean.items() if getattr(location, k) != v)
            for key, value in clean.items():
                setattr(location, key, value)
            if changed:
                location.record(LocationUpdated(location=code, changed=changed))
                uow.repo(LOCATIONS).save(location)
            return location

        return self._run(use_case)

    def deactivate_location(self, code: str, reason: str = "") -> Location:
        """Stop receiving into and routing to ``code``; its stock can still ship out."""

        def use_case(uow: UnitOfWork) -> Location:
            location = load_location(uow, code)
            if location.active:
                location.active = False
                location.record(LocationDeactivated(location=code, reason=reason))
                uow.repo(LOCATIONS).save(location)
            return location

        return self._run(use_case)

    def location(self, code: str) -> Location:
        """The location ``code``; raises :class:`UnknownLocation`."""
        return self._read(lambda uow: load_location(uow, code))

    def locations(self, *, active: bool | None = True) -> list[Location]:
        """Locations, oldest first (only active ones unless ``active=None``)."""

        def query(uow: UnitOfWork) -> list[Location]:
            repo = uow.repo(LOCATIONS)
            return list(repo.scan()) if active is None else repo.list_by("active", active)

        return self._read(query)

    # -- movements -----------------------------------------------------------------
    def receive(
        self, sku: str, *, location: str, quantity: int, reference: str = "",
        actor: str = "system",
    ) -> StockLevel:  # fmt: skip
        """Book ``quantity`` units of ``sku`` into ``location``.

        Raises:
            UnknownSku, UnknownLocation, InvalidQuantity: bad input.
            LocationInactive: the location is deactivated.
        """
        now = self._rt.clock.now()
        return self._run(lambda uow: receive_in(uow, self._rt.ids, now, sku=sku,
                         location=location, quantity=quantity, reference=reference,
                         actor=actor))  # fmt: skip

    def restock_return(
        self, sku: str, *, location: str, quantity: int, reference: str, actor: str = "system"
    ) -> StockLevel:
        """Put returned units back into sellable stock at ``location``."""
        now = self._rt.clock.now()
        return self._run(lambda uow: receive_in(uow, self._rt.ids, now, sku=sku,
                         location=location, quantity=quantity, reference=reference,
                         actor=actor, kind="restock_return"))  # fmt: skip

    def adjust(
        self, sku: str, *, location: str, delta: int, reason: str, actor: str = "system"
    ) -> StockLevel:
        """Correct on-hand stock by ``delta`` (negative: damage, loss); reason required."""
        now = self._rt.clock.now()
        return self._run(lambda uow: adjust_in(uow, self._rt.ids, now, sku=sku,
                         location=location, delta=delta, reason=reason,
                         actor=actor))  # fmt: skip

    def count(self, sku: str, *, location: str, counted: int, actor: str = "system") -> StockLevel:
        """Record a physical count; on hand becomes ``counted``."""
        now = self._rt.clock.now()
        return self._run(lambda uow: count_in(uow, self._rt.ids, now, sku=sku,
                         location=location, counted=counted, actor=actor))  # fmt: skip

    def quarantine(
        self, sku: str, *, location: str, quantity: int, reason: str, actor: str = "system"
    ) -> StockLevel:
        """Block ``quantity`` on-hand units (negative: unblock them)."""
        now = self._rt.clock.now()
        return self._run(lambda uow: quarantine_in(uow, self._rt.ids, now, sku=sku,
                         location=location, quantity=quantity, reason=reason,
                         actor=actor))  # fmt: skip

    def transfer(
        self, sku: str, *, source: str, target: str, quantity: int, reference: str = "",
        actor: str = "system",
    ) -> tuple[StockLevel, StockLevel]:  # fmt: skip
        """Move available units between locations; returns (source level, target level)."""
        now = self._rt.clock.now()
        return self._run(lambda uow: transfer_between(uow, self._rt.ids, now, sku=sku,
                         source=source, target=target, quantity=quantity,
                         reference=reference, actor=actor))  # fmt: skip

    def set_safety_stock(self, sku: str, *, location: str, quantity: int) -> StockLevel:
        """Keep ``quantity`` units of ``sku`` at ``location`` back from sale."""
        quantity = check_quantity(quantity, "quantity", minimum=0)
        return self._set_level(sku, location, safety_stock=quantity)

    def set_alert_threshold(self, sku: str, *, location: str, low: int | None) -> StockLevel:
        """Raise :class:`LowStock` when available falls to ``low`` (``None``: off)."""
        if low is not None:
            low = check_quantity(low, "low", minimum=0)
        return self._set_level(sku, location, low_threshold=low)

    def _set_level(self, sku: str, location: str, **values: Any) -> StockLevel:
        def use_case(uow: UnitOfWork) -> StockLevel:
            load_location(uow, location)
            level = _level_for(uow, sku, location, create=True)
            for key, value in values.items():
                setattr(level, key, value)
            level.check_alerts()
            uow.repo(STOCK).save(level)
            return level

        return self._run(use_case)

    # -- queries -------------------------------------------------------------------
    def level(self, sku: str, location: str) -> StockLevel:
        """The stock of ``sku`` at ``location`` (all zero if nothing was ever booked)."""
        return self._read(lambda uow: _level_for(uow, sku, location, create=False))

    def levels(self, sku: str | None = None, *, location: str | None = None) -> list[StockLevel]:
        """Stock levels of one SKU, of one location, or all of them."""

        def query(uow: UnitOfWork) -> list[StockLevel]:
            repo = uow.repo(STOCK)
            if sku is not None:
                found = repo.list_by("sku", sku)
                return [lv for lv in found if location is None or lv.location == location]
            if location is not None:
                return repo.list_by("location", location)
            return list(repo.scan())

        return self._read(query)

    def available(self, sku: str, location: str | None = None) -> int:
        """Units of ``sku`` that can be sold now, at one location or in all of them."""
        if location is not None:
            return max(self.level(sku, location).available, 0)

        def query(uow: UnitOfWork) -> int:
            return sum(max(lv.available, 0) for lv in uow.repo(STOCK).list_view("sku", sku))

        return self._read(query)

    def ledger(
        self, *, sku: str | None = None, location: str | None = None,
        reference: str | None = None,
    ) -> list[Movement]:  # fmt: skip
        """Ledger entries, oldest first, filtered by any of SKU, location, reference."""

        def query(uow: UnitOfWork) -> list[Movement]:
            repo = uow.repo(MOVEMENTS)
            if sku is not None and location is not None:
                found = repo.list_by("level", level_id(sku, location))
            elif reference is not None:
                found = repo.list_by("reference", reference)
            else:
                found = list(repo.scan())
            return [m for m in found if (sku is None or m.sku == sku)
                    and (location is None or m.location == location)
                    and (reference is None or m.reference == reference)]  # fmt: skip

        return self._read(query)

    def rebuild(self) -> dict[str, LevelTotals]:
        """Levels as the ledger adds them up, by level id (``"BER:TEE-M"``)."""
        return self._read(lambda uow: rebuild_levels(uow.repo(MOVEMENTS).scan()))

    def reconcile(self) -> list[Drift]:
        """Differences between stored levels and the ledger; empty when all agree."""
        return self._read(reconcile_ledger)

    # -- reservations --------------------------------------------------------------
    def reserve_in(
        self, uow: UnitOfWork, *, reference: str, allocations: Sequence[Allocation],
        expires_at: dt.datetime | None = None, actor: str = "system",
        allow_partial: bool = False,
    ) -> list[Reservation]:  # fmt: skip
        """Check and reserve every allocation inside the caller's unit of work.

        All-or-nothing (unless ``allow_partial``): raises :class:`InsufficientStock`
        and reserves nothing when a line does not fit.
        """
        return reserve_lines(uow, self._rt.ids, self._rt.clock.now(), reference=reference,
                             allocations=allocations, expires_at=expires_at,
                             allow_partial=allow_partial, actor=actor)  # fmt: skip

    def reserve(
        self, *, reference: str, allocations: Sequence[Allocation],
        expires_at: dt.datetime | None = None, cart: bool = False, actor: str = "system",
        allow_partial: bool = False,
    ) -> list[Reservation]:  # fmt: skip
        """:meth:`reserve_in` in its own transaction.

        ``cart=True`` makes the hold expire after the configured cart TTL (unless
        ``expires_at`` is given); :meth:`expire_reservations` then releases it.
        """
        now = self._rt.clock.now()
        if cart and expires_at is None:
            expires_at = now + self.settings.cart_ttl
        ids = self._rt.ids

        def use_case(uow: UnitOfWork) -> list[Reservation]:
            return reserve_lines(
                uow,
                ids,
                now,
                reference=reference,
                allocations=allocations,
                expires_at=expires_at,
                allow_partial=allow_partial,
                actor=actor,
            )

        for attempt in range(1, RESERVE_ATTEMPTS + 1):
            try:
                return self._rt.run(use_case, attempts=1)
            except ConcurrencyConflict:
                if attempt == RESERVE_ATTEMPTS:
                    raise
                # a hot SKU: let the other writers finish before checking again
                time.sleep(min(0.002, 0.000_02 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def release_in(
        self, uow: UnitOfWork, *, reference: str, line_ref: str | None = None,
        quantity: int | None = None, reason: str = "", actor: str = "system",
    ) -> list[Reservation]:  # fmt: skip
        """Release all of ``reference``'s holds, one line's, or ``quantity`` of a line."""
        return release_lines(uow, self._rt.ids, self._rt.clock.now(), reference=reference,
                             line_ref=line_ref, quantity=quantity, reason=reason,
                             actor=actor)  # fmt: skip

    def release(
        self, *, reference: str, line_ref: str | None = None, quantity: int | None = None,
        reason: str = "", actor: str = "system",
    ) -> list[Reservation]:  # fmt: skip
        """:meth:`release_in` in its own transaction."""
        return self._run(lambda uow: self.release_in(uow, reference=reference,
                         line_ref=line_ref, quantity=quantity, reason=reason,
                         actor=actor))  # fmt: skip

    def consume_in(
        self, uow: UnitOfWork, *, reference: str, line_ref: str, location: str,
        quantity: int, actor: str = "system", sku: str | None = None,
    ) -> Reservation:  # fmt: skip
        """On shipment: the line's reservation and on-hand stock both go down."""
        return consume_lines(uow, self._rt.ids, self._rt.clock.now(), reference=reference,
                             line_ref=line_ref, location=location, quantity=quantity,
                             actor=actor, sku=sku)  # fmt: skip

    def consume(
        self, *, reference: str, line_ref: str, location: str, quantity: int,
        actor: str = "system", sku: str | None = None,
    ) -> Reservation:  # fmt: skip
        """:meth:`consume_in` in its own transaction."""
        return self._run(lambda uow: self.consume_in(uow, reference=reference,
                         line_ref=line_ref, location=location, quantity=quantity,
                         actor=actor, sku=sku))  # fmt: skip

    def reservations(self, reference: str) -> list[Reservation]:
        """Every reservation made for ``reference`` (open, consumed or released)."""
        return self._read(lambda uow: uow.repo(RESERVATIONS).list_by("reference", reference))

    def expire_reservations(self, now: dt.datetime | None = None) -> list[str]:
        """Release every cart hold whose time ran out; returns the references released."""
        when = now or self._rt.clock.now()
        return self._run(lambda uow: expire_due(uow, self._rt.ids, when))


def _level_for(uow: UnitOfWork, sku: str, location: str, *, create: bool) -> StockLevel:
    level = uow.repo(STOCK).find(level_id(sku, location))
    if level is not None:
        return level
    load_location(uow, location)
    require_sku(uow, sku)
    level = StockLevel(id=level_id(sku, location), sku=sku, location=location)
    if create:
        uow.repo(STOCK).add(level)
    return level
