"""Pure parts of returns: cumulative unit shares, the transition table, reasons, policy."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit import InvalidTransition, ValidationError
from omskit.money import Money, minor_unit
from omskit.returns import RMA_STATUSES, RMA_TRANSITIONS, ReasonTree, ReturnSettings, unit_share
from omskit.returns.lifecycle import TERMINAL, next_status
from omskit.testing import money


@given(money(), st.integers(1, 60), st.data())
def test_unit_shares_of_any_sequence_of_returns_add_up_to_the_line_exactly(
    amount: Money, units: int, data: st.DataObject
) -> None:
    parts = []
    done = 0
    while done < units:
        take = data.draw(st.integers(1, units - done))
        parts.append(unit_share(amount, done + take, units) - unit_share(amount, done, units))
        done += take
    assert sum(parts, Money.zero(amount.currency)) == amount
    unit = minor_unit(amount.currency)
    for part in parts:
        assert part.amount >= 0
        assert part.amount == part.amount.quantize(unit)


@given(money(), st.integers(1, 60), st.integers(0, 60))
def test_a_unit_share_is_within_one_minor_unit_of_the_exact_share(
    amount: Money, units: int, k: int
) -> None:
    k = min(k, units)
    exact = amount.amount * k / units
    assert abs(unit_share(amount, k, units).amount - exact) <= minor_unit(amount.currency) / 2


def test_the_table_names_every_status_and_only_known_targets() -> None:
    assert set(RMA_TRANSITIONS) == set(RMA_STATUSES)
    for moves in RMA_TRANSITIONS.values():
        assert set(moves.values()) <= set(RMA_STATUSES)
    assert {"rejected", "closed", "cancelled", "expired"} == TERMINAL


@given(st.sampled_from(RMA_STATUSES), st.sampled_from(sorted(
    {a for moves in RMA_TRANSITIONS.values() for a in moves})))  # fmt: skip
def test_next_status_follows_the_table_or_refuses_naming_where_it_is_allowed(
    status: str, action: str
) -> None:
    target = RMA_TRANSITIONS[status].get(action)
    if target is not None:
        assert next_status("return R", status, action) == target
        return
    with pytest.raises(InvalidTransition) as caught:
        next_status("return R", status, action)
    assert caught.value.state == status
    assert set(caught.value.allowed_from) == {
        s for s, moves in RMA_TRANSITIONS.items() if action in moves
    }


def test_reasons_nest_and_children_inherit_our_fault() -> None:
    tree = ReasonTree.parse([
        {"code": "quality", "label": "Quality", "our_fault": True,
         "children": [{"code": "scratched", "label": "Scratched"}]},
        {"code": "unwanted"},
    ])  # fmt: skip
    assert tree.codes() == ["quality", "scratched", "unwanted"]
    assert tree.get("scratched").parent == "quality"
    assert tree.get("scratched").our_fault
    assert not tree.get("unwanted").our_fault
    with pytest.raises(
        ValidationError, match=r"returns.reasons\[0\].children: got 'x'; expected a list"
    ):
        ReasonTree.parse([{"code": "a", "children": "x"}])


def test_a_policy_is_composed_defaults_then_channel_then_category() -> None:
    settings = ReturnSettings.from_mapping({
        "window_days": 30, "restocking_fee_percent": "5",
        "channels": {"outlet": {"window_days": 14, "restocking_fee_percent": "15"}},
        "categories": {"hygiene": {"window_days": 0}},
    })  # fmt: skip
    assert settings.policy("web").window_days == 30
    outlet = settings.policy("outlet")
    assert (outlet.window_days, str(outlet.restocking_fee_percent)) == (14, "15")
    assert settings.policy("outlet", "hygiene").window_days == 0
    assert str(settings.policy("outlet", "hygiene").restocking_fee_percent) == "15"


def test_a_holiday_extension_only_moves_the_deadline_later() -> None:
    policy = ReturnSettings.from_mapping({"window_days": 30, "holiday": {
        "from": "2026-11-20", "to": "2026-12-24", "until": "2027-01-31"}}).default  # fmt: skip
    inside = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    outside = dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC)
    assert policy.deadline(inside).date() == dt.date(2027, 1, 31)
    assert policy.deadline(outside).date() == dt.date(2026, 10, 31)
