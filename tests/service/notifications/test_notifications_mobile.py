"""SMS and push through their ports, against the sandboxes."""

from __future__ import annotations

import pytest

from omskit import OMS, ValidationError
from omskit.notifications import (
    DeliveryRejected,
    OutboundMessage,
    PushProvider,
    PushService,
    SandboxPushService,
    SandboxSmsGateway,
    SmsGateway,
    SmsProvider,
)
from omskit.notifications.mobile import sms_segments
from omskit.testing import FakeClock

from ..fulfillment.conftest import build_world, make_capture  # noqa: TID252
from .conftest import CONFIG

MOBILE = "+4915123456789"


def mobile_world(clock: FakeClock, phone: str = MOBILE) -> tuple[OMS, str]:
    settings = {**CONFIG["notifications"],
                "providers": {"sms": "sms-sandbox", "push": "push-sandbox"}}  # fmt: skip
    oms = OMS.in_memory({"notifications": settings}, clock=clock, autoload=False)
    build_world(oms)
    customer = oms.customers.register("dana@example.com", name="Dana Levi", phone=phone)
    oms.notifications.configure_trigger("order_confirmed", channels=["sms", "push"])
    return oms, customer.id


def sms_gateway(oms: OMS) -> SandboxSmsGateway:
    provider = oms.notifications.provider("sms-sandbox")
    assert isinstance(provider, SmsProvider)
    assert isinstance(provider.gateway, SandboxSmsGateway)
    return provider.gateway


def push_service(oms: OMS) -> SandboxPushService:
    provider = oms.notifications.provider("push-sandbox")
    assert isinstance(provider, PushProvider)
    assert isinstance(provider.service, SandboxPushService)
    return provider.service


def capture_for(oms: OMS, customer_id: str) -> str:
    order = make_capture(oms)({"TEE-M": 1}, customer={"email": "dana@example.com",
                                                    "name": "Dana Levi",
                                                    "customer_id": customer_id})  # fmt: skip
    return order.id


def test_an_order_confirmation_goes_out_as_an_sms_and_a_push(clock: FakeClock) -> None:
    oms, customer_id = mobile_world(clock)
    push_service(oms).register_device(customer_id, "apns-token-1")
    order_id = capture_for(oms, customer_id)
    sms, push = oms.notifications.messages(order_id=order_id)
    assert (sms.status, push.status) == ("sent", "sent")
    (text,) = sms_gateway(oms).sent
    assert (text.to, text.encoding, text.parts) == (MOBILE, "gsm7", 1)
    assert "\n" not in text.body
    assert text.body == " ".join(sms.text.split())
    assert text.id == sms.provider_ref
    (note,) = push_service(oms).sent
    assert (note.customer, note.device, note.title) == (customer_id, "apns-token-1", push.subject)
    assert note.body == " ".join(push.text.split("\n\n")[0].split())
    assert note.data == {"notification_id": push.id, "trigger": "order_confirmed",
                         "order_id": order_id}  # fmt: skip


def test_a_hebrew_sms_is_ucs2_and_a_long_one_is_cut_to_its_parts(clock: FakeClock) -> None:
    gateway = SandboxSmsGateway()
    provider = SmsProvider(gateway, max_parts=2)
    long = OutboundMessage(
        id="ntf-1", key="k-1", channel="sms", recipient=MOBILE, subject="s",
        text="שלום " * 60, html="", locale="he", trigger="shipped",
    )  # fmt: skip
    provider.send(long)
    (sent,) = gateway.sent
    assert (sent.encoding, sent.parts) == ("ucs2", 2)
    assert sent.body.endswith("…")
    assert sms_segments(sent.body) == ("ucs2", 2)
    assert sms_segments("x" * 160) == ("gsm7", 1)
    assert sms_segments("x" * 161) == ("gsm7", 2)
    assert sms_segments("€" * 81) == ("gsm7", 2)  # € takes two septets


def test_the_sandboxes_deduplicate_by_idempotency_key() -> None:
    gateway = SandboxSmsGateway()
    provider = SmsProvider(gateway)
    message = OutboundMessage(id="n", key="k", channel="sms", recipient=MOBILE, subject="s",
                              text="hello", html="", locale="en", trigger="t")  # fmt: skip
    assert provider.send(message) == provider.send(message)
    assert len(gateway.sent) == 1
    service = SandboxPushService()
    service.register_device("cus_1", "fcm-1")
    service.register_device("cus_1", "fcm-2")
    push = PushProvider(service)
    note = OutboundMessage(id="n", key="k", channel="push", recipient="cus_1", subject="s",
                           text="hello", html="", locale="en", trigger="t")  # fmt: skip
    assert push.send(note) == push.send(note)
    assert [p.device for p in service.sent] == ["fcm-1", "fcm-2"]
    assert isinstance(gateway, SmsGateway)
    assert isinstance(service, PushService)


def test_a_number_refused_for_good_is_dead_and_a_flaky_carrier_delivers_once(
    clock: FakeClock,
) -> None:
    oms, customer_id = mobile_world(clock, SandboxSmsGateway.REJECTED)
    sms, push = oms.notifications.messages(order_id=capture_for(oms, customer_id))
    assert (sms.status, sms.last_error) == (
        "dead",
        "rejected: +15005550001 is not a mobile number",
    )
    assert (push.status, push.last_error) == (
        "dead",
        f"rejected: customer {customer_id!r} has no registered device",
    )
    flaky, flaky_id = mobile_world(clock, SandboxSmsGateway.FLAKY)
    flaky.notifications.configure_trigger("order_confirmed", channels=["sms"])
    (sms,) = flaky.notifications.messages(order_id=capture_for(flaky, flaky_id))
    assert sms.status == "failed"
    clock.set(sms.not_before)
    assert flaky.notifications.deliver().sent == 1
    assert flaky.notifications.deliver().sent == 0
    assert [s.to for s in sms_gateway(flaky).sent] == [SandboxSmsGateway.FLAKY]


def test_a_recipient_that_is_no_phone_number_is_refused_for_good() -> None:
    provider = SmsProvider(SandboxSmsGateway())
    message = OutboundMessage(id="n", key="k", channel="sms", recipient="dana@example.com",
                              subject="s", text="t", html="", locale="en", trigger="t")  # fmt: skip
    with pytest.raises(DeliveryRejected, match=r"recipient: got 'dana@example\.com'"):
        provider.send(message)
    with pytest.raises(ValidationError, match="max_parts"):
        SmsProvider(SandboxSmsGateway(), max_parts=0)
