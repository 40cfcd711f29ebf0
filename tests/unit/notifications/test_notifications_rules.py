"""Pure rules: the status table, preferences, quiet hours across time zones and DST."""

from __future__ import annotations

import copy
import datetime as dt
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit import InvalidTransition, ValidationError
from omskit.events import Event
from omskit.notifications.model import MOVES, STATUSES, Notification
from omskit.notifications.preferences import Preferences, allows, quiet_until
from omskit.notifications.templates import is_rtl, locale_chain
from omskit.notifications.triggers import KINDS, Trigger, TriggerTable

AT = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def message(status: str = "queued") -> Notification:
    return Notification(
        id="ntf-1", key="k", trigger="shipped", topic="shipping", kind="transactional",
        channel="email", recipient="dana@example.com", event_id="evt-1",
        event_type="OrderShipped", created_at=AT, not_before=AT, status=status,
    )  # fmt: skip


@given(st.lists(st.sampled_from(sorted(MOVES)), max_size=12))
def test_a_message_only_moves_along_the_table(actions: list[str]) -> None:
    record = message()
    for action in actions:
        allowed, target = MOVES[action]
        before = record.status
        if before in allowed:
            record.move(action, AT)
            assert record.status == target
        else:
            with pytest.raises(InvalidTransition, match=f"cannot {action} notification"):
                record.move(action, AT)
            assert record.status == before
    assert record.status in STATUSES
    assert len(record.history) == sum(1 for _ in record.history)


def test_sent_and_suppressed_messages_are_final() -> None:
    for status in ("sent", "suppressed"):
        for action in MOVES:
            with pytest.raises(InvalidTransition):
                message(status).move(action, AT)


entries = st.frozensets(
    st.builds(
        lambda t, c: f"{t}:{c}",
        st.sampled_from(["updates", "back_in_stock", "shipping", "*"]),
        st.sampled_from(["email", "sms", "*"]),
    )
)


@given(entries, entries, st.sampled_from(KINDS),
       st.sampled_from(["updates", "back_in_stock", "shipping"]),
       st.sampled_from(["email", "sms"]))  # fmt: skip
def test_preferences_are_respected(
    opted_out: frozenset[str], opted_in: frozenset[str], kind: str, topic: str, channel: str
) -> None:
    prefs = Preferences(id="dana@example.com", opted_out=opted_out, opted_in=opted_in)
    ok, why = allows(prefs, kind, topic, channel)
    matching = {f"{topic}:{channel}", f"{topic}:*", f"*:{channel}", "*:*"}
    if kind in ("transactional", "staff"):
        assert ok  # always on
    elif opted_out & matching:
        assert not ok
        assert "opted out" in why
    elif kind == "marketing":
        assert ok == bool(opted_in & {f"{topic}:{channel}", f"{topic}:*"})
    else:
        assert ok
    assert ok == (why == "")


def test_without_preferences_marketing_needs_an_opt_in_and_updates_go() -> None:
    assert allows(None, "marketing", "back_in_stock", "email")[0] is False
    assert allows(None, "updates", "updates", "email") == (True, "")


NIGHT = (dt.time(22, 0), dt.time(7, 0))


@pytest.mark.parametrize(
    ("now_local", "zone", "end_local"),
    [
        # New York leaves daylight saving time at 02:00 on 2026-11-01: a 25-hour night
        ((2026, 10, 31, 23, 30), "America/New_York", (2026, 11, 1, 7, 0)),
        # and enters it at 02:00 on 2026-03-08: a 23-hour night
        ((2026, 3, 7, 23, 30), "America/New_York", (2026, 3, 8, 7, 0)),
        # Jerusalem leaves it on 2026-10-25
        ((2026, 10, 25, 1, 0), "Asia/Jerusalem", (2026, 10, 25, 7, 0)),
        ((2026, 11, 24, 22, 0), "Asia/Tokyo", (2026, 11, 25, 7, 0)),
    ],
)
def test_quiet_hours_end_at_the_local_wall_clock_time_whatever_dst_does(
    now_local: tuple[int, ...], zone: str, end_local: tuple[int, ...]
) -> None:
    tz = ZoneInfo(zone)
    now = dt.datetime(*now_local, tzinfo=tz).astimezone(dt.UTC)
    until = quiet_until(now, zone, NIGHT)
    assert until is not None
    end = dt.datetime(*end_local, tzinfo=tz)
    assert until.astimezone(tz).timetuple()[:5] == end_local
    assert until == end.astimezone(dt.UTC)


