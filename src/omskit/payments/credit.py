"""Store credit: a balance per customer and currency, kept as a ledger that never goes negative.

A [`CreditAccount`][] holds every credit (a refund to store credit, a gift by an agent,
credit given back when an order paid with it is cancelled) and every debit (credit spent
on an order) as its own [`CreditEntry`][], each with the balance it left. Amounts are
exact ``Money`` in the account's currency. A debit larger than the balance raises
[`InsufficientStoreCredit`][] before anything changes.

Every change names an idempotency ``key``: a repeated key with the same amount returns
the entry it made; the same key with another amount is an ``IdempotencyConflict``. The
account is one stored aggregate with an optimistic version, so two transactions spending
the same credit at once cannot both commit: the second is retried (``Runtime.run``) and
then sees the lower balance.

An order paying partly with store credit keeps what was spent on its payment as an
``Adjustment`` of kind ``"store_credit"`` (see ``PaymentService.apply_credit_in``): the
card then covers only the rest, and settling the order for less gives the credit back.
"""

from __future__ import annotations

import datetime as dt

import attrs

from omskit.errors import IdempotencyConflict, PaymentError, ValidationError
from omskit.money import Money
from omskit.storage.ports import Aggregate, Collection

__all__ = [
    "CREDIT_ACCOUNTS",
    "CreditAccount",
    "CreditEntry",
    "InsufficientStoreCredit",
    "account_id",
    "holder",
]


class InsufficientStoreCredit(PaymentError):
    """Store credit asked for exceeds the customer's balance; nothing was debited.

    Attributes:
        customer: the account holder.
        requested: what was asked for.
        available: the balance.
    """

    def __init__(self, customer: str, requested: Money, available: Money) -> None:
        self.customer = customer
        self.requested = requested
        self.available = available
        super().__init__(
            f"store_credit: got {requested} for customer {customer!r}; "
            f"at most the balance of {available} can be spent"
        )


def holder(customer: object) -> str:
    """The account holder as stored: the email or customer id, trimmed and lower-cased.

    Raises:
        ValidationError: not a non-empty text of at most 320 characters.
    """
    if not isinstance(customer, str) or not customer.strip() or len(customer) > 320:
        raise ValidationError("customer", customer, "expected the customer's email or id")
    return customer.strip().lower()


def account_id(customer: str, currency: str) -> str:
    """The id of ``customer``'s account in ``currency`` (``customer`` already [`holder`][])."""
    return f"credit:{currency}:{customer}"


@attrs.frozen(kw_only=True)
class CreditEntry:
    """One movement on a store credit account.

    Attributes:
        amount: positive for a credit, negative for a debit.
        balance: the balance it left.
        reason: why, in words.
        reference: what it belongs to (an order id, a return id; may be ``""``).
        key: its idempotency key (one entry per key).
        actor: who made it.
        at: when.
    """

    amount: Money
    balance: Money
    reason: str
    reference: str
    key: str
    actor: str
    at: dt.datetime


@attrs.define(eq=False)
class CreditAccount(Aggregate):
    """A customer's store credit in one currency: the ledger and its balance.

    Attributes:
        customer: the holder (see [`holder`][]).
        currency: the currency of every entry.
        entries: every credit and debit, oldest first.
    """

    customer: str
    currency: str
    entries: list[CreditEntry] = attrs.field(factory=list)

    @property
    def balance(self) -> Money:
        """What the customer may spend: the sum of every entry (never negative)."""
        return self.entries[-1].balance if self.entries else Money.zero(self.currency)

    def entry(self, key: str) -> CreditEntry | None:
        """The entry made with idempotency ``key``, if any."""
        return next((e for e in self.entries if e.key == key), None)

    def post(
        self,
        amount: Money,
        *,
        reason: str,
        reference: str,
        key: str,
        actor: str,
        at: dt.datetime,
    ) -> CreditEntry:
        """Credit (positive ``amount``) or debit (negative) the account; once per ``key``.

        Raises:
            ValidationError: a zero amount, another currency, or more digits than the
                currency has.
            IdempotencyConflict: ``key`` was used for another amount.
            InsufficientStoreCredit: a debit larger than the balance.
        """
        if amount.currency != self.currency:
            raise ValidationError(
                "amount", str(amount), f"the store credit account is in {self.currency}"
            )
        if not amount.amount:
            raise ValidationError("amount", str(amount), "must not be zero")
        _ = amount.minor_units  # raises InvalidAmount for more digits than the currency has
        done = self.entry(key)
        if done is not None:
            if done.amount != amount:
                raise IdempotencyConflict(key, f"it posted {done.amount} to store credit")
            return done
        after = self.balance + amount
        if after.amount < 0:
            raise InsufficientStoreCredit(self.customer, -amount, self.balance)
        entry = CreditEntry(
            amount=amount,
            balance=after,
            reason=reason,
            reference=reference,
            key=key,
            actor=actor,
            at=at,
        )
        self.entries.append(entry)
        return entry

    def clone(self) -> CreditAccount:
        """A copy with its own entry list (entries are immutable)."""
        copy = attrs.evolve(self, entries=list(self.entries))
        copy.version = self.version
        return copy


CREDIT_ACCOUNTS: Collection[CreditAccount] = Collection(
    "store_credit",
    CreditAccount,
    indexes={"customer": lambda a: a.customer},
    label="store credit account",
    fixed_keys=True,
)
