"""Backorders, preorders and available-to-promise.

Each SKU has a [`SkuPolicy`][]: ``deny`` (never sell what is not there; the default),
``backorder`` (take orders now, ship when stock arrives) or ``preorder`` (take orders
before a ``release_date``). Backorders and preorders may carry a ``cap``: the most units
that may be sold beyond what is available, across all locations.

What counts against a cap: units reserved beyond what a location has (a reservation may
run ahead of stock for such a SKU) plus units orders were accepted for beyond stock and
do not hold yet, which `accept_shortfalls` books as `Backorder` records, one
per order line. The SKU's policy record is written whenever a capped SKU is oversold, so
two transactions deciding on the same cap conflict and one of them decides again.

`promise` combines on-hand stock, open purchase orders and reservations into a
promise date for a quantity of a SKU.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

import attrs

from omskit.ids import IdGenerator
from omskit.inventory.errors import BackorderLimitReached, ShortLine, StockShortfall
from omskit.inventory.stock import STOCK, StockLevel
from omskit.storage.ports import Aggregate, Collection, UnitOfWork

__all__ = [
    "BACKORDERS",
    "BACKORDER_MODES",
    "SKU_POLICIES",
    "Backorder",
    "Promise",
    "SkuPolicy",
    "accept_shortfalls",
    "booked",
    "oversell_room",
    "oversold",
    "promise",
]

BackorderMode = Literal["deny", "backorder", "preorder"]

#: The backorder modes a SKU can have.
BACKORDER_MODES: tuple[str, ...] = ("deny", "backorder", "preorder")


@attrs.define(eq=False)
class SkuPolicy(Aggregate):
    """How a SKU may be sold beyond its stock. ``id`` is the SKU.

    Attributes:
        mode: ``"deny"``, ``"backorder"`` or ``"preorder"``.
        cap: at most this many units oversold across all locations (``None``: no cap).
        release_date: for preorders, the day the product comes out.
    """

    mode: BackorderMode = "deny"
    cap: int | None = None
    release_date: dt.date | None = None

    @property
    def sku(self) -> str:
        """The SKU this policy governs."""
        return self.id

    @property
    def allows_overselling(self) -> bool:
        """True for backorders and preorders."""
        return self.mode != "deny"

    def clone(self) -> SkuPolicy:
        """A cheap copy (all fields are immutable values)."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


SKU_POLICIES: Collection[SkuPolicy] = Collection(
    "sku_backorder_policies", SkuPolicy, label="backorder policy"
)


