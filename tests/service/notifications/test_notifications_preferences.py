"""Preferences: opt-outs honoured, transactional always on, quiet hours defer, tokens."""

from __future__ import annotations

import datetime as dt

import pytest

from omskit import OMS, UnsubscribeTokenInvalid, ValidationError
from omskit.testing import FakeClock

from .conftest import Capture, recorder, ship, track_to_delivery


def test_an_opt_out_of_updates_suppresses_them_while_transactional_messages_go(
    world: OMS, capture: Capture
) -> None:
    world.notifications.opt_out("dana@example.com", "updates", "email", actor="dana")
    order = capture({"TEE-M": 1})
    (shipment_id,) = ship(world, order.id)
    track_to_delivery(world, shipment_id)
    status = {m.trigger: m.status for m in world.notifications.messages(order_id=order.id)}
    assert status == {
        "order_confirmed": "sent",
        "shipped": "sent",
        "out_for_delivery": "suppressed",
        "delivered": "suppressed",
    }
    delivered = world.notifications.messages(trigger="delivered")[0]
    assert delivered.reason == "the customer opted out of 'updates' on 'email'"
    prefs = world.notifications.preferences("dana@example.com")
    assert prefs.history[-1][1:] == ("opted out of updates:email", "dana")


def test_transactional_topics_cannot_be_opted_out_of(world: OMS) -> None:
    with pytest.raises(ValidationError, match="transactional messages cannot be opted out"):
        world.notifications.opt_out("dana@example.com", "shipping")
    with pytest.raises(ValidationError, match="topic: got 'newsletter'"):
        world.notifications.opt_out("dana@example.com", "newsletter")
    assert world.notifications.preferences("dana@example.com").opted_out == frozenset()


def test_quiet_hours_defer_until_morning_in_the_customers_time_zone(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    clock.set(dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC))  # 22:00 in Tokyo
    world.notifications.set_preferences(
        "dana@example.com", time_zone="Asia/Tokyo", quiet_hours=("21:00", "08:00")
    )
    order = capture({"TEE-M": 1})
    ship(world, order.id)
    confirmed, shipped = world.notifications.messages(order_id=order.id)
    assert confirmed.status == "sent"  # urgent: the customer has just ordered
    morning = dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC)  # 08:00 on the 25th in Tokyo
    assert (shipped.status, shipped.not_before) == ("queued", morning)
    assert shipped.reason.startswith("quiet hours: deferred to")
    clock.set(morning - dt.timedelta(minutes=1))
    assert world.notifications.deliver().sent == 0
    clock.set(morning)
    assert world.notifications.deliver().sent == 1
    assert [m.trigger for m in recorder(world).sent] == ["order_confirmed", "shipped"]


def test_a_marketing_topic_needs_an_opt_in_and_an_unsubscribe_token_ends_it(
    world: OMS,
) -> None:
    prefs = world.notifications.opt_in("dana@example.com", "back_in_stock", "email")
    assert "back_in_stock:email" in prefs.opted_in
    token = world.notifications.unsubscribe_token("dana@example.com", "back_in_stock", "email")
    after = world.notifications.unsubscribe(token)
    assert "back_in_stock:email" in after.opted_out
    assert "back_in_stock:email" not in after.opted_in
    assert after.history[-1][2] == "unsubscribe link"


@pytest.mark.parametrize("bad", ["", "x.y", "nonsense", 42])
def test_an_unsubscribe_token_not_issued_here_is_refused(world: OMS, bad: object) -> None:
    with pytest.raises(UnsubscribeTokenInvalid, match="token: got"):
        world.notifications.unsubscribe(bad)  # type: ignore[arg-type]


