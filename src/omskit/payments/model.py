"""The payment of one order: gateway transactions, amounts, and the status they imply.

A ``Payment`` never stores a status of its own choosing: the status follows from the
amounts authorized, captured, voided and refunded (see ``payment_status``), and every
change is checked against ``PAYMENT_TRANSITIONS``, so the two can never disagree.

A payment may hold several gateway authorizations (an order edited up after its first
authorization was captured gets a second one). ``Payment.authorizations`` keeps each
one's own ledger, and an amount to capture, void or refund is spread over them by one
rule (``Payment.plan``): **oldest authorization first**, each taking what it can
(captures and voids what is open on it, refunds what was captured on it and not yet
refunded). Goodwill refunds (money given back without changing the order) are kept as
their own ``Adjustment`` records, so a later settlement never nets them away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

import attrs

from omskit.errors import IdempotencyConflict, InvalidTransition
from omskit.money import Money
from omskit.storage.ports import Aggregate, Collection

__all__ = [
    "OWED_KINDS",
    "PAYMENTS",
    "PAYMENT_STATUSES",
    "PAYMENT_TRANSITIONS",
    "Adjustment",
    "AuthorizationLedger",
    "Payment",
    "Transaction",
    "TransactionKind",
    "TransactionStatus",
    "payment_status",
]

TransactionKind = Literal["authorize", "capture", "void", "refund"]
TransactionStatus = Literal["succeeded", "declined", "failed"]

#: Every status a payment can be in.
PAYMENT_STATUSES = (
    "pending",
    "authorized",
    "partially_captured",
    "captured",
    "partially_refunded",
    "refunded",
    "voided",
    "failed",
)

#: For each status, the actions allowed and the statuses each action can lead to.
#:
#: ``authorize`` is allowed from every status: whether money is owed is the order's
#: question (an order edited up after a full refund or a full void owes the new amount),
#: and the payment only records what the gateway did.
PAYMENT_TRANSITIONS: Mapping[str, Mapping[str, frozenset[str]]] = {
    "pending": {"authorize": frozenset({"authorized", "failed"})},
    "failed": {"authorize": frozenset({"authorized", "failed"})},
    "authorized": {
        "authorize": frozenset({"authorized"}),
        "capture": frozenset({"partially_captured", "captured"}),
        "void": frozenset({"authorized", "voided"}),
    },
    "partially_captured": {
        "authorize": frozenset({"partially_captured"}),
        "capture": frozenset({"partially_captured", "captured"}),
        "void": frozenset({"partially_captured", "captured"}),
        "refund": frozenset({"partially_refunded"}),
    },
    "captured": {
        "authorize": frozenset({"partially_captured"}),
        "refund": frozenset({"partially_refunded", "refunded"}),
    },
    "partially_refunded": {
        "authorize": frozenset({"partially_refunded"}),
        "capture": frozenset({"partially_refunded"}),
        "void": frozenset({"partially_refunded", "refunded"}),
        "refund": frozenset({"partially_refunded", "refunded"}),
    },
    "refunded": {"authorize": frozenset({"partially_refunded"})},
    "voided": {"authorize": frozenset({"authorized"})},
}


@attrs.frozen(kw_only=True)
class Transaction:
    """One gateway operation and its outcome, as the gateway reported it.

    Attributes:
        id: the gateway's id for this operation.
        kind: ``authorize``, ``capture``, ``void`` or ``refund``.
        status: ``succeeded``; ``declined`` (final: the answer is no); or ``failed``
            (transient: the gateway could not answer, try again).
        amount: what the operation was for.
        gateway: the gateway's registered name.
        idempotency_key: the key the operation was sent with; a replay returns this record.
        authorization: the gateway's authorization id the operation belongs to.
        code: the gateway's reason code (``"approved"``, ``"card_declined"``...).
        message: a readable explanation.
        review: the gateway approved but flagged the payment for manual review.
        at: when omskit recorded the operation (set by the payment service).
        actor: who asked for it (the call's ``actor``; set with ``at``).
    """

    id: str
    kind: TransactionKind
    status: TransactionStatus
    amount: Money
    gateway: str
    idempotency_key: str
    authorization: str = ""
    code: str = "approved"
    message: str = ""
    review: bool = False
    at: dt.datetime | None = None
    actor: str = ""

    @property
    def succeeded(self) -> bool:
        """True when the gateway did what was asked."""
        return self.status == "succeeded"


@attrs.frozen
class AuthorizationLedger:
    """What happened on one gateway authorization of a payment.

    Attributes:
        id: the gateway's authorization id.
        authorized: everything authorized on it (increases included).
        captured: money taken from it.
        voided: authorized money released from it without being taken.
        refunded: captured money given back on it.
    """

    id: str
    authorized: Money
    captured: Money
    voided: Money
    refunded: Money

    @property
    def open(self) -> Money:
        """Authorized and neither captured nor voided: what can still be captured."""
        return self.authorized - self.captured - self.voided

    @property
    def refundable(self) -> Money:
        """Captured and not yet refunded: what a refund may still give back on it."""
        return self.captured - self.refunded


_ADJUSTMENT_NAMES = {
    "goodwill": "goodwill refund",
    "store_credit": "store credit",
    "exchange_credit": "exchange credit",
    "credit_refund": "refund to store credit",
}

_ADJUSTMENT_NAMES = {
    "goodwill": "goodwill refund",
    "store_credit": "store credit",
    "exchange_credit": "exchange credit",
    "credit_refund": "refund to store credit",
}

#: Adjustment kinds that lower what the gateway must cover (see ``Payment.owed``).
OWED_KINDS = frozenset({"goodwill", "store_credit", "exchange_credit"})


@attrs.frozen(kw_only=True)
class Adjustment:
    """Money the card does not carry: a goodwill refund, store credit, an exchange credit.

    A payment settles to what the order is due *less every adjustment of the kinds in*
    ``OWED_KINDS``, so a later cancellation or edit never claws a goodwill refund back,
    and store credit spent on the order is not charged to the card again.

    Attributes:
        amount: how much (negative for store credit given back to the account).
        reason: why, in words.
        actor: who gave it.
        key: the idempotency key of the operation that gave it (one adjustment per key).
        transactions: the ids of the refund transactions that paid it out.
        at: when it was recorded.
        kind: ``"goodwill"`` (a refund to the card), ``"store_credit"`` (credit spent on
            the order, or given back when negative), ``"exchange_credit"`` (a return's
            value paying for its replacement) or ``"credit_refund"`` (a refund paid to
            store credit: the card keeps the money, the order's refundable value falls).
        account: the store credit account (``"store_credit"`` and ``"credit_refund"``).
    """

    amount: Money
    reason: str = ""
    actor: str = "system"
    key: str = ""
    transactions: tuple[str, ...] = ()
    at: dt.datetime | None = None
    kind: str = "goodwill"
    account: str = ""


def payment_status(
    authorized: Money, captured: Money, voided: Money, refunded: Money, failed: bool
) -> str:
    """The status implied by a payment's amounts.

    ``open = authorized - captured - voided`` is what can still be captured.
    """
    open_amount = authorized.amount - captured.amount - voided.amount
    if refunded.amount:
        if refunded.amount >= captured.amount and not open_amount:
            return "refunded"
        return "partially_refunded"
    if captured.amount:
        return "partially_captured" if open_amount else "captured"
    if open_amount:
        return "authorized"
    if voided.amount:
        return "voided"
    return "failed" if failed else "pending"


@attrs.define(eq=False)
class Payment(Aggregate):
    """What has been authorized, captured, voided and refunded for one order.

    Attributes:
        reference: what is being paid for (the order id); unique.
        gateway: the gateway's registered name.
        currency: the currency of every amount.
        method: the payment method token the gateway charges (never a raw card number
            outside the sandbox).
        authorization: the gateway's newest authorization id (empty before the first
            success); ``authorizations`` lists every one with its own amounts.
        authorized: the total ever authorized.
        captured: the total captured (money taken).
        voided: authorized amounts released without capture.
        refunded: captured amounts given back.
        failed: the last authorization attempt failed and nothing is open.
        review: the gateway flagged the payment for manual review.
        transactions: every gateway operation, oldest first.
        keys: idempotency key -> position in ``transactions``.
        adjustments: goodwill refunds, each its own record (see ``Adjustment``).
        requests: a caller's own idempotency key -> the operation it named (kind,
            amount) and the positions of the transactions that carried it out.
    """

    reference: str
    gateway: str
    currency: str
    method: str = ""
    authorization: str = ""
    authorized: Money = attrs.field(default=None)
    captured: Money = attrs.field(default=None)
    voided: Money = attrs.field(default=None)
    refunded: Money = attrs.field(default=None)
    failed: bool = False
    review: bool = False
    transactions: list[Transaction] = attrs.field(factory=list)
    keys: dict[str, int] = attrs.field(factory=dict)
    adjustments: list[Adjustment] = attrs.field(factory=list)
    requests: dict[str, tuple[str, Money, tuple[int, ...]]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        amounts: tuple[Money | None, ...] = (
            self.authorized,
            self.captured,
            self.voided,
            self.refunded,
        )
        if None in amounts:  # not given: they start at zero
            zero = Money.zero(self.currency)
            self.authorized, self.captured, self.voided, self.refunded = (
                zero if a is None else a for a in amounts
            )

    # -- derived amounts ----------------------------------------------------------
    @property
    def status(self) -> str:
        """The status the amounts imply (see [`payment_status`][])."""
        return payment_status(
            self.authorized, self.captured, self.voided, self.refunded, self.failed
        )

    @property
    def open_amount(self) -> Money:
        """Authorized and not yet captured or voided: what can still be captured."""
        return self.authorized - self.captured - self.voided

    @property
    def balance(self) -> Money:
        """Money actually held from the customer: captured minus refunded."""
        return self.captured - self.refunded

    @property
    def covered(self) -> Money:
        """What the customer has committed: the balance plus the open authorization."""
        return self.balance + self.open_amount

    @property
    def goodwill(self) -> Money:
        """Everything the card need not cover: adjustments of the kinds in ``OWED_KINDS``.

        Goodwill refunds, store credit spent on the order (net of credit given back),
        and exchange credits.
        """
        total = Money.zero(self.currency)
        for adjustment in self.adjustments:
            if adjustment.kind in OWED_KINDS:
                total += adjustment.amount
        return total

    def adjusted(self, kind: str) -> Money:
        """The sum of the adjustments of ``kind`` (``"store_credit"``: credit spent, net)."""
        total = Money.zero(self.currency)
        for adjustment in self.adjustments:
            if adjustment.kind == kind:
                total += adjustment.amount
        return total

    @property
    def refundable(self) -> Money:
        """What may still be refunded: card balance and credit spent, less credit refunds.

        The card balance (captured minus refunded), plus store credit spent on the
        order, less what was already refunded to store credit.
        """
        return self.balance + self.adjusted("store_credit") - self.adjusted("credit_refund")

    def owed(self, due: Money) -> Money:
        """What the payment must cover for an order ``due`` this much: ``due`` less goodwill.

        Never below zero: goodwill beyond what is due leaves nothing owed.
        """
        left = due - self.goodwill
        return left if left.amount > 0 else Money.zero(self.currency)

    @property
    def authorizations(self) -> tuple[AuthorizationLedger, ...]:
        """Each gateway authorization with its own amounts, oldest first."""
        zero = Money.zero(self.currency)
        sums: dict[str, list[Money]] = {}
        slot = {"authorize": 0, "capture": 1, "void": 2, "refund": 3}
        for txn in self.transactions:
            if not txn.succeeded or not txn.authorization:
                continue
            amounts = sums.get(txn.authorization)
            if amounts is None:
                amounts = sums[txn.authorization] = [zero, zero, zero, zero]
            amounts[slot[txn.kind]] += txn.amount
        return tuple(AuthorizationLedger(auth, *amounts) for auth, amounts in sums.items())

    def plan(self, kind: str, amount: Money) -> list[tuple[str, Money]]:
        """How ``amount`` of a ``capture``, ``void`` or ``refund`` spreads over authorizations.

        Oldest authorization first, each taking what it can: what is open on it
        (capture, void) or what was captured on it and not refunded (refund). Returns
        ``(authorization, part)`` pairs that sum to ``amount``, or to less when the
        authorizations cannot carry it all (the caller checks the limit first).
        """
        parts: list[tuple[str, Money]] = []
        left = amount
        for ledger in self.authorizations:
            if left.amount <= 0:
                break
            room = ledger.refundable if kind == "refund" else ledger.open
            if room.amount <= 0:
                continue
            part = room if room < left else left
            parts.append((ledger.id, part))
            left -= part
        return parts

    def newest_open(self) -> str:
        """The newest authorization with money still open, or ``""`` when none is."""
        for ledger in reversed(self.authorizations):
            if ledger.open.amount > 0:
                return ledger.id
        return ""

    def explain(self) -> str:
        """The payment's ledger as a few readable lines: totals, each authorization, goodwill."""

        def amount(value: Money) -> str:
            return str(value.quantize().amount)

        out = [
            f"payment {self.id} for {self.reference} ({self.gateway}): {self.status}; "
            f"balance {amount(self.balance)}, open {amount(self.open_amount)} {self.currency}",
            "  authorization        authorized    captured      voided    refunded        open",
        ]
        for a in self.authorizations:
            out.append(
                f"  {a.id:<18} {amount(a.authorized):>12} {amount(a.captured):>11} "
                f"{amount(a.voided):>11} {amount(a.refunded):>11} {amount(a.open):>11}"
            )
        for adj in self.adjustments:
            why = f" ({adj.reason})" if adj.reason else ""
            name = _ADJUSTMENT_NAMES.get(adj.kind, adj.kind)
            out.append(f"  {name} {amount(adj.amount)} by {adj.actor}{why}")
        return "\n".join(out)

    # -- changes ------------------------------------------------------------------
    def add_goodwill(
        self,
        key: str,
        txns: list[Transaction],
        *,
        reason: str,
        actor: str,
        at: dt.datetime,
    ) -> None:
        """Record the goodwill refunds ``txns`` of operation ``key`` as one ``Adjustment``.

        Once per operation: a later part of the same operation joins its adjustment, a
        transaction already in it is not counted twice.
        """
        zero = Money.zero(self.currency)
        for i, existing in enumerate(self.adjustments):
            if existing.key == key:
                new = [t for t in txns if t.id not in existing.transactions]
                if new:
                    self.adjustments[i] = attrs.evolve(
                        existing,
                        amount=existing.amount + sum((t.amount for t in new), zero),
                        transactions=(*existing.transactions, *(t.id for t in new)),
                    )
                return
        self.adjustments.append(
            Adjustment(
                amount=sum((t.amount for t in txns), zero),
                reason=reason,
                actor=actor,
                key=key,
                transactions=tuple(t.id for t in txns),
                at=at,
            )
        )

    def require(self, action: str) -> None:
        """Raise [`InvalidTransition`][] unless ``action`` is allowed now."""
        status = self.status
        if action not in PAYMENT_TRANSITIONS[status]:
            allowed = [s for s, acts in PAYMENT_TRANSITIONS.items() if action in acts]
            raise InvalidTransition(f"payment of {self.reference}", status, action, allowed)

    def replay(self, key: str, kind: str, amount: Money) -> Transaction | None:
        """The transaction first recorded under ``key``, or ``None`` if the key is new.

        Raises:
            IdempotencyConflict: the key was used for a different kind or amount.
        """
        index = self.keys.get(key)
        if index is None:
            return None
        first = self.transactions[index]
        if first.kind != kind or first.amount != amount:
            raise IdempotencyConflict(
                key, f"first used to {first.kind} {first.amount}, now to {kind} {amount}"
            )
        return first

    def replay_request(self, key: str, kind: str, amount: Money | None) -> list[Transaction] | None:
        """The transactions the operation ``key`` already carried out, or ``None``.

        ``amount`` ``None`` ("all there is") matches whatever amount the operation had.

        Raises:
            IdempotencyConflict: the key named a different kind or amount.
        """
        found = self.requests.get(key)
        if found is None:
            return None
        first_kind, first_amount, positions = found
        if first_kind != kind or (amount is not None and first_amount != amount):
            raise IdempotencyConflict(
                key, f"first used to {first_kind} {first_amount}, now to {kind} {amount}"
            )
        return [self.transactions[i] for i in positions]

    def apply(self, txn: Transaction) -> None:
        """Record a gateway transaction and move the amounts it changed.

        Raises:
            InvalidTransition: the resulting status is not one the table allows.
        """
        before = self.status
        self.keys[txn.idempotency_key] = len(self.transactions)
        self.transactions.append(txn)
        if not txn.succeeded:
            if txn.kind == "authorize" and not self.open_amount.amount:
                self.failed = True
            return
        if txn.kind == "authorize":
            self.authorized += txn.amount
            self.authorization = txn.authorization or self.authorization
            self.failed = False
            self.review = self.review or txn.review
        elif txn.kind == "capture":
            self.captured += txn.amount
        elif txn.kind == "void":
            self.voided += txn.amount
        else:
            self.refunded += txn.amount
        after = self.status
        if after not in PAYMENT_TRANSITIONS[before].get(txn.kind, frozenset()):
            raise InvalidTransition(
                f"payment of {self.reference}",
                before,
                f"{txn.kind} (to {after!r})",
                [s for s, acts in PAYMENT_TRANSITIONS.items() if txn.kind in acts],
            )

    def clone(self) -> Payment:
        """A copy with its own lists and maps (transactions and adjustments are immutable)."""
        copy = object.__new__(Payment)
        copy.id = self.id
        copy.version = self.version
        copy._events = []
        copy.reference = self.reference
        copy.gateway = self.gateway
        copy.currency = self.currency
        copy.method = self.method
        copy.authorization = self.authorization
        copy.authorized = self.authorized
        copy.captured = self.captured
        copy.voided = self.voided
        copy.refunded = self.refunded
        copy.failed = self.failed
        copy.review = self.review
        copy.transactions = list(self.transactions)
        copy.keys = dict(self.keys)
        copy.adjustments = list(self.adjustments)
        copy.requests = dict(self.requests)
        return copy


PAYMENTS: Collection[Payment] = Collection(
    "payments",
    Payment,
    unique={"reference": lambda p: p.reference},
    label="payment",
)
