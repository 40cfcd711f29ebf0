"""Reservations: check-and-reserve a whole reference in one atomic step.

How it stays correct under concurrency: every reservation reads the stock levels it
touches into the unit of work, checks every line, then changes them; the commit fails with
:class:`~omskit.errors.ConcurrencyConflict` if any of those levels changed in the
meantime (optimistic versions), and ``runtime.run`` starts the whole check again. Nothing
is written unless every line fits (all-or-nothing), so stock is never oversold.

A durable backend does the same with one conditional update per level inside one
transaction, rolling back if any update touches no row::

    UPDATE stock_levels SET reserved = reserved + :qty, version = version + 1
     WHERE id = :level AND on_hand - reserved - safety_stock - quarantined >= :qty
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from omskit.catalog.model import PRODUCTS
from omskit.errors import InsufficientStock, InvalidQuantity, UnknownSku, ValidationError
from omskit.ids import IdGenerator
from omskit.inventory.backorders import SKU_POLICIES, oversold, sku_levels
from omskit.inventory.errors import (
    BackorderLimitReached,
    NotEnoughToMove,
    UnknownLocation,
    UnknownReservation,
)
from omskit.inventory.events import StockConsumed, StockReleased, StockReserved
from omskit.inventory.ledger import MOVEMENTS, append_movement, new_movement
from omskit.inventory.locations import LOCATIONS, check_location_code
from omskit.inventory.stock import STOCK, StockLevel, level_id
from omskit.storage.ports import Aggregate, Collection, Repository, UnitOfWork
from omskit.validation import MAX_QUANTITY, check_quantity, check_text

__all__ = [
    "RESERVATIONS",
    "Allocation",
    "Reservation",
    "consume_lines",
    "release_lines",
    "reservations_for",
    "reserve_lines",
]


@attrs.frozen
class Allocation:
    """``quantity`` x ``sku`` from ``location`` for order line ``line_ref``."""

    location: str
    sku: str
    quantity: int
    line_ref: str


@attrs.define(eq=False)
class Reservation(Aggregate):
    """Stock held at one location for one line of a reference (an order or a cart).

    Attributes:
        reference: the order or cart holding the stock.
        line_ref: the line within it.
        sku: the SKU held.
        location: where.
        quantity: units still held (open).
        consumed: units shipped from this reservation.
        released: units given back (cancelled, edited, expired).
        expires_at: when an unpaid cart's hold runs out (``None``: never).
    """

    reference: str
    line_ref: str
    sku: str
    location: str
    quantity: int = 0
    consumed: int = 0
    released: int = 0
    expires_at: dt.datetime | None = None

    @property
    def status(self) -> str:
        """``"open"`` while units are held; ``"consumed"`` or ``"released"`` after."""
        if self.quantity:
            return "open"
        return "consumed" if self.consumed else "released"

    def clone(self) -> Reservation:
        """A fast field-by-field copy."""
        copy = object.__new__(Reservation)
        copy.id = self.id
        copy.version = self.version
        copy._events = []
        copy.reference = self.reference
        copy.line_ref = self.line_ref
        copy.sku = self.sku
        copy.location = self.location
        copy.quantity = self.quantity
        copy.consumed = self.consumed
        copy.released = self.released
        copy.expires_at = self.expires_at
        return copy


RESERVATIONS: Collection[Reservation] = Collection(
    "stock_reservations",
    Reservation,
    unique={"line": lambda r: (r.reference, r.line_ref, r.location, r.sku)},
    indexes={
        "reference": lambda r: r.reference,
        "expiring": lambda r: True if r.expires_at is not None and r.quantity else None,
    },
    label="reservation",
)


def _missing_level(uow: UnitOfWork, sku: str, location: str) -> StockLevel:
    """A new, empty level, after checking that the SKU and the location exist."""
    if uow.repo(PRODUCTS).view(sku) is None:
        raise UnknownSku(sku)
    if uow.repo(LOCATIONS).view(location) is None:
        raise UnknownLocation(location)
    level = StockLevel(id=level_id(sku, location), sku=sku, location=location)
    uow.repo(STOCK).add(level)
    return level


def load_level(uow: UnitOfWork, sku: str, location: str, *, create: bool = True) -> StockLevel:
    """The level of ``sku`` at ``location``; an empty one is created when both exist."""
    level = uow.repo(STOCK).find(level_id(sku, location))
    if level is not None:
        return level
    if not create:
        if uow.repo(LOCATIONS).view(location) is None:
            raise UnknownLocation(location)
        if uow.repo(PRODUCTS).view(sku) is None:
            raise UnknownSku(sku)
    return _missing_level(uow, sku, location)


def _check_allocation(a: object, i: int) -> Allocation:
    if not isinstance(a, Allocation):
        raise ValidationError(f"allocations[{i}]", a, "expected an Allocation")
    q = a.quantity
    if type(q) is not int or q < 1 or q > MAX_QUANTITY:
        check_quantity(q, f"allocations[{i}].quantity")
    return a


def _allowance(uow: UnitOfWork, sku: str, short: int, requested: int, available: int) -> bool:
    """Whether the SKU's policy lets ``short`` more units be oversold (raises at the cap)."""
    policy = uow.repo(SKU_POLICIES).find(sku)
    if policy is None or not policy.allows_overselling:
        return False
    if policy.cap is not None:
        already = oversold(sku_levels(uow, sku))
        if already + short > policy.cap:
            raise BackorderLimitReached(sku, requested, available, policy.cap, policy.mode)
    return True


