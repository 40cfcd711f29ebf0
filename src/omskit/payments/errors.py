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

    Attributes:
        transaction: the gateway's record of the last failed attempt.
        attempts: how many attempts were made.
    """

    def __init__(self, transaction: Transaction, attempts: int) -> None:
        self.transaction = transaction
        self.attempts = attempts
        super().__init__(
            f"{transaction.kind} of {transaction.amount} failed on gateway "
            f"{transaction.gateway!r} after {attempts} attempt(s): {transaction.code}; "
            "nothing was charged, try again later"
        )
