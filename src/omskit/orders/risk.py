"""Risk and fraud checks: scored signals with reasons, and the outcome they add up to.

Built-in rules (thresholds in the ``orders.risk`` settings, see
[`RiskSettings`][]):

* ``high_value`` - the order total reaches the currency's threshold;
* ``country_mismatch`` - billing and shipping countries differ;
* ``velocity_email`` / ``velocity_card`` / ``velocity_address`` - more than
  ``velocity_limit`` orders from one email, card or delivery address within the window
  (the card counts only by a real card fingerprint the payment payload carries; a
  payment token such as ``tok_visa`` or ``invoice`` is no card);
* ``high_risk_destination`` - shipping to a country listed as high-risk;
* ``first_order_high_value`` - a customer's first order, and a large one.

Hosts add signals through the ``omskit_risk_checks`` hook.

How the scores add up (`assess`): a signal with a ``group`` is correlated
evidence (the three velocity rules are group ``"velocity"``: a busy repeat customer
trips all three at once). The signals of one group count together for at most
``group_cap`` (default: ``hold_at``), so a group alone can hold an order for review but
never reject it. Signals without a group are *hard* signals and count in full. From
``hold_at`` the order is held; from ``reject_at`` it is rejected, but only when at
least one hard signal is present: correlated evidence alone never rejects.

Reasons name no personal data (no email, no address): they end up in error messages and
on the stored order.
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

__all__ = [
    "VELOCITY",
    "Outcome",
    "RiskAssessment",
    "RiskFacts",
    "RiskSignal",
    "assess",
    "counted_score",
    "gather_facts",
]

Outcome = Literal["approve", "hold", "reject"]


#: The group of the built-in velocity rules: correlated evidence that never rejects alone.
VELOCITY = "velocity"


@attrs.frozen
class RiskSignal:
    """One reason to doubt an order: which ``rule``, how much (``score``) and why.

    ``group`` names correlated evidence: signals of one group count together for at most
    the ``group_cap`` setting, and cannot reject an order on their own. ``""`` (the
    default) is a hard signal that counts in full.
    """

    rule: str
    score: int
    reason: str
    group: str = ""

    @classmethod
    def coerce(cls, value: Any, source: str) -> RiskSignal:
        """Accept a ``RiskSignal``, a mapping or a ``(rule, score, reason[, group])`` tuple."""
        if isinstance(value, RiskSignal):
            return value
        try:
            if isinstance(value, Mapping):
                rule, score = value["rule"], value["score"]
                reason, group = value.get("reason", ""), value.get("group", "")
            else:
                rule, score, reason, *rest = value
                (group,) = rest or ("",)
        except (KeyError, TypeError, ValueError):
            raise PluginError(
                f"{source} returned {value!r}; expected a RiskSignal, a mapping with "
                "'rule', 'score', 'reason' (and optionally 'group'), or a (rule, score, "
                "reason) tuple"
            ) from None
        if isinstance(score, bool) or not isinstance(score, int):
            raise PluginError(f"{source} returned score {score!r} for {rule!r}; expected an int")
        return cls(str(rule), score, str(reason), str(group))


@attrs.frozen
class RiskAssessment:
    """The signals found for an order, the score they count for and the outcome.

    ``score`` is what the signals count for after each group's cap (see `assess`);
    ``group_cap`` is the cap that applied.
    """

    score: int
    outcome: Outcome
    signals: tuple[RiskSignal, ...] = ()
    hold_at: int = 50
    reject_at: int = 100
    group_cap: int | None = None

    def group_scores(self) -> dict[str, tuple[int, int]]:
        """Per group of correlated signals: ``(sum of their scores, what they count for)``."""
        sums: dict[str, int] = {}
        for s in self.signals:
            if s.group:
                sums[s.group] = sums.get(s.group, 0) + s.score
        cap = self.hold_at if self.group_cap is None else self.group_cap
        return {group: (total, min(total, cap)) for group, total in sums.items()}

    def explain(self) -> str:
        """A readable account: the outcome, one line per signal, then each capped group."""
        head = f"{self.outcome} (score {self.score}; hold at {self.hold_at}, reject at "
        head += f"{self.reject_at})"
        lines = [head]
        for s in self.signals:
            group = f" [{s.group}]" if s.group else ""
            lines.append(f"  +{s.score:<3} {s.rule}{group}: {s.reason}")
        for group, (total, counted) in self.group_scores().items():
            if counted < total:
                lines.append(f"  group {group}: {total} counted as {counted} (the group's cap)")
        if self.outcome == "hold" and self.score >= self.reject_at:
            lines.append("  held, not rejected: only correlated signals, no hard signal")
        return "\n".join(lines)


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
        ("velocity_email", facts.email_orders, "this email address"),
        ("velocity_card", facts.card_orders, "this card"),
        ("velocity_address", facts.address_orders, "this delivery address"),
    ):
        if count + 1 > settings.velocity_limit:
            found.append(
                RiskSignal(
                    rule,
                    settings.velocity_score,
                    f"{count + 1} orders from {what} {window} (limit {settings.velocity_limit})",
                    VELOCITY,
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
                f"first order from this customer and worth {due} (threshold "
                f"{settings.first_order_value[order.currency]} {order.currency})",
            )
        )
    return found  # fmt: skip


_CLEAN: dict[tuple[int, int, int | None], RiskAssessment] = {}


def counted_score(signals: Iterable[RiskSignal], cap: int) -> int:
    """What ``signals`` count for: hard ones in full, each group's sum up to ``cap``."""
    hard = 0
    groups: dict[str, int] = {}
    for s in signals:
        if s.group:
            groups[s.group] = groups.get(s.group, 0) + s.score
        else:
            hard += s.score
    return hard + sum(min(total, cap) for total in groups.values())


def assess(signals: Iterable[RiskSignal], settings: RiskSettings) -> RiskAssessment:
    """Score ``signals`` and decide: approve, hold for review, or reject.

    Hard signals (no ``group``) count in full; the signals of each group count together
    for at most ``settings.group_cap`` (``hold_at`` when unset). From ``hold_at`` the
    order is held; from ``reject_at`` it is rejected when at least one hard signal with
    a positive score is among the signals, else held.
    """
    found = tuple(signals)
    cap = settings.hold_at if settings.group_cap is None else settings.group_cap
    score = counted_score(found, cap)
    outcome: Outcome = "approve"
    if score >= settings.reject_at and any(s.score > 0 and not s.group for s in found):
        outcome = "reject"
    elif score >= settings.hold_at:
        outcome = "hold"
    if not found and outcome == "approve":  # the usual case: share one frozen assessment
        key = (settings.hold_at, settings.reject_at, settings.group_cap)
        clean = _CLEAN.get(key)
        if clean is None:
            clean = _CLEAN.setdefault(key, RiskAssessment(0, outcome, (), *key))
        return clean
    return RiskAssessment(
        score, outcome, found, settings.hold_at, settings.reject_at, settings.group_cap
    )
