"""Store credit on the payment service: spend it on orders, refund to it, give it back.

[`StoreCredit`][] is a part of ``PaymentService`` (reached as ``oms.payments``): the
ledger itself is ``omskit.payments.credit``; these methods move it together with the
payment of an order, inside the caller's unit of work (the ``*_in`` methods) or in their
own transaction. Every amount a payment does not carry on the card is an ``Adjustment``
of its own kind (``"store_credit"``, ``"credit_refund"``, ``"exchange_credit"``).
"""

from __future__ import annotations

from omskit.errors import IdempotencyConflict, ValidationError
from omskit.events import current_actor
from omskit.money import Money, MoneyLike
from omskit.payments.credit import (
    CREDIT_ACCOUNTS,
    CreditAccount,
    CreditEntry,
    account_id,
    holder,
)
from omskit.payments.model import PAYMENTS, Adjustment, Payment
from omskit.runtime import Runtime, check_actor
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_text

__all__ = ["StoreCredit", "check_positive"]


def check_positive(amount: Money, payment: Payment) -> None:
    """Raise unless ``amount`` is positive, in the payment's currency and its precision."""
    if amount.currency != payment.currency:
        raise ValidationError("amount", str(amount), f"the payment is in {payment.currency}")
    if amount.amount <= 0:
        raise ValidationError("amount", str(amount), "must be positive")
    _ = amount.minor_units  # raises InvalidAmount for more digits than the currency has


