"""Errors raised by carriers and the carrier service.

They extend the kernel tree (see [`omskit.errors`][])::

    NotFound
    ├── UnknownServiceLevel        a carrier has no service with that code
    └── UnknownTrackingNumber      no label was bought (or registered) with that number
    ValidationError
    └── UnserviceableAddress       the carrier does not deliver there (or not that parcel)
    OmskitError
    ├── NoRateAvailable            rate shopping found no quote meeting the objective
    ├── CarrierUnavailable         the carrier's integration failed (timeout, connection...)
    └── WebhookSignatureInvalid    a webhook that is not verifiably from the carrier
"""

from __future__ import annotations

from collections.abc import Iterable

from omskit.errors import NotFound, OmskitError, ValidationError

__all__ = [
    "CarrierUnavailable",
    "NoRateAvailable",
    "UnknownServiceLevel",
    "UnknownTrackingNumber",
    "UnserviceableAddress",
    "WebhookSignatureInvalid",
]


class UnknownServiceLevel(NotFound):
    """``carrier`` offers no service level called ``service``."""

    def __init__(self, carrier: str, service: str, known: Iterable[str]) -> None:
        self.carrier = carrier
        self.service = service
        self.known = tuple(known)
        listed = ", ".join(repr(k) for k in self.known) or "none"
        super().__init__(f"service level of carrier {carrier!r}", service, f"known: {listed}")


class UnknownTrackingNumber(NotFound):
    """No label with ``tracking_number`` is known (for ``carrier``, when given)."""

    def __init__(self, tracking_number: str, carrier: str = "") -> None:
        self.tracking_number = tracking_number
        self.carrier = carrier
        where = f" from carrier {carrier!r}" if carrier else ""
        super().__init__(
            "tracking number",
            tracking_number,
            f"no label{where} was bought or registered with it; nothing was applied",
        )


class UnserviceableAddress(ValidationError):
    """A carrier cannot take this parcel to this address (no zone, too heavy, blocked)."""

    def __init__(self, carrier: str, field: str, value: object, reason: str) -> None:
        self.carrier = carrier
        self.reason = reason
        super().__init__(field, value, f"carrier {carrier!r} cannot serve it: {reason}")


class NoRateAvailable(OmskitError):
    """Rate shopping found nothing that meets the objective; ``reasons`` says why per quote."""

    def __init__(self, objective: str, reasons: Iterable[str]) -> None:
        self.objective = objective
        self.reasons = tuple(reasons)
        listed = "; ".join(self.reasons) or "no carrier returned a quote"
        super().__init__(f"no carrier rate meets objective {objective!r}: {listed}")


class CarrierUnavailable(OmskitError):
    """A carrier's integration raised instead of answering (a timeout, a lost connection).

    The carrier's own exception is the ``__cause__``. ``outcome_unknown`` is true when
    the carrier may have done what was asked (a label purchase whose answer was lost):
    omskit then reconciles by idempotency key before it buys again (see docs/carriers.md).

    Attributes:
        carrier: the carrier's registered name.
        operation: what omskit asked of it (``"buy_label"``, ``"rates"``, ``"track"``...).
        outcome_unknown: whether the carrier may have acted before it failed.
    """

    def __init__(
        self, carrier: str, operation: str, error: BaseException, *, outcome_unknown: bool = False
    ) -> None:
        self.carrier = carrier
        self.operation = operation
        self.outcome_unknown = outcome_unknown
        what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        after = (
            "; it may have acted: the next attempt reconciles by idempotency key first"
            if outcome_unknown
            else "; nothing was stored, try again later"
        )
        super().__init__(f"carrier {carrier!r} failed during {operation}: {what}{after}")


class WebhookSignatureInvalid(OmskitError):
    """A webhook whose signature does not verify: it is refused and changes nothing.

    Attributes:
        carrier: the carrier the webhook claims to come from.
        reason: what failed (no signature header, a mismatch, a timestamp out of window).
    """

    def __init__(self, carrier: str, reason: str) -> None:
        self.carrier = carrier
        self.reason = reason
        super().__init__(
            f"webhook for carrier {carrier!r} refused: {reason}; nothing was applied "
            f"(see docs/carriers.md for the signature scheme)"
        )
