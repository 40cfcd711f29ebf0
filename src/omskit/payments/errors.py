"""Errors of the payments capability, all under [`PaymentError`][]."""

from __future__ import annotations

from typing import TYPE_CHECKING

from omskit.errors import PaymentError

if TYPE_CHECKING:
    from omskit.payments.model import Transaction

__all__ = ["GatewayUnavailable", "PaymentDeclined"]


class PaymentDeclined(PaymentError):
    """The gateway refused an operation (a declined card, a capture over the authorization).

    Attributes:
        transaction: the gateway's record of the refusal.
        code: the gateway's reason code (``"card_declined"``, ``"insufficient_funds"``).
    """

    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction
        self.code = transaction.code
        super().__init__(
            f"{transaction.kind} of {transaction.amount} declined by gateway "
            f"{transaction.gateway!r}: {transaction.code}"
            + (f" ({transaction.message})" if transaction.message else "")
            + "; use another payment method or amount"
        )


class GatewayUnavailable(PaymentError):
    """The gateway failed for a passing reason (timeout, outage) every time it was tried.

    A ``failed`` answer says nothing happened. A gateway that raised instead of answering
    (its exception is the ``__cause__``) left the outcome unknown; its record has no id.

    Attributes:
        transaction: the gateway's record of the last failed attempt.
        attempts: how many attempts were made.
    """

    def __init__(self, transaction: Transaction, attempts: int) -> None:
        self.transaction = transaction
        self.attempts = attempts
        # an answer of "failed" means nothing happened; an exception means no answer at all
        outcome = (
            "nothing was charged, try again later"
            if transaction.id
            else "the gateway did not answer, so the outcome is unknown: omskit asks again "
            "with the same key and keeps what it cannot settle (payments.pending_compensations)"
        )
        super().__init__(
            f"{transaction.kind} of {transaction.amount} failed on gateway "
            f"{transaction.gateway!r} after {attempts} attempt(s): {transaction.code}; {outcome}"
        )
