"""Notifications walk-through: what customers hear about their orders, and in which language.

An order's messages, a Hebrew and a Japanese shipping notice, a flaky channel retried,
an opt-out, quiet hours, a late parcel and a support case.

Run from the repository root: ``python examples/notifications.py``.
"""

from __future__ import annotations

import datetime as dt

from omskit import OMS, RecordingProvider
from omskit.carriers import SandboxCarrier
from omskit.testing import FakeClock

HOME = {
    "country": "DE",
    "name": "Dana Levi",
    "line1": "Invalidenstr. 117",
    "city": "Berlin",
    "postal_code": "10115",
}


def setup() -> tuple[OMS, FakeClock]:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    config = {
        "notifications": {
            "tracking_urls": {"sandbox": "https://track.example/{tracking_number}"},
            "staff": {"email": ["ops@example.com"]},
        }
    }
    oms = OMS.in_memory(config, clock=clock, autoload=False)
    oms.catalog.add_product(
        "TEE", name="Organic tee", price="24.00", currency="EUR", weight_grams=180,
        dimensions=[300, 200, 20],
    )  # fmt: skip
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    oms.inventory.receive("TEE", location="BER", quantity=20)
    return oms, clock


def capture(oms: OMS, ref: str, email: str) -> str:
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": ref,
            "customer": {"email": email, "name": "Dana Levi"},
            "ship_to": HOME,
            "lines": [{"sku": "TEE", "quantity": 2}],
        }
    )
    return order.id


def ship(oms: OMS, order_id: str) -> str:
    (fo,) = oms.fulfillment.release(order_id)
    oms.fulfillment.accept(fo.id)
    oms.fulfillment.confirm_pick(fo.id)
    oms.fulfillment.pack(fo.id)
    shipment = oms.fulfillment.ship(fo.id, carrier="sandbox", service="express")
    oms.fulfillment.hand_over(shipment.id)
    return shipment.id


def deliver(oms: OMS, shipment_id: str) -> None:
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for number in oms.fulfillment.shipment(shipment_id).tracking_numbers:
        label = oms.carriers.label(number).label
        for hook in sandbox.webhook_deliveries(label, now=oms.clock.now()):
            oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)


def show(oms: OMS, order_id: str) -> None:
    for m in oms.notifications.messages(order_id=order_id):
        extra = f" ({m.reason})" if m.reason else ""
        print(f"    {m.trigger:<17} {m.channel:<5} {m.status:<10} {m.subject}{extra}")


def main() -> None:
    oms, clock = setup()
    recorder = oms.notifications.provider("recording")
    assert isinstance(recorder, RecordingProvider)
    order_id = life_and_languages(oms)
    retries(oms, clock, recorder)
    preferences_and_timers(oms, clock)
    support(oms, order_id)
    print(f"\n{len(recorder.sent)} messages sent for {order_id} and three more orders, "
          f"{len(oms.notifications.dead_letters())} dead letters")  # fmt: skip


def life_and_languages(oms: OMS) -> str:
    print("1. One order's life, as its customer hears about it")
    order_id = capture(oms, "W-1001", "dana@example.com")
    shipment_id = ship(oms, order_id)
    deliver(oms, shipment_id)
    show(oms, order_id)
    shipped = oms.notifications.messages(trigger="shipped")[0]
    print("\n    the shipping notice, as sent:\n")
    print("    " + shipped.text.replace("\n", "\n    "))

    print("\n2. The same notice in Hebrew (right to left) and in Japanese")
    for locale in ("he_IL", "ja_JP"):
        notice = oms.notifications.preview("shipped", order_id, locale)
        print(f"\n    [{locale} -> template {notice.locale}, dir={notice.direction}]")
        print(f"    Subject: {notice.subject}")
        print("    " + notice.text.replace("\n", "\n    "))
    hebrew = oms.notifications.preview("shipped", order_id, "he_IL")
    body = hebrew.html.split("<body", 1)[1].split("</body>")[0]
    print("\n    its HTML body isolates the order number and tracking codes:")
    print("    <body" + body.rstrip().replace("\n", "\n    "))

    return order_id


def retries(oms: OMS, clock: FakeClock, recorder: RecordingProvider) -> None:
    print("\n3. A channel that fails twice: retried with back-off, sent once")
    recorder.fail_next(2)
    second = capture(oms, "W-1002", "dana@example.com")
    (message,) = oms.notifications.messages(order_id=second)
    while oms.notifications.get(message.id).status != "sent":
        current = oms.notifications.get(message.id)
        print(f"    attempt {current.attempts}: {current.status}, next at "
              f"{current.not_before:%H:%M:%S} ({current.last_error})")  # fmt: skip
        clock.set(current.not_before)
        oms.notifications.deliver()
    sends = sum(1 for m in recorder.sent if m.key == message.key)
    print(f"    sent after {oms.notifications.get(message.id).attempts} attempts; "
          f"delivered {sends} time(s)")  # fmt: skip


def preferences_and_timers(oms: OMS, clock: FakeClock) -> None:
    print("\n4. An opt-out of status updates, and quiet hours in Tokyo")
    oms.notifications.opt_out("noa@example.com", "updates", "email", actor="noa")
    clock.set(dt.datetime(2026, 11, 24, 13, 30, tzinfo=dt.UTC))  # 22:30 in Tokyo
    oms.notifications.set_preferences(
        "noa@example.com", time_zone="Asia/Tokyo", quiet_hours=("21:00", "08:00")
    )
    third = capture(oms, "W-1003", "noa@example.com")
    deliver(oms, ship(oms, third))
    show(oms, third)
    try:
        oms.notifications.opt_out("noa@example.com", "shipping")
    except ValueError as exc:
        print(f"    refused: {exc}")

    print("\n5. A parcel past its promised date: tick() notices, once")
    fourth = capture(oms, "W-1004", "dana@example.com")
    late = ship(oms, fourth)
    promised = oms.fulfillment.shipment(late).promised_date
    assert promised is not None
    clock.set(dt.datetime.combine(promised + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC))
    print(f"    promised {promised}; tick() fired {oms.notifications.tick()}, "
          f"then {oms.notifications.tick()}")  # fmt: skip
    show(oms, fourth)


def support(oms: OMS, order_id: str) -> None:
    print("\n6. A support case on the first order, answered from one timeline")
    case = oms.support.open(
        "Where is my order?", customer="dana@example.com", order_id=order_id,
        message="Has it left yet?", priority=2,
    )  # fmt: skip
    oms.support.assign(case.id, "agent-7", actor="team-lead")
    oms.support.add_message(case.id, "Delivered per carrier", author="agent-7", internal=True)
    oms.support.add_message(case.id, "It was delivered this morning.", author="agent-7")
    oms.support.transition(case.id, "resolve", actor="agent-7")
    for line in oms.support.timeline(case.id).explain().splitlines():
        print(f"    {line}")


if __name__ == "__main__":
    main()
