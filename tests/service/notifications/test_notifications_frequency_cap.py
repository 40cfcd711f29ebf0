"""The frequency cap on status updates: a sliding window per order or customer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from omskit import OMS, Trigger, ValidationError
from omskit.events import Event
from omskit.orders.model import Order
from omskit.testing import FakeClock

from ..fulfillment.conftest import build_world, make_capture  # noqa: TID252
from .conftest import CONFIG, ship

HOUR = dt.timedelta(hours=1)


@attrs.frozen(kw_only=True)
class ParcelScanned(Event):
    """A host's tracking scan: a status update the customer may hear about."""

    order_id: str
    scan: str


def capped_world(clock: FakeClock, cap: dict[str, Any] | None) -> OMS:
    settings = dict(CONFIG["notifications"])
    if cap is not None:
        settings["frequency_cap"] = cap
    oms = OMS.in_memory({"notifications": settings}, clock=clock, autoload=False)
    build_world(oms)
    oms.notifications.add_trigger(
        Trigger(name="parcel_scanned", event="ParcelScanned", kind="updates",
                topic="updates", key=("scan",))
    )  # fmt: skip
    oms.notifications.override_template(
        "parcel_scanned", "en", subject="Scan {{ event.scan }}", text="Scanned."
    )
    return oms


def scan(oms: OMS, order: Order, name: str) -> str:
    """Record a scan for ``order``; the status of its message."""
    (message,) = oms.notifications.handle(
        ParcelScanned(order_id=order.id, scan=name, event_id=f"evt-{name}")
    )
    return oms.notifications.get(message.id).status  # as stored after delivery


def test_status_updates_beyond_the_cap_are_suppressed_with_the_reason(clock: FakeClock) -> None:
    oms = capped_world(clock, {"limit": 2, "hours": 24})
    order = make_capture(oms)({"TEE-M": 1})
    assert [scan(oms, order, s) for s in ("a", "b", "c")] == ["sent", "sent", "suppressed"]
    (third,) = oms.notifications.messages(trigger="parcel_scanned", status="suppressed")
    assert third.reason == "frequency cap: 2 status updates per order on email in 24h reached"
    assert third.subject == "Scan c"  # kept to show what was held back, never sent
    sent = oms.notifications.provider("recording").sent  # type: ignore[attr-defined]
    assert [m.subject for m in sent if m.trigger == "parcel_scanned"] == ["Scan a", "Scan b"]


def test_the_window_slides_a_message_counts_until_exactly_window_later(
    clock: FakeClock,
) -> None:
    oms = capped_world(clock, {"limit": 1, "hours": 24})
    order = make_capture(oms)({"TEE-M": 1})
    start = clock.now()
    assert scan(oms, order, "a") == "sent"
    clock.set(start + 24 * HOUR - dt.timedelta(seconds=1))
    assert scan(oms, order, "b") == "suppressed"  # a suppressed one does not count
    clock.set(start + 24 * HOUR)
    assert scan(oms, order, "c") == "sent"  # "a" has left the window
    clock.set(start + 48 * HOUR - dt.timedelta(seconds=1))
    assert scan(oms, order, "d") == "suppressed"  # "c" still in it
    clock.set(start + 48 * HOUR)
    assert scan(oms, order, "e") == "sent"


def test_transactional_and_uncapped_triggers_always_go_and_do_not_count(
    clock: FakeClock,
) -> None:
    oms = capped_world(clock, {"limit": 1, "hours": 24})
    order = make_capture(oms)({"TEE-M": 1})
    assert scan(oms, order, "a") == "sent"
    assert scan(oms, order, "b") == "suppressed"
    ship(oms, order.id)  # "shipped" is transactional
    statuses = {m.trigger: m.status for m in oms.notifications.messages(order_id=order.id)}
    assert statuses["order_confirmed"] == statuses["shipped"] == "sent"
    assert oms.notifications.table.get("pickup_reminder").capped is False
    assert oms.notifications.table.get("delivered").capped is True
    assert oms.notifications.table.get("shipped").capped is False


