"""Events as values, the retry policy, and the clock and id ports with their fakes."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.clock import Clock, SystemClock
from omskit.events import Event, RetryPolicy
from omskit.ids import IdGenerator, RandomIds, SequentialIds
from omskit.money import Money, TaxedMoney
from omskit.testing import FakeClock

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@attrs.frozen(kw_only=True)
class ParcelWeighed(Event):
    """A test event carrying every kind of value events hold."""

    parcel: str
    price: Money
    total: TaxedMoney
    grams: Decimal
    lines: tuple[str, ...]
    labels: frozenset[str]
    extra: dict[str, Decimal]
    due: dt.date


def make_event() -> ParcelWeighed:
    return ParcelWeighed(
        parcel="P-1",
        price=Money("4.90", "EUR"),
        total=TaxedMoney(Money("10.00", "EUR"), Money("11.90", "EUR")),
        grams=Decimal("250.5"),
        lines=("L1", "L2"),
        labels=frozenset({"fragile"}),
        extra={"volume": Decimal("1.5")},
        due=dt.date(2026, 12, 1),
    )


def test_an_event_is_frozen_and_named_by_its_class() -> None:
    event = make_event()
    assert event.event_type == "ParcelWeighed"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.parcel = "P-2"  # type: ignore[misc]


def test_stamping_fills_in_id_and_time_once_then_gives_copies() -> None:
    event = make_event()
    assert (event.event_id, event.occurred_at) == ("", dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    stamped = event.stamped("evt_000001", T0)
    assert (stamped.event_id, stamped.occurred_at) == ("evt_000001", T0)
    assert stamped.parcel == event.parcel
    restamped = stamped.stamped("evt_000002", T0 + dt.timedelta(hours=1))
    assert restamped is not stamped
    assert (stamped.event_id, restamped.event_id) == ("evt_000001", "evt_000002")


def test_to_dict_is_json_ready_and_round_trips_through_json() -> None:
    data = make_event().stamped("evt_000007", T0).to_dict()
    assert json.loads(json.dumps(data)) == {
        "event_type": "ParcelWeighed",
        "event_id": "evt_000007",
        "occurred_at": "2026-11-24T09:00:00+00:00",
        "actor": "system",
        "parcel": "P-1",
        "price": {"amount": "4.90", "currency": "EUR"},
        "total": {
            "net": {"amount": "10.00", "currency": "EUR"},
            "gross": {"amount": "11.90", "currency": "EUR"},
        },
        "grams": "250.5",
        "lines": ["L1", "L2"],
        "labels": ["fragile"],
        "extra": {"volume": "1.5"},
        "due": "2026-12-01",
    }


def test_retry_policy_backs_off_exponentially_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=8, backoff_seconds=30, max_backoff_seconds=200)
    assert [policy.delay(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 200, 200]


def test_the_default_retry_policy_is_five_attempts_from_thirty_seconds() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 5
    assert policy.delay(1) == dt.timedelta(seconds=30)
    assert policy.delay(30) == dt.timedelta(hours=1)


@given(backoff=st.integers(0, 600), cap=st.integers(0, 7200), attempt=st.integers(1, 40))
def test_retry_delays_never_shrink_and_never_pass_the_cap(
    backoff: int, cap: int, attempt: int
) -> None:
    policy = RetryPolicy(max_attempts=50, backoff_seconds=backoff, max_backoff_seconds=cap)
    assert policy.delay(attempt) <= policy.delay(attempt + 1)
    assert policy.delay(attempt) <= dt.timedelta(seconds=cap)


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"backoff_seconds": -1}, {"max_backoff_seconds": -5}]
)
def test_retry_policy_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be >="):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_the_fake_clock_stands_still_until_moved() -> None:
    clock = FakeClock(T0)
    assert clock.now() == clock.now() == T0
    assert clock.advance(minutes=90) == T0 + dt.timedelta(minutes=90)
    clock.set(T0 + dt.timedelta(days=2))
    assert clock.now() == T0 + dt.timedelta(days=2)
    assert isinstance(clock, Clock)
    assert FakeClock().now() == dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)


def test_the_fake_clock_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(dt.datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock().set(dt.datetime(2026, 1, 1))  # noqa: DTZ001


def test_the_system_clock_is_timezone_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert now.utcoffset() == dt.timedelta(0)


def test_sequential_ids_count_per_prefix() -> None:
    ids = SequentialIds()
    assert [ids.new_id("ord"), ids.new_id("ord"), ids.new_id("cus")] == [
        "ord_000001",
        "ord_000002",
        "cus_000001",
    ]
    assert SequentialIds(width=3).new_id("x") == "x_001"
    assert isinstance(ids, IdGenerator)


def test_sequential_ids_stay_unique_across_threads() -> None:
    ids = SequentialIds()
    seen: list[str] = []
    lock = threading.Lock()

    def take() -> None:
        mine = [ids.new_id("evt") for _ in range(500)]
        with lock:
            seen.extend(mine)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == len(set(seen)) == 2000


def test_random_ids_carry_the_prefix_and_do_not_repeat() -> None:
    ids = RandomIds()
    made = {ids.new_id("ord") for _ in range(200)}
    assert len(made) == 200
    assert all(i.startswith("ord_") and len(i) == 36 for i in made)
