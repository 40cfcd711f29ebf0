"""Reservations: check-and-reserve a whole reference in one atomic step.

How it stays correct under concurrency: every reservation reads the stock levels it
touches into the unit of work, checks every line, then changes them; the commit fails with
[`ConcurrencyConflict`][] if any of those levels changed in the
meantime (optimistic versions), and ``runtime.run`` starts the whole check again. Nothing
is written unless every line fits (all-or-nothing), so stock is never oversold.

A durable backend does the same with one conditional update per level inside one
transaction, rolling back if any update touches no row::

    UPDATE stock_levels SET reserved = reserved + :qty, version = version + 1
     WHERE id = :level AND on_hand - reserved - safety_stock - quarantined >= :qty

Where the holds are kept: in the ledger. Every ``reserve``, ``release`` and ``consume``
movement carries its reference and line, so a reservation is the sum of its movements
([`reservations_for`][]), and a reserve call writes only its levels and one ledger
entry per line. Cart holds (with an expiry) also leave one [`ExpiringHold`][] marker
per call, so expiry finds them without reading every ledger entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from omskit.catalog.model import PRODUCTS
from omskit.errors import UnknownSku, ValidationError
from omskit.ids import IdGenerator
from omskit.inventory.arguments import MAX_REFERENCE
from omskit.inventory.backorders import SKU_POLICIES, SkuPolicy, booked, oversold, sku_levels
from omskit.inventory.errors import (
    BackorderLimitReached,
    ShortLine,
    StockShortfall,
    UnknownLocation,
)
from omskit.inventory.events import StockReserved
from omskit.inventory.ledger import MOVEMENTS, Movement, new_movement
from omskit.inventory.locations import LOCATIONS, check_location_code
from omskit.inventory.stock import STOCK, StockLevel, level_id
from omskit.storage.ports import Aggregate, Collection, Repository, UnitOfWork
from omskit.validation import MAX_QUANTITY, check_quantity, check_sku, check_text

__all__ = [
    "EXPIRING_HOLDS",
    "Allocation",
    "ExpiringHold",
    "Reservation",
    "holds_of",
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

    A reservation is read from the ledger (the sum of the reference's ``reserve``,
    ``release`` and ``consume`` movements for the line, location and SKU): it is a
    snapshot, changed only through releasing and consuming, never saved itself.

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


@attrs.define(eq=False)
class ExpiringHold(Aggregate):
    """A marker left by a reserve call with an expiry: ``reference`` may hold cart stock.

    Attributes:
        reference: the cart (or order) whose holds can run out.
        open: ``False`` once expiry found nothing left to release for the reference.
    """

    reference: str
    open: bool = True

    def clone(self) -> ExpiringHold:
        """A fast field-by-field copy."""
        copy = object.__new__(ExpiringHold)
        copy.id, copy.version, copy._events = self.id, self.version, []
        copy.reference, copy.open = self.reference, self.open
        return copy


EXPIRING_HOLDS: Collection[ExpiringHold] = Collection(
    "stock_expiring_holds",
    ExpiringHold,
    indexes={"open": lambda h: True if h.open else None},
    label="expiring hold",
)

#: A reservation's key within its reference: line, location, SKU.
HoldKey = tuple[str, str, str]


def _reservation_id(movement_id: str) -> str:
    """A hold's id, from the id of the movement that first reserved it.

    Movement ``res_7.m1`` opens hold ``res_7``, ``res_7.m2`` opens ``res_7.2``.
    """
    call, _, n = movement_id.rpartition(".m")
    if not call:
        return f"{movement_id}.hold"
    return call if n == "1" else f"{call}.{n}"


def holds_of(uow: UnitOfWork, reference: str) -> dict[HoldKey, Reservation]:
    """The reservations of ``reference`` summed from its ledger entries, by key.

    Ordered by when each hold was first reserved; the unit of work's own, uncommitted
    movements are included.
    """
    return _holds(uow.repo(MOVEMENTS), reference)


def _holds(ledger: Repository[Movement], reference: str) -> dict[HoldKey, Reservation]:
    out: dict[HoldKey, Reservation] = {}
    for m in ledger.list_by("reference", reference):
        kind = m.kind
        if kind == "reserve":
            key = (m.line_ref, m.location, m.sku)
            r = out.get(key)
            if r is None:
                r = out[key] = _new_reservation(_reservation_id(m.id), reference, m.line_ref,
                                                m.sku, location=m.location,
                                                expires_at=m.expires_at)  # fmt: skip
            else:
                r.expires_at = m.expires_at
            r.quantity += m.reserved
        elif kind in ("release", "consume"):
            r = out.get((m.line_ref, m.location, m.sku))
            if r is None:  # pragma: no cover - every release follows its reserve
                continue
            r.quantity += m.reserved
            if kind == "release":
                r.released -= m.reserved
            else:
                r.consumed -= m.reserved
    return out


def _missing_level(uow: UnitOfWork, sku: str, location: str) -> StockLevel:
    """A new, empty level, after checking that the SKU and the location exist."""
    check_sku(sku)
    check_location_code(location)
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
    check_sku(a.sku, f"allocations[{i}].sku")
    check_location_code(a.location, f"allocations[{i}].location")
    _check_line_ref(a.line_ref, f"allocations[{i}].line_ref")
    return a


def _is_list(value: object) -> bool:
    if type(value) is list or type(value) is tuple:
        return True
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _check_line_ref(value: object, field: str) -> None:
    if type(value) is not str or not value or len(value) > 64:
        check_text(value, field, max_length=64)


def _allowance(uow: UnitOfWork, sku: str, short: int) -> SkuPolicy | bool:
    """Whether the SKU's policy lets ``short`` more units be oversold.

    ``True`` or ``False``; the policy itself when its cap would be exceeded.
    """
    policies = uow.repo(SKU_POLICIES)
    policy = policies.find(sku)
    if policy is None or not policy.allows_overselling:
        return False
    if policy.cap is not None:
        already = oversold(sku_levels(uow, sku)) + booked(uow, sku)
        if already + short > policy.cap:
            return policy
        policies.save(policy)  # two decisions on one cap conflict: one decides again
    return True


def _check_call(reference: object, allocations: object) -> None:
    if not reference or type(reference) is not str or len(reference) > MAX_REFERENCE:
        check_text(reference, "reference", max_length=MAX_REFERENCE)
    if not _is_list(allocations):
        raise ValidationError("allocations", allocations, "expected a list of Allocation")
    if not allocations:
        raise ValidationError("allocations", [], "give at least one allocation")


def _beyond_stock(
    uow: UnitOfWork, a: Allocation, qty: int, available: int, *,
    short_by_sku: dict[str, int], oversell: bool,
) -> tuple[ShortLine, SkuPolicy | None] | None:  # fmt: skip
    """``None`` when ``a`` may be held beyond stock; else why not (and the cap's policy)."""
    total_short = short_by_sku.get(a.sku, 0) + qty - available
    allowed = oversell and _allowance(uow, a.sku, total_short)
    if allowed is True:
        short_by_sku[a.sku] = total_short
        return None
    if allowed is False:
        return ShortLine(a.sku, qty, available, a.line_ref, a.location), None
    why = f"the {allowed.mode} cap of {allowed.cap} unit(s) would be exceeded"
    return ShortLine(a.sku, qty, available, a.line_ref, a.location, why), allowed


def _refuse(missing: list[tuple[ShortLine, SkuPolicy | None]]) -> None:
    """Raise one error naming every allocation that does not fit."""
    lines = [line for line, _policy in missing]
    for line, policy in missing:
        if policy is not None and policy.cap is not None:
            raise BackorderLimitReached(line.sku, line.requested, line.available, policy.cap,
                                        policy.mode, lines)  # fmt: skip
    raise StockShortfall(lines)


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
    oversell: bool = True,
) -> list[Reservation]:
    """Check and reserve every allocation of ``reference`` in the caller's unit of work.

    All-or-nothing unless ``allow_partial``: then each allocation takes what is available
    (in order) and the shortfall is simply not held. SKUs whose policy allows backorders
    or preorders may be reserved beyond what is available, up to their cap, unless
    ``oversell`` is off (a plan's allocations must be stock that is there).

    Raises:
        StockShortfall: (all-or-nothing) lines do not fit, every one listed in its
            ``shortfalls``; nothing is reserved.
        BackorderLimitReached: the oversell cap would be exceeded (its ``shortfalls``
            list every line that does not fit).
        UnknownSku, UnknownLocation, ValidationError: bad input.
    """
    _check_call(reference, allocations)
    stock = uow.repo(STOCK)
    levels: dict[str, StockLevel] = {}
    pending: dict[str, int] = {}
    short_by_sku: dict[str, int] = {}
    take: list[tuple[Allocation, StockLevel, int]] = []
    missing: list[tuple[ShortLine, SkuPolicy | None]] = []
    for i, a in enumerate(allocations):
        if type(a) is not Allocation:
            _check_allocation(a, i)
        ref = a.line_ref
        if type(ref) is not str or not ref or len(ref) > 64:
            _check_line_ref(ref, f"allocations[{i}].line_ref")
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
                refused = _beyond_stock(
                    uow, a, qty, max(available, 0), short_by_sku=short_by_sku, oversell=oversell
                )
                if refused is not None:
                    missing.append(refused)
                    continue
        if qty:
            pending[lid] = held + qty
            take.append((a, level, qty))
    if missing:
        _refuse(missing)
    if not take:
        return []
    return _write(uow, ids.new_id("res"), now, reference=reference, take=take,
                  expires_at=expires_at, actor=actor, stock=stock)  # fmt: skip


