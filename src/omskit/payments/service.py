"""The payment service: authorize, capture, void and refund through registered gateways.

The ``*_in`` methods work inside the caller's unit of work (order capture and changes use
them so that the order and its payment commit together); the plain methods run their own
transaction through ``PaymentService.run``, which journals every gateway call and,
when the use case fails, makes the stored payments agree with what the gateway did (see
``omskit.payments.reconcile``).

Idempotency keys are derived per operation (one capture, one refund, one settlement
step), and a refund or capture spread over several authorizations sends one gateway
call per authorization, each with the operation's key and ``/1``, ``/2``... appended:

* inside ``run``: ``<payment>:<op>:<n>:<kind>:<minor units>`` for an amount the
  caller named, where ``op`` is the use case's operation id (made once per call, kept
  across retries after a concurrency conflict) and ``n`` numbers the operations of the
  use case, so a retry of the same call sends the same keys and the gateway answers
  with its first record; for an amount computed from the order (a settlement, capture
  at order or shipment) ``n`` is ``<attempt>.<number>``, so a retry computes afresh from
  what the first attempt recorded;
* outside ``run`` (a caller's own unit of work, such as a shipment recorded by
  fulfillment): ``<payment>:<kind>:<number of the transaction>:<minor units>``, so the
  caller's retry from the same stored state replays the same call;
* a caller's own ``idempotency_key`` is used as given.

Keys differ whenever the operation differs, so a declined call's key is never reused by
the next, different, operation.
"""

from __future__ import annotations

import datetime as dt
import enum
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from omskit.errors import (
    NotFound,
    OmskitError,
    PaymentError,
    ValidationError,
)
from omskit.events import acting_as, current_actor
from omskit.money import Money, MoneyLike
from omskit.payments import running
from omskit.payments.compensation import (
    CURRENT_JOURNAL,
    Compensation,
    GatewayCall,
    Purpose,
    operation_key,
)
from omskit.payments.credit_service import StoreCredit
from omskit.payments.credit_service import check_positive as _positive
from omskit.payments.errors import GatewayUnavailable, PaymentDeclined
from omskit.payments.events import (
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentVoided,
)
from omskit.payments.gateway import PaymentGateway
from omskit.payments.model import PAYMENTS, Payment, Transaction, TransactionKind
from omskit.payments.ports import PaymentPorts, Settler
from omskit.payments.settings import PaymentSettings
from omskit.plugins.manager import Registry, collect_registry
from omskit.runtime import Runtime, check_actor
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_text, renamed

__all__ = ["NO_REASON", "NoReason", "PaymentListener", "PaymentService", "Settler"]

T = TypeVar("T")

#: Called inside the unit of work after every change to a payment.
PaymentListener = Callable[[UnitOfWork, Payment], None]

_EVENTS: dict[str, Any] = {
    "authorize": PaymentAuthorized,
    "capture": PaymentCaptured,
    "void": PaymentVoided,
    "refund": PaymentRefunded,
}


class NoReason(enum.Enum):
    """The default of a ``reason`` not given (kept apart from any value a caller sends)."""

    NO_REASON = "no reason given"


#: ``payments.refund`` called without ``reason`` (deprecated: it will be required).
NO_REASON = NoReason.NO_REASON


