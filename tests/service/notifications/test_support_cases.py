"""Support cases: linked to orders, a thread, assignment, a status table, SLAs, timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit import OMS, InvalidTransition, NotFound, ValidationError
from omskit.notifications.support import CASE_MOVES, CASE_STATUSES, SupportCase
from omskit.testing import FakeClock

from .conftest import Capture, recorder, ship

AT = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def test_where_is_my_order_is_answered_from_one_timeline(
    world: OMS, capture: Capture, clock: FakeClock
) -> None:
    order = capture({"TEE-M": 1})
    (shipment_id,) = ship(world, order.id)
    clock.advance(hours=2)
    case = world.support.open(
        "Where is my order?", customer="dana@example.com", order_id=order.id,
        shipment_id=shipment_id, message="It has been two hours!", priority=2,
    )  # fmt: skip
    assert (case.status, case.opened_by, case.due_at) == (
        "open",
        "dana@example.com",
        clock.now() + dt.timedelta(hours=8),
    )
    world.support.assign(case.id, "agent-7", actor="lead")
    clock.advance(minutes=20)
    world.support.add_message(case.id, "Customer is anxious", author="agent-7", internal=True)
    answered = world.support.add_message(case.id, "It is on its way.", author="agent-7")
    assert answered.first_response_at == clock.now()
    (reply,) = world.notifications.messages(trigger="case_updated")
    assert (reply.recipient, reply.status) == ("dana@example.com", "sent")
    assert "It is on its way." in reply.text
    assert case.id in reply.subject
    assert "anxious" not in "".join(m.text for m in recorder(world).sent)
    timeline = world.support.timeline(case.id)
    sources = [i.source for i in timeline.items]
    assert {"order", "shipment", "notification", "case", "customer", "agent"} <= set(sources)
    assert "agent (internal)" in sources
    assert [i.at for i in timeline.items] == sorted(i.at for i in timeline.items)
    assert "shipped email sent" in timeline.explain()


def test_a_case_moves_along_its_table_and_the_customer_reopens_it(world: OMS) -> None:
    case = world.support.open("Wrong size", customer="dana@example.com")
    world.support.transition(case.id, "wait_on_customer", actor="agent-7")
    resumed = world.support.add_message(case.id, "Size M please", author="dana@example.com",
                                        author_kind="customer")  # fmt: skip
    assert resumed.status == "open"
    world.support.transition(case.id, "resolve", actor="agent-7", note="exchanged")
    closed = world.support.transition(case.id, "close", actor="agent-7")
    with pytest.raises(InvalidTransition, match=r"cannot resolve case .* status is 'closed'"):
        world.support.transition(case.id, "resolve")
    assert closed.status == "closed"
    again = world.support.add_message(case.id, "Still wrong", author="dana@example.com",
                                      author_kind="customer")  # fmt: skip
    assert again.status == "open"
    assert [(s.previous, s.status) for s in again.history] == [
        ("open", "waiting_on_customer"), ("waiting_on_customer", "open"),
        ("open", "resolved"), ("resolved", "closed"), ("closed", "open"),
    ]  # fmt: skip


def test_overdue_cases_are_those_still_active_past_their_sla(world: OMS, clock: FakeClock) -> None:
    urgent = world.support.open("Charged twice", customer="dana@example.com", priority=3)
    low = world.support.open("A question", customer="dana@example.com", priority=0)
    clock.advance(hours=3)
    assert [c.id for c in world.support.overdue()] == [urgent.id]
    world.support.transition(urgent.id, "resolve")
    assert world.support.overdue() == []
    clock.advance(days=3)
    assert [c.id for c in world.support.overdue()] == [low.id]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"customer": "not-an-email"}, "customer"),
        ({"channel": "pigeon"}, "channel"),
        ({"priority": 7}, "priority"),
        ({"line_id": "L1"}, "order_id"),
    ],
)
def test_a_bad_case_is_refused_naming_the_field_and_nothing_is_stored(
    world: OMS, fields: dict[str, object], field: str
) -> None:
    base: dict[str, object] = {"subject": "Help", "customer": "dana@example.com"}
    args = {**base, **fields}
    with pytest.raises(ValidationError) as caught:
        world.support.open(args.pop("subject"), **args)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert world.support.cases() == []


def test_a_case_must_link_the_customers_own_order_and_its_lines(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 1})
    with pytest.raises(ValidationError, match=r"order_id: .*not an order of eve@example\.com"):
        world.support.open("Mine?", customer="eve@example.com", order_id=order.id)
    with pytest.raises(ValidationError, match="line_id: got 'L9'"):
        world.support.open("Line", customer="dana@example.com", order_id=order.id, line_id="L9")
    with pytest.raises(NotFound):
        world.support.open("Ghost", customer="dana@example.com", order_id="ord_999")
    ok = world.support.open("Line", customer="dana@example.com", order_id=order.id,
                            line_id="L1")  # fmt: skip
    assert (
        world.support.cases(order_id=order.id) == [ok]
        or world.support.cases(order_id=order.id)[0].id == ok.id
    )


def test_a_customer_cannot_write_an_internal_note(world: OMS) -> None:
    case = world.support.open("Help", customer="dana@example.com")
    with pytest.raises(ValidationError, match="internal"):
        world.support.add_message(case.id, "psst", author="dana@example.com",
                                  author_kind="customer", internal=True)  # fmt: skip
    assert world.support.get(case.id).messages == []


@given(st.lists(st.sampled_from(sorted(CASE_MOVES)), max_size=15))
def test_a_case_only_moves_along_the_table(actions: list[str]) -> None:
    case = SupportCase(id="case-1", subject="s", customer="d@example.com", opened_at=AT,
                       due_at=AT, opened_by="d@example.com")  # fmt: skip
    for action in actions:
        froms, target = CASE_MOVES[action]
        before = case.status
        if before in froms:
            case.move(action, AT, "agent")
            assert case.status == target
        else:
            with pytest.raises(InvalidTransition):
                case.move(action, AT, "agent")
            assert case.status == before
        assert case.status in CASE_STATUSES


def test_who_added_a_message_is_recorded_apart_from_who_wrote_it(world: OMS) -> None:
    seen: list[object] = []
    world.events.subscribe("messages", seen.append)
    case = world.support.open("Help", customer="dana@example.com")
    world.support.add_message(case.id, "Size M please", author="dana@example.com",
                              author_kind="customer", actor="connector:mail")  # fmt: skip
    (added,) = [e for e in seen if type(e).__name__ == "SupportMessageAdded"]
    assert (added.author, added.actor) == ("dana@example.com", "connector:mail")  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="actor"):
        world.support.add_message(case.id, "again", author="agent-7", actor="")
    assert len(world.support.get(case.id).messages) == 1