def test_the_new_york_autumn_night_is_25_hours_long_in_utc() -> None:
    tz = ZoneInfo("America/New_York")
    start = dt.datetime(2026, 10, 31, 22, 0, tzinfo=tz)
    until = quiet_until(start.astimezone(dt.UTC), "America/New_York", NIGHT)
    assert until is not None
    assert until - start == dt.timedelta(hours=10)


@given(
    st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31),  # noqa: DTZ001
                 timezones=st.just(dt.UTC)),
    st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Jerusalem",
                     "Australia/Lord_Howe", "Pacific/Chatham"]),
    st.times(), st.times(),
)  # fmt: skip
def test_a_deferred_message_waits_until_the_window_ends_and_no_longer(
    now: dt.datetime, zone: str, start: dt.time, end: dt.time
) -> None:
    until = quiet_until(now, zone, (start, end))
    if until is None:
        return
    assert until > now
    assert until - now <= dt.timedelta(hours=25, minutes=1)
    local_end = until.astimezone(ZoneInfo(zone)).time()
    # the wall clock reads the window's end (unless that time does not exist that day)
    gap = dt.datetime.combine(until.date(), end, tzinfo=ZoneInfo(zone))
    assert local_end == end or gap.utcoffset() != gap.replace(fold=1).utcoffset()


def test_quiet_hours_outside_the_window_send_at_once() -> None:
    noon = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
    assert quiet_until(noon, "Europe/Berlin", NIGHT) is None
    assert quiet_until(noon, "Europe/Berlin", None) is None


def test_the_locale_chain_goes_from_region_to_language_to_the_default() -> None:
    assert locale_chain("he_IL", "en") == ["he_IL", "he", "en"]
    assert locale_chain("de-CH", "en_GB") == ["de_CH", "de", "en_GB", "en"]
    assert locale_chain("en", "en") == ["en"]
    assert is_rtl("ar_EG")
    assert is_rtl("he")
    assert not is_rtl("en_US")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "shipped!"}, "name"),
        ({"kind": "spam"}, "kind"),
        ({"channels": "email"}, "channels"),
        ({"channels": []}, "channels"),
        ({"when": ["status"]}, "when"),
    ],
)
def test_a_bad_trigger_is_refused_naming_the_field(fields: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"name": "gift_wrapped", "event": "ItemsPacked",
                               "kind": "updates"}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        Trigger(**{**base, **fields})  # type: ignore[arg-type]
    assert caught.value.field == field


@given(
    st.lists(st.sampled_from(sorted(MOVES)), max_size=8),
    st.integers(min_value=0, max_value=5),
    st.text(max_size=20),
    st.sampled_from(STATUSES),
)
def test_a_message_clone_equals_the_generic_deep_copy(
    actions: list[str], version: int, note: str, status: str
) -> None:
    record = message(status)
    record.version, record.last_error, record.subject = version, note, note
    for action in actions:
        if record.status in MOVES[action][0]:
            record.move(action, AT, note)
    record.record(Event())
    plain = copy.deepcopy(record)
    plain._events = []
    fast = record.clone()
    assert attrs.asdict(fast, recurse=False) == attrs.asdict(plain, recurse=False)
    assert fast._events == []
    assert len(record._events) == 1  # pending events stay with the original
    fast.history.append(fast.history[0] if fast.history else None)  # type: ignore[arg-type]
    assert len(record.history) == len(plain.history)  # the copy has its own history


_EVENT_TYPES = ("OrderCaptured", "OrderShipped", "StockReserved", "Nothing")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(_EVENT_TYPES[:3]),
            st.booleans(),
            st.sampled_from([None, ("a",), ("a", "b")]),
        ),
        max_size=8,
    ),
    st.lists(st.integers(min_value=0, max_value=7), max_size=3),
    st.sampled_from(_EVENT_TYPES),
    st.sampled_from(["a", "b", "c"]),
)
def test_a_trigger_table_matches_what_asking_every_trigger_would(
    rows: list[tuple[str, bool, tuple[str, ...] | None]],
    replaced: list[int],
    event_type: str,
    status: str,
) -> None:
    def trigger(i: int, event: str, enabled: bool, when: tuple[str, ...] | None) -> Trigger:
        return Trigger(name=f"t{i}", event=event, kind="transactional", enabled=enabled,
                       when={"status": when} if when else {})  # fmt: skip

    table = TriggerTable(trigger(i, *row) for i, row in enumerate(rows))
    event: Any = SimpleNamespace(event_type=event_type, status=status)
    table.matching(event)  # the index is built; a later add must not go unseen
    for i in replaced:
        if i < len(rows):
            table.add(trigger(i, _EVENT_TYPES[i % 3], True, None), replace=True)
    plain = [t for t in table.rows() if t.matches(event)]
    assert table.matching(event) == plain
