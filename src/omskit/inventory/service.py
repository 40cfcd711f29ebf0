"""The inventory service: locations, stock movements, reservations and what can be promised.

Reached as ``oms.inventory``. Every method is one use case: it validates, runs in one
unit of work (retried on a concurrency conflict) and either applies everything or
nothing. The ``*_in`` methods run inside a caller's unit of work instead, so that orders
can reserve in the same transaction as capture.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from omskit.errors import AlreadyExists, ValidationError
from omskit.events import Event
from omskit.inventory.arguments import (
    check_actor,
    check_flag,
    check_optional_code,
    check_optional_sku,
    check_reason,
    check_reference,
)
from omskit.inventory.basket import BasketCheck, check_basket_in, parse_basket
from omskit.inventory.events import (
    LocationAdded,
    LocationDeactivated,
    LocationUpdated,
    LowStockThresholdSet,
    SafetyStockSet,
)
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
from omskit.inventory.reservation_service import ReservationMixin
from omskit.inventory.selling import salable
from omskit.inventory.settings import InventorySettings
from omskit.inventory.stock import STOCK, StockLevel, level_id
from omskit.inventory.supply_service import SupplyMixin, require_sku
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_country, check_quantity, check_sku, renamed

__all__ = ["InventoryService"]

T = TypeVar("T")


class InventoryService(ReservationMixin, SupplyMixin):
    """Stock per location, the ledger, reservations, backorders and replenishment.

    Settings come from the ``inventory`` configuration section (see
    [`InventorySettings`][]).
    """

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.settings = InventorySettings.from_mapping(runtime.config.section("inventory"))

    # -- plumbing ------------------------------------------------------------------
    def _run(self, fn: Callable[[UnitOfWork], T], actor: str | None = None) -> T:
        return self._rt.run(fn, actor=actor)

    def _read(self, fn: Callable[[UnitOfWork], T]) -> T:
        with self._rt.storage.unit_of_work() as uow:
            return fn(uow)

    # -- locations -----------------------------------------------------------------
    def add_location(self, code: str, *, actor: str = "system", **fields: Any) -> Location:
        """Set up a stock location.

        Args:
            code: 1-32 letters, digits, ``_`` or ``-`` (``"BER"``).
            **fields: ``name``, ``kind`` (``"warehouse"``, ``"store"``, ``"supplier"``),
                ``country``, ``lat``, ``lon``, ``priority`` (lower first, default 100),
                ``capabilities`` (mapping: ``international``, ``hazmat``,
                ``max_parcel_grams``, ``click_and_collect``), ``handling_per_shipment``,
                ``handling_per_line`` (amounts in the default currency, or Money),
                ``online_orders`` (stores default to False), ``ships_to``.
            actor: who makes the change (recorded on its events; default ``"system"``).

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

        return self._run(use_case, actor=actor)

    def update_location(self, code: str, *, actor: str = "system", **changes: Any) -> Location:
        """Change some fields of a location (same fields as `add_location`)."""
        code = check_location_code(code, "code")
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

        return self._run(use_case, actor=actor)

    def deactivate_location(
        self, code: str, reason: str = "", *, actor: str = "system"
    ) -> Location:
        """Stop receiving into and routing to ``code``; its stock can still ship out.

        Its stock no longer counts in `available` (capture cannot reserve it).
        """
        code = check_location_code(code, "code")
        reason = check_reason(reason)

        def use_case(uow: UnitOfWork) -> Location:
            location = load_location(uow, code)
            if location.active:
                location.active = False
                location.record(LocationDeactivated(location=code, reason=reason))
                uow.repo(LOCATIONS).save(location)
            return location

        return self._run(use_case, actor=actor)

    def location(self, code: str) -> Location:
        """The location ``code``; raises `UnknownLocation`."""
        code = check_location_code(code, "code")
        return self._read(lambda uow: load_location(uow, code))

    def locations(self, *, active: bool | None = True) -> list[Location]:
        """Locations, oldest first (only active ones unless ``active=None``)."""
        if active is not None:
            active = check_flag(active, "active")

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
            ValidationError: a malformed SKU, location, reference or actor.
        """
        sku, location = check_sku(sku), check_location_code(location)
        reference, actor = check_reference(reference), check_actor(actor)
        now = self._rt.clock.now()
        return self._run(lambda uow: receive_in(uow, self._rt.ids, now, sku=sku,
                         location=location, quantity=quantity, reference=reference,
                         actor=actor), actor)  # fmt: skip

    def restock_return(
        self, sku: str, *, location: str, quantity: int, reference: str, actor: str = "system"
    ) -> StockLevel:
        """Put returned units back into sellable stock at ``location``."""
        sku, location = check_sku(sku), check_location_code(location)
        reference = check_reference(reference, required=True)
        actor = check_actor(actor)
        now = self._rt.clock.now()
        return self._run(lambda uow: receive_in(uow, self._rt.ids, now, sku=sku,
                         location=location, quantity=quantity, reference=reference,
                         actor=actor, kind="restock_return"), actor)  # fmt: skip

    def adjust(
        self, sku: str, *, location: str, delta: int, reason: str, actor: str = "system"
    ) -> StockLevel:
        """Correct on-hand stock by ``delta`` (negative: damage, loss); reason required."""
        sku, location = check_sku(sku), check_location_code(location)
        reason, actor = check_reason(reason, required=True), check_actor(actor)
        now = self._rt.clock.now()
        return self._run(lambda uow: adjust_in(uow, self._rt.ids, now, sku=sku,
                         location=location, delta=delta, reason=reason,
                         actor=actor), actor)  # fmt: skip

    def adjust_in(
        self, uow: UnitOfWork, sku: str, *, location: str, delta: int, reason: str,
        actor: str = "system", reference: str = "",
    ) -> StockLevel:  # fmt: skip
        """[`adjust`][] inside the caller's unit of work (e.g. writing off a short pick).

        ``reference`` ties the ledger entry to the document that caused it.

        Raises:
            InvalidQuantity: ``delta`` is zero or not a whole number.
            NotEnoughToMove: removing more than is on hand and not reserved or quarantined.
            UnknownSku, UnknownLocation: bad input. Nothing changes on any error.
            ValidationError: a malformed SKU, location, reason, actor or reference.
        """
        sku, location = check_sku(sku), check_location_code(location)
        reason, actor = check_reason(reason, required=True), check_actor(actor)
        reference = check_reference(reference)
        return adjust_in(uow, self._rt.ids, self._rt.clock.now(), sku=sku, location=location,
                         delta=delta, reason=reason, actor=actor,
                         reference=reference)  # fmt: skip

    def count(self, sku: str, *, location: str, counted: int, actor: str = "system") -> StockLevel:
        """Record a physical count; on hand becomes ``counted``."""
        sku, location, actor = check_sku(sku), check_location_code(location), check_actor(actor)
        now = self._rt.clock.now()
        return self._run(lambda uow: count_in(uow, self._rt.ids, now, sku=sku,
                         location=location, counted=counted, actor=actor), actor)  # fmt: skip

    def quarantine(
        self, sku: str, *, location: str, quantity: int, reason: str, actor: str = "system"
    ) -> StockLevel:
        """Block ``quantity`` on-hand units (negative: unblock them)."""
        sku, location = check_sku(sku), check_location_code(location)
        reason, actor = check_reason(reason, required=True), check_actor(actor)
        now = self._rt.clock.now()
        return self._run(lambda uow: quarantine_in(uow, self._rt.ids, now, sku=sku,
                         location=location, quantity=quantity, reason=reason,
                         actor=actor), actor)  # fmt: skip

    def transfer(
        self,
        sku: str,
        *,
        from_location: str | None = None,
        to_location: str | None = None,
        quantity: int,
        reference: str = "",
        actor: str = "system",
        source: str | None = None,
        target: str | None = None,
    ) -> tuple[StockLevel, StockLevel]:
        """Move available units between locations; returns both levels changed.

        The result is ``(level at from_location, level at to_location)``. ``source``
        and ``target`` are the old names of ``from_location`` and ``to_location``
        (deprecated: they warn).

        Raises:
            NotEnoughToMove: ``from_location`` has fewer units available.
            LocationInactive: ``to_location`` is deactivated.
            ValidationError: a location missing, the same twice, or given by both names.
        """
        sku = check_sku(sku)
        where = "inventory.transfer"
        from_location = renamed(from_location, source, new="from_location", old="source",
                                where=where)  # fmt: skip
        to_location = renamed(to_location, target, new="to_location", old="target",
                              where=where)  # fmt: skip
        from_location = check_location_code(from_location, "from_location")
        to_location = check_location_code(to_location, "to_location")
        reference, actor = check_reference(reference), check_actor(actor)
        now = self._rt.clock.now()
        return self._run(lambda uow: transfer_between(uow, self._rt.ids, now, sku=sku,
                         source=from_location, target=to_location, quantity=quantity,
                         reference=reference, actor=actor), actor)  # fmt: skip

    def set_safety_stock(
        self, sku: str, *, location: str, quantity: int, actor: str = "system"
    ) -> StockLevel:
        """Keep ``quantity`` units of ``sku`` at ``location`` back from sale."""
        sku, location = check_sku(sku), check_location_code(location)
        quantity = check_quantity(quantity, "quantity", minimum=0)

        def event(level: StockLevel) -> Event:
            return SafetyStockSet(sku=sku, location=location, quantity=quantity,
                                  previous=level.safety_stock)  # fmt: skip

        return self._set_level(sku, location, check_actor(actor), event,
                               safety_stock=quantity)  # fmt: skip

    def set_alert_threshold(
        self, sku: str, *, location: str, low: int | None, actor: str = "system"
    ) -> StockLevel:
        """Raise `LowStock` when available falls to ``low`` (``None``: off)."""
        sku, location = check_sku(sku), check_location_code(location)
        if low is not None:
            low = check_quantity(low, "low", minimum=0)

        def event(level: StockLevel) -> Event:
            return LowStockThresholdSet(sku=sku, location=location, threshold=low,
                                        previous=level.low_threshold)  # fmt: skip

        return self._set_level(sku, location, check_actor(actor), event, low_threshold=low)

    def _set_level(
        self, sku: str, location: str, actor: str, event: Callable[[StockLevel], Event],
        **values: Any,
    ) -> StockLevel:  # fmt: skip
        """Set fields of a level; records ``event(level before)`` when something changed."""

        def use_case(uow: UnitOfWork) -> StockLevel:
            load_location(uow, location)
            level = _level_for(uow, sku, location, create=True)
            if any(getattr(level, key) != value for key, value in values.items()):
                level.record(event(level))
            for key, value in values.items():
                setattr(level, key, value)
            level.check_alerts()
            uow.repo(STOCK).save(level)
            return level

        return self._run(use_case, actor)

    # -- queries -------------------------------------------------------------------
    def level(self, sku: str, location: str) -> StockLevel:
        """The stock of ``sku`` at ``location`` (all zero if nothing was ever booked)."""
        sku, location = check_sku(sku), check_location_code(location)
        return self._read(lambda uow: _level_for(uow, sku, location, create=False))

    def level_in(self, uow: UnitOfWork, sku: str, location: str) -> StockLevel:
        """[`level`][] inside the caller's unit of work (sees its uncommitted changes).

        A read: change stock only through the movement methods.

        Raises:
            UnknownSku, UnknownLocation: no such SKU or location.
        """
        sku, location = check_sku(sku), check_location_code(location)
        return _level_for(uow, sku, location, create=False)

    def levels(self, sku: str | None = None, *, location: str | None = None) -> list[StockLevel]:
        """Stock levels of one SKU, of one location, or all of them."""
        sku, location = check_optional_sku(sku), check_optional_code(location)

        def query(uow: UnitOfWork) -> list[StockLevel]:
            repo = uow.repo(STOCK)
            if sku is not None:
                found = repo.list_by("sku", sku)
                return [lv for lv in found if location is None or lv.location == location]
            if location is not None:
                return repo.list_by("location", location)
            return list(repo.scan())

        return self._read(query)

    def available(
        self, sku: str, location: str | None = None, *, country: str | None = None
    ) -> int:
        """Units of ``sku`` that capture could reserve now for an online order.

        Over all locations (``location`` left out) this is the *salable* quantity: the
        sum of what is free (on hand less reserved, safety stock and quarantine) at every
        location whose stock may be sold: active, open to online orders, allowed to ship
        the product (hazardous goods, parcel weight) and, with ``country``, shipping to
        that destination. Routing applies the very same rules
        (`omskit.inventory.selling`), so a plan for one line can allocate exactly
        this many units.

        With ``location``, it is the per-location view of stock: what is free at that
        location, whether or not the location sells online (a store's stock for walk-in
        customers, a deactivated warehouse's last units). `level` has the rest.

        Raises:
            ValidationError: a malformed SKU, location or country, or ``country`` given
                together with ``location``.
            UnknownSku: no product has the SKU (as `level` and `promise` raise).
            UnknownLocation: (with ``location``) no such location.
        """
        sku = check_sku(sku)
        if location is not None:
            if country is not None:
                allowed = "give a country only for the total over all locations"
                raise ValidationError("country", country, allowed)
            location = check_location_code(location)
            return max(self.level(sku, location).available, 0)
        dest = None if country is None else check_country(country)

        def query(uow: UnitOfWork) -> int:
            require_sku(uow, sku)
            return salable(uow, sku, dest)

        return self._read(query)

    def check_basket(
        self, lines: Mapping[str, int] | Sequence[Mapping[str, Any]], *,
        country: str | None = None,
    ) -> BasketCheck:  # fmt: skip
        """Whether a whole basket is available, in one read; nothing is reserved.

        ``lines`` is ``{sku: quantity}`` or ``[{"sku": ..., "quantity": ...}, ...]``.
        The answer says per line how many units are available and where (as
        [`available`][] counts them, for ``country`` when given), which locations could
        ship the whole basket alone, and otherwise one way to split it (see
        [`BasketCheck`][omskit.inventory.BasketCheck]).

        Raises:
            ValidationError: malformed lines (every problem at once, each naming its
                field), a SKU on two lines, or a malformed country.
            UnknownSku: a SKU the catalog does not know.
        """
        parsed = parse_basket(lines)
        dest = None if country is None else check_country(country)
        return self._read(lambda uow: check_basket_in(uow, parsed, dest))

    def ledger(
        self, *, sku: str | None = None, location: str | None = None,
        reference: str | None = None,
    ) -> list[Movement]:  # fmt: skip
        """Ledger entries, oldest first, filtered by any of SKU, location, reference."""
        sku, location = check_optional_sku(sku), check_optional_code(location)
        if reference is not None:
            reference = check_reference(reference)

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
