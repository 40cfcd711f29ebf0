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
