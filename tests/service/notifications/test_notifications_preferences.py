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
