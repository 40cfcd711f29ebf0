"""The built-in notification providers, as a plugin (listed in ``DEFAULT_PLUGINS``)."""

from __future__ import annotations

from omskit.notifications.channels import ConsoleProvider, NotificationProvider, RecordingProvider
from omskit.notifications.mobile import (
    PushProvider,
    SandboxPushService,
    SandboxSmsGateway,
    SmsProvider,
)
from omskit.plugins.spec import hookimpl

__all__ = ["omskit_register_notification_providers"]


@hookimpl(trylast=True)
def omskit_register_notification_providers() -> list[NotificationProvider]:
    """The built-in providers: ``recording``, ``console``, ``sms-sandbox``, ``push-sandbox``.

    ``recording`` keeps messages in memory (the default for every channel); ``console``
    prints them; the other two are the SMS and push sandboxes.
    """
    return [
        RecordingProvider(),
        ConsoleProvider(),
        SmsProvider(SandboxSmsGateway(), name="sms-sandbox"),
        PushProvider(SandboxPushService(), name="push-sandbox"),
    ]
