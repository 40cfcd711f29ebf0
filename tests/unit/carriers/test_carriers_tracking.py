"""Tracking: normalisation, the merge rule, order independence, the sandbox timeline."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.carriers import (
    SCENARIOS,
    STATUSES,
    Label,
    ParcelSpec,
    RateRequest,
    SandboxCarrier,
    TableRateCarrier,
    TrackingEvent,
    combine_statuses,
    status_of,
)
from omskit.carriers.base import luhn_digit, s10_digit
from omskit.carriers.tracking import is_delivered, is_shipped, merge_events
from omskit.customers.address import Address
from omskit.errors import ValidationError

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
T0 = NOW
BERLIN = Address(country="DE", line1="Lager 1", city="Berlin", postal_code="10115")
PARIS = Address(country="FR", line1="1 rue X", city="Paris", postal_code="75001", name="Ann")

events_st = st.builds(
    TrackingEvent,
    at=st.integers(0, 200).map(lambda h: T0 + dt.timedelta(hours=h)),
    status=st.sampled_from(STATUSES),
    code=st.sampled_from(("A", "B")),
    location=st.sampled_from(("", "Hub")),
)


def apply_in_order(batches: list[list[TrackingEvent]]) -> tuple[tuple[TrackingEvent, ...], str]:
    known: tuple[TrackingEvent, ...] = ()
    for batch in batches:
        known, _new = merge_events(known, batch)
    return known, status_of(known)


@given(st.lists(events_st, max_size=12), st.data())
def test_tracking_events_in_any_order_or_twice_leave_the_same_final_state(
    events: list[TrackingEvent], data: st.DataObject
) -> None:
    reference = apply_in_order([[e] for e in events])
    shuffled = data.draw(st.permutations(events))
    doubled = data.draw(st.permutations(events + events[: len(events) // 2]))
    chunks = data.draw(st.lists(st.integers(0, max(len(doubled), 1)), max_size=3))
    cuts = sorted({0, len(doubled), *(min(c, len(doubled)) for c in chunks)})
    batches = [doubled[a:b] for a, b in itertools.pairwise(cuts)]
    assert apply_in_order([[e] for e in shuffled]) == reference
    assert apply_in_order(batches) == reference
    assert is_shipped(reference[0]) is is_shipped(shuffled)
    assert is_delivered(reference[0]) is is_delivered(doubled)


@given(st.lists(events_st, min_size=1, max_size=10))
def test_a_delivery_scan_always_decides_the_status(events: list[TrackingEvent]) -> None:
    delivered = TrackingEvent(at=T0, status="delivered", code="D")
    assert status_of([*events, delivered]) == "delivered"


def test_the_latest_event_wins_outside_the_terminal_statuses() -> None:
    early = TrackingEvent(at=T0, status="in_transit", code="IT")
    late = TrackingEvent(at=T0 + dt.timedelta(hours=5), status="delayed", code="DL")
    later = TrackingEvent(at=T0 + dt.timedelta(hours=9), status="out_for_delivery", code="O")
    assert status_of([late, early]) == "delayed"
    assert status_of([later, early, late]) == "out_for_delivery"
    assert status_of([]) == "label_purchased"


@pytest.mark.parametrize(
    ("statuses", "combined"),
    [
        (["delivered", "delivered"], "delivered"),
        (["delivered", "out_for_delivery"], "out_for_delivery"),
        (["in_transit", "handed_over"], "handed_over"),
        (["in_transit", "delayed"], "delayed"),
        (["failed_attempt", "lost", "delivered"], "lost"),
        ([], "label_purchased"),
    ],
)
def test_a_multi_parcel_shipment_shows_its_slowest_or_worst_parcel(
    statuses: list[str], combined: str
) -> None:
    assert combine_statuses(statuses) == combined


def test_check_digits_follow_the_s10_and_luhn_rules() -> None:
    assert s10_digit("47312482") == 9  # the UPU's worked example RR473124829GB
    assert luhn_digit("7992739871") == 3


@pytest.fixture
def sandbox() -> SandboxCarrier:
    return SandboxCarrier.create()


def label_for(carrier: SandboxCarrier, scenario: str = "delivered", ref: str = "shp_1") -> Label:
    req = RateRequest(BERLIN, PARIS, (ParcelSpec(1200),))
    (label,) = carrier.buy_label(
        req, "standard", reference=ref, now=NOW, options=(("scenario", scenario),)
    )
    return label


def test_sandbox_tracking_numbers_are_deterministic_with_a_valid_check_digit(
    sandbox: SandboxCarrier,
) -> None:
    a, b, c = (label_for(sandbox, ref=r) for r in ("shp_1", "shp_1", "shp_2"))
    number = a.tracking_number
    assert number == b.tracking_number
    assert number != c.tracking_number
    assert number.startswith("SB")
    assert number.endswith("DE")
    assert len(number) == 13
    assert int(number[10]) == s10_digit(number[2:10])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_sandbox_scenario_ends_in_its_own_status(
    sandbox: SandboxCarrier, scenario: str
) -> None:
    label = label_for(sandbox, scenario)
    events = sandbox.scripted_events(label)
    expected = "delivered" if scenario in ("delivered", "delayed", "failed_attempt") else scenario
    assert status_of(events) == expected
    assert events[0].status == "label_purchased"
    assert [e.at for e in events] == sorted(e.at for e in events)


def test_sandbox_pull_tracking_shows_only_what_has_happened(sandbox: SandboxCarrier) -> None:
    label = label_for(sandbox)
    assert [e.code for e in sandbox.track(label, NOW)] == ["CRE"]
    later = sandbox.track(label, NOW + dt.timedelta(days=1))
    assert [e.code for e in later] == ["CRE", "ACC", "TRN"]


def test_sandbox_webhooks_round_trip_through_the_parser(sandbox: SandboxCarrier) -> None:
    label = label_for(sandbox, "failed_attempt")
    payloads = sandbox.webhook_payloads(label)
    parsed = [u.event for p in payloads for u in sandbox.parse_webhook(p)]
    assert tuple(parsed) == sandbox.scripted_events(label)


def test_an_unknown_scenario_is_refused(sandbox: SandboxCarrier) -> None:
    with pytest.raises(ValidationError, match="scenario"):
        label_for(sandbox, "teleported")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"event": {}}, "payload.tracking_number"),
        ({"tracking_number": "X"}, "payload.event"),
        ({"tracking_number": "X", "event": {"code": "ZZZ", "time": "2026-11-24T10:00:00Z"}},
         "payload.event.code"),
        ({"tracking_number": "X", "event": {"code": "DLV", "time": "yesterday"}},
         "payload.event.time"),
        ({"tracking_number": "X", "event": {"code": "DLV", "time": "2026-11-24T10:00:00"}},
         "payload.event.time"),
        ({"tracking_number": "X", "events": [{"code": "DLV", "time": "2026-11-24T10:00Z"}, 7]},
         "payload.events[1]"),
    ],
)  # fmt: skip
def test_malformed_sandbox_payloads_name_the_field(
    sandbox: SandboxCarrier, payload: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        sandbox.parse_webhook(payload)
    assert field in {p.field for p in info.value.problems}


def test_table_rate_webhooks_normalise_checkpoints() -> None:
    carrier = TableRateCarrier.from_mapping(None)
    payload = {
        "msg": {
            "tracking_number": "TR1",
            "checkpoints": [
                {"tag": "Delivered", "checkpoint_time": "2026-11-26T11:00:00+01:00",
                 "location": "Paris", "message": "Signed by ANN"},
                {"tag": "PickedUp", "checkpoint_time": "2026-11-24T12:00:00Z"},
            ],
        }
    }  # fmt: skip
    updates = carrier.parse_webhook(payload)
    assert [u.event.status for u in updates] == ["delivered", "handed_over"]
    assert updates[0].event.at == dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    assert {u.tracking_number for u in updates} == {"TR1"}
    with pytest.raises(ValidationError):
        carrier.parse_webhook({"msg": {"tracking_number": "TR1", "checkpoints": "nope"}})
