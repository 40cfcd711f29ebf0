"""Risk and fraud checks: scored signals with reasons, and the outcome they add up to.

Built-in rules (thresholds in the ``orders.risk`` settings, see
[`RiskSettings`][]):

* ``high_value`` - the order total reaches the currency's threshold;
* ``country_mismatch`` - billing and shipping countries differ;
* ``velocity_email`` / ``velocity_card`` / ``velocity_address`` - more than
  ``velocity_limit`` orders from one email, card or delivery address within the window;
* ``high_risk_destination`` - shipping to a country listed as high-risk;
* ``first_order_high_value`` - a customer's first order, and a large one.

Hosts add signals through the ``omskit_risk_checks`` hook. The scores add up: from
``hold_at`` the order is held for review, from ``reject_at`` it is rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from omskit.errors import PluginError
from omskit.orders.model import Order
from omskit.orders.settings import RiskSettings
from omskit.orders.storage import address_key, day_of, email_key
from omskit.storage.ports import Repository

__all__ = ["Outcome", "RiskAssessment", "RiskFacts", "RiskSignal", "assess", "gather_facts"]

Outcome = Literal["approve", "hold", "reject"]


@attrs.frozen
class RiskSignal:
    """One reason to doubt an order: which ``rule``, how much (``score``) and why."""

    rule: str
    score: int
    reason: str

    @classmethod
    def coerce(cls, value: Any, source: str) -> RiskSignal:
        """Accept a ``RiskSignal``, a mapping or a ``(rule, score, reason)`` tuple."""
        if isinstance(value, RiskSignal):
            return value
        try:
            if isinstance(value, Mapping):
                rule, score, reason = value["rule"], value["score"], value.get("reason", "")
            else:
                rule, score, reason = value
        except (KeyError, TypeError, ValueError):
            raise PluginError(
                f"{source} returned {value!r}; expected a RiskSignal, a mapping with "
                "'rule', 'score', 'reason', or a (rule, score, reason) tuple"
            ) from None
        if isinstance(score, bool) or not isinstance(score, int):
            raise PluginError(f"{source} returned score {score!r} for {rule!r}; expected an int")
        return cls(str(rule), score, str(reason))


@attrs.frozen
class RiskAssessment:
    """The signals found for an order, their total and the outcome."""

    score: int
    outcome: Outcome
    signals: tuple[RiskSignal, ...] = ()
    hold_at: int = 50
    reject_at: int = 100

    def explain(self) -> str:
        """A readable account: the outcome, then one line per signal."""
        head = f"{self.outcome} (score {self.score}; hold at {self.hold_at}, reject at "
        head += f"{self.reject_at})"
        return "\n".join([head, *(f"  +{s.score:<3} {s.rule}: {s.reason}" for s in self.signals)])


@attrs.frozen
class RiskFacts:
    """What the rules know besides the order: recent orders by email, card and address.

    Counts are of *other* stored orders within the velocity window; ``previous_orders``
    is ``None`` when it was not needed (the order is below the first-order threshold).
    """

    window_hours: int
    email_orders: int
    card_orders: int
    address_orders: int
    previous_orders: int | None

    def as_context(self) -> Mapping[str, Any]:
        """The facts as the read-only mapping given to ``omskit_risk_checks``."""
        return {  # what attrs.asdict gives, without its per-call introspection
            "window_hours": self.window_hours,
            "email_orders": self.email_orders,
            "card_orders": self.card_orders,
            "address_orders": self.address_orders,
            "previous_orders": self.previous_orders,
        }


def _recent(orders: Repository[Order], index: str, key: Any, since: dt.datetime,
            days: list[dt.date]) -> int:  # fmt: skip
    # views: counting looks only, so past orders are not copied
    return sum(
        1 for day in days for o in orders.list_view(index, (key, day)) if o.created_at >= since
    )


def gather_facts(
    orders: Repository[Order], order: Order, settings: RiskSettings, now: dt.datetime
) -> RiskFacts:
    """Count recent orders through the day-bucketed indexes (cost independent of store size)."""
    since = now - dt.timedelta(hours=settings.velocity_window_hours)
    days = []
    day = day_of(since)
    while day <= day_of(now):
        days.append(day)
        day += dt.timedelta(days=1)
    email = email_key(order.customer_email)
    previous = None
    threshold = settings.first_order_value.get(order.currency)
    if threshold is not None and order.due.amount >= threshold:
        previous = len(orders.list_view("customer", email))
    return RiskFacts(
        window_hours=settings.velocity_window_hours,
        email_orders=_recent(orders, "email_day", email, since, days),
        card_orders=(
            _recent(orders, "card_day", order.card_fingerprint, since, days)
            if order.card_fingerprint else 0
        ),
        address_orders=_recent(orders, "address_day", address_key(order.ship_to), since, days),
        previous_orders=previous,
    )  # fmt: skip


def builtin_signals(order: Order, facts: RiskFacts, settings: RiskSettings) -> list[RiskSignal]:
    """The built-in rules' signals for ``order``."""
    found: list[RiskSignal] = []
    due = order.due
    limit = settings.high_value.get(order.currency)
    if limit is not None and due.amount >= limit:
        found.append(
            RiskSignal(
                "high_value",
                settings.high_value_score,
                f"total {due} reaches the {limit} {order.currency} threshold",
            )
        )
    if order.bill_to is not None and order.bill_to.country != order.ship_to.country:
        found.append(
            RiskSignal(
                "country_mismatch",
                settings.country_mismatch_score,
                f"billing country {order.bill_to.country} differs from shipping country "
                f"{order.ship_to.country}",
            )
        )
    window = f"in {settings.velocity_window_hours} h"
    for rule, count, what in (
        ("velocity_email", facts.email_orders, f"email {order.customer_email}"),
        ("velocity_card", facts.card_orders, "this card"),
        ("velocity_address", facts.address_orders, "this delivery address"),
    ):
        if count + 1 > settings.velocity_limit:
            found.append(
                RiskSignal(
                    rule,
                    settings.velocity_score,
                    f"{count + 1} orders from {what} {window} (limit {settings.velocity_limit})",
                )
            )
    if order.ship_to.country in settings.high_risk_countries:
        found.append(
            RiskSignal(
                "high_risk_destination",
                settings.high_risk_score,
                f"ships to {order.ship_to.country}, listed as high-risk",
            )
        )
    if facts.previous_orders == 0:
        found.append(
            RiskSignal(
                "first_order_high_value",
                settings.first_order_score,
                f"first order from {order.customer_email} and worth {due} (threshold "
                f"{settings.first_order_value[order.currency]} {order.currency})",
            )
        )
    return found  # fmt: skip


_CLEAN: dict[tuple[int, int], RiskAssessment] = {}


def assess(signals: Iterable[RiskSignal], settings: RiskSettings) -> RiskAssessment:
    """Add up ``signals`` and decide: approve, hold for review, or reject."""
    found = tuple(signals)
    score = sum(s.score for s in found)
    outcome: Outcome = "approve"
    if score >= settings.reject_at:
        outcome = "reject"
    elif score >= settings.hold_at:
        outcome = "hold"
    if not found and outcome == "approve":  # the usual case: share one frozen assessment
        key = (settings.hold_at, settings.reject_at)
        clean = _CLEAN.get(key)
        if clean is None:
            clean = _CLEAN.setdefault(key, RiskAssessment(0, outcome, (), *key))
        return clean
    return RiskAssessment(score, outcome, found, settings.hold_at, settings.reject_at)
