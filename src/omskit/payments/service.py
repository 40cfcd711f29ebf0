"""The payment service: authorize, capture, void and refund through registered gateways.

The ``*_in`` methods work inside the caller's unit of work (order capture and changes use
them so that the order and its payment commit together); the plain methods run their own
transaction. Gateway calls carry idempotency keys derived from the payment's own history
(``pay_000001:capture:3``), so a use case retried after a concurrency conflict replays
the same gateway calls instead of charging twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from omskit.errors import NotFound, OmskitError, ValidationError
from omskit.money import Money, MoneyLike
from omskit.payments.errors import GatewayUnavailable, PaymentDeclined
from omskit.payments.events import (
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentVoided,
)
from omskit.payments.gateway import PaymentGateway
from omskit.payments.model import PAYMENTS, Payment, Transaction
from omskit.payments.settings import PaymentSettings
from omskit.plugins.manager import Registry, collect_registry
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_text

__all__ = ["PaymentListener", "PaymentService"]

#: Called inside the unit of work after every change to a payment.
PaymentListener = Callable[[UnitOfWork, Payment], None]

_EVENTS: dict[str, Any] = {
    "authorize": PaymentAuthorized,
    "capture": PaymentCaptured,
    "void": PaymentVoided,
    "refund": PaymentRefunded,
}


class PaymentService:
    """Payments, one per order. Reached as ``oms.payments``."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.settings = PaymentSettings.from_mapping(runtime.config.section("payments"))
        self._gateways: Registry[PaymentGateway] | None = None
        self._listeners: list[PaymentListener] = []

    # -- gateways and listeners ----------------------------------------------------------
    @property
    def gateways(self) -> Registry[PaymentGateway]:
        """Gateways registered through ``omskit_register_payment_gateways``, by name."""
        if self._gateways is None:
            self._gateways = collect_registry(
                self._rt.plugins, "omskit_register_payment_gateways", "payment gateway"
            )
        return self._gateways

    def gateway(self, name: str) -> PaymentGateway:
        """The gateway called ``name``; raises [`UnknownProvider`][]."""
        return self.gateways.get(name)

    def observe(self, listener: PaymentListener) -> None:
        """Call ``listener(uow, payment)`` after every change, inside the same transaction."""
        self._listeners.append(listener)

    # -- inside a caller's unit of work --------------------------------------------------
    def open_in(
        self, uow: UnitOfWork, *, reference: str, currency: str, gateway: str, method: str = ""
    ) -> Payment:
        """Start the payment of ``reference`` (nothing authorized yet)."""
        self.gateway(gateway)
        payment = Payment(
            id=self._rt.ids.new_id("pay"),
            reference=reference,
            gateway=gateway,
            currency=currency,
            method=method,
        )
        uow.repo(PAYMENTS).add(payment)
        return payment

    def find_in(self, uow: UnitOfWork, reference: str) -> Payment | None:
        """The payment of ``reference`` in this unit of work, or ``None``."""
        return uow.repo(PAYMENTS).find_by("reference", reference)

    def authorize_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money,
        *,
        method: str | None = None,
        idempotency_key: str | None = None,
    ) -> Transaction:
        """Authorize ``amount`` (more, on top of an open authorization); retries transients.

        Returns the transaction, which may be ``declined`` or ``failed``: the caller
        decides what that means for the order.
        """
        payment.require("authorize")
        _positive(amount, payment)
        if method is not None:
            payment.method = method
        key = idempotency_key or self._key(payment, "authorize")
        replay = payment.replay(key, "authorize", amount)
        if replay is not None:
            return replay
        gateway = self.gateway(payment.gateway)
        increase = payment.authorization if payment.open_amount.amount else ""
        txn = _gateway_call(
            gateway,
            "authorize",
            amount=amount,
            method=payment.method,
            idempotency_key=key,
            authorization=increase,
            reference=payment.reference,
        )
        for _ in range(self.settings.transient_retries):
            if txn.status != "failed":
                break
            txn = _gateway_call(
                gateway,
                "authorize",
                amount=amount,
                method=payment.method,
                idempotency_key=key,
                authorization=increase,
                reference=payment.reference,
            )
        return self._apply(uow, payment, txn)

    def capture_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Transaction:
        """Capture ``amount`` (default: everything open)."""
        return self._operate(uow, payment, "capture", amount=amount,
                             limit=payment.open_amount, key=idempotency_key)  # fmt: skip

    def void_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Transaction:
        """Release ``amount`` of the open authorization (default: all of it)."""
        return self._operate(uow, payment, "void", amount=amount, limit=payment.open_amount,
                             key=idempotency_key)  # fmt: skip

    def refund_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Transaction:
        """Give back ``amount`` of what was captured (default: the whole balance)."""
        return self._operate(uow, payment, "refund", amount=amount, limit=payment.balance,
                             key=idempotency_key)  # fmt: skip

    def settle_in(self, uow: UnitOfWork, payment: Payment, due: Money) -> list[Transaction]:
        """Make the payment cover exactly ``due``: authorize more, or void, then refund.

        Lowering voids open authorization first (no money moved yet) and refunds only what
        is left. Raises [`PaymentDeclined`][] / [`GatewayUnavailable`][] when the
        gateway refuses, so the caller's transaction rolls back.
        """
        done: list[Transaction] = []
        covered = payment.covered
        if due > covered:
            done.append(self.raise_unless_succeeded(self.authorize_in(uow, payment, due - covered)))
        elif due < covered:
            excess = covered - due
            open_amount = payment.open_amount
            if open_amount.amount:
                part = min(open_amount, excess)
                done.append(self.raise_unless_succeeded(self.void_in(uow, payment, part)))
                excess -= part
            if excess.amount:
                done.append(self.raise_unless_succeeded(self.refund_in(uow, payment, excess)))
        return done

    def release_in(self, uow: UnitOfWork, payment: Payment) -> list[Transaction]:
        """Void everything open and refund the whole balance (a cancelled order)."""
        return self.settle_in(uow, payment, Money.zero(payment.currency))

    def compensate(self, payment: Payment) -> list[Transaction]:
        """Undo at the gateway what an uncommitted payment did: refund, then void.

        Used when the transaction that authorized ``payment`` failed, so no money stays
        held for an order that was never stored. Works on the gateway only.
        """
        done: list[Transaction] = []
        if not payment.authorization:
            return done
        gateway = self.gateway(payment.gateway)
        balance, open_amount = payment.balance, payment.open_amount
        if balance.amount > 0:
            done.append(
                gateway.refund(
                    authorization=payment.authorization,
                    amount=balance,
                    idempotency_key=f"{payment.id}:compensate:refund",
                )
            )
        if open_amount.amount > 0:
            done.append(gateway.void(authorization=payment.authorization, amount=open_amount,
                                     idempotency_key=f"{payment.id}:compensate:void"))  # fmt: skip
        return done

    # -- own transaction -----------------------------------------------------------------
    def get(self, reference: str) -> Payment:
        """The payment of ``reference`` (an order id); raises [`NotFound`][]."""
        with self._rt.storage.unit_of_work() as uow:
            return self._load(uow, reference)

    def find(self, reference: str) -> Payment | None:
        """The payment of ``reference``, or ``None``."""
        with self._rt.storage.unit_of_work() as uow:
            return self.find_in(uow, reference)

    def authorize(
        self,
        reference: str,
        amount: MoneyLike | str | None = None,
        *,
        method: str | None = None,
        idempotency_key: str | None = None,
    ) -> Transaction:
        """Authorize ``amount`` for ``reference``, e.g. after a declined card was replaced.

        Without ``amount``, a failed payment retries its last attempted amount.

        Raises:
            PaymentDeclined: the gateway said no (the attempt is recorded).
            GatewayUnavailable: the gateway failed every retry (recorded too).
        """
        return self._public(reference, "authorize", amount, idempotency_key, method)

    def capture(
        self,
        reference: str,
        amount: MoneyLike | str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Transaction:
        """Capture ``amount`` (default: everything open) of the payment of ``reference``."""
        return self._public(reference, "capture", amount, idempotency_key)

    def void(
        self,
        reference: str,
        amount: MoneyLike | str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Transaction:
        """Release ``amount`` (default: all) of the open authorization."""
        return self._public(reference, "void", amount, idempotency_key)

    def refund(
        self,
        reference: str,
        amount: MoneyLike | str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Transaction:
        """Refund ``amount`` (default: the whole balance) of what was captured."""
        return self._public(reference, "refund", amount, idempotency_key)

    # -- internals -------------------------------------------------------------------------
    def _public(
        self,
        reference: str,
        kind: str,
        amount: MoneyLike | str | None,
        key: str | None,
        method: str | None = None,
    ) -> Transaction:
        if key is not None:  # keys and methods come from the caller: text, checked here
            key = check_text(key, "idempotency_key", max_length=200)
        if method is not None:
            method = check_text(method, "method", max_length=200)

        def use_case(uow: UnitOfWork) -> Transaction:
            payment = self._load(uow, reference)
            money = None if amount is None else Money.of(amount, payment.currency, "amount")
            if kind == "authorize":
                if money is None:
                    if not payment.failed or not payment.transactions:
                        raise ValidationError("amount", None, "give the amount to authorize")
                    money = payment.transactions[-1].amount
                return self.authorize_in(uow, payment, money, method=method, idempotency_key=key)
            operation = {"capture": self.capture_in, "void": self.void_in,
                         "refund": self.refund_in}[kind]  # fmt: skip
            return operation(uow, payment, money, idempotency_key=key)

        txn = self._rt.run(use_case)
        return self.raise_unless_succeeded(txn)

    def _load(self, uow: UnitOfWork, reference: str) -> Payment:
        payment = self.find_in(uow, reference)
        if payment is None:
            raise NotFound("payment for", reference, "capture the order with a payment method")
        return payment

    def _operate(
        self,
        uow: UnitOfWork,
        payment: Payment,
        kind: str,
        *,
        amount: Money | None,
        limit: Money,
        key: str | None,
    ) -> Transaction:
        payment.require(kind)
        amount = limit if amount is None else amount
        _positive(amount, payment)
        if amount > limit:
            what = "open" if kind in ("capture", "void") else "captured and not refunded"
            raise ValidationError("amount", str(amount), f"at most {limit} is {what}")
        key = key or self._key(payment, kind)
        replay = payment.replay(key, kind, amount)
        if replay is not None:
            return replay
        gateway = self.gateway(payment.gateway)
        txn = _gateway_call(
            gateway, kind, authorization=payment.authorization, amount=amount, idempotency_key=key
        )
        for _ in range(self.settings.transient_retries):
            if txn.status != "failed":
                break
            txn = _gateway_call(
                gateway,
                kind,
                authorization=payment.authorization,
                amount=amount,
                idempotency_key=key,
            )
        return self._apply(uow, payment, txn)

    def _apply(self, uow: UnitOfWork, payment: Payment, txn: Transaction) -> Transaction:
        txn = _stamped(txn, self._rt.clock.now())
        payment.apply(txn)
        if txn.succeeded:
            event = _EVENTS[txn.kind](payment_id=payment.id, reference=payment.reference,
                                      amount=txn.amount, transaction_id=txn.id)  # fmt: skip
            if txn.kind == "authorize" and txn.review:
                event = attrs.evolve(event, review=True)
            payment.record(event)
        else:
            payment.record(PaymentFailed(payment_id=payment.id, reference=payment.reference,
                                         operation=txn.kind, amount=txn.amount, code=txn.code,
                                         transient=txn.status == "failed"))  # fmt: skip
        uow.repo(PAYMENTS).save(payment)
        for listener in self._listeners:
            listener(uow, payment)
        return txn

    def raise_unless_succeeded(self, txn: Transaction) -> Transaction:
        """Return ``txn`` if it succeeded, else raise what went wrong.

        Raises:
            PaymentDeclined: the gateway said no.
            GatewayUnavailable: the gateway failed every retry.
        """
        if txn.status == "declined":
            raise PaymentDeclined(txn)
        if txn.status == "failed":
            raise GatewayUnavailable(txn, 1 + self.settings.transient_retries)
        return txn

    @staticmethod
    def _key(payment: Payment, kind: str) -> str:
        return f"{payment.id}:{kind}:{len(payment.transactions) + 1}"


def _gateway_call(gateway: Any, operation: str, **call: Any) -> Transaction:
    """Call ``gateway.<operation>(**call)``; a raw exception comes back as GatewayUnavailable.

    The gateway's own exception (``TimeoutError``, ``ConnectionError``, a bug) is the
    ``__cause__``; the error names the gateway and the operation. An ``OmskitError``
    passes through as the gateway raised it.
    """
    try:
        txn: Transaction = getattr(gateway, operation)(**call)
    except OmskitError:
        raise
    except Exception as exc:
        failed = Transaction(
            id="",
            kind=operation,  # type: ignore[arg-type]
            status="failed",
            amount=call["amount"],
            gateway=gateway.name,
            idempotency_key=call["idempotency_key"],
            code=type(exc).__name__,
            message=str(exc)[:200],
        )
        raise GatewayUnavailable(failed, 1) from exc
    return txn


def _stamped(txn: Transaction, at: dt.datetime) -> Transaction:
    """``txn`` recorded ``at`` (attrs.evolve, without its per-call introspection)."""
    if type(txn) is not Transaction:  # a gateway's own subclass keeps its fields
        return attrs.evolve(txn, at=at)
    return Transaction(
        id=txn.id, kind=txn.kind, status=txn.status, amount=txn.amount, gateway=txn.gateway,
        idempotency_key=txn.idempotency_key, authorization=txn.authorization, code=txn.code,
        message=txn.message, review=txn.review, at=at,
    )  # fmt: skip


def _positive(amount: Money, payment: Payment) -> None:
    if amount.currency != payment.currency:
        raise ValidationError("amount", str(amount), f"the payment is in {payment.currency}")
    if amount.amount <= 0:
        raise ValidationError("amount", str(amount), "must be positive")
    _ = amount.minor_units  # raises InvalidAmount for more digits than the currency has
