"""On the SQLite store: messages, preferences and timers survive a restart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from omskit import OMS
from omskit.testing import FakeClock, SequentialIds

from ..fulfillment.conftest import build_world, make_capture  # noqa: TID252
from .conftest import CONFIG, ship


def test_messages_preferences_and_timers_survive_a_restart(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    ids = SequentialIds()
    with OMS.open(url, CONFIG, clock=clock, ids=ids, autoload=False) as oms:
        build_world(oms)
        oms.notifications.set_preferences("dana@example.com", quiet_hours=("22:00", "07:00"))
        oms.notifications.provider("recording").fail_next(1)  # type: ignore[attr-defined]
        order = make_capture(oms)({"TEE-M": 1})
        (shipment_id,) = ship(oms, order.id)
        promised = oms.fulfillment.shipment(shipment_id).promised_date
        assert promised is not None
    with OMS.open(url, CONFIG, clock=clock, ids=ids, autoload=False) as again:
        failed = again.notifications.messages(order_id=order.id, status="failed")
        assert [m.trigger for m in failed] == ["order_confirmed"]
        prefs = again.notifications.preferences("dana@example.com")
        assert prefs.quiet_hours == ("22:00:00", "07:00:00")
        clock.set(dt.datetime.combine(promised + dt.timedelta(days=1), dt.time(12),
                                      tzinfo=dt.UTC))  # fmt: skip
        assert again.notifications.deliver().sent == 1
        assert again.notifications.tick() == 1  # the timer came back as its own event
        (late,) = again.notifications.messages(trigger="delay_detected")
        assert late.status == "sent"
        assert again.notifications.tick() == 0


def test_a_back_in_stock_subscription_and_a_customers_cap_survive_a_restart(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    ids = SequentialIds()
    with OMS.open(url, CONFIG, clock=clock, ids=ids, autoload=False) as oms:
        build_world(oms)
        for location in ("BER", "MUC"):
            left = oms.inventory.level("MUG-01", location).available
            oms.inventory.adjust("MUG-01", location=location, delta=-left, reason="damaged")
        sub = oms.notifications.subscribe_back_in_stock("MUG-01", email="dana@example.com")
        oms.notifications.set_preferences("dana@example.com", update_cap=(2, 24))
    with OMS.open(url, CONFIG, clock=clock, ids=ids, autoload=False) as again:
        assert again.notifications.preferences("dana@example.com").update_cap == (2, 24)
        again.inventory.receive("MUG-01", location="BER", quantity=3)
        (told,) = again.notifications.messages(trigger="back_in_stock")
        assert told.status == "sent"
        (closed,) = again.notifications.back_in_stock_subscriptions(email="dana@example.com")
        assert (closed.id, closed.status, closed.notifications) == (sub.id, "notified",
                                                                    (told.id,))  # fmt: skip
