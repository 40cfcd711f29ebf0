"""The payment of one order: gateway transactions, amounts, and the status they imply.

A [`Payment`][] never stores a status of its own choosing: the status follows from the
amounts authorized, captured, voided and refunded (see [`payment_status`][]), and every
change is checked against `PAYMENT_TRANSITIONS`, so the two can never disagree.
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
    "PAYMENTS",
    "PAYMENT_STATUSES",
    "PAYMENT_TRANSITIONS",
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

_ANY_OPEN = frozenset({"authorized", "partially_captured", "partially_refunded"})

#: For each status, the actions allowed and the statuses each action can lead to.
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
    "refunded": {},
    "voided": {},
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

    @property
    def succeeded(self) -> bool:
        """True when the gateway did what was asked."""
        return self.status == "succeeded"


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
        authorization: the gateway's authorization id (empty before the first success).
        authorized: the total ever authorized.
        captured: the total captured (money taken).
        voided: authorized amounts released without capture.
        refunded: captured amounts given back.
        failed: the last authorization attempt failed and nothing is open.
        review: the gateway flagged the payment for manual review.
        transactions: every gateway operation, oldest first.
        keys: idempotency key -> position in ``transactions``.
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

    def __attrs_post_init__(self) -> None:
        amounts: tuple[Money | None, ...] = (self.authorized, self.captured, self.voided,
                                             self.refunded)  # fmt: skip
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

    # -- changes ------------------------------------------------------------------
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
        """A copy with its own transaction list and key map (transactions are immutable)."""
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
        return copy


PAYMENTS: Collection[Payment] = Collection(
    "payments",
    Payment,
    unique={"reference": lambda p: p.reference},
    label="payment",
)
