"""Errors of the orders capability, each a subclass of a kernel error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from omskit.errors import InvalidTransition, OmskitError, ValidationError

__all__ = [
    "AmbiguousExternalId",
    "HeldLine",
    "OrderRejected",
    "OrderUnchanged",
    "UnitsInFulfillment",
]


class OrderRejected(OmskitError):
    """Risk checks rejected an order; nothing was stored.

    Attributes:
        assessment: the [`RiskAssessment`][] with every signal.
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


class AmbiguousExternalId(ValidationError):
    """An external id given without its channel belongs to orders of several channels.

    Attributes:
        external_id: the id asked for.
        channels: the channels that have an order with it, sorted.
    """

    def __init__(self, external_id: str, channels: Sequence[str]) -> None:
        self.external_id = external_id
        self.channels = tuple(channels)
        listed = ", ".join(repr(c) for c in self.channels)
        super().__init__(
            "channel", None,
            f"external id {external_id!r} is used by orders of channels {listed}; "
            "give the channel",
        )  # fmt: skip


class OrderUnchanged(ValidationError):
    """An edit or cancellation that would change nothing."""


@attrs.frozen
class HeldLine:
    """Units of one order line that a change asked for but fulfillment still holds.

    Attributes:
        line_id: the order line.
        requested: units the change asked for.
        free: units of the line the change could take (not shipped, not released).
        held: units released to locations and not yet shipped.
        fulfillment_orders: ``(fulfillment order id, location)`` pairs holding them.
    """

    line_id: str
    requested: int
    free: int
    held: int
    fulfillment_orders: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        """``line L1: 2 unit(s) in fulfillment order fo-1 at BER (1 free, 3 asked)``."""
        where = ", ".join(f"{fo} at {loc}" for fo, loc in self.fulfillment_orders)
        plural = "s" if len(self.fulfillment_orders) > 1 else ""
        return (
            f"line {self.line_id}: {self.held} unit(s) in fulfillment order{plural} {where} "
            f"({self.requested} asked, {self.free} not released)"
        )


class UnitsInFulfillment(InvalidTransition):
    """Units released to a location cannot be cancelled or edited through the order.

    The location is working on them. Cancel the fulfillment order first with
    ``oms.fulfillment.cancel(fulfillment_order_id, reason=...)`` (allowed until picking
    is confirmed): its units become unallocated on the order and can then be cancelled.

    Attributes:
        order_id: the order.
        lines: one [`HeldLine`][] per line that could not be changed.
    """

    def __init__(self, order_id: str, action: str, lines: Sequence[HeldLine]) -> None:
        self.order_id = order_id
        self.lines = tuple(lines)
        super().__init__(
            f"order {order_id}", "in_fulfillment", action, ["units not released to a location"]
        )
        fos = sorted({fo for line in self.lines for fo, _ in line.fulfillment_orders})
        calls = " and ".join(f"oms.fulfillment.cancel({fo!r}, reason=...)" for fo in fos)
        self.args = (
            f"cannot {action} order {order_id}: "
            + "; ".join(line.describe() for line in self.lines)
            + f". Units released to a location are cancelled there first: {calls} "
            "(allowed until picking is confirmed), then change the order",
        )
