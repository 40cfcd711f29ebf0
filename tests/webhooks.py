"""Sending carrier webhooks in tests as a carrier would: a signed raw body and headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omskit import OMS
from omskit.carriers.service import WebhookResult
from omskit.carriers.webhooks import WebhookDelivery


def signed(oms: OMS, carrier: str, payload: Mapping[str, Any]) -> WebhookDelivery:
    """``payload`` signed by the OMS's own ``carrier``, as sent at the OMS clock's time."""
    impl: Any = oms.carriers.get(carrier)
    hook: WebhookDelivery = impl.sign_webhook(payload, now=oms.clock.now())
    return hook


def deliver(oms: OMS, carrier: str, payload: Mapping[str, Any], **options: Any) -> WebhookResult:
    """Send ``payload`` to ``oms`` as ``carrier``'s signed webhook (what its HTTP would)."""
    hook = signed(oms, carrier, payload)
    return oms.carriers.handle_webhook(carrier, hook.body, hook.headers, **options)
