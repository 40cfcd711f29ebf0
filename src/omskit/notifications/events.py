"""Events the notifications capability records (past tense, delivered after commit)."""

from __future__ import annotations

import datetime as dt

import attrs

from omskit.events import Event

__all__ = [
    "DeliveryOverdue",
    "NotificationDeadLettered",
    "NotificationSent",
    "PickupReminderDue",
    "SupportCaseAssigned",
    "SupportCaseOpened",
    "SupportCaseStatusChanged",
    "SupportMessageAdded",
]


@attrs.frozen(kw_only=True)
class DeliveryOverdue(Event):
    """A shipment's promised delivery date passed and it is not delivered (from ``tick``)."""

    shipment_id: str
    order_id: str
    promised_date: dt.date


@attrs.frozen(kw_only=True)
class PickupReminderDue(Event):
    """A click & collect order is still waiting and expires soon (from ``tick``)."""

    fulfillment_order_id: str
    order_id: str
    location: str
    pickup_code: str
    expires_at: dt.datetime


@attrs.frozen(kw_only=True)
class NotificationSent(Event):
    """A provider accepted a message."""

    notification_id: str
    trigger: str
    channel: str
    order_id: str
    provider: str


@attrs.frozen(kw_only=True)
class NotificationDeadLettered(Event):
    """A message used up its attempts (or was refused for good) and waits for a person."""

    notification_id: str
    trigger: str
    channel: str
    order_id: str
    error: str


@attrs.frozen(kw_only=True)
class SupportCaseOpened(Event):
    """A support case was opened, by the customer or by an agent."""

    case_id: str
    order_id: str
    customer: str
    subject: str
    actor: str
    due_at: dt.datetime


@attrs.frozen(kw_only=True)
class SupportMessageAdded(Event):
    """A message was added to a case's thread; ``author_kind`` is customer or agent."""

    case_id: str
    order_id: str
    customer: str
    subject: str
    message_id: str
    author: str
    author_kind: str
    internal: bool
    body: str


@attrs.frozen(kw_only=True)
class SupportCaseAssigned(Event):
    """A case was given to an agent (or unassigned: ``assignee`` empty)."""

    case_id: str
    assignee: str
    actor: str


@attrs.frozen(kw_only=True)
class SupportCaseStatusChanged(Event):
    """A case moved along its status table."""

    case_id: str
    order_id: str
    status: str
    previous_status: str
    actor: str
