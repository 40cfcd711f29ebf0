"""Errors of the orders capability, each a subclass of a kernel error."""

from __future__ import annotations

from typing import Any

from omskit.errors import OmskitError, ValidationError

__all__ = ["OrderRejected", "OrderUnchanged"]


class OrderRejected(OmskitError):
    """Risk checks rejected an order; nothing was stored.

    Attributes:
        assessment: the :class:`~omskit.orders.risk.RiskAssessment` with every signal.
    """

    def __init__(self, channel: str, external_id: str, assessment: Any) -> None:
        self.channel = channel
        self.external_id = external_id
        self.assessment = assessment
        reasons = (
            "; ".join(f"{s.rule}: {s.reason}" for s in assessment.signals) or "no reason given"
        )
        super().__init__(
            f"order {external_id!r} from {channel!r} rejected by risk checks "
            f"(score {assessment.score}, reject at {assessment.reject_at}): {reasons}"
        )


class OrderUnchanged(ValidationError):
    """An edit or cancellation that would change nothing."""
