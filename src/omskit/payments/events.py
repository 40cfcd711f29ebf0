"""Events the payments capability records."""

from __future__ import annotations

import attrs

from omskit.events import Event
from omskit.money import Money

__all__ = [
    "PaymentAuthorized",
    "PaymentCaptured",
    "PaymentFailed",
    "PaymentRefunded",
    "PaymentVoided",
]


@attrs.frozen(kw_only=True)
class PaymentAuthorized(Event):
    """An amount was authorized on the customer's payment method."""

    payment_id: str
    reference: str
    amount: Money
    transaction_id: str
    review: bool = False


@attrs.frozen(kw_only=True)
class PaymentCaptured(Event):
    """An amount was captured (taken) from an authorization."""

    payment_id: str
    reference: str
    amount: Money
    transaction_id: str


@attrs.frozen(kw_only=True)
class PaymentVoided(Event):
    """An authorized amount was released without being taken."""

    payment_id: str
    reference: str
    amount: Money
    transaction_id: str


@attrs.frozen(kw_only=True)
class PaymentRefunded(Event):
    """A captured amount was given back."""

    payment_id: str
    reference: str
    amount: Money
    transaction_id: str


@attrs.frozen(kw_only=True)
class PaymentFailed(Event):
    """A gateway declined an operation or could not be reached."""

    payment_id: str
    reference: str
    operation: str
    amount: Money
    code: str
    transient: bool = False
