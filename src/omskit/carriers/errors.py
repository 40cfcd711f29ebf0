"""Errors raised by carriers and the carrier service.

They extend the kernel tree (see [`omskit.errors`][])::

    NotFound
    ├── UnknownServiceLevel        a carrier has no service with that code
    └── UnknownTrackingNumber      no label was bought (or registered) with that number
    ValidationError
    └── UnserviceableAddress       the carrier does not deliver there (or not that parcel)
    OmskitError
    └── NoRateAvailable            rate shopping found no quote meeting the objective
"""

from __future__ import annotations

from collections.abc import Iterable

from omskit.errors import NotFound, OmskitError, ValidationError

__all__ = [
    "NoRateAvailable",
    "UnknownServiceLevel",
    "UnknownTrackingNumber",
    "UnserviceableAddress",
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
