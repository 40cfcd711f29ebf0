"""Shortfalls: what a plan could not allocate, why, and when it may still ship."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from omskit.inventory.backorders import SKU_POLICIES, promise
from omskit.inventory.reservations import Allocation
from omskit.inventory.stock import STOCK
from omskit.routing.model import Shortfall
from omskit.routing.problem import Pick, SourcingProblem
from omskit.storage.ports import UnitOfWork

__all__ = ["shortfalls_of"]


def shortfalls_of(
    uow: UnitOfWork, problem: SourcingProblem, eligible: Mapping[str, object],
    picks: Sequence[Pick] | Sequence[Allocation], today: Callable[[], dt.date],
) -> list[Shortfall]:  # fmt: skip
    """What ``picks`` (or allocations) leave of each line, with the reason and any promise.

    ``eligible`` holds the codes of the locations that may ship to the destination: the
    stock they expect counts towards a promise date.
    """
    done: dict[str, int] = {}
    for p in picks:
        done[p.line_ref] = done.get(p.line_ref, 0) + p.quantity
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
            levels = uow.repo(STOCK).list_view("sku", line.sku)
            usable = [lv for lv in levels if lv.location in eligible]
            ok = promise(line.sku, line.quantity, usable, policy, today())
            if ok.date is not None:
                out.append(Shortfall(line.line_ref, line.sku, left,
                                     f"{policy.mode}ed: promised for {ok.date.isoformat()} "
                                     f"({ok.note}); {why}", policy.mode, ok.date,
                                     ok.location))  # fmt: skip
                continue
            out.append(Shortfall(line.line_ref, line.sku, left,
                                 f"{policy.mode}ed without a date ({ok.note}); {why}",
                                 policy.mode))  # fmt: skip
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
