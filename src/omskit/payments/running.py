"""Running payment use cases under a journal, and retrying what they left to compensate.

``run`` is ``Runtime.run`` with a
``Journal`` around it: every gateway call the use case
makes is noted before it is attempted, and after an attempt that fails the calls the
gateway answered are reconciled with storage (``omskit.payments.reconcile``), before
the next attempt or before the error reaches the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from omskit.errors import ConcurrencyConflict
from omskit.payments import reconcile
from omskit.payments.compensation import COMPENSATIONS, CURRENT_JOURNAL, Compensation, Journal
from omskit.payments.ports import PaymentPorts
from omskit.storage.ports import UnitOfWork

__all__ = ["RECONCILE_ATTEMPTS", "pending", "retry", "retry_all", "run"]

T = TypeVar("T")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: How many times reconciliation is tried when the store fails while it writes.
RECONCILE_ATTEMPTS = 3


def run(ports: PaymentPorts, use_case: Callable[[UnitOfWork], T], attempts: int = 5) -> T:
    """Run ``use_case`` with its gateway calls journaled (see the module docstring).

    Inside another journaled use case it simply runs (the outer one reconciles); a use
    case started by a subscriber while events are delivered gets a journal of its own.
    """
    rt = ports.runtime
    outer = CURRENT_JOURNAL.get()
    if outer is not None and outer.active:
        return rt.run(use_case, attempts)
    journal = Journal(rt.ids)
    token = CURRENT_JOURNAL.set(journal)

    def attempt_once(uow: UnitOfWork) -> T:
        journal.next_attempt()
        journal.active = True
        try:
            return use_case(uow)
        finally:
            journal.active = False

    try:
        for attempt in range(1, attempts + 1):
            try:
                return rt.run(attempt_once, attempts=1)
            except ConcurrencyConflict as exc:
                last = attempt == attempts
                _reconcile(ports, journal, exc, final=last)
                if last:
                    raise
            except BaseException as exc:
                _reconcile(ports, journal, exc, final=True)
                raise
    finally:
        CURRENT_JOURNAL.reset(token)
    raise AssertionError("unreachable")  # pragma: no cover


def _reconcile(ports: PaymentPorts, journal: Journal, error: BaseException, *, final: bool) -> None:
    entries = journal.take()
    carried = journal.carried if final else []
    if not final:  # the next attempt computes afresh from what is recorded now
        journal.carried.extend(e for e in entries if e.call.happened and e.call.purpose == "settle")
    if not carried and not any(e.call.happened or not e.call.known for e in entries):
        return
    failure = f"{type(error).__name__}: {error}"
    token = CURRENT_JOURNAL.set(None)
    try:
        for attempt in range(1, RECONCILE_ATTEMPTS + 1):
            try:  # reconciling again is safe: stored calls are skipped, keys replay
                left = reconcile.reconcile(
                    ports, entries, final=final, failure=failure, carried=carried
                )
            except Exception as exc:  # the store itself fails
                if attempt < RECONCILE_ATTEMPTS:
                    continue
                error.add_note(
                    f"omskit could not reconcile {len(entries)} gateway call(s) with storage "
                    f"({type(exc).__name__}: {exc}); check the gateway: "
                    + "; ".join(e.call.describe() for e in entries)
                )
                return
            if left:
                error.add_note(
                    f"{len(left)} payment compensation(s) are pending: "
                    + ", ".join(c.id for c in left)
                    + " (oms.payments.pending_compensations())"
                )
            return
    finally:
        CURRENT_JOURNAL.reset(token)


def pending(ports: PaymentPorts) -> list[Compensation]:
    """Stored compensations not done yet (``pending`` first, then ``failed``), oldest first."""
    with ports.runtime.storage.unit_of_work() as uow:
        repo = uow.repo(COMPENSATIONS)
        found = repo.list_by("status", "pending") + repo.list_by("status", "failed")
    return sorted(found, key=lambda c: (c.status != "pending", c.created_at or _EPOCH, c.id))


def retry_all(ports: PaymentPorts) -> list[Compensation]:
    """Advance every ``pending`` compensation once; return each as it now stands."""
    return [retry(ports, comp.id) for comp in pending(ports) if comp.status == "pending"]


def retry(ports: PaymentPorts, comp_id: str) -> Compensation:
    """Advance the compensation ``comp_id`` once, under a journal of its own.

    An error is kept on the compensation (its attempts counted), not raised.
    """

    def use_case(uow: UnitOfWork) -> Compensation:
        comp = uow.repo(COMPENSATIONS).get(comp_id)
        if comp.status == "pending":
            reconcile.advance(ports, uow, comp)
            uow.repo(COMPENSATIONS).save(comp)
        return comp

    try:
        return run(ports, use_case)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"

        def note(uow: UnitOfWork) -> Compensation:
            comp = uow.repo(COMPENSATIONS).get(comp_id)
            comp.attempts += 1
            comp.last_error = message
            comp.updated_at = ports.runtime.clock.now()
            uow.repo(COMPENSATIONS).save(comp)
            return comp

        return ports.runtime.run(note)
