"""Rate shopping: pick a quote by an objective and say why.

Objectives:

* ``cheapest`` - the lowest price (ties: earliest arrival, then name);
* ``fastest`` - the earliest promised date (ties: lowest price, then name);
* ``promise`` - the cheapest quote arriving on or before ``deliver_by``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from omskit.carriers.errors import NoRateAvailable
from omskit.carriers.model import RateQuote
from omskit.errors import ValidationError

__all__ = ["OBJECTIVES", "RateChoice", "Rejection", "choose_rate"]

OBJECTIVES = ("cheapest", "fastest", "promise")


@attrs.frozen
class Rejection:
    """A quote (or a whole carrier) left out, and why."""

    key: str
    reason: str


@attrs.frozen
class RateChoice:
    """The chosen quote, the ranked alternatives and what was left out."""

    objective: str
    chosen: RateQuote
    alternatives: tuple[RateQuote, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    deliver_by: dt.date | None = None

    def explain(self) -> str:
        """A few readable lines: the choice, why, and every alternative."""
        c = self.chosen
        why = {
            "cheapest": f"cheapest of {1 + len(self.alternatives)} quote(s)",
            "fastest": f"earliest arrival of {1 + len(self.alternatives)} quote(s)",
            "promise": f"cheapest quote arriving by {self.deliver_by}",
        }[self.objective]
        lines = [f"{c.key} chosen ({why}): {c.price}, arrives {c.promised_date}"]
        for alt in self.alternatives:
            diff = alt.price - c.price
            days = (alt.promised_date - c.promised_date).days
            lines.append(
                f"  alternative {alt.key}: {alt.price} ({_signed(diff.amount)} {diff.currency}),"
                f" arrives {alt.promised_date} ({days:+d} day(s))"
            )
        lines.extend(f"  rejected {r.key}: {r.reason}" for r in self.rejected)
        return "\n".join(lines)


def _signed(amount: object) -> str:
    text = str(amount)
    return text if text.startswith("-") else f"+{text}"


def choose_rate(
    quotes: Iterable[RateQuote],
    objective: str = "cheapest",
    *,
    deliver_by: dt.date | None = None,
    failures: Iterable[Rejection] = (),
) -> RateChoice:
    """Choose among ``quotes`` (all in one currency) by ``objective``.

    ``failures`` are carriers that returned no quote; they are listed in the explanation.

    Raises:
        ValidationError: an unknown objective, or ``promise`` without ``deliver_by``.
        NoRateAvailable: no quote, or none arriving by ``deliver_by``.
    """
    if objective not in OBJECTIVES:
        raise ValidationError("objective", objective, f"one of {', '.join(OBJECTIVES)}")
    if objective == "promise" and deliver_by is None:
        raise ValidationError("deliver_by", None, "objective 'promise' needs a delivery date")
    rejected = list(failures)
    eligible: list[RateQuote] = []
    for q in quotes:
        if deliver_by is not None and q.promised_date > deliver_by:
            rejected.append(Rejection(q.key, f"arrives {q.promised_date}, after {deliver_by}"))
        else:
            eligible.append(q)
    if not eligible:
        raise NoRateAvailable(objective, [f"{r.key}: {r.reason}" for r in rejected])
    if objective == "fastest":
        eligible.sort(key=lambda q: (q.promised_date, q.price.amount, q.key))
    else:
        eligible.sort(key=lambda q: (q.price.amount, q.promised_date, q.key))
    currencies = {q.price.currency for q in eligible}
    if len(currencies) > 1:
        raise ValidationError(
            "quotes", sorted(currencies), "convert quotes to one currency before comparing"
        )
    return RateChoice(objective, eligible[0], tuple(eligible[1:]), tuple(rejected), deliver_by)
