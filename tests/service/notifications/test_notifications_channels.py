"""Channels as plugins; webhooks signed so an independent receiver can verify them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping

import pytest

from omskit import OMS, ValidationError, hookimpl
from omskit.carriers import WebhookSignatureInvalid
from omskit.notifications import OutboundMessage, RecordingProvider, WebhookProvider
from omskit.notifications.signing import SIGNATURE_HEADER, verify_payload
from omskit.testing import FakeClock

from ..fulfillment.conftest import build_world, make_capture  # noqa: TID252


class SmsGateway:
    """A host plugin that brings its own SMS provider."""

    def __init__(self) -> None:
        self.provider = RecordingProvider("acme-sms")

    @hookimpl
    def omskit_register_notification_providers(self) -> list[RecordingProvider]:
        return [self.provider]


def test_hook_register_notification_providers_routes_a_channel_to_the_hosts_provider(
    clock: FakeClock,
) -> None:
    plugin = SmsGateway()
    oms = OMS.in_memory(
        {"notifications": {"providers": {"sms": "acme-sms"}}},
        plugins=[plugin],
        clock=clock,
        autoload=False,
    )
    build_world(oms)
    assert oms.notifications.providers.names()[:2] == ["recording", "console"]
    assert "acme-sms" in oms.notifications.providers
    oms.notifications.configure_trigger("order_confirmed", channels=["email", "sms"])
    oms.customers.register("dana@example.com", phone="+4930901820")
    order = make_capture(oms)({"TEE-M": 1})
    email, sms = oms.notifications.messages(order_id=order.id)
    assert (email.provider, sms.provider) == ("recording", "acme-sms")
    assert [m.recipient for m in plugin.provider.sent] == ["+4930901820"]
    assert [m.channel for m in oms.notifications.provider("recording").sent] == ["email"]


def test_a_channel_whose_provider_is_missing_is_refused_when_configured(world: OMS) -> None:
    with pytest.raises(ValidationError, match="channels: got 'pigeon'; no provider"):
        world.notifications.configure_trigger("shipped", channels=["pigeon"])
    assert world.notifications.table.get("shipped").channels == ("email",)


def message() -> OutboundMessage:
    return OutboundMessage(
        id="ntf-1", key="shipped|s-1|webhook|https://erp.example/hook", channel="webhook",
        recipient="https://erp.example/hook", subject="Order W-1 has shipped", text="…",
        html="<p>…</p>", locale="en", trigger="shipped", order_id="ord-1",
    )  # fmt: skip


def independent_check(secret: str, body: bytes, header: str, now: int) -> bool:
    """A receiver's own check, written from docs/notifications.md, not from omskit's code."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    signed = f"{parts['t']}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(now - int(parts["t"])) <= 300


def test_a_webhook_is_signed_so_an_independent_receiver_can_verify_it() -> None:
    at = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    received: list[tuple[str, bytes, Mapping[str, str]]] = []

    def post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        received.append((url, body, headers))
        return 204

    provider = WebhookProvider("s3cret", post=post, clock=lambda: at)
    assert provider.send(message()) == "204"
    ((url, body, headers),) = received
    assert url == "https://erp.example/hook"
    assert headers["Idempotency-Key"] == message().key
    assert json.loads(body)["subject"] == "Order W-1 has shipped"
    now = int(at.timestamp())
    assert independent_check("s3cret", body, headers[SIGNATURE_HEADER], now)
    assert not independent_check("other", body, headers[SIGNATURE_HEADER], now)
    assert not independent_check("s3cret", body + b" ", headers[SIGNATURE_HEADER], now)
    verify_payload("s3cret", body, headers, at + dt.timedelta(seconds=299))
    with pytest.raises(WebhookSignatureInvalid, match="replayed or delayed"):
        verify_payload("s3cret", body, headers, at + dt.timedelta(seconds=301))
    with pytest.raises(WebhookSignatureInvalid, match="does not match"):
        verify_payload("s3cret", body.replace(b"W-1", b"W-2"), headers, at)


@pytest.mark.parametrize(("status", "outcome"), [(500, ConnectionError), (429, ConnectionError)])
def test_a_webhook_answering_5xx_or_429_is_retried(status: int, outcome: type) -> None:
    provider = WebhookProvider("s", post=lambda u, b, h: status)
    with pytest.raises(outcome):
        provider.send(message())


def test_a_webhook_answering_4xx_or_a_non_http_url_is_refused_for_good() -> None:
    from omskit import DeliveryRejected

    with pytest.raises(DeliveryRejected, match="answered 410"):
        WebhookProvider("s", post=lambda u, b, h: 410).send(message())
    bad = OutboundMessage(**{**message().to_dict(), "recipient": "file:///etc/passwd"})
    with pytest.raises(DeliveryRejected, match="not an http"):
        WebhookProvider("s", post=lambda u, b, h: 200).send(bad)


def test_the_console_provider_writes_a_readable_block(tmp_path: object) -> None:
    import io

    from omskit.notifications import ConsoleProvider

    out = io.StringIO()
    ConsoleProvider(stream=out).send(message())
    assert out.getvalue().startswith("--- webhook to https://erp.example/hook [en]")
    assert "Subject: Order W-1 has shipped" in out.getvalue()
