"""``oms.reports.anomalies()`` and ``tick()`` over a constructed order history.

36 days from 2026-10-26 (day 0) to 2026-11-30 (day 35, the day judged):

* web: 12 orders a day of one TEE each, then none at all on day 35 (checkout broke);
* app: 2 orders a day of one MUG each; on day 35 one order of 30 MUGs;
* BER ships app orders an hour after they are placed, except those of days 26 to 31,
  which leave 3 days late (over the 48 hour ship window), on days 29 to 34 - so the 12
  shipments of the 7 days to day 35 were all late, against 50 of 50 on time (the
  orders of days 1 to 25) in the 28 days before.

So three anomalies: web orders below forecast, MUG above it, BER's on-time rate down.
The app channel (1 order where 2 are normal) and TEE (no sales on day 35) are normal.
"""

from __future__ import annotations

import datetime as dt

import pytest

from omskit import OMS, ValidationError
from omskit.reporting import AnomalyDetected
from omskit.testing import FakeClock

from .reporting_helpers import BERLIN, ship, world

DAY0 = dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.UTC)
JUDGED = dt.date(2026, 11, 30)
CONFIG = {"notifications": {"staff": {"email": ["ops@example.com"]}}}


def capture(oms: OMS, channel: str, ref: str, lines: dict[str, int]) -> str:
    """An order from a customer of its own (many orders of one customer get held)."""
    return oms.orders.capture({
        "channel": channel, "external_id": ref, "customer": {"email": f"{ref}@example.com"},
        "ship_to": BERLIN, "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
    }).id  # fmt: skip


def build() -> tuple[OMS, FakeClock]:
    oms, clock = world(CONFIG)
    oms.inventory.receive("TEE", location="BER", quantity=1000)
    oms.inventory.receive("MUG", location="BER", quantity=1000)
    for day in range(36):
        base = DAY0 + dt.timedelta(days=day)
        for n in range(12 if day < 35 else 0):
            clock.set(base + dt.timedelta(minutes=n))
            capture(oms, "web", f"W-{day}-{n}", {"TEE": 1})
        for n in range(2 if day < 35 else 1):
            clock.set(base + dt.timedelta(hours=2, minutes=n))
            order = capture(oms, "app", f"A-{day}-{n}", {"MUG": 1 if day < 35 else 30})
            if day <= 31:
                clock.advance(hours=72 if day >= 26 else 1)
                ship(oms, order, deliver=False)
    clock.set(dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC))
    return oms, clock


@pytest.fixture(scope="module")
def history() -> tuple[OMS, FakeClock]:
    return build()


def test_the_three_known_anomalies_and_nothing_else(history: tuple[OMS, FakeClock]) -> None:
    oms, _clock = history
    found = {a.kind: a for a in oms.reports.anomalies(history_days=35)}
    assert set(found) == {"orders_below_forecast", "sku_above_forecast",
                          "on_time_rate_falling"}  # fmt: skip
    web = found["orders_below_forecast"]
    assert (web.key, web.day, web.measured) == ("web", JUDGED, 0)
    assert web.expected == pytest.approx(12, abs=0.5)
    assert web.low > 0
    mug = found["sku_above_forecast"]
    assert (mug.key, mug.measured) == ("MUG", 30)
    assert mug.expected == pytest.approx(2, abs=0.5)
    assert mug.high < 30
    late = found["on_time_rate_falling"]
    assert (late.key, late.measured, late.expected) == ("BER", 0.0, 1.0)
    assert "shipped 0 of 12 on time" in late.explanation
    assert "100.0% (50 of 50)" in late.explanation


def test_a_normal_day_raises_nothing(history: tuple[OMS, FakeClock]) -> None:
    oms, _clock = history
    assert oms.reports.anomalies("2026-11-20", history_days=21) == []


def test_tick_records_each_anomaly_once_and_staff_are_told() -> None:
    oms = build()[0]  # its own store: tick() writes
    seen: list[AnomalyDetected] = []
    oms.runtime.subscribe("test.anomalies", lambda e: seen.append(e)
                          if isinstance(e, AnomalyDetected) else None)  # fmt: skip
    first = oms.reports.tick(JUDGED, actor="nightly")
    assert len(first) == 3
    assert oms.reports.tick(JUDGED, actor="nightly") == []
    assert sorted(e.kind for e in seen) == ["on_time_rate_falling", "orders_below_forecast",
                                            "sku_above_forecast"]  # fmt: skip
    assert {e.actor for e in seen} == {"nightly"}
    messages = oms.notifications.messages(trigger="anomaly_detected")
    assert len(messages) == 3
    assert {m.recipient for m in messages} == {"ops@example.com"}
    web = next(m for m in messages if "channel web" in m.subject)
    assert web.subject == "Report anomaly: channel web: orders below forecast"
    assert "channel web had 0 orders on 2026-11-30" in web.text


def test_bad_anomaly_arguments_name_the_field(history: tuple[OMS, FakeClock]) -> None:
    oms, _clock = history
    for kwargs, field in (({"level": 1.5}, "level"), ({"history_days": 3}, "history_days"),
                          ({"window": 0}, "window"), ({"day": "soon"}, "day")):  # fmt: skip
        with pytest.raises(ValidationError, match=field):
            oms.reports.anomalies(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="actor"):
        oms.reports.tick(JUDGED, actor="")