class StoreCredit:
    """The store credit methods of ``PaymentService`` (see the module docstring)."""

    _rt: Runtime

    def credit_account_in(self, uow: UnitOfWork, customer: str, currency: str) -> CreditAccount:
        """``customer``'s store credit account in ``currency`` (a new, empty one if none)."""
        who = holder(customer)
        Money.zero(currency)  # raises UnknownCurrency
        found = uow.repo(CREDIT_ACCOUNTS).find(account_id(who, currency))
        if found is not None:
            return found
        return CreditAccount(id=account_id(who, currency), customer=who, currency=currency)

    def post_credit_in(
        self,
        uow: UnitOfWork,
        customer: str,
        amount: Money,
        *,
        reason: str,
        reference: str = "",
        key: str,
        actor: str,
    ) -> CreditEntry:
        """Credit (positive) or debit (negative ``amount``) ``customer``'s store credit.

        Once per ``key``. Raises ``InsufficientStoreCredit`` for a debit larger than the
        balance, before anything is written.
        """
        account = self.credit_account_in(uow, customer, amount.currency)
        repo = uow.repo(CREDIT_ACCOUNTS)
        new = not account.entries and repo.find(account.id) is None
        before = len(account.entries)
        entry = account.post(
            amount,
            reason=reason,
            reference=reference,
            key=key,
            actor=actor,
            at=self._rt.clock.now(),
        )
        if len(account.entries) != before:
            if new:
                repo.add(account)
            else:
                repo.save(account)
        return entry

    def apply_credit_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        customer: str,
        amount: Money,
        *,
        key: str,
        actor: str,
    ) -> Adjustment:
        """Spend ``amount`` of ``customer``'s store credit on ``payment``'s order.

        The account is debited and the payment keeps a ``"store_credit"`` adjustment, so
        the gateway covers only the rest of what the order is due. Both happen in
        ``uow``: either both commit or neither.

        Raises:
            InsufficientStoreCredit: more than the balance.
            ValidationError: a non-positive amount or another currency.
        """
        check_positive(amount, payment)
        done = next((a for a in payment.adjustments if a.key == key), None)
        if done is not None:
            return done
        self.post_credit_in(
            uow,
            customer,
            -amount,
            reason=f"spent on {payment.reference}",
            reference=payment.reference,
            key=key,
            actor=actor,
        )
        who = holder(customer)
        return self._adjust(
            uow, payment, amount, kind="store_credit", account=account_id(who, amount.currency),
            reason="paid with store credit", key=key, actor=actor,
        )  # fmt: skip

    def refund_to_credit_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        customer: str,
        amount: Money,
        *,
        key: str,
        reason: str,
        actor: str,
    ) -> Adjustment:
        """Refund ``amount`` of ``payment``'s order to ``customer``'s store credit.

        The account is credited; the payment keeps a ``"credit_refund"`` adjustment, so
        ``payment.refundable`` falls while the card keeps its money.

        Raises:
            ValidationError: more than ``payment.refundable``, or a non-positive amount.
        """
        check_positive(amount, payment)
        done = next((a for a in payment.adjustments if a.key == key), None)
        if done is not None:
            if done.amount != amount:
                raise IdempotencyConflict(key, f"it refunded {done.amount} to store credit")
            return done
        if amount > payment.refundable:
            raise ValidationError(
                "amount", str(amount), f"at most {payment.refundable} can be refunded"
            )
        self.post_credit_in(
            uow, customer, amount, reason=reason or f"refund of {payment.reference}",
            reference=payment.reference, key=key, actor=actor,
        )  # fmt: skip
        who = holder(customer)
        return self._adjust(
            uow, payment, amount, kind="credit_refund", account=account_id(who, amount.currency),
            reason=reason, key=key, actor=actor,
        )  # fmt: skip

    def credit_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money,
        *,
        reason: str,
        key: str,
        actor: str,
    ) -> Adjustment:
        """Let ``amount`` of value held elsewhere pay ``payment``'s order (an exchange credit).

        Kept as an ``"exchange_credit"`` adjustment: the gateway covers only the rest.
        Once per ``key``.
        """
        check_positive(amount, payment)
        done = next((a for a in payment.adjustments if a.key == key), None)
        if done is not None:
            return done
        return self._adjust(
            uow, payment, amount, kind="exchange_credit", account="", reason=reason,
            key=key, actor=actor,
        )  # fmt: skip

    def withdraw_credit_in(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money,
        *,
        reason: str,
        key: str,
        actor: str,
    ) -> Adjustment:
        """Take back ``amount`` of an exchange credit [`credit_in`][] gave (once per ``key``).

        The gateway then covers that much more of what the order is due.

        Raises:
            ValidationError: more than the payment's exchange credit, or not positive.
        """
        check_positive(amount, payment)
        done = next((a for a in payment.adjustments if a.key == key), None)
        if done is not None:
            return done
        given = payment.adjusted("exchange_credit")
        if amount > given:
            raise ValidationError("amount", str(amount), f"at most the {given} of exchange credit")
        return self._adjust(
            uow, payment, -amount, kind="exchange_credit", account="", reason=reason,
            key=key, actor=actor,
        )  # fmt: skip

    def _adjust(
        self,
        uow: UnitOfWork,
        payment: Payment,
        amount: Money,
        *,
        kind: str,
        account: str,
        reason: str,
        key: str,
        actor: str,
    ) -> Adjustment:
        adjustment = Adjustment(
            amount=amount, at=self._rt.clock.now(), kind=kind, account=account,
            reason=reason, key=key, actor=actor,
        )  # fmt: skip
        payment.adjustments.append(adjustment)
        uow.repo(PAYMENTS).save(payment)
        return adjustment

    def give_back_credit_in(self, uow: UnitOfWork, payment: Payment, due: Money) -> None:
        """Return to the account the store credit an order now due ``due`` does not use.

        Store credit pays last: it is given back only once ``due`` (less the other
        adjustments) falls below what was spent; the card is refunded first.
        """
        spent = payment.adjusted("store_credit")
        if spent.amount <= 0:
            return
        other = payment.goodwill - spent
        needed = due - other
        keep = min(spent, max(needed, Money.zero(payment.currency)))
        excess = spent - keep
        if not excess.amount:
            return
        account = next(a.account for a in payment.adjustments if a.kind == "store_credit")
        key = f"{payment.id}:credit-back:{len(payment.adjustments)}"
        repo = uow.repo(CREDIT_ACCOUNTS)
        stored = repo.get(account)
        why = f"given back: {payment.reference} settled for less"
        actor = current_actor()
        self.post_credit_in(
            uow, stored.customer, excess, reason=why, reference=payment.reference, key=key,
            actor=actor,
        )  # fmt: skip
        self._adjust(
            uow, payment, -excess, kind="store_credit", account=account,
            reason="store credit given back", key=key, actor=current_actor(),
        )  # fmt: skip

    def store_credit(self, customer: str, currency: str) -> Money:
        """``customer``'s store credit balance in ``currency`` (zero without an account)."""
        with self._rt.storage.unit_of_work() as uow:
            return self.credit_account_in(uow, customer, currency).balance

    def credit_account(self, customer: str, currency: str) -> CreditAccount:
        """``customer``'s store credit account in ``currency``, with every entry."""
        with self._rt.storage.unit_of_work() as uow:
            return self.credit_account_in(uow, customer, currency)

    def issue_credit(
        self,
        customer: str,
        amount: MoneyLike | str,
        *,
        currency: str | None = None,
        reason: str,
        idempotency_key: str | None = None,
        actor: str = "system",
    ) -> CreditEntry:
        """Give ``customer`` store credit (a gift card sold, a gesture by an agent).

        ``amount`` is ``Money`` or a decimal with ``currency``. A repeated
        ``idempotency_key`` returns the first entry.

        Raises:
            ValidationError: a non-positive amount, an empty reason, a bad customer.
        """
        money = Money.of(amount, currency, "amount")
        if money.amount <= 0:
            raise ValidationError("amount", str(money), "must be positive")
        reason = check_text(reason, "reason", max_length=500)
        who = holder(customer)
        actor = check_actor(actor)
        key = (
            check_text(idempotency_key, "idempotency_key", max_length=200)
            if idempotency_key is not None
            else f"issue:{self._rt.ids.new_id('crd')}"
        )
        return self._rt.run(
            lambda uow: self.post_credit_in(
                uow, who, money, reason=reason, key=key, actor=actor, reference=""
            )
        )