def _write(
    uow: UnitOfWork,
    call: str,
    now: dt.datetime,
    *,
    reference: str,
    take: list[tuple[Allocation, StockLevel, int]],
    expires_at: dt.datetime | None,
    actor: str,
    stock: Repository[StockLevel],
) -> list[Reservation]:
    ledger = uow.repo(MOVEMENTS)
    # what the reference already holds (a new order holds nothing yet)
    held = _holds(ledger, reference)
    out: list[Reservation] = []
    lines: list[tuple[str, str, str, int]] = []
    level = take[0][1]
    # one id from the generator per call; its entries and holds are told apart by a suffix
    for n, (a, level, qty) in enumerate(take, 1):
        line_ref, sku, location = a.line_ref, a.sku, a.location
        level.reserved += qty
        mid = f"{call}.m{n}"
        ledger.add(new_movement(mid, "reserve", sku, location, reserved=qty, reason=line_ref,
                                actor=actor, reference=reference, at=now, line_ref=line_ref,
                                expires_at=expires_at))  # fmt: skip
        key = (line_ref, location, sku)
        res = held.get(key)
        if res is None:
            res = held[key] = _new_reservation(call if n == 1 else f"{call}.{n}", reference,
                                               line_ref, sku,
                                               location=location,
                                               expires_at=expires_at)  # fmt: skip
        else:
            res.expires_at = expires_at
        res.quantity += qty
        level.check_alerts()
        stock.save(level)
        out.append(res)
        lines.append((line_ref, sku, location, qty))
    if expires_at is not None:
        marker = object.__new__(ExpiringHold)
        marker.id, marker.version, marker._events = call, 0, []
        marker.reference, marker.open = reference, True
        uow.repo(EXPIRING_HOLDS).add(marker)
    level.record(StockReserved(reference=reference, lines=tuple(lines)))
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


def reservations_for(uow: UnitOfWork, reference: str) -> list[Reservation]:
    """Every reservation made for ``reference`` in ``uow`` (open, consumed or released).

    Unlike releasing, reading a reference that never reserved anything is no error: the
    list is empty.
    """
    if not reference or type(reference) is not str:
        check_text(reference, "reference")
    return list(holds_of(uow, reference).values())
