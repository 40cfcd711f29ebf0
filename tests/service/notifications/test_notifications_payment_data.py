"""No card data and no full payment token in any message of a whole order's life."""

from __future__ import annotations

import datetime as dt

from omskit import OMS
from omskit.notifications import Notification
from omskit.testing import FakeClock

from .conftest import Capture, deliver_and_return, recorder

TOKEN = "tok_live_9Zq4Xb7LmN2pR8sT"  # the sandbox approves any token it does not know
OTHER = "tok_live_3Hk8Vw1QaZ6yJ0cU"
DECLINED = "tok_declined"
FINGERPRINT = "fp_7c1e0b9a4d2f"


def secrets_in(text: str) -> list[str]:
    """The payment data found in ``text``: whole values, or a token's distinctive tail."""
    found = [s for s in (TOKEN, OTHER, DECLINED, FINGERPRINT) if s in text]
    return found + [s[-10:] for s in (TOKEN, OTHER) if s[-10:] in text]


def test_no_message_of_a_full_order_flow_carries_payment_data(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    world.notifications.configure_trigger("shipped", channels=["email", "sms", "push"])
    world.customers.register("dana@example.com", name="Dana Levi", phone="+4930901820")
    order = capture({"TEE-M": 2}, payment={"method": TOKEN, "fingerprint": FINGERPRINT})
    assert world.orders.get(order.id).card_fingerprint == FINGERPRINT  # it is stored...
    deliver_and_return(world, order.id)
    held = capture({"TEE-M": 1}, payment={"method": OTHER, "fingerprint": FINGERPRINT})
    world.orders.hold(held.id, reason="address check", actor="agent@example.com")
    world.orders.cancel(held.id, reason="customer asked")
    declined = world.orders.capture({
        "channel": "web", "external_id": "W-DECLINED", "payment": {"method": DECLINED},
        "customer": {"email": "dana@example.com", "name": "Dana Levi"},
        "ship_to": {"country": "DE", "name": "Dana Levi", "line1": "Invalidenstr. 117",
                    "city": "Berlin", "postal_code": "10115"},
        "lines": [{"sku": "MUG-01", "quantity": 1}],
    })  # fmt: skip
    case = world.support.open("Where is it?", customer="dana@example.com", order_id=order.id)
    world.support.add_message(case.id, "On its way.", author="agent-7")
    clock.set(clock.now() + dt.timedelta(days=1))
    world.notifications.deliver()

    messages: list[Notification] = world.notifications.messages()
    triggers = {m.trigger for m in messages}
    assert {"order_confirmed", "shipped", "out_for_delivery", "delivered", "return_authorized",
            "return_received", "refund_issued", "order_on_hold", "order_cancelled",
            "payment_failed", "case_updated"} <= triggers  # fmt: skip
    assert any(m.order_id == declined.id for m in messages)
    for message in messages:  # ...but never written to a customer or to staff
        for part in (message.subject, message.text, message.html, message.key, message.reason):
            assert secrets_in(part) == [], (message.trigger, message.channel)
    for outbound in recorder(world).sent:
        assert secrets_in(repr(outbound.to_dict())) == [], outbound.trigger
    for trigger in world.notifications.triggers():  # previews of the real order too
        for locale in ("en", "he", "ja"):
            shown = world.notifications.preview(trigger.name, order.id, locale)
            assert secrets_in(shown.subject + shown.text + shown.html) == [], trigger.name
