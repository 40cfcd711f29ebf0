"""Shortfalls: what a plan could not allocate, why, and when it may still ship."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from omskit.inventory.backorders import SKU_POLICIES, SkuPolicy, oversell_room, promise
from omskit.inventory.reservations import Allocation
from omskit.inventory.stock import STOCK
from omskit.routing.model import Shortfall
from omskit.routing.problem import Pick, SourcingProblem
from omskit.storage.ports import UnitOfWork

__all__ = ["shortfalls_of"]


def shortfalls_of(
    uow: UnitOfWork, problem: SourcingProblem, eligible: Mapping[str, object],
    picks: Sequence[Pick] | Sequence[Allocation], today: Callable[[], dt.date], *,
    reference: str | None = None,
) -> list[Shortfall]:  # fmt: skip
    """What ``picks`` (or allocations) leave of each line, with the reason and any promise.

    ``eligible`` holds the codes of the locations that may ship to the destination: the
    stock they expect counts towards a promise date. The SKU's policy decides the kind:
    ``deny`` rejects; ``backorder`` and ``preorder`` take the units up to what their cap
    still allows (`oversell_room`, with ``reference``'s
    own bookings left out), and the rest of a line is rejected. Capture decides with the
    same rule, so a plan's words are what capture does.
    """
    done: dict[str, int] = {}
    for p in picks:
        done[p.line_ref] = done.get(p.line_ref, 0) + p.quantity
    room: dict[str, int | None] = {}  # per SKU: units that may still be sold beyond stock
    out = []
    for line in problem.lines:
        left = line.quantity - done.get(line.line_ref, 0)
        if not left:
            continue
        policy = uow.repo(SKU_POLICIES).view(line.sku)
        blocked = "; ".join(f"{c} {why}" for c, why in line.blocked)
        extra = f" ({blocked})" if blocked else ""
        if not problem.allow_split and line.coverable >= line.quantity:
            why = "this order may not be split and no single location has everything"
        else:
            why = f"only {line.coverable} available at locations that may ship it{extra}"
        if policy is not None and policy.allows_overselling:
            if line.sku not in room:
                room[line.sku] = oversell_room(uow, line.sku, policy, reference=reference)
            cap_room = room[line.sku]
            taken = left if cap_room is None else min(left, cap_room)
            if cap_room is not None:
                room[line.sku] = cap_room - taken
            if taken:
                out.append(_promised(uow, line.sku, line.line_ref, taken, policy=policy,
                                     why=why, eligible=eligible, today=today,
                                     quantity=line.quantity))  # fmt: skip
            if taken < left:
                out.append(Shortfall(line.line_ref, line.sku, left - taken,
                                     f"rejected: the {policy.mode} cap of {policy.cap} unit(s) "
                                     f"is reached; {why}"))  # fmt: skip
            continue
        out.append(
            Shortfall(
                line.line_ref,
                line.sku,
                left,
                f"rejected: {why}; {line.sku} does not take backorders",
            )
        )
    return out


def _promised(
    uow: UnitOfWork, sku: str, line_ref: str, units: int, *, policy: SkuPolicy, why: str,
    eligible: Mapping[str, object], today: Callable[[], dt.date], quantity: int,
) -> Shortfall:  # fmt: skip
    """A backorder or preorder shortfall, with its promise date when there is one."""
    levels = uow.repo(STOCK).list_view("sku", sku)
    usable = [lv for lv in levels if lv.location in eligible]
    ok = promise(sku, quantity, usable, policy, today())
    if ok.date is not None:
        return Shortfall(line_ref, sku, units, f"{policy.mode}ed: promised for "
                         f"{ok.date.isoformat()} ({ok.note}); {why}", policy.mode, ok.date,
                         ok.location)  # fmt: skip
    return Shortfall(line_ref, sku, units, f"{policy.mode}ed without a date ({ok.note}); {why}",
                     policy.mode)  # fmt: skip