def test_an_altered_unsubscribe_token_is_refused(world: OMS) -> None:
    token = world.notifications.unsubscribe_token("dana@example.com", "updates", "email")
    data, signature = token.split(".")
    forged = world.notifications.unsubscribe_token("eve@example.com", "updates", "email")
    with pytest.raises(UnsubscribeTokenInvalid):
        world.notifications.unsubscribe(forged.split(".")[0] + "." + signature)
    with pytest.raises(UnsubscribeTokenInvalid):
        world.notifications.unsubscribe(data + "." + signature[::-1])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"locale": "xx_YY"}, "locale"),
        ({"quiet_hours": ("22:00",)}, "quiet_hours"),
        ({"quiet_hours": ("25:00", "07:00")}, "quiet_hours.start"),
        ({"quiet_hours": ("07:00", "07:00")}, "quiet_hours"),
        ({"channel": "pigeon"}, "channels"),
        ({"actor": ""}, "actor"),
    ],
)
def test_bad_preferences_are_refused_naming_the_field_and_nothing_is_stored(
    world: OMS, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        world.notifications.set_preferences("dana@example.com", **changes)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert world.notifications.preferences("dana@example.com").history == []


def test_one_evening_defers_to_each_customers_own_morning(world: OMS, clock: FakeClock) -> None:
    """The same instant is night in Tokyo and in New York: each waits for their 07:00."""
    clock.set(dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC))  # 12:00 Tokyo, 22:00 New York
    for email, zone in (("aiko@example.com", "Asia/Tokyo"), ("sam@example.com",
                                                            "America/New_York")):  # fmt: skip
        world.notifications.set_preferences(email, time_zone=zone, quiet_hours=("21:00", "07:00"))
    world.notifications.configure_trigger("order_confirmed", enabled=False)
    for email in ("aiko@example.com", "sam@example.com"):
        order = world.orders.capture({
            "channel": "web", "external_id": f"W-{email[:3]}",
            "customer": {"email": email, "name": email[:3]},
            "ship_to": {"country": "DE", "name": "X", "line1": "A 1", "city": "Berlin",
                        "postal_code": "10115"},
            "lines": [{"sku": "TEE-M", "quantity": 1}],
        })  # fmt: skip
        ship(world, order.id)
    shipped = {m.recipient: m for m in world.notifications.messages(trigger="shipped")}
    assert shipped["aiko@example.com"].status == "sent"  # noon in Tokyo
    sam = shipped["sam@example.com"]
    assert sam.status == "queued"
    assert sam.not_before == dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)  # 07:00 EST


@pytest.mark.parametrize(
    ("evening", "morning"),
    [
        # Berlin leaves summer time on 25 October 2026: 03:00 CEST becomes 02:00 CET, so
        # the night is 25 hours long and 07:00 CET is 06:00 UTC
        (dt.datetime(2026, 10, 24, 21, 0, tzinfo=dt.UTC),
         dt.datetime(2026, 10, 25, 6, 0, tzinfo=dt.UTC)),
        # and enters it on 29 March 2026: 02:00 CET becomes 03:00 CEST (a 23-hour night),
        # so 07:00 CEST is 05:00 UTC
        (dt.datetime(2026, 3, 28, 22, 0, tzinfo=dt.UTC),
         dt.datetime(2026, 3, 29, 5, 0, tzinfo=dt.UTC)),
    ],
)  # fmt: skip
def test_quiet_hours_over_a_daylight_saving_change_end_at_seven_on_the_wall_clock(
    world: OMS, capture: Capture, clock: FakeClock, evening: dt.datetime, morning: dt.datetime
) -> None:
    clock.set(evening)  # 23:00 in Berlin either way
    world.notifications.set_preferences(
        "dana@example.com", time_zone="Europe/Berlin", quiet_hours=("22:00", "07:00")
    )
    order = capture({"TEE-M": 1})
    ship(world, order.id)
    (shipped,) = world.notifications.messages(trigger="shipped")
    assert (shipped.status, shipped.not_before) == ("queued", morning)
    clock.set(morning - dt.timedelta(seconds=1))
    assert world.notifications.deliver().sent == 0
    clock.set(morning)
    assert world.notifications.deliver().sent == 1
