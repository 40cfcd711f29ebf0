"""Back-in-stock subscriptions: one message per subscriber when stock returns, then closed."""

from __future__ import annotations

import datetime as dt

import pytest

from omskit import OMS, InvalidTransition, NotFound, UnknownSku, ValidationError
from omskit.events import Event
from omskit.inventory import BackInStock
from omskit.notifications.subscriptions import StockSubscription
from omskit.testing import FakeClock

from .conftest import recorder


def empty(oms: OMS, sku: str, location: str) -> None:
    """Write off what is left of ``sku`` at ``location``."""
    left = oms.inventory.level(sku, location).available
    if left:
        oms.inventory.adjust(sku, location=location, delta=-left, reason="damaged")


def sold_out(oms: OMS, sku: str = "MUG-01") -> str:
    for location in ("BER", "MUC", "HH-STORE"):
        empty(oms, sku, location)
    assert oms.inventory.available(sku) == 0
    return sku


def back_in_stock(oms: OMS) -> list[str]:
    return [m.id for m in oms.notifications.messages(trigger="back_in_stock")]


def test_each_subscriber_hears_once_when_stock_returns_and_the_subscription_closes(
    world: OMS,
) -> None:
    seen: list[Event] = []
    world.events.subscribe("probe", seen.append)
    sku = sold_out(world)
    dana = world.notifications.subscribe_back_in_stock(sku, email="Dana@Example.com")
    noa = world.notifications.subscribe_back_in_stock(sku, email="noa@example.com")
    again = world.notifications.subscribe_back_in_stock(sku, email="dana@example.com")
    assert again.id == dana.id  # asking twice is one subscription
    assert back_in_stock(world) == []
    world.inventory.receive(sku, location="BER", quantity=4)
    messages = world.notifications.messages(trigger="back_in_stock")
    assert sorted(m.recipient for m in messages) == ["dana@example.com", "noa@example.com"]
    assert {m.status for m in messages} == {"sent"}
    assert messages[0].subject == "Enamel mug is back in stock"
    assert "MUG-01" in messages[0].text
    for sub in (dana, noa):
        closed = world.notifications.back_in_stock_subscriptions(email=sub.email)[0]
        assert closed.status == "notified"
        assert closed.closed_at == world.clock.now()
        assert len(closed.notifications) == 1
    # out again and back again: the closed subscriptions send nothing more
    empty(world, sku, "BER")
    world.inventory.receive(sku, location="MUC", quantity=2)
    replays = [e for e in seen if isinstance(e, BackInStock)]
    assert len(replays) == 2
    for event in replays:
        assert world.notifications.handle(event) == []
    assert len(back_in_stock(world)) == 2
    assert len([m for m in recorder(world).sent if m.trigger == "back_in_stock"]) == 2
    assert world.notifications.back_in_stock_subscriptions(sku=sku, status="open") == []


def test_a_location_subscription_waits_for_that_locations_stock(world: OMS) -> None:
    sku = sold_out(world)
    store = world.notifications.subscribe_back_in_stock(
        sku, email="dana@example.com", location="HH-STORE"
    )
    world.inventory.receive(sku, location="BER", quantity=4)
    assert back_in_stock(world) == []
    assert world.notifications.back_in_stock_subscriptions(status="open")[0].id == store.id
    world.inventory.receive(sku, location="HH-STORE", quantity=1)
    (message,) = world.notifications.messages(trigger="back_in_stock")
    assert message.recipient == "dana@example.com"
    assert world.notifications.back_in_stock_subscriptions(sku=sku)[0].status == "notified"


def test_stock_gone_again_before_the_event_is_handled_keeps_the_subscription_open(
    world: OMS,
) -> None:
    sku = sold_out(world)
    world.notifications.subscribe_back_in_stock(sku, email="dana@example.com")
    stale = BackInStock(sku=sku, location="BER", available=3)  # nothing is there now
    assert world.notifications.handle(stale) == []
    assert [s.status for s in world.notifications.back_in_stock_subscriptions()] == ["open"]


