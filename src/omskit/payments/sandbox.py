"""A sandbox payment gateway: behaves like a real one, with magic values for testing.

Test payment methods (card numbers are accepted as tokens, with or without spaces):

=======================  ===================  ================================================
card number              token                what happens
=======================  ===================  ================================================
``4242424242424242``     ``tok_visa``         every operation succeeds
``4000000000000002``     ``tok_declined``     authorization declined (``card_declined``)
``4000000000009995``     ``tok_no_funds``     authorization declined (``insufficient_funds``)
``4000000000009235``     ``tok_review``       authorized, flagged for manual review
``4000000000000119``     ``tok_flaky``        the first attempt under each idempotency key
                                              fails transiently (``processing_error``);
                                              a retry with the same key succeeds
``4000000000000341``     ``tok_capture_fails`` authorized, but every capture is declined
=======================  ===================  ================================================

Magic amounts, in any currency, override the method: an authorization of exactly
``666.66`` is declined (``amount_declined``), of ``777.77`` is flagged for review, and of
``555.55`` always fails transiently (``gateway_timeout``). Any other method token
(``"tok_mastercard"``, ``"marketplace"``) is approved; an empty one is declined
(``missing_payment_method``).
"""

from __future__ import annotations

import itertools
import threading
from decimal import Decimal
from typing import Any

from omskit.errors import IdempotencyConflict, PaymentError
from omskit.money import Money
from omskit.payments.model import Transaction, TransactionKind, TransactionStatus

__all__ = ["SANDBOX_CARDS", "SandboxGateway"]

#: The sandbox's test methods: card number and token -> behaviour.
SANDBOX_CARDS: dict[str, str] = {
    "4242424242424242": "approve",
    "tok_visa": "approve",
    "4000000000000002": "card_declined",
    "tok_declined": "card_declined",
    "4000000000009995": "insufficient_funds",
    "tok_no_funds": "insufficient_funds",
    "4000000000009235": "review",
    "tok_review": "review",
    "4000000000000119": "flaky",
    "tok_flaky": "flaky",
    "4000000000000341": "capture_fails",
    "tok_capture_fails": "capture_fails",
}

_ZERO = Decimal(0)
_DECLINE_AMOUNT = Decimal("666.66")
_REVIEW_AMOUNT = Decimal("777.77")
_DOWN_AMOUNT = Decimal("555.55")


class _Authorization:
    """The sandbox's own ledger of one authorization."""

    __slots__ = ("authorized", "behaviour", "captured", "currency", "refunded", "voided")

    def __init__(self, currency: str, behaviour: str) -> None:
        self.currency = currency
        self.behaviour = behaviour
        self.authorized = self.captured = self.voided = self.refunded = _ZERO  # immutable

    @property
    def open(self) -> Decimal:
        return self.authorized - self.captured - self.voided


