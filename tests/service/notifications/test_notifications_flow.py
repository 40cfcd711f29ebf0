"""An order's life produces its messages: stored first, sent once, per shipment."""

from __future__ import annotations

from typing import Any

import phonenumbers
import pytest

from omskit import OMS, ValidationError
from omskit.events import Event
from omskit.money import format_money
from omskit.notifications.preferences import PREFERENCES, Preferences
from omskit.testing import FakeClock

from .conftest import Capture, recorder, ship, track_to_delivery


def triggers_of(oms: OMS, order_id: str) -> list[str]:
    return [m.trigger for m in oms.notifications.messages(order_id=order_id)]


def test_an_order_is_confirmed_shipped_out_for_delivery_and_delivered(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 2})
    (shipment_id,) = ship(world, order.id)
    track_to_delivery(world, shipment_id)
    assert triggers_of(world, order.id) == [
        "order_confirmed",
        "shipped",
        "out_for_delivery",
        "delivered",
    ]
    assert {m.status for m in world.notifications.messages(order_id=order.id)} == {"sent"}
    confirmation = world.notifications.messages(trigger="order_confirmed")[0]
    assert format_money(order.total.gross, "en") in confirmation.text
    shipped = world.notifications.messages(trigger="shipped")[0]
    number = world.fulfillment.shipment(shipment_id).tracking_numbers[0]
    url = f"https://track.example/{number}"
    assert url in shipped.text
    assert f'<a href="{url}" dir="ltr">{url}</a>' in shipped.html
    assert [m.subject for m in recorder(world).sent][:2] == [
        f"Order {order.external_id} confirmed",
        f"Order {order.external_id} has shipped",
    ]


def test_a_split_order_sends_one_message_per_shipment(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 15})  # Berlin has 10, Munich the rest
    shipments = ship(world, order.id)
    assert len(shipments) == 2
    assert triggers_of(world, order.id) == ["order_confirmed", "partially_shipped", "shipped"]


def test_a_replayed_event_sends_nothing_twice(world: OMS, capture: Capture) -> None:
    seen: list[Event] = []
    world.events.subscribe("probe", seen.append)
    order = capture({"TEE-M": 1})
    ship(world, order.id)
    before = len(recorder(world).sent)
    for event in seen:
        assert world.notifications.handle(event) == []
    assert len(recorder(world).sent) == before == 2


def test_a_provider_failing_for_a_while_delivers_each_message_exactly_once(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    rec = recorder(world)
    rec.fail_next(3)
    order = capture({"TEE-M": 1})
    (message,) = world.notifications.messages(order_id=order.id)
    assert message.status == "failed"
    assert message.attempts == 1
    assert "ConnectionError" in message.last_error
    assert world.notifications.deliver().sent == 0  # still backing off
    waits = []
    while world.notifications.get(message.id).status != "sent":
        due = world.notifications.get(message.id).not_before
        waits.append((due - clock.now()).total_seconds())
        clock.set(due)
        world.notifications.deliver()
    assert len(waits) == 3
    assert 30 <= waits[0] <= 60
    assert 60 <= waits[1] <= 120
    assert [m.key for m in rec.sent] == [message.key]
    assert world.notifications.get(message.id).attempts == 4


def test_the_last_attempt_parks_a_dead_letter_which_requeue_sends(
    clock: FakeClock, capture_factory: Any
) -> None:
    oms, capture = capture_factory({"max_attempts": 2})
    rec = recorder(oms)
    rec.fail_next(2)
    order = capture({"TEE-M": 1})
    (message,) = oms.notifications.messages(order_id=order.id)
    clock.set(message.not_before)
    assert oms.notifications.deliver().dead == 1
    (dead,) = oms.notifications.dead_letters()
    assert dead.id == message.id
    assert dead.attempts == 2
    sent = oms.notifications.requeue(dead.id, actor="agent@example.com")
    assert sent.status == "sent"
    assert [s.status for s in sent.history] == ["failed", "dead", "queued", "sent"]
    assert sent.history[2].actor == "agent@example.com"
    assert len(rec.sent) == 1


def test_a_recipient_refused_for_good_is_dead_at_once(world: OMS, capture: Capture) -> None:
    recorder(world).reject("dana@example.com")
    order = capture({"TEE-M": 1})
    (message,) = world.notifications.messages(order_id=order.id)
    assert message.status == "dead"
    assert message.attempts == 1
    assert "rejected" in message.last_error


def test_a_failing_channel_never_undoes_the_order_or_loses_the_message(
    world: OMS, capture: Capture
) -> None:
    recorder(world).fail_next(100)
    order = capture({"TEE-M": 1})
    assert world.orders.get(order.id).status == order.status
    (message,) = world.notifications.messages(order_id=order.id)
    assert message.status == "failed"
    assert message.subject


def test_staff_hear_about_an_order_on_hold(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 1})
    world.orders.hold(order.id, reason="address check", actor="agent@example.com")
    (held,) = world.notifications.messages(trigger="order_on_hold")
    assert held.recipient == "ops@example.com"
    assert "address check" in held.text
    assert "agent@example.com" in held.text