def test_the_cap_is_per_order_unless_it_says_per_customer(clock: FakeClock) -> None:
    per_order = capped_world(clock, {"limit": 1, "hours": 24})
    capture = make_capture(per_order)
    first, second = capture({"TEE-M": 1}), capture({"MUG-01": 1})
    assert [scan(per_order, first, "a"), scan(per_order, second, "b")] == ["sent", "sent"]

    per_customer = capped_world(clock, {"limit": 1, "hours": 24, "per": "customer"})
    capture = make_capture(per_customer)
    first, second = capture({"TEE-M": 1}), capture({"MUG-01": 1})
    assert [scan(per_customer, first, "a"), scan(per_customer, second, "b")] == [
        "sent",
        "suppressed",
    ]
    (held,) = per_customer.notifications.messages(status="suppressed")
    assert "per customer" in held.reason


def test_a_customers_own_cap_replaces_the_setting_and_none_means_no_cap(
    clock: FakeClock,
) -> None:
    oms = capped_world(clock, None)
    order = make_capture(oms)({"TEE-M": 1})
    assert [scan(oms, order, s) for s in ("a", "b", "c")] == ["sent"] * 3
    prefs = oms.notifications.set_preferences("dana@example.com", update_cap=(1, 12))
    assert prefs.update_cap == (1, 12)
    clock.set(clock.now() + 12 * HOUR)
    assert [scan(oms, order, s) for s in ("d", "e")] == ["sent", "suppressed"]
    oms.notifications.set_preferences("dana@example.com", update_cap=None)
    assert scan(oms, order, "f") == "sent"


def test_each_channel_has_its_own_count(clock: FakeClock) -> None:
    oms = capped_world(clock, {"limit": 1, "hours": 24})
    oms.customers.register("dana@example.com", name="Dana", phone="+4930901820")
    oms.notifications.configure_trigger("parcel_scanned", channels=["email", "sms"])
    order = make_capture(oms)({"TEE-M": 1})
    oms.notifications.handle(ParcelScanned(order_id=order.id, scan="a", event_id="evt-a"))
    oms.notifications.handle(ParcelScanned(order_id=order.id, scan="b", event_id="evt-b"))
    got = [(m.channel, m.status) for m in oms.notifications.messages(trigger="parcel_scanned")]
    assert sorted(got) == [("email", "sent"), ("email", "suppressed"), ("sms", "sent"),
                           ("sms", "suppressed")]  # fmt: skip


@pytest.mark.parametrize(
    ("cap", "field"),
    [
        ({"limit": 0, "hours": 24}, "notifications.frequency_cap.limit"),
        ({"limit": 2, "hours": "24"}, "notifications.frequency_cap.hours"),
        ({"limit": 2, "hours": 24, "per": "shipment"}, "notifications.frequency_cap.per"),
        ({"limit": 2}, "notifications.frequency_cap"),
        ({"limit": 2, "hours": 24, "every": 1}, "notifications.frequency_cap"),
        (3, "notifications.frequency_cap"),
    ],
)
def test_a_bad_frequency_cap_setting_is_refused_naming_the_field(
    clock: FakeClock, cap: object, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        OMS.in_memory({"notifications": {"frequency_cap": cap}}, clock=clock, autoload=False)
    assert field in str(caught.value)


def test_a_cap_on_a_must_send_trigger_or_a_bad_customer_cap_is_refused(world: OMS) -> None:
    with pytest.raises(ValidationError, match="only 'updates' triggers can be capped"):
        Trigger(name="x", event="OrderCaptured", kind="transactional", capped=True)
    for bad, field in (((0, 24), "update_cap.limit"), ((1,), "update_cap"),
                       ((1, 1.5), "update_cap.hours")):  # fmt: skip
        with pytest.raises(ValidationError) as caught:
            world.notifications.set_preferences("dana@example.com", update_cap=bad)  # type: ignore[arg-type]
        assert caught.value.field == field
    assert world.notifications.preferences("dana@example.com").history == []