def reserve_lines(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    reference: str,
    allocations: Sequence[Allocation],
    expires_at: dt.datetime | None = None,
    allow_partial: bool = False,
    actor: str = "system",
) -> list[Reservation]:
    """Check and reserve every allocation of ``reference`` in the caller's unit of work.

    All-or-nothing unless ``allow_partial``: then each allocation takes what is available
    (in order) and the shortfall is simply not held. SKUs whose policy allows backorders
    or preorders may be reserved beyond what is available, up to their cap.

    Raises:
        InsufficientStock: (all-or-nothing) a line does not fit; nothing is reserved.
        BackorderLimitReached: the oversell cap would be exceeded.
        UnknownSku, UnknownLocation, ValidationError: bad input.
    """
    if not reference or type(reference) is not str:
        check_text(reference, "reference")
    if not allocations:
        raise ValidationError("allocations", list(allocations), "give at least one allocation")
    stock = uow.repo(STOCK)
    levels: dict[str, StockLevel] = {}
    pending: dict[str, int] = {}
    short_by_sku: dict[str, int] = {}
    take: list[tuple[Allocation, StockLevel, int]] = []
    for i, a in enumerate(allocations):
        if type(a) is not Allocation:
            _check_allocation(a, i)
        qty = a.quantity
        if type(qty) is not int or qty < 1 or qty > MAX_QUANTITY:
            check_quantity(qty, f"allocations[{i}].quantity")
        lid = f"{a.location}:{a.sku}"  # level_id(), inlined on this hot path
        level = levels.get(lid)
        if level is None:
            level = stock.find(lid) or _missing_level(uow, a.sku, a.location)
            levels[lid] = level
        held = pending.get(lid, 0)
        available = level.on_hand - level.reserved - level.safety_stock - level.quarantined
        available -= held
        if available < qty:
            if allow_partial:
                qty = max(available, 0)
            else:
                short = qty - max(available, 0)
                total_short = short_by_sku.get(a.sku, 0) + short
                if not _allowance(uow, a.sku, total_short, qty, max(available, 0)):
                    raise InsufficientStock(a.sku, qty, max(available, 0), a.location)
                short_by_sku[a.sku] = total_short
        if qty:
            pending[lid] = held + qty
            take.append((a, level, qty))
    return _write(uow, ids, now, reference=reference, take=take, expires_at=expires_at,
                  actor=actor, stock=stock)  # fmt: skip


