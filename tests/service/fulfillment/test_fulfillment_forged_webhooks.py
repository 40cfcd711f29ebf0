"""A forged or replayed webhook moves nothing: no delivery, no capture, no lost parcel."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS, WebhookSignatureInvalid
from omskit.carriers import SandboxCarrier
from omskit.fulfillment import Shipment
from omskit.testing import FakeClock

from .conftest import START, build_world, make_capture


@pytest.fixture
def capturing() -> tuple[OMS, FakeClock, Shipment]:
    """An OMS that captures payment at shipment, with one labelled, unsent shipment."""
    clock = FakeClock(START)
    oms = OMS.in_memory({"payments": {"capture": "shipment"}}, clock=clock, autoload=False)
    build_world(oms)
    order = make_capture(oms)({"TEE-M": 1}, payment={"method": "tok_visa"})
    (fo,) = oms.fulfillment.release(order.id)
    oms.fulfillment.accept(fo.id)
    oms.fulfillment.confirm_pick(fo.id)
    oms.fulfillment.pack(fo.id)
    return oms, clock, oms.fulfillment.ship(fo.id, carrier="sandbox", service="standard")


def state(oms: OMS, shipment: Shipment) -> tuple[Any, ...]:
    s = oms.fulfillment.shipment(shipment.id)
    order = oms.orders.get(s.order_id)
    payment = oms.payments.get(s.order_id)
    return s.status, s.dispatched, s.delivered, order.status, payment.status, payment.captured


def delivered_body(number: str) -> bytes:
    event = {"code": "DLV", "time": "2026-11-27T10:00:00Z", "location": "Berlin"}
    return json.dumps({"tracking_number": number, "event": event}).encode()


def test_an_unsigned_delivered_webhook_captures_nothing(
    capturing: tuple[OMS, FakeClock, Shipment],
) -> None:
    oms, _clock, shipment = capturing
    before = state(oms, shipment)
    assert before[4] == "authorized"
    body = delivered_body(shipment.tracking_numbers[0])
    forgeries: list[tuple[Any, Any]] = [
        (body, {}),
        (body, {"Sandbox-Signature": "t=1795507200,v1=" + "0" * 64}),
        (json.loads(body), {}),  # a parsed payload, as the old API took it
        (body.decode(), {}),
    ]
    for raw, headers in forgeries:
        with pytest.raises(WebhookSignatureInvalid):
            oms.carriers.handle_webhook("sandbox", raw, headers)
    assert state(oms, shipment) == before


def test_a_webhook_signed_by_another_sandbox_is_refused(
    capturing: tuple[OMS, FakeClock, Shipment],
) -> None:
    oms, clock, shipment = capturing
    before = state(oms, shipment)
    stranger = SandboxCarrier.create()  # knows the format, not this OMS's secret
    forged = stranger.sign_webhook(
        json.loads(delivered_body(shipment.tracking_numbers[0])), now=clock.now()
    )
    with pytest.raises(WebhookSignatureInvalid, match="does not match"):
        oms.carriers.handle_webhook("sandbox", forged.body, forged.headers)
    assert state(oms, shipment) == before


def test_a_captured_delivery_replayed_after_the_window_is_refused(
    capturing: tuple[OMS, FakeClock, Shipment],
) -> None:
    oms, clock, shipment = capturing
    sandbox: Any = oms.carriers.get("sandbox")
    label = oms.carriers.label(shipment.tracking_numbers[0]).label
    hooks = sandbox.webhook_deliveries(label, now=clock.now())
    oms.carriers.handle_webhook("sandbox", hooks[0].body, hooks[0].headers)
    clock.advance(minutes=6)
    before = state(oms, shipment)
    with pytest.raises(WebhookSignatureInvalid, match="either way"):
        oms.carriers.handle_webhook("sandbox", hooks[-1].body, hooks[-1].headers)
    assert state(oms, shipment) == before
    fresh = sandbox.webhook_deliveries(label, now=clock.now())
    for hook in fresh:
        oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)
    after = state(oms, shipment)
    assert after[:5] == ("delivered", True, True, "delivered", "captured")


def test_a_carrier_that_cannot_verify_is_refused_every_webhook(
    make_world: Callable[[], tuple[OMS, FakeClock, Callable[..., Any]]],
) -> None:
    oms, _clock, _capture = make_world()

    class Unverified:
        name = "unverified"

    oms.carriers.registry.register(Unverified(), source="a test")  # type: ignore[arg-type]
    with pytest.raises(WebhookSignatureInvalid, match="cannot verify"):
        oms.carriers.handle_webhook("unverified", b"{}", {})


def test_signing_is_bound_to_the_clock_it_is_sent_at() -> None:
    sandbox = SandboxCarrier.create()
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    hook = sandbox.sign_webhook({"a": 1}, now=at)
    sandbox.verify_webhook(hook.body, hook.headers, at + dt.timedelta(seconds=300))
    with pytest.raises(WebhookSignatureInvalid):
        sandbox.verify_webhook(hook.body, hook.headers, at + dt.timedelta(seconds=301))
