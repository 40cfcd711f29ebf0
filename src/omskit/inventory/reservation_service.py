"""Reservation methods of the inventory service: reserve, release, consume, expire.

Every ``*_in`` method runs inside the caller's unit of work (orders reserve in the same
transaction as capture, fulfillment releases and consumes in its own); the others run
one use case each.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from omskit.errors import ConcurrencyConflict
from omskit.inventory.arguments import (
    check_actor,
    check_flag,
    check_moment,
    check_optional_sku,
    check_reason,
    check_reference,
)
from omskit.inventory.backorders import Backorder, Waiting, accept_shortfalls
from omskit.inventory.errors import ShortLine
from omskit.inventory.expiry import expire_due
from omskit.inventory.locations import check_location_code
from omskit.inventory.releases import consume_lines, release_lines
from omskit.inventory.reservations import Allocation, Reservation, reservations_for, reserve_lines
from omskit.storage.ports import UnitOfWork

if TYPE_CHECKING:
    from omskit.inventory.settings import InventorySettings
    from omskit.runtime import Runtime

__all__ = ["RESERVE_ATTEMPTS", "ReservationMixin"]

T = TypeVar("T")

#: How often a reservation is tried when other writers keep changing the same levels first
#: (with a short, growing pause between tries).
RESERVE_ATTEMPTS = 100


class ReservationMixin:
    """Reservations: all-or-nothing holds per reference, released or consumed later."""

    _rt: Runtime
    settings: InventorySettings

    def _run(self, fn: Callable[[UnitOfWork], T], actor: str | None = None) -> T:
        return self._rt.run(fn, actor=actor)

    def _read(self, fn: Callable[[UnitOfWork], T]) -> T:
        with self._rt.storage.unit_of_work() as uow:
            return fn(uow)

    def reserve_in(
        self, uow: UnitOfWork, *, reference: str, allocations: Sequence[Allocation],
        expires_at: dt.datetime | None = None, actor: str = "system",
        allow_partial: bool = False, oversell: bool = True,
    ) -> list[Reservation]:  # fmt: skip
        """Check and reserve every allocation inside the caller's unit of work.

        All-or-nothing (unless ``allow_partial``): raises `StockShortfall` (an
        `InsufficientStock`) naming every line that does not fit, and reserves
        nothing. SKUs that take backorders may be held beyond stock unless ``oversell``
        is off, as capture has it: what it reserves must be there.
        """
        expires_at = check_moment(expires_at, "expires_at")
        actor, allow_partial = check_actor(actor), check_flag(allow_partial, "allow_partial")
        oversell = check_flag(oversell, "oversell")
        return reserve_lines(uow, self._rt.ids, self._rt.clock.now(), reference=reference,
                             allocations=allocations, expires_at=expires_at,
                             allow_partial=allow_partial, actor=actor,
                             oversell=oversell)  # fmt: skip

    def reserve(
        self, *, reference: str, allocations: Sequence[Allocation],
        expires_at: dt.datetime | None = None, cart: bool = False, actor: str = "system",
        allow_partial: bool = False,
    ) -> list[Reservation]:  # fmt: skip
        """`reserve_in` in its own transaction.

        ``cart=True`` makes the hold expire after the configured cart TTL (unless
        ``expires_at`` is given); [`expire_reservations`][] then releases it.
        """
        expires_at = check_moment(expires_at, "expires_at")
        cart, actor = check_flag(cart, "cart"), check_actor(actor)
        allow_partial = check_flag(allow_partial, "allow_partial")
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
                return self._rt.run(use_case, attempts=1, actor=actor)
            except ConcurrencyConflict:
                if attempt == RESERVE_ATTEMPTS:
                    raise
                # a hot SKU: let the other writers finish before checking again
                time.sleep(min(0.002, 0.000_02 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def backorder_in(
        self, uow: UnitOfWork, *, reference: str, lines: Sequence[ShortLine],
        allow: bool = True, waiting: Waiting | None = None,
    ) -> list[Backorder]:  # fmt: skip
        """Accept the short units of ``reference``'s lines as each SKU's policy says.

        The SKU's policy decides (``deny`` refuses; ``backorder`` and ``preorder`` accept
        up to their cap); ``allow=False`` narrows it to refusing everything. All lines are
        accepted and booked against their caps, replacing what ``reference`` had booked,
        or none is. ``waiting(reference, line_ref)`` tells how many units an order line
        still waits for; before refusing for a cap, bookings of orders that no longer
        wait are dropped. Orders call it at capture and edit (and with no lines when an
        order is cancelled).

        Raises:
            BackorderLimitReached: a cap would be exceeded; ``shortfalls`` lists every
                refused line.
            StockShortfall: lines whose SKU does not take backorders (or ``allow`` is
                off), every one listed.
        """
        if not reference or type(reference) is not str:
            check_reference(reference, required=True)
        return accept_shortfalls(uow, self._rt.ids, reference=reference, lines=lines,
                                 allow=allow, waiting=waiting)  # fmt: skip

    def release_in(
        self, uow: UnitOfWork, *, reference: str, line_ref: str | None = None,
        quantity: int | None = None, reason: str = "", actor: str = "system",
        location: str | None = None,
    ) -> list[Reservation]:  # fmt: skip
        """Release all of ``reference``'s holds, one line's, or ``quantity`` of a line.

        With ``location``, only the holds at that location are released: a line split
        over several locations keeps the others.

        Raises:
            UnknownReservation: nothing was reserved for the reference (line, location).
            InvalidQuantity: ``quantity`` is more than is held (there).
            ValidationError: malformed arguments; nothing is released.
        """
        reason, actor = check_reason(reason), check_actor(actor)
        return release_lines(uow, self._rt.ids, self._rt.clock.now(), reference=reference,
                             line_ref=line_ref, quantity=quantity, reason=reason,
                             actor=actor, location=location)  # fmt: skip

    def release(
        self, *, reference: str, line_ref: str | None = None, quantity: int | None = None,
        reason: str = "", actor: str = "system", location: str | None = None,
    ) -> list[Reservation]:  # fmt: skip
        """`release_in` in its own transaction."""
        reason, actor = check_reason(reason), check_actor(actor)
        return self._run(lambda uow: self.release_in(uow, reference=reference,
                         line_ref=line_ref, quantity=quantity, reason=reason,
                         actor=actor, location=location), actor)  # fmt: skip

    def consume_in(
        self, uow: UnitOfWork, *, reference: str, line_ref: str, location: str,
        quantity: int, actor: str = "system", sku: str | None = None,
    ) -> Reservation:  # fmt: skip
        """On shipment: the line's reservation and on-hand stock both go down."""
        location, sku = check_location_code(location), check_optional_sku(sku)
        actor = check_actor(actor)
        return consume_lines(uow, self._rt.ids, self._rt.clock.now(), reference=reference,
                             line_ref=line_ref, location=location, quantity=quantity,
                             actor=actor, sku=sku)  # fmt: skip

    def consume(
        self, *, reference: str, line_ref: str, location: str, quantity: int,
        actor: str = "system", sku: str | None = None,
    ) -> Reservation:  # fmt: skip
        """`consume_in` in its own transaction."""
        location, sku = check_location_code(location), check_optional_sku(sku)
        actor = check_actor(actor)
        return self._run(lambda uow: self.consume_in(uow, reference=reference,
                         line_ref=line_ref, location=location, quantity=quantity,
                         actor=actor, sku=sku), actor)  # fmt: skip

    def reservations(self, reference: str) -> list[Reservation]:
        """Every reservation made for ``reference`` (open, consumed or released)."""
        reference = check_reference(reference, required=True)
        return self._read(lambda uow: reservations_for(uow, reference))

    def reservations_in(self, uow: UnitOfWork, reference: str) -> list[Reservation]:
        """[`reservations`][] inside the caller's unit of work (sees its own changes).

        The reservations returned are the unit of work's copies: read them, change them
        only through `release_in` and `consume_in`.
        """
        return reservations_for(uow, reference)

    def expire_reservations(
        self, now: dt.datetime | None = None, *, actor: str = "system"
    ) -> list[str]:
        """Release every cart hold whose time ran out; returns the references released."""
        when = check_moment(now, "now") or self._rt.clock.now()
        return self._run(lambda uow: expire_due(uow, self._rt.ids, when), check_actor(actor))
