"""The stock ledger: every movement, append-only, with reason, actor and reference.

Each [`Movement`][] stores the deltas it made to ``on_hand``, ``reserved`` and
``quarantined`` of one level, so the levels can be rebuilt by summing the ledger
([`rebuild_levels`][]) and any difference between the two is drift
([`reconcile`][]).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from omskit.inventory.stock import STOCK, StockLevel, level_id
from omskit.storage.ports import Aggregate, Collection, UnitOfWork

__all__ = [
    "MOVEMENTS",
    "MOVEMENT_KINDS",
    "Drift",
    "LevelTotals",
    "Movement",
    "append_movement",
    "new_movement",
    "rebuild_levels",
    "reconcile",
]

#: The kinds of movement the ledger records.
MOVEMENT_KINDS = (
    "receive", "adjust", "count", "reserve", "release", "consume", "transfer_out",
    "transfer_in", "restock_return", "quarantine", "unquarantine",
)  # fmt: skip


@attrs.define(eq=False)
class Movement(Aggregate):
    """One ledger entry. Written once, never changed.

    Attributes:
        kind: one of `MOVEMENT_KINDS`.
        sku: the SKU moved.
        location: where.
        on_hand: change to on-hand units.
        reserved: change to reserved units.
        quarantined: change to quarantined units.
        reason: why (free text, e.g. ``"damaged in transit"``).
        actor: who or what did it (a user, ``"system"``, an integration).
        reference: what it belongs to (an order, a cart, a purchase order, a transfer).
        at: when, from the OMS clock.
        line_ref: for ``reserve``, ``release`` and ``consume``: the line of ``reference``
            the hold belongs to (the ledger is where reservations are kept).
        expires_at: for ``reserve``: when the hold runs out (``None``: never).
    """

    kind: str
    sku: str
    location: str
    on_hand: int = 0
    reserved: int = 0
    quarantined: int = 0
    reason: str = ""
    actor: str = "system"
    reference: str = ""
    at: dt.datetime = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    line_ref: str = ""
    expires_at: dt.datetime | None = None

    @property
    def level(self) -> str:
        """The id of the stock level this movement changed."""
        return level_id(self.sku, self.location)

    def clone(self) -> Movement:
        """The entry itself: ledger entries are never modified after they are written."""
        return self


MOVEMENTS: Collection[Movement] = Collection(
    "stock_movements",
    Movement,
    indexes={"level": lambda m: m.level, "reference": lambda m: m.reference or None},
    label="stock movement",
    append_only=True,
)


def append_movement(
    uow: UnitOfWork,
    movement_id: str,
    level: StockLevel,
    kind: str,
    at: dt.datetime,
    *,
    on_hand: int = 0,
    reserved: int = 0,
    quarantined: int = 0,
    reason: str = "",
    actor: str = "system",
    reference: str = "",
    line_ref: str = "",
) -> Movement:
    """Apply the deltas to ``level`` and write the matching ledger entry, in one step.

    Going through this one function is what keeps levels and ledger in step.
    """
    level.on_hand += on_hand
    level.reserved += reserved
    level.quarantined += quarantined
    movement = new_movement(movement_id, kind, level.sku, level.location, on_hand=on_hand,
                            reserved=reserved, quarantined=quarantined, reason=reason,
                            actor=actor, reference=reference, at=at,
                            line_ref=line_ref)  # fmt: skip
    uow.repo(MOVEMENTS).add(movement)
    return movement


def new_movement(
    id: str, kind: str, sku: str, location: str, *, on_hand: int = 0, reserved: int = 0,
    quarantined: int = 0, reason: str = "", actor: str = "system", reference: str = "",
    at: dt.datetime, line_ref: str = "", expires_at: dt.datetime | None = None,
) -> Movement:  # fmt: skip
    """A [`Movement`][] built field by field (the ledger is written on every change).

    It records no events: a stored ledger entry shares one empty tuple instead of keeping
    an empty list of its own (recording on it fails loudly).
    """
    m = object.__new__(Movement)
    m.id, m.version, m._events = id, 0, _NO_EVENTS  # type: ignore[assignment]
    m.kind, m.sku, m.location = kind, sku, location
    m.on_hand, m.reserved, m.quarantined = on_hand, reserved, quarantined
    m.reason, m.actor, m.reference, m.at = reason, actor, reference, at
    m.line_ref, m.expires_at = line_ref, expires_at
    return m


_NO_EVENTS: tuple[()] = ()


@attrs.frozen
class LevelTotals:
    """Levels as the ledger has them: sums of every movement's deltas."""

    sku: str
    location: str
    on_hand: int = 0
    reserved: int = 0
    quarantined: int = 0


@attrs.frozen
class Drift:
    """A difference between a stored level and what its ledger adds up to."""

    sku: str
    location: str
    field: str
    level: int
    ledger: int

    def __str__(self) -> str:
        return (
            f"{self.sku} at {self.location}: {self.field} is {self.level} but the ledger "
            f"adds up to {self.ledger} (drift {self.level - self.ledger:+d})"
        )


def rebuild_levels(movements: Iterable[Movement]) -> dict[str, LevelTotals]:
    """Sum ``movements`` into totals per level id."""
    sums: dict[str, list[int]] = {}
    names: dict[str, tuple[str, str]] = {}
    for m in movements:
        key = m.level
        row = sums.get(key)
        if row is None:
            row = sums[key] = [0, 0, 0]
            names[key] = (m.sku, m.location)
        row[0] += m.on_hand
        row[1] += m.reserved
        row[2] += m.quarantined
    return {key: LevelTotals(names[key][0], names[key][1], *row) for key, row in sums.items()}


def reconcile(uow: UnitOfWork) -> list[Drift]:
    """Compare every stored level with the ledger; return the differences found."""
    totals = rebuild_levels(uow.repo(MOVEMENTS).scan())
    drift: list[Drift] = []
    seen: set[str] = set()
    for level in uow.repo(STOCK).scan():
        seen.add(level.id)
        t = totals.get(level.id) or LevelTotals(level.sku, level.location)
        for name in ("on_hand", "reserved", "quarantined"):
            stored, summed = getattr(level, name), getattr(t, name)
            if stored != summed:
                drift.append(Drift(level.sku, level.location, name, stored, summed))
    for key, t in totals.items():
        if key not in seen:
            for name in ("on_hand", "reserved", "quarantined"):
                if getattr(t, name):
                    drift.append(Drift(t.sku, t.location, name, 0, getattr(t, name)))
    return drift