def test_stock_at_a_location_that_does_not_sell_online_is_not_back_for_everyone(
    world: OMS,
) -> None:
    sku = sold_out(world)
    world.notifications.subscribe_back_in_stock(sku, email="dana@example.com")
    world.inventory.receive(sku, location="HH-STORE", quantity=5)  # kept for walk-ins
    assert world.inventory.available(sku) == 0
    assert back_in_stock(world) == []
    assert world.notifications.back_in_stock_subscriptions(status="open") != []


def test_an_opt_out_suppresses_the_message_and_still_closes_the_subscription(
    world: OMS,
) -> None:
    sku = sold_out(world)
    world.notifications.opt_out("dana@example.com", "back_in_stock", "email")
    world.notifications.subscribe_back_in_stock(sku, email="dana@example.com")
    world.inventory.receive(sku, location="BER", quantity=1)
    (message,) = world.notifications.messages(trigger="back_in_stock")
    assert (message.status, message.reason) == (
        "suppressed",
        "the customer opted out of 'back_in_stock' on 'email'",
    )
    assert recorder(world).sent == []
    assert world.notifications.back_in_stock_subscriptions()[0].status == "notified"


def test_asking_is_the_consent_and_the_message_carries_an_unsubscribe_link(
    world: OMS,
) -> None:
    sku = sold_out(world)
    world.notifications.subscribe_back_in_stock(sku, email="dana@example.com")
    world.inventory.receive(sku, location="BER", quantity=1)
    (message,) = world.notifications.messages(trigger="back_in_stock")
    assert message.status == "sent"  # marketing, yet no separate opt-in was needed
    assert message.unsubscribe_url.startswith("https://shop.example/unsubscribe?token=")
    assert message.unsubscribe_url in message.text
    assert recorder(world).sent[-1].unsubscribe_url == message.unsubscribe_url
    token = message.unsubscribe_url.split("token=", 1)[1]
    prefs = world.notifications.unsubscribe(token)
    assert "back_in_stock:email" in prefs.opted_out


def test_quiet_hours_defer_a_back_in_stock_message_to_the_morning(
    world: OMS, clock: FakeClock
) -> None:
    clock.set(dt.datetime(2026, 11, 24, 22, 30, tzinfo=dt.UTC))  # 23:30 in Berlin
    customer = world.customers.register("lena@example.com", name="Lena", locale="de_DE")
    world.notifications.set_preferences(
        customer.id, time_zone="Europe/Berlin", quiet_hours=("22:00", "07:00")
    )
    sku = sold_out(world)
    sub = world.notifications.subscribe_back_in_stock(sku, customer=customer.id)
    assert (sub.email, sub.customer) == ("lena@example.com", customer.id)
    world.inventory.receive(sku, location="BER", quantity=1)
    (message,) = world.notifications.messages(trigger="back_in_stock")
    morning = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)  # 07:00 in Berlin
    assert (message.status, message.not_before, message.locale) == ("queued", morning, "de")
    assert message.subject == "Enamel mug ist wieder verfügbar"
    clock.set(morning)
    assert world.notifications.deliver().sent == 1


def test_a_customers_preferences_under_their_email_hold_for_their_subscription(
    world: OMS,
) -> None:
    customer = world.customers.register("lena@example.com", name="Lena")
    world.notifications.opt_out("lena@example.com", "back_in_stock")  # by email, not id
    sku = sold_out(world)
    world.notifications.subscribe_back_in_stock(sku, customer=customer.id)
    world.inventory.receive(sku, location="BER", quantity=1)
    (message,) = world.notifications.messages(trigger="back_in_stock")
    assert message.status == "suppressed"


