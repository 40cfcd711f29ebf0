"""The payment gateway port: what omskit asks of a payment service provider.

Every call carries an idempotency key. A gateway must answer a repeated key with the
record of the first call (and refuse the key for a different request), so a retry after a
timeout never charges twice. Outcomes come back as [`Transaction`][]
records: ``succeeded``, ``declined`` (a final no) or ``failed`` (transient: try again).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from omskit.money import Money
from omskit.payments.model import Transaction

__all__ = ["PaymentGateway"]


@runtime_checkable
class PaymentGateway(Protocol):
    """A payment service provider, registered by ``name``.

    Register one through the ``omskit_register_payment_gateways`` hook; a channel's
    ``payment_gateway`` setting chooses it.
    """

    name: str

    def authorize(
        self,
        *,
        amount: Money,
        method: str,
        idempotency_key: str,
        authorization: str = "",
        reference: str = "",
    ) -> Transaction:
        """Reserve ``amount`` on the customer's payment ``method``.

        Args:
            amount: how much to hold.
            method: the payment method token.
            idempotency_key: identifies this request; a replay returns the first record.
            authorization: an existing authorization to increase (an edited order)
                instead of opening a new one.
            reference: what is being paid for (the order id), for the gateway's records.
        """
        ...

    def capture(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Take ``amount`` of an open authorization."""
        ...

    def void(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Release ``amount`` of an open authorization without taking it."""
        ...

    def refund(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Give back ``amount`` of what was captured under ``authorization``."""
        ...