class PaymentService(StoreCredit):
    """Payments, one per order. Reached as ``oms.payments``."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.settings = PaymentSettings.from_mapping(runtime.config.section("payments"))
        self._gateways: Registry[PaymentGateway] | None = None
        self._listeners: list[PaymentListener] = []
        self._settler: Settler | None = None
        self._ports = PaymentPorts(
            runtime=runtime,
            send_raw=self.send_raw,
            record_in=self.record_in,
            settler=lambda: self._settler,
        )

    # -- gateways and listeners ----------------------------------------------------------
    @property
    def runtime(self) -> Runtime:
        """The runtime the service works through."""
        return self._rt

    @property
    def registry(self) -> Registry[PaymentGateway]:
        """Gateways registered through ``omskit_register_payment_gateways``, by name."""
        if self._gateways is None:
            self._gateways = collect_registry(
                self._rt.plugins, "omskit_register_payment_gateways", "payment gateway"
            )
        return self._gateways

    @property
    def gateways(self) -> Registry[PaymentGateway]:
        """Deprecated: the same registry as [`registry`][] (use that, or [`names`][])."""
        warnings.warn(
            "oms.payments.gateways is deprecated; use oms.payments.registry or "
            "oms.payments.names()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.registry

    def names(self) -> list[str]:
        """Registered gateway names (as ``oms.carriers.names()``)."""
        return self.registry.names()

    def gateway(self, name: str) -> PaymentGateway:
        """The gateway called ``name``; raises [`UnknownProvider`][]."""
        return self.registry.get(name)

    def observe(self, listener: PaymentListener) -> None:
        """Call ``listener(uow, payment)`` after every change, inside the same transaction."""
        self._listeners.append(listener)

    def settle_with(self, settler: Settler) -> None:
        """Use ``settler(uow, reference)`` to settle a payment with what its order is due.

        The orders capability registers one; a ``settle`` compensation
        (``retry_compensations``) calls it.
        """
        self._settler = settler

    @property
    def settler(self) -> Settler | None:
        """What settles a payment with its order (``None`` until one is registered)."""
        return self._settler

    # -- running use cases ---------------------------------------------------------------
    def run(
        self, use_case: Callable[[UnitOfWork], T], *, attempts: int = 5, actor: str | None = None
    ) -> T:
        """Run ``use_case`` like ``Runtime.run``, journaling every gateway call.

        After an attempt that fails (a concurrency conflict, any error, a commit that
        raised), the calls the gateway answered are made to agree with storage: a payment
        that was never stored has its authorizations voided and captures refunded; a
        stored payment gets the calls it is missing written onto it; what cannot be done
        now is kept as a ``Compensation`` (see ``omskit.payments.running``). ``actor``
        is who the change is made for (as in ``Runtime.run``).
        """
        if actor is None:
            return running.run(self._ports, use_case, attempts)
        with acting_as(check_actor(actor)):
            return running.run(self._ports, use_case, attempts)

    def pending_compensations(self) -> list[Compensation]:
        """Stored compensations not done yet (``pending`` first, then ``failed``), oldest first."""
        return running.pending(self._ports)

    def retry_compensations(self, *, actor: str = "system") -> list[Compensation]:
        """Try every ``pending`` compensation once more; return each as it now stands.

        A ``failed`` one is left alone (the gateway refused the compensation: a person
        must reconcile it). Errors are kept on the compensation, not raised.
        """
        with acting_as(check_actor(actor)):
            return running.retry_all(self._ports)

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
        purpose: Purpose = "direct",
    ) -> Transaction:
        """Authorize ``amount`` (more, on top of an open authorization); retries transients.

        The newest authorization with money open is increased; with none open, a new
        authorization is opened. Returns the transaction, which may be ``declined`` or
        ``failed``: the caller decides what that means for the order.
        """
        payment.require("authorize")
        _positive(amount, payment)
        if method is not None:
            payment.method = method
        if idempotency_key:
            done = payment.replay_request(idempotency_key, "authorize", amount)
            if done is not None:
                return done[-1]
        key = operation_key(payment, "authorize", amount, purpose, idempotency_key)
        replay = payment.replay(key, "authorize", amount)
        if replay is not None:
            return replay
        call = GatewayCall(
            kind="authorize",
            amount=amount,
            key=key,
            method=payment.method,
            authorization=payment.newest_open(),
            purpose=purpose,
            request=key,
            requested=amount,
        )
        txn = self._apply(uow, payment, self._call(payment, call))
        if idempotency_key or purpose == "direct":
            payment.requests[key] = ("authorize", amount, (payment.keys[txn.idempotency_key],))
        return txn

    def capture_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money | None = None,
        *,
        idempotency_key: str | None = None,
        purpose: Purpose = "direct",
    ) -> Transaction:
        """Capture ``amount`` (default: everything open), oldest authorization first.

        Returns the last gateway transaction (a capture spread over two authorizations
        makes two; ``payment.transactions`` has both), or the first that was refused.
        """
        _, txns = self._operate(
            uow,
            payment,
            "capture",
            amount=amount,
            limit=payment.open_amount,
            key=idempotency_key,
            purpose=purpose,
        )
        return txns[-1]

    def void_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money | None = None,
        *,
        idempotency_key: str | None = None,
        purpose: Purpose = "direct",
    ) -> Transaction:
        """Release ``amount`` of what is open (default: all of it), oldest authorization first."""
        _, txns = self._operate(
            uow,
            payment,
            "void",
            amount=amount,
            limit=payment.open_amount,
            key=idempotency_key,
            purpose=purpose,
        )
        return txns[-1]

    def refund_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money | None = None,
        *,
        idempotency_key: str | None = None,
        goodwill: bool = True,
        reason: str = "",
        actor: str = "system",
    ) -> Transaction:
        """Give back ``amount`` of what was captured (default: the whole balance).

        The refund draws on captures oldest authorization first, as several gateway
        refunds when one authorization has too little. With ``goodwill`` (the default)
        it is money given back without changing the order: it is kept as an
        ``Adjustment``, and later settlements leave it given.
        Settling a changed order refunds with ``goodwill=False``.
        """
        purpose: Purpose = "goodwill" if goodwill else "settle"
        request, txns = self._operate(
            uow,
            payment,
            "refund",
            amount=amount,
            limit=payment.balance,
            key=idempotency_key,
            purpose=purpose,
            reason=reason,
            actor=actor,
        )
        paid = [t for t in txns if t.succeeded]
        if goodwill and paid:
            payment.add_goodwill(request, paid, reason=reason, actor=actor, at=self._rt.clock.now())
            uow.repo(PAYMENTS).save(payment)
        return txns[-1]

    def settle_in(self, uow: UnitOfWork, payment: Payment, due: Money) -> list[Transaction]:
        """Make the payment cover what an order ``due`` this much owes: authorize, void, refund.

        What is owed is ``due`` less every goodwill adjustment (never below zero). An
        increase is authorized; a decrease voids open authorization first (no money
        moved yet) and refunds only what is left. Raises ``PaymentDeclined`` /
        ``GatewayUnavailable`` when the gateway refuses, so the caller's
        transaction rolls back (what the gateway already did is reconciled by
        ``run``).
        """
        done: list[Transaction] = []
        self.give_back_credit_in(uow, payment, due)
        owed = payment.owed(due)
        covered = payment.covered
        if owed > covered:
            txn = self.authorize_in(uow, payment, owed - covered, purpose="settle")
            done.append(self.raise_unless_succeeded(txn))
        elif owed < covered:
            excess = covered - owed
            open_amount = payment.open_amount
            if open_amount.amount:
                part = min(open_amount, excess)
                _, txns = self._operate(
                    uow, payment, "void", amount=part, limit=open_amount, key=None, purpose="settle"
                )
                done.extend(self.raise_unless_succeeded(t) for t in txns)
                excess -= part
            if excess.amount:
                _, txns = self._operate(
                    uow,
                    payment,
                    "refund",
                    amount=excess,
                    limit=payment.balance,
                    key=None,
                    purpose="settle",
                )
                done.extend(self.raise_unless_succeeded(t) for t in txns)
        return done

    def release_in(self, uow: UnitOfWork, payment: Payment) -> list[Transaction]:
        """Void everything open, refund the whole balance, give store credit back."""
        done: list[Transaction] = []
        self.give_back_credit_in(uow, payment, Money.zero(payment.currency))
        if payment.open_amount.amount:
            _, txns = self._operate(
                uow,
                payment,
                "void",
                amount=None,
                limit=payment.open_amount,
                key=None,
                purpose="settle",
            )
            done.extend(self.raise_unless_succeeded(t) for t in txns)
        if payment.balance.amount:
            _, txns = self._operate(
                uow,
                payment,
                "refund",
                amount=None,
                limit=payment.balance,
                key=None,
                purpose="settle",
            )
            done.extend(self.raise_unless_succeeded(t) for t in txns)
        return done

    def compensate(self, payment: Payment) -> list[Transaction]:
        """Undo at the gateway what an uncommitted payment did: refund, then void.

        For each of its authorizations, what was captured and not refunded is refunded
        and what is open is voided. Works on the gateway only (nothing is stored);
        ``run`` does this by itself for payments whose use case failed.
        """
        done: list[Transaction] = []
        for ledger in payment.authorizations:
            steps: tuple[tuple[TransactionKind, Money], ...] = (
                ("refund", ledger.refundable),
                ("void", ledger.open),
            )
            for kind, amount in steps:
                if amount.amount > 0:
                    call = GatewayCall(
                        kind=kind,
                        amount=amount,
                        authorization=ledger.id,
                        key=f"{payment.id}:compensate:{ledger.id}:{kind}",
                        purpose="undo",
                    )
                    done.append(self.send(payment.gateway, call, reference=payment.reference))
        return done

    def record_in(self, uow: UnitOfWork, payment: Payment, call: GatewayCall) -> None:
        """Write a call the gateway carried out onto ``payment`` (a reconciled call).

        A goodwill refund gets its adjustment; an operation the caller named gets its
        request recorded, so replaying it returns these transactions.
        """
        assert call.outcome is not None
        txn = call.outcome
        if not txn.authorization and call.authorization:
            txn = attrs.evolve(txn, authorization=call.authorization)
        if txn.idempotency_key in payment.keys:
            return
        txn = self._apply(uow, payment, txn)
        if call.request and call.purpose in ("direct", "goodwill"):
            position = payment.keys[txn.idempotency_key]
            requested = call.requested or call.amount
            _, _, before = payment.requests.get(call.request, (call.kind, requested, ()))
            payment.requests[call.request] = (call.kind, requested, (*before, position))
        if call.purpose == "goodwill" and txn.succeeded:
            payment.add_goodwill(
                call.request or call.key,
                [txn],
                reason=call.reason,
                actor=call.actor or "system",
                at=self._rt.clock.now(),
            )
            uow.repo(PAYMENTS).save(payment)

    # -- own transaction -----------------------------------------------------------------
    def get(self, order_id: str | None = None, *, reference: str | None = None) -> Payment:
        """The payment of the order ``order_id``; raises [`NotFound`][].

        ``reference`` is the old name of ``order_id`` (deprecated).
        """
        order_id = _order_id(order_id, reference, "payments.get")
        with self._rt.storage.unit_of_work() as uow:
            return self._load(uow, order_id)

    def find(self, order_id: str | None = None, *, reference: str | None = None) -> Payment | None:
        """The payment of the order ``order_id``, or ``None``.

        ``reference`` is the old name of ``order_id`` (deprecated).
        """
        order_id = _order_id(order_id, reference, "payments.find")
        with self._rt.storage.unit_of_work() as uow:
            return self.find_in(uow, order_id)

    def authorize(
        self,
        order_id: str | None = None,
        amount: MoneyLike | str | None = None,
        *,
        method: str | None = None,
        idempotency_key: str | None = None,
        actor: str = "system",
        reference: str | None = None,
    ) -> Transaction:
        """Authorize ``amount`` for the order ``order_id``, e.g. after a declined card.

        Without ``amount``, a failed payment retries its last attempted amount. Returns
        the gateway's [`Transaction`][] (the payment itself: [`get`][]). ``reference`` is
        the old name of ``order_id`` (deprecated).

        Raises:
            PaymentDeclined: the gateway said no (the attempt is recorded).
            GatewayUnavailable: the gateway failed every retry (recorded too).
        """
        order_id = _order_id(order_id, reference, "payments.authorize")
        return self._public(order_id, "authorize", amount, idempotency_key, method, actor=actor)

    def capture(
        self,
        order_id: str | None = None,
        amount: MoneyLike | str | None = None,
        *,
        idempotency_key: str | None = None,
        actor: str = "system",
        reference: str | None = None,
    ) -> Transaction:
        """Capture ``amount`` (default: everything open) of the order's payment.

        Returns the [`Transaction`][]; ``reference`` is the old name of ``order_id``
        (deprecated).
        """
        order_id = _order_id(order_id, reference, "payments.capture")
        return self._public(order_id, "capture", amount, idempotency_key, actor=actor)

    def void(
        self,
        order_id: str | None = None,
        amount: MoneyLike | str | None = None,
        *,
        idempotency_key: str | None = None,
        actor: str = "system",
        reference: str | None = None,
    ) -> Transaction:
        """Release ``amount`` (default: all) of the order's open authorization.

        Returns the [`Transaction`][]; ``reference`` is the old name of ``order_id``
        (deprecated).
        """
        order_id = _order_id(order_id, reference, "payments.void")
        return self._public(order_id, "void", amount, idempotency_key, actor=actor)

    def refund(
        self,
        order_id: str | None = None,
        amount: MoneyLike | str | None = None,
        *,
        idempotency_key: str | None = None,
        reason: str | NoReason = NO_REASON,
        actor: str = "system",
        reference: str | None = None,
    ) -> Transaction:
        """Refund ``amount`` (default: the whole balance) of what was captured, as goodwill.

        The refund is kept as an ``Adjustment``: a later change to the order does not
        claw it back. Returns the [`Transaction`][]; ``reference`` is the old name of
        ``order_id`` (deprecated). A refund needs a ``reason``, as ``orders.refund``
        does; leaving it out still works for now and warns (``DeprecationWarning``).

        Raises:
            ValidationError: an empty reason, or more than was captured and not refunded.
        """
        order_id = _order_id(order_id, reference, "payments.refund")
        if isinstance(reason, NoReason):
            warnings.warn(
                "payments.refund without a reason is deprecated; give reason=... "
                "(it will be required, as it is for orders.refund)",
                DeprecationWarning,
                stacklevel=2,
            )
            reason = ""
        else:
            reason = check_text(reason, "reason", max_length=500)
        return self._public(order_id, "refund", amount, idempotency_key, reason=reason, actor=actor)

    # -- internals -------------------------------------------------------------------------
    def _public(
        self,
        reference: str,
        kind: str,
        amount: MoneyLike | str | None,
        key: str | None,
        method: str | None = None,
        *,
        reason: str = "",
        actor: str = "system",
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
            if kind == "refund":
                return self.refund_in(
                    uow, payment, money, idempotency_key=key, reason=reason, actor=actor
                )
            operation = {"capture": self.capture_in, "void": self.void_in}[kind]
            return operation(uow, payment, money, idempotency_key=key)

        txn = self.run(use_case, actor=actor)
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
        kind: TransactionKind,
        *,
        amount: Money | None,
        limit: Money,
        key: str | None,
        purpose: Purpose,
        reason: str = "",
        actor: str = "",
    ) -> tuple[str, list[Transaction]]:
        """Capture, void or refund ``amount``, spread over authorizations (oldest first).

        Returns the operation's key and its gateway transactions.
        """
        direct = purpose in ("direct", "goodwill")
        request = ""
        if key or direct:  # a retry of this very call (recorded by reconciliation) replays
            request = operation_key(payment, kind, amount, purpose, key)
            done = payment.replay_request(request, kind, amount)
            if done is not None:
                return request, done
        payment.require(kind)
        amount = limit if amount is None else amount
        _positive(amount, payment)
        if amount > limit:
            what = "open" if kind in ("capture", "void") else "captured and not refunded"
            raise ValidationError("amount", str(amount), f"at most {limit} is {what}")
        if not request:
            request = operation_key(payment, kind, amount, purpose, key)
        parts = payment.plan(kind, amount)
        if sum((p for _, p in parts), Money.zero(payment.currency)) != amount:
            raise PaymentError(
                f"payment {payment.id} cannot {kind} {amount}: its authorizations carry less "
                "(the gateway reported transactions without an authorization id)"
            )
        txns: list[Transaction] = []
        for i, (authorization, part) in enumerate(parts):
            part_key = request if len(parts) == 1 else f"{request}/{i + 1}"
            txn = payment.replay(part_key, kind, part)
            if txn is None:
                call = GatewayCall(
                    kind=kind,
                    amount=part,
                    key=part_key,
                    authorization=authorization,
                    purpose=purpose,
                    request=request,
                    requested=amount,
                    reason=reason,
                    actor=actor or current_actor(),
                )
                txn = self._apply(uow, payment, self._call(payment, call))
            txns.append(txn)
            if not txn.succeeded:
                break
        if key or direct:
            positions = tuple(payment.keys[t.idempotency_key] for t in txns)
            payment.requests[request] = (kind, amount, positions)
        return request, txns

    def _call(self, payment: Payment, call: GatewayCall) -> Transaction:
        """Send ``call``, journaled first when a use case runs under ``run``."""
        journal = CURRENT_JOURNAL.get()
        entry = None
        if journal is not None:
            entry = journal.register(
                payment.id, payment.reference, payment.gateway, payment.currency, call
            )
        try:
            txn = self.send_raw(payment.gateway, call, reference=payment.reference)
        except OmskitError as exc:  # the gateway's own "no": nothing happened
            if entry is not None:
                entry.call = attrs.evolve(call, refused=f"{type(exc).__name__}: {exc}")
            raise
        except Exception as exc:  # no answer: the entry stays unknown
            raise self._unavailable(payment.gateway, call, exc) from exc
        if entry is not None:
            entry.call = attrs.evolve(call, outcome=txn)
        return txn

    def send(self, gateway: str, call: GatewayCall, *, reference: str = "") -> Transaction:
        """Make ``call`` on ``gateway``, retrying a transient failure with the same key.

        A ``failed`` answer and an exception that is not an omskit error both count as
        transient: the call is repeated (``payments.transient_retries`` times) with the
        same idempotency key, so the gateway can answer with its first record.

        Raises:
            GatewayUnavailable: every attempt raised; it names the gateway and the
                operation, and the gateway's last exception is its ``__cause__``.
        """
        try:
            return self.send_raw(gateway, call, reference=reference)
        except OmskitError:
            raise
        except Exception as exc:
            raise self._unavailable(gateway, call, exc) from exc

    def send_raw(self, gateway: str, call: GatewayCall, *, reference: str = "") -> Transaction:
        """``send``, but the gateway's own exception is raised as it is (not wrapped).

        Reconciliation uses it to tell "no answer" (an exception) from "no" (an omskit
        error or a declined transaction).
        """
        target = self.gateway(gateway)
        txn: Transaction | None = None
        error: Exception | None = None
        for _ in range(1 + self.settings.transient_retries):
            try:
                if call.kind == "authorize":
                    txn = target.authorize(
                        amount=call.amount,
                        method=call.method,
                        idempotency_key=call.key,
                        authorization=call.authorization,
                        reference=reference,
                    )
                else:
                    operation = getattr(target, call.kind)
                    txn = operation(
                        authorization=call.authorization,
                        amount=call.amount,
                        idempotency_key=call.key,
                    )
            except OmskitError:
                raise
            except Exception as exc:
                error = exc
                continue
            error = None
            if txn is not None and txn.status != "failed":
                break
        if error is not None:
            raise error
        assert txn is not None
        if not txn.authorization and call.authorization:
            txn = attrs.evolve(txn, authorization=call.authorization)
        return txn

    def _unavailable(self, gateway: str, call: GatewayCall, exc: Exception) -> GatewayUnavailable:
        failed = Transaction(
            id="",
            kind=call.kind,
            status="failed",
            amount=call.amount,
            gateway=gateway,
            idempotency_key=call.key,
            authorization=call.authorization,
            code=type(exc).__name__,
            message=str(exc)[:200],
        )
        return GatewayUnavailable(failed, 1 + self.settings.transient_retries)

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
    """``txn`` recorded ``at`` by the running call's actor (no attrs.evolve introspection)."""
    actor = current_actor()
    if type(txn) is not Transaction:  # a gateway's own subclass keeps its fields
        return attrs.evolve(txn, at=at, actor=actor)
    return Transaction(
        id=txn.id, kind=txn.kind, status=txn.status, amount=txn.amount, gateway=txn.gateway,
        idempotency_key=txn.idempotency_key, authorization=txn.authorization, code=txn.code,
        message=txn.message, review=txn.review, at=at, actor=actor,
    )  # fmt: skip


def _order_id(order_id: str | None, reference: str | None, where: str) -> str:
    """The order id a payment call names, by its name or by its old name ``reference``."""
    value = renamed(order_id, reference, new="order_id", old="reference", where=where, stacklevel=4)
    if value is None:
        raise ValidationError("order_id", None, "give the id of the order the payment is for")
    return value
