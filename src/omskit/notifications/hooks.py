"""The notifications hook: channel providers registered by name.

Typed with the [`NotificationProvider`][omskit.notifications.channels.NotificationProvider]
port.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from omskit.plugins.spec import hookspec

if TYPE_CHECKING:
    from omskit.notifications.channels import NotificationProvider

__all__ = ["NotificationProviderPlugin"]


class NotificationProviderPlugin(Protocol):
    """What a plugin that registers notification providers looks like to a type checker."""

    def omskit_register_notification_providers(self) -> Iterable[NotificationProvider]:
        """The providers this plugin adds."""
        ...


@hookspec
def omskit_register_notification_providers() -> Iterable[NotificationProvider]:
    """Register notification channel providers (email, SMS, push, webhook senders).

    Every provider needs a unique ``name``; the ``notifications.providers`` setting maps
    each channel to a provider name. The built-ins are ``recording`` (the default for
    every channel), ``console``, ``sms-sandbox`` and ``push-sandbox`` (and ``smtp`` when
    the ``notifications.smtp`` setting is given). Return new objects on every call: each
    OMS collects its own.

    :returns: objects implementing
        [`NotificationProvider`][omskit.notifications.channels.NotificationProvider].
    """
    raise NotImplementedError  # a hookspec: pluggy reads its signature, never runs it
