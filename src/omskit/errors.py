"""Every error omskit raises, rooted at [`OmskitError`][].

Each error carries the data a caller needs to react (``field``, ``value``, ``sku``,
``requested``, ``available``...) and a message that says what was wrong and what is
allowed. Several also subclass a builtin, so ``except ValueError`` keeps working in host
code that does not know omskit.

The tree::

    OmskitError
    ├── ValidationError (ValueError)          bad input: field, value, what is allowed
    │   ├── InvalidAmount                      "1,2.3", NaN, infinities
    │   ├── FloatNotAllowed (TypeError)        a float where money or a quantity belongs
    │   ├── UnknownCurrency                    not an ISO 4217 code
    │   ├── InvalidQuantity                    negative, zero, non-integer, absurd
    │   ├── UnknownCountry                     not an ISO 3166 territory
    │   ├── InvalidEmail
    │   └── InvalidSku                         a malformed SKU code
    ├── CurrencyMismatch (ValueError)          EUR + USD, comparing net with gross
    ├── NotFound (LookupError)                 kind + key, e.g. order "O-7"
    │   ├── UnknownSku                         no product with that SKU
    │   └── UnknownProvider                    no carrier / gateway / strategy by that name
    ├── InvalidTransition                      action not allowed in the current state
    ├── Conflict
    │   ├── ConcurrencyConflict                a stale write lost to a newer version
    │   ├── IdempotencyConflict                same key, different payload
    │   └── AlreadyExists                      an id or unique key taken
    ├── InsufficientStock                      sku, requested, available
    ├── PaymentError                           a gateway refused or failed
    └── PluginError
        └── DuplicateRegistration              two providers under one name

Capabilities add their own subclasses of these in their package's ``errors`` module
(all re-exported from ``omskit``)::

    omskit.pricing.errors      UnknownChannel, UnknownCoupon, CurrencyNotSold, NoPrice,
                               CouponError (CouponExpired...), OverlappingRates, DutiesUnavailable
    omskit.orders.errors       OrderRejected, OrderUnchanged, UnitsInFulfillment
    omskit.payments.errors     PaymentDeclined, GatewayUnavailable (both PaymentError)
    omskit.inventory.errors    UnknownLocation, UnknownReservation, LocationInactive,
                               NotEnoughToMove, StockShortfall, BackorderLimitReached
                               (InsufficientStock)
    omskit.carriers.errors     UnknownServiceLevel, UnknownTrackingNumber,
                               UnserviceableAddress, NoRateAvailable
    omskit.fulfillment.errors  ItemTooLarge, OverConfirmation, PickupCodeMismatch, InvalidBinCode
    omskit.admin.errors        AccessDenied (PermissionError), ApprovalRequired,
                               UnknownPermission, SelfApproval, UnknownPrincipal,
                               UnknownRole, UnknownApproval
    omskit.returns.errors      ReturnNotEligible (ValidationError), UnknownReturn (NotFound)
    omskit.storage.errors      CodecError, StorageError, SchemaOutdated (StorageError)

Routing adds none: it raises the kernel's errors, and reports what it cannot source as a
plan's shortfalls.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

__all__ = [
    "AlreadyExists",
    "ConcurrencyConflict",
    "Conflict",
    "CurrencyMismatch",
    "DuplicateRegistration",
    "FloatNotAllowed",
    "IdempotencyConflict",
    "InsufficientStock",
    "InvalidAmount",
    "InvalidEmail",
    "InvalidQuantity",
    "InvalidSku",
    "InvalidTransition",
    "NotFound",
    "OmskitError",
    "PaymentError",
    "PluginError",
    "Problem",
    "UnknownCountry",
    "UnknownCurrency",
    "UnknownProvider",
    "UnknownSku",
    "ValidationError",
    "shown",
]

#: The longest a value is quoted in a message; longer ones are shortened in the middle.
_MAX_SHOWN = 300
_PLAIN = (str, bool, type(None), float, Decimal)


class _Shortened(reprlib.Repr):
    """``reprlib`` limits, and integers too long to print named by their size."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 4
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdict = 12
        self.maxstring = self.maxother = _MAX_SHOWN // 2
        self.maxlong = 60

    def repr_int(self, x: int, level: int) -> str:
        """Digits as usual; past a few thousand, only how many (``str()`` would refuse)."""
        if x.bit_length() > 1000:
            return f"<an integer of about {int(x.bit_length() * 0.30103) + 1:,} digits>"
        return super().repr_int(x, level)


_SHORTENED = _Shortened()


def shown(value: object) -> str:
    """``repr(value)`` for a message: never raises, never huge, whatever ``value`` is.

    Plain values of a sensible size read exactly as ``repr`` writes them; a long text, a
    deep or wide structure, a huge integer or an object whose ``repr`` fails is shortened
    (``reprlib``) or named by its type.
    """
    try:
        small_int = isinstance(value, int) and value.bit_length() <= 1000
        if type(value) in _PLAIN or small_int:
            text = repr(value)
            if len(text) <= _MAX_SHOWN:
                return text
        return _SHORTENED.repr(value)
    except Exception:  # a failing __repr__, or RecursionError inside one
        return f"<{type(value).__name__} object>"