@attrs.define(eq=False)
class Backorder(Aggregate):
    """Units of one order line accepted beyond stock and not held anywhere yet.

    Attributes:
        sku: the SKU.
        reference: the order.
        line_ref: its line.
        units: units backordered or preordered (0: no longer counted).
        mode: ``"backorder"`` or ``"preorder"``, the SKU's policy when they were accepted.
    """

    sku: str
    reference: str
    line_ref: str
    units: int = 0
    mode: str = "backorder"

    def clone(self) -> Backorder:
        """A cheap copy (all fields are immutable values)."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


BACKORDERS: Collection[Backorder] = Collection(
    "sku_backorders",
    Backorder,
    indexes={"sku": lambda b: b.sku if b.units else None,
             "reference": lambda b: b.reference if b.units else None},
    label="backorder",
)  # fmt: skip

#: Tells how many units of ``(reference, line_ref)`` still wait for stock (0: none, the
#: order is gone, cancelled or fully sourced). Lets stale bookings be dropped.
Waiting = Callable[[str, str], int]


def booked(uow: UnitOfWork, sku: str, *, besides: str | None = None) -> int:
    """Units of ``sku`` orders were accepted for beyond stock (not those of ``besides``)."""
    return sum(b.units for b in uow.repo(BACKORDERS).list_view("sku", sku)
               if b.reference != besides)  # fmt: skip


def oversell_room(
    uow: UnitOfWork, sku: str, policy: SkuPolicy | None, *, reference: str | None = None
) -> int | None:
    """How many more units of ``sku`` may be sold beyond stock (``None``: no limit).

    0 for ``deny``; for a capped backorder or preorder, the cap less the units reserved
    beyond stock and the units booked for orders (``reference``'s own do not count: it is
    being sourced again).
    """
    if policy is None or not policy.allows_overselling:
        return 0
    if policy.cap is None:
        return None
    levels = uow.repo(STOCK).list_view("sku", sku)
    return max(policy.cap - oversold(levels) - booked(uow, sku, besides=reference), 0)


def accept_shortfalls(
    uow: UnitOfWork,
    ids: IdGenerator,
    *,
    reference: str,
    lines: Sequence[ShortLine],
    allow: bool = True,
    waiting: Waiting | None = None,
) -> list[Backorder]:
    """Accept what stock cannot cover of ``reference``'s lines as each SKU's policy says.

    The policy decides: ``deny`` refuses the short units; ``backorder`` and ``preorder``
    accept them up to the cap. ``allow=False`` (backorders switched off for the caller)
    refuses them whatever the policy. Either every short line is accepted and booked, or
    nothing is and one error lists every refused line. What ``reference`` had booked
    before is replaced (an edited order is booked afresh). Before refusing for a cap,
    bookings that ``waiting`` says no longer wait for stock are dropped and the cap is
    checked again.

    Raises:
        BackorderLimitReached: a cap would be exceeded (``shortfalls`` lists every
            refused line).
        StockShortfall: short lines that may not be backordered, every one listed.
    """
    repo = uow.repo(BACKORDERS)
    for old in repo.list_by("reference", reference):
        old.units = 0
        repo.save(old)
    short = [ln for ln in lines if ln.short > 0]
    if not short:
        return []
    decided = _decide(uow, reference, short, allow)
    capped = {ln.sku for ln, verdict, _p in decided if verdict == "cap"}
    if capped and waiting is not None and _prune(uow, capped, waiting):
        decided = _decide(uow, reference, short, allow)
    refused = [ln for ln, verdict, _p in decided if verdict != "ok"]
    if refused:
        over = [(ln, p) for ln, verdict, p in decided if verdict == "cap"]
        if over:
            first, policy = over[0]
            assert policy.cap is not None
            raise BackorderLimitReached(first.sku, first.requested, first.available,
                                        policy.cap, policy.mode, refused)  # fmt: skip
        raise StockShortfall(refused)
    out = []
    policies = uow.repo(SKU_POLICIES)
    for ln, _verdict, _p in decided:
        policy = policies.get(ln.sku)
        if policy.cap is not None:
            policies.save(policy)  # decisions on one cap conflict with each other
        row = Backorder(id=ids.new_id("bko"), sku=ln.sku, reference=reference,
                        line_ref=ln.line_ref or "", units=ln.short, mode=policy.mode)  # fmt: skip
        repo.add(row)
        out.append(row)
    return out


Verdict = tuple[ShortLine, str, "SkuPolicy"]


def _decide(uow: UnitOfWork, reference: str, lines: list[ShortLine],
            allow: bool) -> list[Verdict]:  # fmt: skip
    """Each line with ``"ok"``, ``"refused"`` or ``"cap"`` and its SKU's policy.

    A refused line says why in its ``reason``; lines of one SKU share its cap's room.
    """
    policies = uow.repo(SKU_POLICIES)
    room: dict[str, int | None] = {}
    out: list[Verdict] = []
    for ln in lines:
        policy = policies.view(ln.sku) or SkuPolicy(id=ln.sku)
        if not policy.allows_overselling:
            out.append((attrs.evolve(ln, reason=f"{ln.sku} does not take backorders"),
                        "refused", policy))  # fmt: skip
            continue
        if not allow:
            why = "backorders are switched off (orders.backorders)"
            out.append((attrs.evolve(ln, reason=why), "refused", policy))
            continue
        if ln.sku not in room:
            room[ln.sku] = oversell_room(uow, ln.sku, policy, reference=reference)
        left = room[ln.sku]
        if left is not None and ln.short > left:
            why = (f"the {policy.mode} cap of {policy.cap} unit(s) would be exceeded "
                   f"({left} left to sell beyond stock)")  # fmt: skip
            out.append((attrs.evolve(ln, reason=why), "cap", policy))
            continue
        if left is not None:
            room[ln.sku] = left - ln.short
        out.append((ln, "ok", policy))
    return out


def _prune(uow: UnitOfWork, skus: set[str], waiting: Waiting) -> bool:
    """Drop bookings of ``skus`` their orders no longer wait for; True if any changed."""
    repo = uow.repo(BACKORDERS)
    changed = False
    for sku in sorted(skus):
        for row in repo.list_by("sku", sku):
            still = max(0, min(row.units, waiting(row.reference, row.line_ref)))
            if still != row.units:
                row.units = still
                repo.save(row)
                changed = True
    return changed


def oversold(levels: Iterable[StockLevel]) -> int:
    """Units reserved beyond what is available, summed over ``levels``."""
    return sum(-lv.available for lv in levels if lv.available < 0)


def sku_levels(uow: UnitOfWork, sku: str) -> list[StockLevel]:
    """Every level of ``sku`` (the unit of work's own copies)."""
    return uow.repo(STOCK).list_by("sku", sku)


@attrs.frozen
class Promise:
    """When ``quantity`` units of ``sku`` can be promised.

    Attributes:
        date: the promise date; ``None`` when nothing can be promised.
        location: where it will come from (``None``: several locations or none).
        basis: ``"in_stock"``, ``"incoming"``, ``"preorder"``, ``"backorder"`` or
            ``"unavailable"``.
        note: the reason in words.
    """

    sku: str
    quantity: int
    date: dt.date | None
    location: str | None
    basis: str
    note: str


def _earliest(level: StockLevel, quantity: int, today: dt.date) -> tuple[dt.date, str] | None:
    atp = level.available
    if atp >= quantity:
        return today, ""
    for inc in sorted(level.incoming, key=lambda i: (i.expected, i.po)):
        atp += inc.quantity
        if atp >= quantity:
            return max(inc.expected, today), inc.po
    return None


def promise(
    sku: str,
    quantity: int,
    levels: Sequence[StockLevel],
    policy: SkuPolicy | None,
    today: dt.date,
) -> Promise:
    """Available-to-promise by date for ``quantity`` x ``sku``.

    ATP at a location on a day = available now (on hand less reservations, safety stock
    and quarantine; backorders already taken make it lower) plus purchase-order units
    expected by that day. The promise is the earliest day one location reaches
    ``quantity``; failing that, the earliest day all locations together do. Preorders are
    never promised before their release date; ``deny`` SKUs only promise stock on hand.
    """
    mode = policy.mode if policy is not None else "deny"
    best: tuple[dt.date, str, str] | None = None
    for level in levels:
        found = _earliest(level, quantity, today)
        if found is not None and (best is None or (found[0], level.location) < best[:2]):
            best = (found[0], level.location, found[1])
    location: str | None
    date: dt.date | None
    if best is not None:
        date, location, po = best
    else:
        date, location, po = _combined(levels, quantity, today), None, ""
    if mode == "preorder" and policy is not None and policy.release_date is not None:
        release = policy.release_date
        if release > today:
            when = max(release, date) if date is not None else release
            return Promise(sku, quantity, when, location, "preorder",
                           f"preorder: released on {release.isoformat()}")  # fmt: skip
    if date == today:
        return Promise(sku, quantity, today, location, "in_stock", "in stock")
    if date is not None and mode != "deny":
        basis = "backorder" if mode == "backorder" else "incoming"
        if location is None:
            note = f"stock and purchase orders of several locations together by {date}"
        else:
            note = f"purchase order {po} due at {location} {date.isoformat()}"
        return Promise(sku, quantity, date, location, basis, note)
    if date is not None:
        return Promise(sku, quantity, None, None, "unavailable",
                       f"not in stock; restock expected {date.isoformat()} but {sku} "
                       "does not take backorders")  # fmt: skip
    return Promise(sku, quantity, None, None, "unavailable",
                   "not in stock and no purchase order covers it")  # fmt: skip


def _combined(levels: Sequence[StockLevel], quantity: int, today: dt.date) -> dt.date | None:
    atp = sum(lv.available for lv in levels)
    if atp >= quantity:
        return today
    arrivals = sorted((i.expected, i.quantity) for lv in levels for i in lv.incoming)
    for expected, qty in arrivals:
        atp += qty
        if atp >= quantity:
            return max(expected, today)
    return None
