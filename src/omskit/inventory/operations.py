"""Stock movements as use cases inside a caller's unit of work.

Each function validates first, then changes levels through
[`append_movement`][], so the ledger and the levels move
together; when anything fails the unit of work is rolled back and nothing is applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from omskit.errors import InvalidQuantity, ValidationError
from omskit.events import Event
from omskit.ids import IdGenerator
from omskit.inventory.errors import LocationInactive, NotEnoughToMove, UnknownLocation
from omskit.inventory.events import StockAdjusted, StockReceived, StockTransferred
from omskit.inventory.ledger import append_movement
from omskit.inventory.locations import LOCATIONS, Location
from omskit.inventory.reservations import load_level
from omskit.inventory.stock import STOCK, StockLevel
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_quantity

__all__ = [
    "adjust_in",
    "count_in",
    "load_location",
    "quarantine_in",
    "receive_in",
    "transfer_between",
]


def _check_signed(value: object, field: str) -> int:
    """A non-zero whole number of units, either sign."""
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise InvalidQuantity(field, value, "expected a non-zero whole number of units")
    check_quantity(abs(value), field)
    return value


def load_location(uow: UnitOfWork, code: str, *, for_receiving: bool = False) -> Location:
    """The location ``code``; with ``for_receiving``, it must be active."""
    location = uow.repo(LOCATIONS).find(code) if isinstance(code, str) else None
    if location is None:
        raise UnknownLocation(code)
    if for_receiving and not location.active:
        raise LocationInactive(code, "receive stock at")
    return location


def _book(uow: UnitOfWork, ids: IdGenerator, now: dt.datetime, level: StockLevel, kind: str,
          *, event: Event | None = None, **change: Any) -> StockLevel:  # fmt: skip
    """Write one ledger movement for ``level``, record ``event``, raise alerts, save.

    Every stock operation ends this way, so the ledger and the level cannot drift apart.
    """
    append_movement(uow, ids.new_id("mov"), level, kind, now, **change)
    if event is not None:
        level.record(event)
    level.check_alerts()
    uow.repo(STOCK).save(level)
    return level


def receive_in(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    sku: str,
    location: str,
    quantity: int,
    reference: str = "",
    actor: str = "system",
    kind: str = "receive",
    reason: str = "",
) -> StockLevel:
    """Add ``quantity`` units of ``sku`` to ``location`` (goods-in or a return restock)."""
    quantity = check_quantity(quantity)
    load_location(uow, location, for_receiving=True)
    level = load_level(uow, sku, location, create=True)
    event = StockReceived(sku=sku, location=location, quantity=quantity, reference=reference)
    return _book(uow, ids, now, level, kind, event=event, on_hand=quantity, reference=reference,
                 actor=actor, reason=reason)  # fmt: skip


def adjust_in(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    sku: str,
    location: str,
    delta: int,
    reason: str,
    actor: str = "system",
    kind: str = "adjust",
    reference: str = "",
) -> StockLevel:
    """Correct on-hand stock by ``delta`` (negative for damage, loss, write-off).

    On hand may not go below what is reserved or quarantined there.
    """
    _check_signed(delta, "delta")
    load_location(uow, location)
    level = load_level(uow, sku, location, create=delta > 0)
    if delta < 0:
        free = level.on_hand - max(level.reserved, 0) - level.quarantined
        if -delta > free:
            raise NotEnoughToMove(sku, -delta, max(free, 0), location, "remove")
    event = StockAdjusted(sku=sku, location=location, delta=delta, reason=reason)
    return _book(uow, ids, now, level, kind, event=event, on_hand=delta, reason=reason, actor=actor,
                 reference=reference)  # fmt: skip


def count_in(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    sku: str,
    location: str,
    counted: int,
    actor: str = "system",
    reason: str = "cycle count",
) -> StockLevel:
    """Record a physical count: on hand becomes ``counted`` (the difference is logged)."""
    counted = check_quantity(counted, "counted", minimum=0)
    load_location(uow, location)
    level = load_level(uow, sku, location, create=True)
    delta = counted - level.on_hand
    if counted < level.quarantined:
        raise NotEnoughToMove(sku, level.quarantined, counted, location, "count below quarantine")
    event = StockAdjusted(sku=sku, location=location, delta=delta, reason=reason) if delta else None
    return _book(
        uow, ids, now, level, "count", event=event, on_hand=delta, reason=reason, actor=actor
    )


def quarantine_in(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    sku: str,
    location: str,
    quantity: int,
    reason: str,
    actor: str = "system",
) -> StockLevel:
    """Block (``quantity > 0``) or unblock (``< 0``) on-hand units, e.g. damaged goods."""
    _check_signed(quantity, "quantity")
    load_location(uow, location)
    level = load_level(uow, sku, location, create=False)
    if quantity > 0 and quantity > level.available + level.safety_stock:
        raise NotEnoughToMove(sku, quantity, max(level.available + level.safety_stock, 0),
                              location, "quarantine")  # fmt: skip
    if quantity < 0 and -quantity > level.quarantined:
        raise NotEnoughToMove(sku, -quantity, level.quarantined, location, "unquarantine")
    kind = "quarantine" if quantity > 0 else "unquarantine"
    return _book(uow, ids, now, level, kind, quarantined=quantity, reason=reason, actor=actor)


def transfer_between(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    sku: str,
    source: str,
    target: str,
    quantity: int,
    reference: str = "",
    actor: str = "system",
) -> tuple[StockLevel, StockLevel]:
    """Move ``quantity`` available units of ``sku`` from ``source`` to ``target``.

    Raises:
        NotEnoughToMove: ``source`` has fewer units available.
        LocationInactive: ``target`` is deactivated.
    """
    quantity = check_quantity(quantity)
    if source == target:
        raise ValidationError("to_location", target, "must differ from from_location")
    load_location(uow, source)
    load_location(uow, target, for_receiving=True)
    out = load_level(uow, sku, source, create=False)
    if quantity > out.available:
        raise NotEnoughToMove(sku, quantity, max(out.available, 0), source, "transfer")
    into = load_level(uow, sku, target, create=True)
    ref = reference or ids.new_id("trf")
    moved = StockTransferred(sku=sku, source=source, target=target, quantity=quantity)
    _book(uow, ids, now, out, "transfer_out", event=moved, on_hand=-quantity, reference=ref,
          actor=actor, reason=f"to {target}")  # fmt: skip
    _book(uow, ids, now, into, "transfer_in", on_hand=quantity, reference=ref, actor=actor,
          reason=f"from {source}")  # fmt: skip
    return out, into
