"""Expiry of cart reservations: holds with an ``expires_at`` in the past are released."""

from __future__ import annotations

import datetime as dt

from omskit.ids import IdGenerator
from omskit.inventory.events import ReservationExpired
from omskit.inventory.releases import release_lines
from omskit.inventory.reservations import EXPIRING_HOLDS, ExpiringHold, holds_of
from omskit.inventory.stock import STOCK, level_id
from omskit.storage.ports import UnitOfWork

__all__ = ["expire_due"]


def expire_due(uow: UnitOfWork, ids: IdGenerator, now: dt.datetime) -> list[str]:
    """Release every open reservation whose ``expires_at`` is at or before ``now``.

    Returns the references released, in the order found. Only references a reserve call
    with an expiry marked ([`ExpiringHold`][]) are read; a marker is closed once its
    reference holds nothing that can expire.
    """
    markers: dict[str, list[ExpiringHold]] = {}
    repo = uow.repo(EXPIRING_HOLDS)
    for marker in repo.list_by("open", True):
        markers.setdefault(marker.reference, []).append(marker)
    released: list[str] = []
    for reference, found in markers.items():
        holds = list(holds_of(uow, reference).values())
        due = [r for r in holds
               if r.quantity and r.expires_at is not None and r.expires_at <= now]  # fmt: skip
        for res in due:
            release_lines(uow, ids, now, reference=reference, line_ref=res.line_ref,
                          quantity=res.quantity, reason="cart expired",
                          location=res.location)  # fmt: skip
        if due:
            first = due[0].expires_at
            assert first is not None
            level = uow.repo(STOCK).get(level_id(due[-1].sku, due[-1].location))
            level.record(ReservationExpired(reference=reference, expired_at=first))
            uow.repo(STOCK).save(level)
            released.append(reference)
        if not any(r.quantity and r.expires_at is not None for r in holds if r not in due):
            for marker in found:
                marker.open = False
                repo.save(marker)
    return released