def test_a_cancellation_says_what_was_given_back(world: OMS, capture: Capture) -> None:
    order = capture({"TEE-M": 1})
    world.orders.cancel(order.id, reason="changed my mind")
    (cancelled,) = world.notifications.messages(trigger="order_cancelled")
    assert f"Order {order.external_id} was cancelled" == cancelled.subject


def test_a_disabled_trigger_sends_nothing(world: OMS, capture: Capture) -> None:
    world.notifications.configure_trigger("order_confirmed", enabled=False, actor="ops")
    order = capture({"TEE-M": 1})
    assert world.notifications.messages(order_id=order.id) == []
    assert world.notifications.changes[-1][2] == "ops"


def test_a_second_channel_without_an_address_is_suppressed_with_the_reason(
    world: OMS, capture: Capture
) -> None:
    world.notifications.configure_trigger("order_confirmed", channels=["email", "sms"])
    order = capture({"TEE-M": 1})
    email, sms = world.notifications.messages(order_id=order.id)
    assert (email.channel, email.status) == ("email", "sent")
    assert (sms.channel, sms.status) == ("sms", "suppressed")
    assert sms.reason == "no sms address for the recipient"


def test_sms_goes_to_a_registered_customers_phone(world: OMS) -> None:
    mobile = phonenumbers.example_number_for_type("IL", phonenumbers.PhoneNumberType.MOBILE)
    phone = phonenumbers.format_number(mobile, phonenumbers.PhoneNumberFormat.E164)
    customer = world.customers.register("noa@example.com", name="Noa", phone=phone)
    world.notifications.configure_trigger("order_confirmed", channels=["sms"])
    order = world.orders.capture(
        {
            "channel": "web",
            "external_id": "W-SMS",
            "customer": {"email": "noa@example.com", "customer_id": customer.id},
            "ship_to": {"country": "DE", "line1": "A 1", "city": "Berlin",
                        "postal_code": "10115", "name": "Noa"},
            "lines": [{"sku": "TEE-M", "quantity": 1}],
        }
    )  # fmt: skip
    (sms,) = world.notifications.messages(order_id=order.id)
    assert (sms.recipient, sms.status) == (phone, "sent")


def test_the_record_says_when_a_locale_had_to_fall_back(world: OMS, capture: Capture) -> None:
    world.notifications.set_preferences("dana@example.com", locale="pt_BR")
    order = capture({"TEE-M": 1})
    (message,) = world.notifications.messages(order_id=order.id)
    assert message.locale == "en"
    assert message.locale_note == "no template in 'pt_BR'; used 'en'"
    assert format_money(order.total.gross, "pt_BR") in message.text  # the reader's numbers


def test_an_address_line_with_markup_arrives_as_text(world: OMS) -> None:
    order = world.orders.capture(
        {
            "channel": "web",
            "external_id": "W-XSS",
            "customer": {"email": "eve@example.com", "name": "<script>alert(1)</script>"},
            "ship_to": {"country": "DE", "line1": "A 1", "city": "Berlin",
                        "postal_code": "10115", "name": "Eve"},
            "lines": [{"sku": "TEE-M", "quantity": 1}],
        }
    )  # fmt: skip
    (message,) = world.notifications.messages(order_id=order.id)
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert "<script>alert(1)</script>" in message.text  # plain text is not HTML


@pytest.fixture
def capture_factory(clock: FakeClock) -> Any:
    from ..fulfillment.conftest import make_capture  # noqa: TID252
    from .conftest import CONFIG, make_oms

    def make(extra: dict[str, Any]) -> tuple[OMS, Capture]:
        config = {"notifications": {**CONFIG["notifications"], **extra}}
        oms = make_oms(clock, config)
        return oms, make_capture(oms)

    return make


def test_a_stored_locale_no_one_knows_falls_back_and_the_record_says_so(
    world: OMS, capture: Capture
) -> None:
    """A locale babel does not know still gets a message, and the record says why.

    Locales are checked when set; this one is stored directly, as an import or data
    written under an older babel would be.
    """
    world.runtime.run(
        lambda uow: uow.repo(PREFERENCES).add(Preferences(id="dana@example.com", locale="tlh_QO"))
    )
    order = capture({"TEE-M": 1})
    (message,) = world.notifications.messages(order_id=order.id)
    assert (message.status, message.locale) == ("sent", "en")
    assert message.locale_note == "unknown locale 'tlh_QO'; used 'en'"
    assert message.subject == f"Order {order.external_id} confirmed"


def test_who_delivers_is_recorded_in_the_history_and_on_the_event(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    seen: list[Event] = []
    world.events.subscribe("sent", seen.append)
    recorder(world).fail_next(1)
    order = capture({"TEE-M": 1})
    (message,) = world.notifications.messages(order_id=order.id)
    clock.set(message.not_before)
    with pytest.raises(ValidationError, match="actor"):
        world.notifications.deliver(actor="")
    assert world.notifications.get(message.id).status == "failed"  # nothing was sent
    assert world.notifications.deliver(actor="job:mailer").sent == 1
    step = world.notifications.get(message.id).history[-1]
    assert (step.status, step.actor) == ("sent", "job:mailer")
    (sent,) = [e for e in seen if e.event_type == "NotificationSent"]
    assert sent.actor == "job:mailer"
