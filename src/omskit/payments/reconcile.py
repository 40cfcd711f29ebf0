"""Making stored payments agree with the gateway after a use case failed.

``PaymentService.run`` hands the journal of a
failed attempt here. For each payment the calls touched:

1. **Unknown outcomes are learned first.** A call that raised on every retry is sent
   once more with the same idempotency key: the gateway answers with the record of
   the first call if it was carried out, or carries it out now; either way omskit
   then knows what happened. While the gateway keeps failing, the call stays unknown.
2. **A payment that was never stored is undone** (``undo``): an order capture that
   failed, for instance, so no order exists. On each of its authorizations what was
   captured and not refunded is refunded and what is open is voided.
3. **A stored payment gets what it is missing** (``record``). Calls the gateway
   carried out and the stored payment does not list (the commit failed or was
   retried) are written onto it, so its ledger is the gateway's. A commit that wrote
   and then raised (a lost acknowledgement) is seen here: its calls are already
   stored and nothing is undone. When the use case failed for good and it had moved
   money for a settlement (an edit's authorization, a cancel's void or refund), the
   payment no longer matches its stored order, so it is settled with it at once
   (``settle``, through ``settle_with``): the
   extra authorization is voided, money voided or refunded is authorized again. Money
   a caller moved by hand (a capture, a goodwill refund) stays as it is.
4. **What cannot be finished now is stored** as a
   ``Compensation``, retried by
   ``retry_compensations``.
"""

from __future__ import annotations

import attrs

from omskit.errors import OmskitError
from omskit.money import Money
from omskit.payments.compensation import (
    COMPENSATIONS,
    CURRENT_JOURNAL,
    Compensation,
    GatewayCall,
    JournalEntry,
)
from omskit.payments.model import PAYMENTS, Payment, TransactionKind
from omskit.payments.ports import PaymentPorts
from omskit.storage.ports import UnitOfWork

__all__ = ["advance", "reconcile"]


