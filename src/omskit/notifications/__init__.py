"""Customer communication: triggers, templates, channels, an outbox, preferences, support.

Reached as ``oms.notifications`` (see docs/notifications.md) and ``oms.support`` (support
cases, docs/support.md). It only subscribes to events; nothing in omskit imports it.
"""

from omskit.notifications.channels import (
    ConsoleProvider,
    NotificationProvider,
    OutboundMessage,
    RecordingProvider,
    WebhookProvider,
)
from omskit.notifications.errors import (
    DeliveryRejected,
    TemplateRenderError,
    UnknownTemplate,
    UnknownTrigger,
    UnsubscribeTokenInvalid,
)
from omskit.notifications.mobile import (
    PushProvider,
    PushService,
    SandboxPushService,
    SandboxSmsGateway,
    SmsGateway,
    SmsProvider,
)
from omskit.notifications.model import Notification
from omskit.notifications.preferences import Preferences
from omskit.notifications.service import DeliveryReport, NotificationService
from omskit.notifications.smtp import SmtpProvider, SmtpSettings
from omskit.notifications.subscriptions import StockSubscription
from omskit.notifications.support import SupportCase
from omskit.notifications.support_service import CaseTimeline, SupportService
from omskit.notifications.templates import Rendered, Template
from omskit.notifications.triggers import DEFAULT_TRIGGERS, Trigger

__all__ = [
    "DEFAULT_TRIGGERS",
    "CaseTimeline",
    "ConsoleProvider",
    "DeliveryRejected",
    "DeliveryReport",
    "Notification",
    "NotificationProvider",
    "NotificationService",
    "OutboundMessage",
    "Preferences",
    "PushProvider",
    "PushService",
    "RecordingProvider",
    "Rendered",
    "SandboxPushService",
    "SandboxSmsGateway",
    "SmsGateway",
    "SmsProvider",
    "SmtpProvider",
    "SmtpSettings",
    "StockSubscription",
    "SupportCase",
    "SupportService",
    "Template",
    "TemplateRenderError",
    "Trigger",
    "UnknownTemplate",
    "UnknownTrigger",
    "UnsubscribeTokenInvalid",
    "WebhookProvider",
]