def _write(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    reference: str,
    take: list[tuple[Allocation, StockLevel, int]],
    expires_at: dt.datetime | None,
    actor: str,
    stock: Repository[StockLevel],
) -> list[Reservation]:
    if not take:
        return []
    reservations = uow.repo(RESERVATIONS)
    ledger = uow.repo(MOVEMENTS)
    out: list[Reservation] = []
    lines: list[tuple[str, str, str, int]] = []
    # what the reference already holds, read once (a new order holds nothing yet)
    held = {(r.line_ref, r.location, r.sku): r
            for r in reservations.list_by("reference", reference)}  # fmt: skip
    # one id from the generator per call; its rows are told apart by a suffix
    call = ids.new_id("res")
    for n, (a, level, qty) in enumerate(take, 1):
        line_ref, sku, location = a.line_ref, a.sku, a.location
        level.reserved += qty
        ledger.add(new_movement(f"{call}.m{n}", "reserve", sku, location, reserved=qty,
                                reason=line_ref, actor=actor, reference=reference,
                                at=now))  # fmt: skip
        key = (line_ref, location, sku)
        res = held.get(key)
        if res is None:
            res = _new_reservation(f"{call}.{n}" if n > 1 else call, reference, line_ref,
                                   sku, location=location, expires_at=expires_at)  # fmt: skip
            reservations.add(res)
            held[key] = res
        else:
            res.expires_at = expires_at
            reservations.save(res)
        res.quantity += qty
        level.check_alerts()
        stock.save(level)
        out.append(res)
        lines.append((line_ref, sku, location, qty))
    out[0].record(StockReserved(reference=reference, lines=tuple(lines)))
    return out


def _new_reservation(
    id: str, reference: str, line_ref: str, sku: str, *, location: str,
    expires_at: dt.datetime | None,
) -> Reservation:  # fmt: skip
    r = object.__new__(Reservation)
    r.id, r.version, r._events = id, 0, []
    r.reference, r.line_ref, r.sku, r.location = reference, line_ref, sku, location
    r.quantity = r.consumed = r.released = 0
    r.expires_at = expires_at
    return r


def _open_for(
    uow: UnitOfWork, reference: str, line_ref: str | None, location: str | None = None
) -> list[Reservation]:
    if not reference or type(reference) is not str:
        check_text(reference, "reference")
    if line_ref is not None and type(line_ref) is not str:
        check_text(line_ref, "line_ref")
    if location is not None:
        check_location_code(location, "location")
    found = uow.repo(RESERVATIONS).list_by("reference", reference)
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


def reservations_for(uow: UnitOfWork, reference: str) -> list[Reservation]:
    """Every reservation made for ``reference`` in ``uow`` (open, consumed or released).

    Unlike releasing, reading a reference that never reserved anything is no error: the
    list is empty.
    """
    if not reference or type(reference) is not str:
        check_text(reference, "reference")
    return uow.repo(RESERVATIONS).list_by("reference", reference)


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
    repo = uow.repo(RESERVATIONS)
    changed: list[Reservation] = []
    lines: list[tuple[str, str, str, int]] = []
    for res in found:
        qty = res.quantity if remaining is None else min(res.quantity, remaining)
        if not qty:
            continue
        level = stock.get(level_id(res.sku, res.location))
        append_movement(uow, ids.new_id("mov"), level, "release", now, reserved=-qty,
                        reference=reference, reason=reason or res.line_ref,
                        actor=actor)  # fmt: skip
        level.check_alerts()
        stock.save(level)
        res.quantity -= qty
        res.released += qty
        repo.save(res)
        changed.append(res)
        lines.append((res.line_ref, res.sku, res.location, qty))
        if remaining is not None:
            remaining -= qty
            if not remaining:
                break
    if changed:
        changed[0].record(StockReleased(reference=reference, lines=tuple(lines), reason=reason))
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
                    actor=actor)  # fmt: skip
    level.check_alerts()
    stock.save(level)
    res.quantity -= quantity
    res.consumed += quantity
    uow.repo(RESERVATIONS).save(res)
    res.record(StockConsumed(reference=reference, line_ref=line_ref, sku=res.sku,
                             location=location, quantity=quantity))  # fmt: skip
    return res
