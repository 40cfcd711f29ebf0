"""Expiry of cart reservations: holds with an ``expires_at`` in the past are released."""

from __future__ import annotations

import datetime as dt

from omskit.ids import IdGenerator
from omskit.inventory.events import ReservationExpired
from omskit.inventory.reservations import RESERVATIONS, release_lines
from omskit.storage.ports import UnitOfWork

__all__ = ["expire_due"]


def expire_due(uow: UnitOfWork, ids: IdGenerator, now: dt.datetime) -> list[str]:
    """Release every open reservation whose ``expires_at`` is at or before ``now``.

    Returns the references released, in the order found. Uses the ``expiring`` index, so
    only holds that can expire are read.
    """
    due: dict[str, dt.datetime] = {}
    for res in uow.repo(RESERVATIONS).list_by("expiring", True):
        if res.expires_at is not None and res.expires_at <= now and res.quantity:
            due.setdefault(res.reference, res.expires_at)
    for reference, when in due.items():
        changed = [r for r in uow.repo(RESERVATIONS).list_by("reference", reference)
                   if r.quantity and r.expires_at is not None and r.expires_at <= now]  # fmt: skip
        for res in changed:
            release_lines(uow, ids, now, reference=reference, line_ref=res.line_ref,
                          quantity=res.quantity, reason="cart expired")  # fmt: skip
        changed[0].record(ReservationExpired(reference=reference, expired_at=when))
    return list(due)