class SandboxGateway:
    """An in-process gateway with test cards and amounts (see the module docstring).

    Thread-safe. Keeps its own ledger per authorization, so tests can check that nothing
    is left authorized ([`open_amount`][]) and that no key charged twice.
    """

    name = "sandbox"

    def __init__(self, name: str = "sandbox") -> None:
        self.name = name
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._auths: dict[str, _Authorization] = {}
        self._keys: dict[str, tuple[tuple[Any, ...], Transaction]] = {}
        self._attempts: dict[str, int] = {}
        self.calls = 0

    # -- the port -------------------------------------------------------------------
    def authorize(
        self,
        *,
        amount: Money,
        method: str,
        idempotency_key: str,
        authorization: str = "",
        reference: str = "",
    ) -> Transaction:
        """Hold ``amount`` on ``method`` (or add it to ``authorization``)."""
        request = ("authorize", amount, method, authorization)
        with self._lock:
            replay = self._replay(idempotency_key, request)
            if replay is not None:
                return replay
            if authorization:
                auth = self._auth(authorization, amount)
                behaviour = auth.behaviour
            else:
                behaviour = SANDBOX_CARDS.get(method.replace(" ", ""), "approve")
                if not method:
                    behaviour = "missing_payment_method"
            magnitude = abs(amount.amount)
            if magnitude == _DOWN_AMOUNT:
                return self._failed("authorize", amount, idempotency_key, "gateway_timeout")
            if behaviour == "flaky" and not self._attempts.get(idempotency_key):
                self._attempts[idempotency_key] = 1
                return self._failed("authorize", amount, idempotency_key, "processing_error")
            code = behaviour
            if magnitude == _DECLINE_AMOUNT:
                code = "amount_declined"
            if code in ("card_declined", "insufficient_funds", "amount_declined",
                        "missing_payment_method"):  # fmt: skip
                return self._record("authorize", "declined", amount, idempotency_key, request,
                                    authorization, code)  # fmt: skip
            if not authorization:
                authorization = f"sbx_auth_{next(self._ids):06d}"
                auth = self._auths[authorization] = _Authorization(amount.currency, behaviour)
            # the first authorization keeps the amount itself instead of a new 0 + amount
            auth.authorized = (amount.amount if auth.authorized is _ZERO
                               else auth.authorized + amount.amount)  # fmt: skip
            review = behaviour == "review" or magnitude == _REVIEW_AMOUNT
            return self._record("authorize", "succeeded", amount, idempotency_key, request,
                                authorization, "approved", review=review)  # fmt: skip

    def capture(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Take ``amount`` of the open authorization."""
        request = ("capture", amount, authorization)
        with self._lock:
            replay = self._replay(idempotency_key, request)
            if replay is not None:
                return replay
            auth = self._auth(authorization, amount)
            if auth.behaviour == "capture_fails":
                return self._record("capture", "declined", amount, idempotency_key, request,
                                    authorization, "capture_declined")  # fmt: skip
            if amount.amount > auth.open:
                return self._record("capture", "declined", amount, idempotency_key, request,
                                    authorization, "exceeds_authorization",
                                    message=f"only {auth.open} is open")  # fmt: skip
            auth.captured += amount.amount
            return self._record("capture", "succeeded", amount, idempotency_key, request,
                                authorization)  # fmt: skip

    def void(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Release ``amount`` of the open authorization."""
        request = ("void", amount, authorization)
        with self._lock:
            replay = self._replay(idempotency_key, request)
            if replay is not None:
                return replay
            auth = self._auth(authorization, amount)
            if amount.amount > auth.open:
                return self._record("void", "declined", amount, idempotency_key, request,
                                    authorization, "exceeds_authorization",
                                    message=f"only {auth.open} is open")  # fmt: skip
            auth.voided += amount.amount
            return self._record("void", "succeeded", amount, idempotency_key, request,
                                authorization)  # fmt: skip

    def refund(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Give back ``amount`` of what was captured."""
        request = ("refund", amount, authorization)
        with self._lock:
            replay = self._replay(idempotency_key, request)
            if replay is not None:
                return replay
            auth = self._auth(authorization, amount)
            if amount.amount > auth.captured - auth.refunded:
                return self._record("refund", "declined", amount, idempotency_key, request,
                                    authorization, "exceeds_captured")  # fmt: skip
            auth.refunded += amount.amount
            return self._record("refund", "succeeded", amount, idempotency_key, request,
                                authorization)  # fmt: skip

    # -- inspection for tests ---------------------------------------------------------
    def open_amount(self, authorization: str) -> Decimal:
        """What is still authorized and neither captured nor voided."""
        with self._lock:
            auth = self._auths.get(authorization)
            return auth.open if auth is not None else Decimal(0)

    def ledger(self, authorization: str) -> dict[str, Decimal]:
        """The sandbox's own amounts for ``authorization``."""
        with self._lock:
            a = self._auths[authorization]
            return {"authorized": a.authorized, "captured": a.captured, "voided": a.voided,
                    "refunded": a.refunded}  # fmt: skip

    def ledgers(self) -> dict[str, dict[str, Decimal]]:
        """The sandbox's own amounts for every authorization it made, oldest first."""
        with self._lock:
            return {
                k: {
                    "authorized": a.authorized,
                    "captured": a.captured,
                    "voided": a.voided,
                    "refunded": a.refunded,
                }
                for k, a in self._auths.items()
            }

    def open_authorizations(self) -> dict[str, Decimal]:
        """Every authorization with something still open, and how much."""
        with self._lock:
            return {k: a.open for k, a in self._auths.items() if a.open}

    # -- internals ----------------------------------------------------------------------
    def _auth(self, authorization: str, amount: Money) -> _Authorization:
        auth = self._auths.get(authorization)
        if auth is None:
            raise PaymentError(f"sandbox has no authorization {authorization!r}")
        if auth.currency != amount.currency:
            raise PaymentError(
                f"authorization {authorization!r} is in {auth.currency}, not {amount.currency}"
            )
        return auth

    def _replay(self, key: str, request: tuple[Any, ...]) -> Transaction | None:
        self.calls += 1
        if not key:
            raise PaymentError("every gateway call needs an idempotency key")
        found = self._keys.get(key)
        if found is None:
            return None
        first_request, txn = found
        if first_request != request:
            raise IdempotencyConflict(key, f"first request {first_request[0]} {first_request[1]}")
        return txn

    def _failed(self, kind: TransactionKind, amount: Money, key: str, code: str) -> Transaction:
        # transient failures are not remembered under the key: a retry is a new attempt
        return Transaction(
            id=f"sbx_txn_{next(self._ids):06d}", kind=kind, status="failed", amount=amount,
            gateway=self.name, idempotency_key=key, code=code,
            message="transient sandbox failure; retry with the same key",
        )  # fmt: skip

    def _record(  # noqa: PLR0917 - one argument per transaction field
        self,
        kind: TransactionKind,
        status: TransactionStatus,
        amount: Money,
        key: str,
        request: tuple[Any, ...],
        authorization: str,
        code: str = "approved",
        *,
        review: bool = False,
        message: str = "",
    ) -> Transaction:
        txn = Transaction(
            id=f"sbx_txn_{next(self._ids):06d}", kind=kind, status=status, amount=amount,
            gateway=self.name, idempotency_key=key, authorization=authorization, code=code,
            review=review, message=message,
        )  # fmt: skip
        self._keys[key] = (request, txn)
        return txn
