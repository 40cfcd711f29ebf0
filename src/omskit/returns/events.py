"""Events recorded by returns, exchanges and claims, for notifications and integrations."""

from __future__ import annotations

import attrs

from omskit.events import Event
from omskit.money import Money

__all__ = [
    "CarrierClaimDecided",
    "CarrierClaimFiled",
    "ClaimFiled",
    "ExchangeOrderCreated",
    "RefundIssued",
    "ReturnAuthorized",
    "ReturnCancelled",
    "ReturnClosed",
    "ReturnExpired",
    "ReturnInTransit",
    "ReturnInspected",
    "ReturnReceived",
    "ReturnRejected",
    "ReturnRequested",
    "RmaLabelIssued",
]


@attrs.frozen(kw_only=True)
class ReturnRequested(Event):
    """A customer or an agent asked to return ``lines`` as ``(line_id, quantity)``."""

    rma_id: str
    order_id: str
    lines: tuple[tuple[str, int], ...]
    actor: str


@attrs.frozen(kw_only=True)
class ReturnAuthorized(Event):
    """The return was accepted; the goods go back to ``location``."""

    rma_id: str
    order_id: str
    location: str
    actor: str


@attrs.frozen(kw_only=True)
class ReturnRejected(Event):
    """The return was refused, with ``reason``."""

    rma_id: str
    order_id: str
    reason: str
    actor: str


@attrs.frozen(kw_only=True)
class ReturnCancelled(Event):
    """The return was withdrawn before the goods were sent."""

    rma_id: str
    order_id: str
    reason: str
    actor: str


@attrs.frozen(kw_only=True)
class ReturnExpired(Event):
    """The authorization ran out before the goods arrived."""

    rma_id: str
    order_id: str


@attrs.frozen(kw_only=True)
class RmaLabelIssued(Event):
    """A return label was bought for the return."""

    rma_id: str
    order_id: str
    carrier: str
    tracking_number: str
    price: Money | None


@attrs.frozen(kw_only=True)
class ReturnInTransit(Event):
    """The carrier picked up the return parcel."""

    rma_id: str
    order_id: str
    tracking_number: str


@attrs.frozen(kw_only=True)
class ReturnReceived(Event):
    """Units arrived at ``location``: ``lines`` as ``(line_id, quantity)``."""

    rma_id: str
    order_id: str
    location: str
    lines: tuple[tuple[str, int], ...]
    actor: str


@attrs.frozen(kw_only=True)
class ReturnInspected(Event):
    """Each unit got a disposition: ``dispositions`` as ``(line_id, disposition, qty)``."""

    rma_id: str
    order_id: str
    dispositions: tuple[tuple[str, str, int], ...]
    actor: str


@attrs.frozen(kw_only=True)
class RefundIssued(Event):
    """Money went back to the customer's original payment for the return."""

    rma_id: str
    order_id: str
    amount: Money
    transactions: tuple[str, ...]
    actor: str


@attrs.frozen(kw_only=True)
class ReturnClosed(Event):
    """The return is done (refunded, exchanged, resolved or closed without refund)."""

    rma_id: str
    order_id: str
    resolution: str
    actor: str


@attrs.frozen(kw_only=True)
class ExchangeOrderCreated(Event):
    """A replacement order was captured for the return; ``difference`` is what it cost.

    A positive ``difference`` was charged, a negative one refunded.
    """

    rma_id: str
    order_id: str
    replacement_order_id: str
    difference: Money
    actor: str


@attrs.frozen(kw_only=True)
class ClaimFiled(Event):
    """Units were reported damaged or lost in transit (``kind``); no return is needed."""

    rma_id: str
    order_id: str
    kind: str
    resolution: str
    lines: tuple[tuple[str, int], ...]
    actor: str


@attrs.frozen(kw_only=True)
class CarrierClaimFiled(Event):
    """A claim of ``amount`` was filed against ``carrier`` for parcel ``tracking_number``."""

    rma_id: str
    order_id: str
    carrier: str
    tracking_number: str
    amount: Money
    actor: str


@attrs.frozen(kw_only=True)
class CarrierClaimDecided(Event):
    """The carrier ``settled`` (paying ``settled``) or ``denied`` the claim."""

    rma_id: str
    order_id: str
    carrier: str
    tracking_number: str
    status: str
    settled: Money | None
    actor: str