def test_a_guest_hears_in_the_sales_channels_language(world: OMS) -> None:
    world.channels.add("fr-shop", name="Boutique", kind="web", locale="fr_FR")
    sku = sold_out(world)
    sub = world.notifications.subscribe_back_in_stock(
        sku, email="camille@example.com", channel="fr-shop"
    )
    assert sub.channel == "fr-shop"
    world.inventory.receive(sku, location="BER", quantity=1)
    (message,) = world.notifications.messages(trigger="back_in_stock")
    assert message.locale == "fr"
    assert message.subject == "Enamel mug est de retour en stock"


def test_a_cancelled_subscription_sends_nothing_and_cannot_be_cancelled_twice(
    world: OMS,
) -> None:
    sku = sold_out(world)
    sub = world.notifications.subscribe_back_in_stock(sku, email="dana@example.com")
    cancelled = world.notifications.unsubscribe_back_in_stock(sub.id, actor="dana")
    assert (cancelled.status, cancelled.history[-1][2]) == ("cancelled", "dana")
    world.inventory.receive(sku, location="BER", quantity=1)
    assert back_in_stock(world) == []
    with pytest.raises(InvalidTransition):
        world.notifications.unsubscribe_back_in_stock(sub.id)
    with pytest.raises(NotFound):
        world.notifications.unsubscribe_back_in_stock("bis_nope")


@pytest.mark.parametrize(
    ("args", "error", "field", "shown"),
    [
        ({"sku": "NOPE-1", "email": "dana@example.com"}, UnknownSku, None, "NOPE-1"),
        ({"sku": "bad sku!", "email": "dana@example.com"}, ValidationError, "sku", "bad sku!"),
        ({"sku": "MUG-01", "email": "dana-at-example.com"}, ValidationError, "email",
         "dana-at-example.com"),
        ({"sku": "MUG-01", "email": "dana@"}, ValidationError, "email", "dana@"),
        ({"sku": "MUG-01"}, ValidationError, "email", "give an email address or a customer"),
        ({"sku": "MUG-01", "customer": "cus_nope"}, NotFound, None, "cus_nope"),
        ({"sku": "MUG-01", "email": "dana@example.com", "location": "ATLANTIS"}, NotFound, None,
         "ATLANTIS"),
        ({"sku": "MUG-01", "email": "dana@example.com", "channel": "nope"}, NotFound, None,
         "nope"),
        ({"sku": "MUG-01", "email": "dana@example.com", "locale": "xx_YY"}, ValidationError,
         "locale", "xx_YY"),
        ({"sku": "MUG-01", "email": "dana@example.com", "actor": ""}, ValidationError, "actor",
         "actor"),
    ],
)  # fmt: skip
def test_a_bad_subscription_is_refused_naming_the_field_and_nothing_is_stored(
    world: OMS, args: dict[str, str], error: type[Exception], field: str | None, shown: str
) -> None:
    sku = args.pop("sku")
    with pytest.raises(error) as caught:
        world.notifications.subscribe_back_in_stock(sku, **args)  # type: ignore[arg-type]
    if field is not None:
        assert isinstance(caught.value, ValidationError)
        assert caught.value.field == field
    assert shown in str(caught.value)
    assert world.notifications.back_in_stock_subscriptions() == []


def test_subscriptions_are_listed_by_sku_email_and_status(world: OMS) -> None:
    a = world.notifications.subscribe_back_in_stock("MUG-01", email="a@example.com")
    b = world.notifications.subscribe_back_in_stock("TEE-M", email="a@example.com")
    c = world.notifications.subscribe_back_in_stock("MUG-01", email="c@example.com")
    world.notifications.unsubscribe_back_in_stock(c.id)

    def ids(found: list[StockSubscription]) -> list[str]:
        return [s.id for s in found]

    assert ids(world.notifications.back_in_stock_subscriptions(sku="MUG-01")) == [a.id, c.id]
    assert ids(world.notifications.back_in_stock_subscriptions(email="A@example.com")) == [
        a.id,
        b.id,
    ]
    assert ids(world.notifications.back_in_stock_subscriptions(status="open")) == [a.id, b.id]
    assert ids(world.notifications.back_in_stock_subscriptions(sku="MUG-01", status="open")) == [
        a.id
    ]