def reconcile(
    ports: PaymentPorts,
    entries: list[JournalEntry],
    *,
    final: bool,
    failure: str,
    carried: list[JournalEntry] | None = None,
) -> list[Compensation]:
    """Reconcile the journal ``entries`` of a failed attempt; return what stays to do.

    ``final`` says the use case will not be tried again (not a concurrency conflict
    with retries left). ``carried`` are settlement calls of earlier attempts, already
    recorded: when the use case failed for good, their payments are settled with their
    orders too. Runs in its own transaction; the compensations returned are stored,
    pending or failed.
    """
    groups: dict[str, list[JournalEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.payment_id, []).append(entry)
    earlier: dict[str, list[JournalEntry]] = {}
    for entry in carried or ():
        earlier.setdefault(entry.payment_id, []).append(entry)
        groups.setdefault(entry.payment_id, [])

    def use_case(uow: UnitOfWork) -> list[Compensation]:
        left = []
        for payment_id, group in groups.items():
            comps = [_compensation_for(ports, uow, group, failure)]
            if payment_id in earlier:  # settling twice is harmless: the second finds it even
                comps.append(_settlement_for(ports, earlier[payment_id], failure))
            for comp in comps:
                if comp is None:
                    continue
                advance(ports, uow, comp, final=final)
                if comp.status != "done":
                    uow.repo(COMPENSATIONS).add(comp)
                    left.append(comp)
        return left

    return ports.runtime.run(use_case)


def _compensation_for(
    ports: PaymentPorts, uow: UnitOfWork, group: list[JournalEntry], failure: str
) -> Compensation | None:
    if not group:
        return None
    first = group[0]
    calls = _latest([e.call for e in group])
    stored = _stored(uow, first.reference, first.payment_id)
    if stored is None:
        action = "undo"
        calls = [c for c in calls if c.happened or not c.known]
    else:
        action = "record"
        calls = [c for c in calls if not c.known or (c.happened and c.key not in stored.keys)]
    if not calls:
        return None
    now = ports.runtime.clock.now()
    return Compensation(
        id=ports.runtime.ids.new_id("cmp"),
        reference=first.reference,
        payment_id=first.payment_id,
        gateway=first.gateway,
        currency=first.currency,
        action=action,  # type: ignore[arg-type]
        calls=calls,
        reason=failure,
        created_at=now,
        updated_at=now,
    )


def _settlement_for(ports: PaymentPorts, carried: list[JournalEntry], failure: str) -> Compensation:
    """A settlement for a payment an earlier attempt moved money on (already recorded)."""
    first = carried[0]
    now = ports.runtime.clock.now()
    return Compensation(
        id=ports.runtime.ids.new_id("cmp"),
        reference=first.reference,
        payment_id=first.payment_id,
        gateway=first.gateway,
        currency=first.currency,
        action="settle",
        calls=[e.call for e in carried],
        reason=f"{failure}; an earlier attempt moved money for a change that did not commit",
        created_at=now,
        updated_at=now,
    )


def _latest(calls: list[GatewayCall]) -> list[GatewayCall]:
    """One call per key, the most informative one (a retry may have learned the outcome)."""
    by_key: dict[str, GatewayCall] = {}
    for call in calls:
        seen = by_key.get(call.key)
        if seen is None or not seen.known:
            by_key[call.key] = call
    return list(by_key.values())


def _stored(uow: UnitOfWork, reference: str, payment_id: str) -> Payment | None:
    payment = uow.repo(PAYMENTS).find_by("reference", reference)
    return payment if payment is not None and payment.id == payment_id else None


def advance(
    ports: PaymentPorts, uow: UnitOfWork, comp: Compensation, *, final: bool = True
) -> None:
    """Do as much of ``comp`` as can be done now; its status says how far it got."""
    comp.attempts += 1
    comp.updated_at = ports.runtime.clock.now()
    comp.last_error = ""
    if comp.action != "settle":
        _resolve(ports, comp)
    if comp.action == "undo":
        _undo(ports, comp)
    elif comp.action == "record":
        _record(ports, uow, comp, final=final)
    else:
        _settle(ports, uow, comp)


def _send(ports: PaymentPorts, comp: Compensation, call: GatewayCall) -> GatewayCall:
    """``call`` with its outcome, or unchanged (and the error noted) when the gateway raised."""
    try:
        txn = ports.send_raw(comp.gateway, call, reference=comp.reference)
    except OmskitError as exc:
        return attrs.evolve(call, refused=f"{type(exc).__name__}: {exc}")
    except Exception as exc:
        comp.last_error = f"{call.kind} on {comp.gateway!r}: {type(exc).__name__}: {exc}"
        return call
    return attrs.evolve(call, outcome=txn)


def _resolve(ports: PaymentPorts, comp: Compensation) -> None:
    """Learn unknown outcomes by repeating each call with its own key."""
    for i, call in enumerate(comp.calls):
        if not call.known:
            comp.calls[i] = _send(ports, comp, call)


def _sums(calls: list[GatewayCall], currency: str) -> dict[str, list[Money]]:
    """Per authorization: authorized, captured, voided, refunded by the calls that happened."""
    zero = Money.zero(currency)
    slot = {"authorize": 0, "capture": 1, "void": 2, "refund": 3}
    sums: dict[str, list[Money]] = {}
    for call in calls:
        if call.happened and call.target:
            sums.setdefault(call.target, [zero, zero, zero, zero])[slot[call.kind]] += call.amount
    return sums


def _undo(ports: PaymentPorts, comp: Compensation) -> None:
    """Void what is open and refund what was captured, on every authorization the calls made."""
    unresolved = any(not c.known for c in comp.calls)
    sums = _sums(comp.calls, comp.currency)
    for authorization, (authorized, captured, voided, refunded) in sums.items():
        steps: tuple[tuple[TransactionKind, Money], ...] = (
            ("void", authorized - captured - voided),
            ("refund", captured - refunded),
        )
        for kind, amount in steps:
            if amount.amount <= 0:
                continue
            refused_before = any(
                c.purpose == "undo"
                and c.kind == kind
                and c.target == authorization
                and c.known
                and not c.happened
                for c in comp.calls
            )
            if unresolved and refused_before:
                continue  # wait until the unknown call is known: it may explain the refusal
            key = f"{comp.payment_id}:undo:{len(comp.calls) + 1}:{kind}:{amount.minor_units}"
            call = GatewayCall(
                kind=kind,
                amount=amount,
                key=key,
                authorization=authorization,
                purpose="undo",
            )
            comp.calls.append(_send(ports, comp, call))
    _finish(comp, owing=_owing(comp))


def _owing(comp: Compensation) -> bool:
    """Whether some authorization of ``comp`` still has money open or captured."""
    for authorized, captured, voided, refunded in _sums(comp.calls, comp.currency).values():
        if (authorized - captured - voided).amount > 0 or (captured - refunded).amount > 0:
            return True
    return False


def _finish(comp: Compensation, *, owing: bool) -> None:
    if any(not c.known for c in comp.calls):
        comp.status = "pending"
    elif owing:
        comp.status = "failed"
        refused = [c.describe() for c in comp.calls if c.known and not c.happened]
        comp.last_error = comp.last_error or "the gateway refused: " + "; ".join(refused)
    else:
        comp.status = "done"


def _record(ports: PaymentPorts, uow: UnitOfWork, comp: Compensation, *, final: bool) -> None:
    """Write the calls that happened onto the stored payment; then settle it with its order."""
    payment = _stored(uow, comp.reference, comp.payment_id)
    if payment is None:  # pragma: no cover - payments are never deleted
        comp.status, comp.last_error = "failed", f"payment {comp.payment_id} is not stored"
        return
    for call in comp.calls:
        if call.happened:
            ports.record_in(uow, payment, call)  # saves the payment when it adds a call
    if any(not c.known for c in comp.calls):
        comp.status = "pending"
        return
    moved = any(c.happened and c.purpose == "settle" for c in comp.calls)
    if not final or not moved:
        comp.status = "done"
        return
    # money moved for a change that did not commit: the payment no longer matches its
    # stored order; settle it now (an authorization for the change is voided again,
    # money voided or refunded for it is authorized again), or later if that fails
    comp.action = "settle"
    comp.reason = f"{comp.reason}; the gateway moved money for a change that did not commit"
    _settle(ports, uow, comp)


def _settle(ports: PaymentPorts, uow: UnitOfWork, comp: Compensation) -> None:
    """Settle the payment with its stored order through the registered settler.

    What the settler managed before an error stays in this unit of work (the gateway did
    it); the error is kept on the compensation, which stays pending.
    """
    settler = ports.settler()
    if settler is None:
        comp.status = "pending"
        comp.last_error = "nothing is registered to settle payments (PaymentService.settle_with)"
        return
    # Outside any use case's journal, a settlement's idempotency keys come from the stored
    # payment alone, so every attempt (now, and each retry) sends the same keys and a call
    # the gateway carried out but did not answer is replayed, never made twice.
    token = CURRENT_JOURNAL.set(None)
    try:
        settler(uow, comp.reference)
    except Exception as exc:
        comp.status = "pending"
        comp.last_error = f"settling: {type(exc).__name__}: {exc}"
        return
    finally:
        CURRENT_JOURNAL.reset(token)
    comp.status = "done"
