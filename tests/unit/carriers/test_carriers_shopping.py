"""Rate shopping: cheapest, fastest, cheapest meeting a promise, and the explanation."""

from __future__ import annotations

import datetime as dt

import pytest

from omskit.carriers import NoRateAvailable, RateQuote, Rejection, choose_rate
from omskit.errors import ValidationError
from omskit.money import Money

SHIP = dt.date(2026, 11, 24)


def q(key: str, price: str, days: int, currency: str = "EUR") -> RateQuote:
    carrier, service = key.split("/")
    return RateQuote(
        carrier=carrier, service=service, service_name=service, price=Money(price, currency),
        transit_days=days, ship_date=SHIP, promised_date=SHIP + dt.timedelta(days=days),
    )  # fmt: skip


QUOTES = [q("a/eco", "4.00", 5), q("b/std", "6.00", 3), q("a/exp", "15.00", 1), q("b/x", "6.00", 2)]


@pytest.mark.parametrize(
    ("objective", "deliver_by", "chosen"),
    [
        ("cheapest", None, "a/eco"),
        ("fastest", None, "a/exp"),
        ("promise", SHIP + dt.timedelta(days=3), "b/x"),  # same price as b/std, earlier
        ("promise", SHIP + dt.timedelta(days=1), "a/exp"),
        ("cheapest", SHIP + dt.timedelta(days=2), "b/x"),  # a date filters any objective
    ],
)
def test_the_objective_decides_which_quote_wins(
    objective: str, deliver_by: dt.date | None, chosen: str
) -> None:
    choice = choose_rate(QUOTES, objective, deliver_by=deliver_by)
    assert choice.chosen.key == chosen
    assert len(choice.alternatives) + len(choice.rejected) == len(QUOTES) - 1


def test_the_explanation_names_the_choice_the_alternatives_and_the_rejections() -> None:
    choice = choose_rate(
        QUOTES, "promise", deliver_by=SHIP + dt.timedelta(days=3),
        failures=[Rejection("c", "cannot serve FR")],
    )  # fmt: skip
    text = choice.explain()
    first, *rest = text.splitlines()
    assert first.startswith("b/x chosen (cheapest quote arriving by 2026-11-27)")
    assert "alternative b/std: 6.00 EUR (+0.00 EUR)" in text
    assert "rejected a/eco: arrives 2026-11-29, after 2026-11-27" in text
    assert "rejected c: cannot serve FR" in text
    assert len(rest) == 4


def test_no_quote_meeting_the_promise_is_an_error_listing_why() -> None:
    with pytest.raises(NoRateAvailable) as info:
        choose_rate(QUOTES, "promise", deliver_by=SHIP)
    assert len(info.value.reasons) == 4
    with pytest.raises(NoRateAvailable, match="no carrier returned a quote"):
        choose_rate([], "cheapest")


@pytest.mark.parametrize(
    ("objective", "deliver_by", "field"),
    [("slowest", None, "objective"), ("promise", None, "deliver_by")],
)
def test_bad_objectives_are_refused(objective: str, deliver_by: None, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        choose_rate(QUOTES, objective, deliver_by=deliver_by)
    assert info.value.field == field


def test_quotes_in_two_currencies_are_not_compared_silently() -> None:
    with pytest.raises(ValidationError, match="one currency"):
        choose_rate([q("a/x", "5.00", 2), q("b/y", "5.00", 2, "USD")])
