"""Stock movements as use cases inside a caller's unit of work.

Each function validates first, then changes levels through
:func:`~omskit.inventory.ledger.append_movement`, so the ledger and the levels move
together; when anything fails the unit of work is rolled back and nothing is applied.
"""

from __future__ import annotations

import datetime as dt

from omskit.errors import InvalidQuantity, ValidationError
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
    append_movement(uow, ids.new_id("mov"), level, kind, now, on_hand=quantity,
                    reference=reference, actor=actor, reason=reason)  # fmt: skip
    level.record(StockReceived(sku=sku, location=location, quantity=quantity,
                               reference=reference))  # fmt: skip
    level.check_alerts()
    uow.repo(STOCK).save(level)
    return level


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
    append_movement(uow, ids.new_id("mov"), level, kind, now, on_hand=delta, reason=reason,
                    actor=actor, reference=reference)  # fmt: skip
    level.record(StockAdjusted(sku=sku, location=location, delta=delta, reason=reason))
    level.check_alerts()
    uow.repo(STOCK).save(level)
    return level


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
    append_movement(uow, ids.new_id("mov"), level, "count", now, on_hand=delta, reason=reason,
                    actor=actor)  # fmt: skip
    if delta:
        level.record(StockAdjusted(sku=sku, location=location, delta=delta, reason=reason))
    level.check_alerts()
    uow.repo(STOCK).save(level)
    return level


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
    append_movement(uow, ids.new_id("mov"), level, kind, now, quarantined=quantity,
                    reason=reason, actor=actor)  # fmt: skip
    level.check_alerts()
    uow.repo(STOCK).save(level)
    return level


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
        raise ValidationError("target", target, "must differ from the source location")
    load_location(uow, source)
    load_location(uow, target, for_receiving=True)
    out = load_level(uow, sku, source, create=False)
    if quantity > out.available:
        raise NotEnoughToMove(sku, quantity, max(out.available, 0), source, "transfer")
    into = load_level(uow, sku, target, create=True)
    ref = reference or ids.new_id("trf")
    append_movement(uow, ids.new_id("mov"), out, "transfer_out", now, on_hand=-quantity,
                    reference=ref, actor=actor, reason=f"to {target}")  # fmt: skip
    append_movement(uow, ids.new_id("mov"), into, "transfer_in", now, on_hand=quantity,
                    reference=ref, actor=actor, reason=f"from {source}")  # fmt: skip
    out.record(StockTransferred(sku=sku, source=source, target=target, quantity=quantity))
    stock = uow.repo(STOCK)
    for level in (out, into):
        level.check_alerts()
        stock.save(level)
    return out, into
