"""Giving holds back (release) and shipping them (consume), through the ledger.

A hold is the sum of its reference's ledger entries (see
[`omskit.inventory.reservations`][]), so releasing or consuming writes one ledger entry
per hold touched and changes the level it belongs to; nothing else is stored.
"""

from __future__ import annotations

import datetime as dt

from omskit.errors import InvalidQuantity, ValidationError
from omskit.ids import IdGenerator
from omskit.inventory.arguments import MAX_REFERENCE
from omskit.inventory.errors import NotEnoughToMove, UnknownReservation
from omskit.inventory.events import StockConsumed, StockReleased
from omskit.inventory.ledger import append_movement
from omskit.inventory.locations import check_location_code
from omskit.inventory.reservations import Reservation, holds_of
from omskit.inventory.stock import STOCK, level_id
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_quantity, check_text

__all__ = ["consume_lines", "release_lines"]


def _open_for(
    uow: UnitOfWork, reference: str, line_ref: str | None, location: str | None = None
) -> list[Reservation]:
    if not reference or type(reference) is not str or len(reference) > MAX_REFERENCE:
        check_text(reference, "reference", max_length=MAX_REFERENCE)
    if line_ref is not None and (type(line_ref) is not str or len(line_ref) > 64):
        check_text(line_ref, "line_ref", max_length=64)
    if location is not None:
        check_location_code(location, "location")
    found = list(holds_of(uow, reference).values())
    if not found:
        raise UnknownReservation(reference)
    if line_ref is not None:
        found = [r for r in found if r.line_ref == line_ref]
        if not found:
            raise UnknownReservation(reference, line_ref)
    if location is not None:
        found = [r for r in found if r.location == location]
        if not found:
            raise UnknownReservation(reference, f"{line_ref or '*'}@{location}")
    return found


def release_lines(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    reference: str,
    line_ref: str | None = None,
    quantity: int | None = None,
    reason: str = "",
    actor: str = "system",
    location: str | None = None,
) -> list[Reservation]:
    """Give back what ``reference`` holds: all of it, one line's, or ``quantity`` of a line.

    With ``location``, only what is held there is given back (a line split over several
    locations keeps its other holds untouched).

    Releasing a reference that holds nothing any more is a no-op (cancelling twice is
    safe); a reference that never reserved anything is an error.

    Raises:
        UnknownReservation: nothing was ever reserved under ``reference`` (or ``line_ref``,
            or at ``location``).
        InvalidQuantity: ``quantity`` is more than the line holds (there), or given
            without a line.
        ValidationError: a malformed reference, line or location code.
    """
    found = _open_for(uow, reference, line_ref, location)
    if quantity is not None:
        if line_ref is None:
            raise ValidationError("quantity", quantity, "release part of a line: give line_ref")
        quantity = check_quantity(quantity)
        held = sum(r.quantity for r in found)
        if quantity > held:
            where = "" if location is None else f" at {location!r}"
            raise InvalidQuantity(
                "quantity", quantity, f"line {line_ref!r} holds only {held}{where}"
            )
    remaining = quantity
    stock = uow.repo(STOCK)
    changed: list[Reservation] = []
    lines: list[tuple[str, str, str, int]] = []
    first = None
    for res in found:
        qty = res.quantity if remaining is None else min(res.quantity, remaining)
        if not qty:
            continue
        level = stock.get(level_id(res.sku, res.location))
        first = first or level
        append_movement(uow, ids.new_id("mov"), level, "release", now, reserved=-qty,
                        reference=reference, reason=reason or res.line_ref,
                        actor=actor, line_ref=res.line_ref)  # fmt: skip
        level.check_alerts()
        stock.save(level)
        res.quantity -= qty
        res.released += qty
        changed.append(res)
        lines.append((res.line_ref, res.sku, res.location, qty))
        if remaining is not None:
            remaining -= qty
            if not remaining:
                break
    if first is not None:
        first.record(StockReleased(reference=reference, lines=tuple(lines), reason=reason))
    return changed


def consume_lines(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    reference: str,
    line_ref: str,
    location: str,
    quantity: int,
    actor: str = "system",
    sku: str | None = None,
) -> Reservation:
    """Ship ``quantity`` held for ``line_ref`` at ``location``: reserved and on hand go down.

    Raises:
        UnknownReservation: nothing was reserved for that line at that location.
        InvalidQuantity: more than the line holds there.
        NotEnoughToMove: a backorder hold with no stock on hand yet to ship.
    """
    quantity = check_quantity(quantity)
    if type(line_ref) is not str or not line_ref:
        check_text(line_ref, "line_ref", max_length=64)
    check_location_code(location)
    found = [r for r in _open_for(uow, reference, line_ref) if r.location == location
             and (sku is None or r.sku == sku)]  # fmt: skip
    if not found:
        raise UnknownReservation(reference, f"{line_ref}@{location}")
    res = max(found, key=lambda r: r.quantity)
    if quantity > res.quantity:
        raise InvalidQuantity(
            "quantity", quantity, f"line {line_ref!r} holds only {res.quantity} at {location!r}"
        )
    stock = uow.repo(STOCK)
    level = stock.get(level_id(res.sku, location))
    if quantity > level.on_hand - level.quarantined:
        raise NotEnoughToMove(res.sku, quantity, level.on_hand - level.quarantined, location,
                              "ship")  # fmt: skip
    append_movement(uow, ids.new_id("mov"), level, "consume", now, on_hand=-quantity,
                    reserved=-quantity, reference=reference, reason=line_ref,
                    actor=actor, line_ref=line_ref)  # fmt: skip
    level.check_alerts()
    stock.save(level)
    res.quantity -= quantity
    res.consumed += quantity
    level.record(StockConsumed(reference=reference, line_ref=line_ref, sku=res.sku,
                               location=location, quantity=quantity))  # fmt: skip
    return res
