"""Gateway calls that must never be forgotten: the journal of a use case, stored compensations.

A gateway call changes money outside omskit's transaction, so a use case that fails after
one (a later step raises, the commit fails, the commit's acknowledgement is lost) must
find out what the gateway did and make the stored payment agree with it. Two records
make that possible:

* a ``Journal`` lists every gateway call of one use case as a ``GatewayCall``,
  registered *before* the call is attempted and completed with the gateway's answer;
  a call that raised stays *unknown*;
* a ``Compensation`` is a stored piece of that work that could not be finished at
  once (the gateway was down while omskit undid an authorization, an outcome is still
  unknown, an order and its payment need settling again). ``oms.payments``
  lists them (``pending_compensations``) and
  retries them (``retry_compensations``).

What happens to each call is decided in ``omskit.payments.reconcile``.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from typing import Literal

import attrs

from omskit.ids import IdGenerator
from omskit.money import Money
from omskit.payments.model import Payment, Transaction, TransactionKind
from omskit.storage.ports import Aggregate, Collection

__all__ = [
    "COMPENSATIONS",
    "CURRENT_JOURNAL",
    "Compensation",
    "CompensationAction",
    "CompensationStatus",
    "GatewayCall",
    "Journal",
    "JournalEntry",
    "Purpose",
    "operation_key",
]

#: Why a gateway call was made. ``direct``: the caller named the amount (a capture or
#: void by hand); ``goodwill``: a refund that gives money back without changing the order;
#: ``settle``: the amount follows from the order and payment (capture at order or at
#: shipment, settling an edit or a cancellation, authorizing what an order is due);
#: ``undo``: a compensation.
Purpose = Literal["direct", "goodwill", "settle", "undo"]
#: ``undo``: the payment was never stored; release and refund everything its calls did.
#: ``record``: write calls that happened onto the stored payment. ``settle``: bring the
#: stored payment back in line with its stored order.
CompensationAction = Literal["undo", "record", "settle"]
#: ``pending`` (retried by ``retry_compensations``), ``failed`` (the gateway refused the
#: compensation itself: a person must reconcile) or ``done``.
CompensationStatus = Literal["pending", "failed", "done"]


@attrs.frozen(kw_only=True)
class GatewayCall:
    """One gateway call and, once known, its outcome.

    Attributes:
        kind: ``authorize``, ``capture``, ``void`` or ``refund``.
        amount: the amount sent.
        key: the idempotency key sent; repeating the call with it learns the outcome
            without doing the operation twice.
        authorization: the authorization it works on (for ``authorize``: the one it
            increases, or empty for a new one).
        method: the payment method token (``authorize`` only).
        purpose: why it was made (see ``Purpose``).
        request: the key of the operation the call is part of (a refund spread over
            two captures is one operation, two calls).
        requested: the amount of that whole operation.
        reason: the operation's reason (a goodwill refund's), kept for its record.
        actor: who asked for the operation.
        outcome: the gateway's answer; ``None`` while unknown.
        refused: the gateway raised an omskit error: it said no without doing anything.
    """

    kind: TransactionKind
    amount: Money
    key: str
    authorization: str = ""
    method: str = ""
    purpose: Purpose = "direct"
    request: str = ""
    requested: Money | None = None
    reason: str = ""
    actor: str = ""
    outcome: Transaction | None = None
    refused: str = ""

    @property
    def known(self) -> bool:
        """The gateway answered (or refused) this call."""
        return self.outcome is not None or bool(self.refused)

    @property
    def happened(self) -> bool:
        """The gateway did what the call asked."""
        return self.outcome is not None and self.outcome.succeeded

    @property
    def target(self) -> str:
        """The authorization the call changed (a new authorization's id once known)."""
        if self.outcome is not None and self.outcome.authorization:
            return self.outcome.authorization
        return self.authorization

    def describe(self) -> str:
        """``capture 20.00 EUR on sbx_auth_000001 (key ...): succeeded``."""
        state: str
        if self.outcome is not None:
            state = self.outcome.status
        else:
            state = f"refused ({self.refused})" if self.refused else "unknown"
        where = f" on {self.target}" if self.target else ""
        return f"{self.kind} {self.amount}{where} (key {self.key}): {state}"


@attrs.define(eq=False)
class JournalEntry:
    """A call in a journal, with the payment it belongs to."""

    payment_id: str
    reference: str
    gateway: str
    currency: str
    call: GatewayCall
    attempt: int


@attrs.define
class Journal:
    """The gateway calls of one use case, across its retries after concurrency conflicts.

    Attributes:
        ids: where the operation id comes from.
        attempt: which run of the use case is going on (1 for the first).
        entries: every call not yet reconciled, in the order they were made.
        active: the use case is running (not its commit, nor the delivery of its events,
            whose subscribers' own use cases get journals of their own).
        carried: settlement calls an earlier attempt made and reconciliation recorded;
            if the use case fails for good, their payments are settled with their orders.
    """

    ids: IdGenerator
    attempt: int = 0
    entries: list[JournalEntry] = attrs.field(factory=list)
    active: bool = False
    carried: list[JournalEntry] = attrs.field(factory=list)
    _op: str = ""
    _counter: int = 0

    @property
    def op(self) -> str:
        """This use case's operation id (made on first use, kept across retries)."""
        if not self._op:
            self._op = self.ids.new_id("op")
        return self._op

    def next_attempt(self) -> None:
        """A new run of the use case starts: numbering of its operations restarts."""
        self.attempt += 1
        self._counter = 0

    def next_number(self) -> int:
        """The number of the next operation in this run."""
        self._counter += 1
        return self._counter

    def register(
        self, payment_id: str, reference: str, gateway: str, currency: str, call: GatewayCall
    ) -> JournalEntry:
        """Note ``call`` before it is attempted; the caller completes the entry."""
        entry = JournalEntry(payment_id, reference, gateway, currency, call, self.attempt)
        self.entries.append(entry)
        return entry

    def take(self) -> list[JournalEntry]:
        """Every entry so far, leaving the journal empty."""
        entries, self.entries = self.entries, []
        return entries


#: The journal of the use case running in this thread (or task); ``None`` outside one.
CURRENT_JOURNAL: ContextVar[Journal | None] = ContextVar("omskit_payment_journal", default=None)


def operation_key(
    payment: Payment, kind: str, amount: Money | None, purpose: Purpose, given: str | None
) -> str:
    """The idempotency key of one operation on ``payment``.

    ``given`` (a caller's own key) is used as is. Inside a journaled use case:
    ``<payment>:<op>:<n>:<kind>:<minor units>`` for an amount the caller named (a retry
    of the call sends the same key), ``<payment>:<op>:<attempt>.<n>:<kind>:<minor
    units>`` for an amount computed from the order (a retry computes afresh). Outside
    one: ``<payment>:<kind>:<number of the transaction>:<minor units>``, so a retry
    from the same stored state replays the call. ``amount`` ``None`` means "all there
    is" (``all`` in the key).
    """
    if given:
        return given
    minor = "all" if amount is None else str(amount.minor_units)
    journal = CURRENT_JOURNAL.get()
    if journal is None:
        return f"{payment.id}:{kind}:{len(payment.transactions) + 1}:{minor}"
    number = journal.next_number()
    if purpose in ("direct", "goodwill"):
        return f"{payment.id}:{journal.op}:{number}:{kind}:{minor}"
    return f"{payment.id}:{journal.op}:{journal.attempt}.{number}:{kind}:{minor}"


@attrs.define(eq=False)
class Compensation(Aggregate):
    """Stored work left over from a failed use case, until it is done.

    Attributes:
        reference: the order id the payment belongs to.
        payment_id: the payment (for ``undo``: one that was never stored).
        gateway: the gateway's registered name.
        currency: the payment's currency.
        action: ``undo``, ``record`` or ``settle`` (see ``CompensationAction``).
        calls: the gateway calls concerned, with their outcomes as far as known;
            ``undo`` appends the compensating calls it makes.
        reason: what failed, in words.
        status: ``pending``, ``failed`` or ``done``.
        attempts: how many times it was tried.
        last_error: what went wrong the last time.
        created_at: when it was recorded.
        updated_at: when it was last tried.
    """

    reference: str
    payment_id: str
    gateway: str
    currency: str
    action: CompensationAction
    calls: list[GatewayCall] = attrs.field(factory=list)
    reason: str = ""
    status: CompensationStatus = "pending"
    attempts: int = 0
    last_error: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    def explain(self) -> str:
        """What is left to do, and why, in a few lines."""
        out = [
            f"{self.id}: {self.action} payment {self.payment_id} of {self.reference} "
            f"({self.status}, {self.attempts} attempt(s)): {self.reason}"
        ]
        out.extend(f"  {call.describe()}" for call in self.calls)
        if self.last_error:
            out.append(f"  last error: {self.last_error}")
        return "\n".join(out)

    def clone(self) -> Compensation:
        """A copy with its own call list (calls are immutable)."""
        copy = attrs.evolve(self, calls=list(self.calls))
        copy.version = self.version
        return copy


COMPENSATIONS: Collection[Compensation] = Collection(
    "payment_compensations",
    Compensation,
    indexes={"status": lambda c: c.status, "reference": lambda c: c.reference},
    label="payment compensation",
)