class OmskitError(Exception):
    """Root of every error omskit raises on purpose.

    Every error pickles with its message and data attributes (a host running captures
    in a process pool gets the worker's error back whole): unpickling restores the
    instance as it was, without calling a subclass's ``__init__`` again.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # BaseException's own reduce calls ``cls(*self.args)``, which breaks for every
        # subclass whose __init__ takes data rather than the message.
        return (_restore_error, (type(self), self.args), self.__dict__)


def _restore_error(cls: type[OmskitError], args: tuple[Any, ...]) -> OmskitError:
    """Rebuild a pickled error: its class and message now, its attributes from the state."""
    error = cls.__new__(cls)
    error.args = args
    return error


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (a dotted field path), what, and the value seen."""

    field: str
    message: str
    value: Any = None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(OmskitError, ValueError):
    """Input that omskit will not accept.

    Carries every [`Problem`][] found, so a payload with five mistakes is reported
    once with all five. ``field``, ``value`` and ``allowed`` describe the first problem
    for the common single-field case.
    """

    def __init__(
        self,
        field: str,
        value: Any,
        allowed: str,
        *,
        problems: Sequence[Problem] | None = None,
    ) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.problems: tuple[Problem, ...] = (
            tuple(problems)
            if problems
            else (Problem(field, f"got {shown(value)}; {allowed}", value),)
        )
        if len(self.problems) == 1:
            message = str(self.problems[0])
        else:
            listed = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{len(self.problems)} problems:\n{listed}"
        super().__init__(message)

    @classmethod
    def from_problems(cls, problems: Iterable[Problem]) -> ValidationError:
        """Build one error that reports all ``problems`` together.

        Raises:
            ValueError: if ``problems`` is empty; there is nothing to report.
        """
        found = tuple(problems)
        if not found:
            raise ValueError("from_problems needs at least one problem")
        first = found[0]
        return cls(first.field, first.value, first.message, problems=found)


class InvalidAmount(ValidationError):
    """An amount that is not a finite decimal number, such as ``"1,2.3"``."""


class FloatNotAllowed(ValidationError, TypeError):
    """A float was passed where exact money or a quantity belongs."""


class UnknownCurrency(ValidationError):
    """A currency code that ISO 4217 does not define."""


class InvalidQuantity(ValidationError):
    """A quantity that is negative, zero where it must be positive, fractional or absurd."""


class UnknownCountry(ValidationError):
    """A country code that is not an ISO 3166 territory."""


class InvalidEmail(ValidationError):
    """An email address that cannot be delivered to."""


class InvalidSku(ValidationError):
    """A SKU code with characters or length that omskit does not allow."""


class CurrencyMismatch(OmskitError, ValueError):
    """Two amounts in different currencies met in one calculation."""

    def __init__(self, left: str, right: str, operation: str = "combine") -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(
            f"cannot {operation} {left} with {right}: amounts must share one currency; "
            f"convert one of them first"
        )


class NotFound(OmskitError, LookupError):
    """Nothing of ``kind`` exists under ``key``."""

    def __init__(self, kind: str, key: object, hint: str = "") -> None:
        self.kind = kind
        self.key = key
        message = f"no {kind} {shown(key)}"
        super().__init__(f"{message}; {hint}" if hint else message)


class UnknownSku(NotFound):
    """No product exists with this SKU."""

    def __init__(self, sku: str) -> None:
        self.sku = sku
        super().__init__("product with SKU", sku, "add it to the catalog first")


class UnknownProvider(NotFound):
    """No provider (carrier, gateway, strategy...) is registered under this name."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(sorted(known))
        listed = ", ".join(repr(k) for k in self.known) or "none registered"
        super().__init__(kind, name, f"known: {listed}")


class InvalidTransition(OmskitError):
    """An action that the current state of an entity does not allow."""

    def __init__(self, entity: str, state: str, action: str, allowed_from: Iterable[str]) -> None:
        self.entity = entity
        self.state = state
        self.action = action
        self.allowed_from = tuple(allowed_from)
        froms = ", ".join(repr(s) for s in self.allowed_from) or "no state"
        super().__init__(
            f"cannot {action} {entity}: status is {state!r}; {action} is allowed from {froms}"
        )


class Conflict(OmskitError):
    """A write that contradicts something already stored."""


class ConcurrencyConflict(Conflict):
    """Someone else committed a newer version of this aggregate first."""

    def __init__(self, kind: str, key: str, expected: int, found: int) -> None:
        self.kind = kind
        self.key = key
        self.expected = expected
        self.found = found
        super().__init__(
            f"{kind} {key!r} changed while this transaction ran: read version {expected}, "
            f"stored version is now {found}; reload and try again"
        )


class IdempotencyConflict(Conflict):
    """An idempotency key was reused with a different payload."""

    def __init__(self, key: object, detail: str = "") -> None:
        self.key = key
        message = (
            f"idempotency key {shown(key)} was already used with a different payload; "
            f"use a new key for a new request"
        )
        super().__init__(f"{message} ({detail})" if detail else message)


class AlreadyExists(Conflict):
    """An id or unique key is already taken."""

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {shown(key)} already exists")


class InsufficientStock(OmskitError):
    """Not enough sellable stock to reserve what was asked for."""

    def __init__(
        self, sku: str, requested: int, available: int, location: str | None = None
    ) -> None:
        self.sku = sku
        self.requested = requested
        self.available = available
        self.location = location
        where = f" at {location!r}" if location else ""
        super().__init__(f"cannot reserve {requested} x {sku!r}{where}: only {available} available")


class PaymentError(OmskitError):
    """A payment gateway declined or failed an operation."""


class PluginError(OmskitError):
    """A plugin is misconfigured or broke its hook contract."""


class DuplicateRegistration(PluginError):
    """Two providers were registered under the same name."""

    def __init__(self, kind: str, name: str, first: str, second: str) -> None:
        self.kind = kind
        self.name = name
        super().__init__(
            f"{kind} {name!r} is registered twice (by {first} and by {second}); "
            f"names must be unique: rename one or leave one plugin out"
        )
