"""Orders: capture from any channel, validation, risk, lifecycle, changes and timeline."""

from omskit.orders.commands import (
    CaptureLine,
    CaptureOrder,
    CustomerInfo,
    EditOrder,
    PaymentInfo,
    ProblemReport,
)
from omskit.orders.errors import (
    AmbiguousExternalId,
    OrderRejected,
    OrderUnchanged,
    UnitsInFulfillment,
)
from omskit.orders.events import (
    OrderAllocated,
    OrderApproved,
    OrderBackordered,
    OrderCancelled,
    OrderCaptured,
    OrderCompleted,
    OrderDeallocated,
    OrderDelivered,
    OrderEdited,
    OrderFulfillmentStarted,
    OrderHeld,
    OrderLinesCancelled,
    OrderReleased,
    OrderShipped,
)
from omskit.orders.lifecycle import (
    LINE_MOVES,
    LINE_STATUSES,
    ORDER_ACTIONS,
    ORDER_MOVES,
    ORDER_STATUSES,
)
from omskit.orders.model import Order, OrderLine, TimelineEntry
from omskit.orders.queries import OrderQuery, Page
from omskit.orders.risk import RiskAssessment, RiskFacts, RiskSignal
from omskit.orders.service import OrderService
from omskit.orders.settings import OrderSettings, RiskSettings
from omskit.orders.storage import ORDERS
from omskit.orders.timeline import OrderTimeline, TimelineEvent, TimelineSource

__all__ = [
    "LINE_MOVES",
    "LINE_STATUSES",
    "ORDERS",
    "ORDER_ACTIONS",
    "ORDER_MOVES",
    "ORDER_STATUSES",
    "AmbiguousExternalId",
    "CaptureLine",
    "CaptureOrder",
    "CustomerInfo",
    "EditOrder",
    "Order",
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
    "OrderLine",
    "OrderLinesCancelled",
    "OrderQuery",
    "OrderRejected",
    "OrderReleased",
    "OrderService",
    "OrderSettings",
    "OrderShipped",
    "OrderTimeline",
    "OrderUnchanged",
    "Page",
    "PaymentInfo",
    "ProblemReport",
    "RiskAssessment",
    "RiskFacts",
    "RiskSettings",
    "RiskSignal",
    "TimelineEntry",
    "TimelineEvent",
    "TimelineSource",
    "UnitsInFulfillment",
]
