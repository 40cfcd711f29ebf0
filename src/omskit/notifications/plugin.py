"""The built-in notification providers, as a plugin (listed in ``DEFAULT_PLUGINS``)."""

from __future__ import annotations

from omskit.notifications.channels import ConsoleProvider, NotificationProvider, RecordingProvider
from omskit.plugins.spec import hookimpl

__all__ = ["omskit_register_notification_providers"]


@hookimpl(trylast=True)
def omskit_register_notification_providers() -> list[NotificationProvider]:
    """``recording`` (in memory, the default for every channel) and ``console`` (stdout)."""
    return [RecordingProvider(), ConsoleProvider()]
