"""Events the orders capability records (past tense, delivered after commit)."""

from __future__ import annotations

import attrs

from omskit.events import Event
from omskit.money import Money

__all__ = [
    "OrderAllocated",
    "OrderApproved",
    "OrderBackordered",
    "OrderCancelled",
    "OrderCaptured",
    "OrderCompleted",
    "OrderDeallocated",
    "OrderDelivered",
    "OrderEdited",
    "OrderFulfillmentStarted",
    "OrderHeld",
    "OrderLinesCancelled",
    "OrderReleased",
    "OrderShipped",
]


@attrs.frozen(kw_only=True)
class OrderCaptured(Event):
    """A new order was accepted from a channel."""

    order_id: str
    channel: str
    external_id: str
    status: str
    total: Money
    lines: int


@attrs.frozen(kw_only=True)
class OrderApproved(Event):
    """A reviewer approved an order the risk checks held for review."""

    order_id: str
    actor: str


@attrs.frozen(kw_only=True)
class OrderHeld(Event):
    """An order was put on hold (risk review, failed payment, or by hand)."""

    order_id: str
    reason: str
    actor: str


@attrs.frozen(kw_only=True)
class OrderReleased(Event):
    """A hold was lifted."""

    order_id: str
    reason: str
    actor: str


@attrs.frozen(kw_only=True)
class OrderCancelled(Event):
    """A whole order was cancelled; ``refunded`` and ``voided`` say what money moved."""

    order_id: str
    reason: str
    actor: str
    refunded: Money
    voided: Money


@attrs.frozen(kw_only=True)
class OrderLinesCancelled(Event):
    """Some units of some lines were cancelled."""

    order_id: str
    lines: tuple[tuple[str, int], ...]
    reason: str
    actor: str
    refunded: Money
    voided: Money


@attrs.frozen(kw_only=True)
class OrderEdited(Event):
    """Lines or the address of an order changed before fulfillment."""

    order_id: str
    changes: tuple[str, ...]
    old_total: Money
    new_total: Money
    actor: str


@attrs.frozen(kw_only=True)
class OrderAllocated(Event):
    """Units of order lines were allocated to locations."""

    order_id: str
    lines: tuple[tuple[str, int], ...]


@attrs.frozen(kw_only=True)
class OrderBackordered(Event):
    """Units of order lines are waiting for stock."""

    order_id: str
    lines: tuple[tuple[str, int], ...]
    reason: str


@attrs.frozen(kw_only=True)
class OrderDeallocated(Event):
    """Allocated units of order lines were taken back from their location.

    ``backordered`` says whether they now wait for stock (a short pick or a rejection
    nowhere else could take) or are simply unallocated again (a cancelled fulfillment
    order).
    """

    order_id: str
    lines: tuple[tuple[str, int], ...]
    reason: str
    actor: str
    backordered: bool


@attrs.frozen(kw_only=True)
class OrderFulfillmentStarted(Event):
    """Picking started for units of order lines."""

    order_id: str
    lines: tuple[tuple[str, int], ...]


@attrs.frozen(kw_only=True)
class OrderShipped(Event):
    """Units of order lines left in a shipment."""

    order_id: str
    shipment_id: str
    lines: tuple[tuple[str, int], ...]
    status: str


@attrs.frozen(kw_only=True)
class OrderDelivered(Event):
    """Units of order lines reached the customer."""

    order_id: str
    shipment_id: str
    lines: tuple[tuple[str, int], ...]
    status: str


@attrs.frozen(kw_only=True)
class OrderCompleted(Event):
    """A delivered order was closed."""

    order_id: str
    actor: str
