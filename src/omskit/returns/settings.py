"""Return policy settings, from the ``returns`` configuration section.

The top level is the default policy; ``channels`` overrides any of it per sales channel
and ``categories`` per product category (the product attribute ``category``), so a
policy is composed as *defaults <- channel <- category*::

    {"returns": {
        "window_days": 30,
        "restocking_fee_percent": "10",
        "categories": {"hygiene": {"window_days": 0}},
        "channels": {"outlet": {"rules": ["delivered", "returnable"]}},
    }}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.returns.errors import report
from omskit.returns.reasons import DEFAULT_REASONS, ReasonTree
from omskit.validation import (
    Problems,
    check_bool,
    check_country,
    check_decimal,
    check_mapping,
    check_quantity,
    check_text,
)

__all__ = ["BUILTIN_RULES", "POLICY_KEYS", "ReturnPolicy", "ReturnSettings"]

#: The eligibility rules omskit ships, in the order they are checked by default.
BUILTIN_RULES = (
    "delivered",
    "window",
    "returnable",
    "hazmat",
    "personalised",
    "countries",
    "condition",
)
#: ``refund_shipping`` choices: never, once the whole order has come back.
SHIPPING_RULES = ("never", "full_return")
#: Who pays a return label: the merchant, or the customer (deducted from the refund).
LABEL_PAYERS = ("merchant", "customer")

#: Keys a policy (top level, a channel or a category) may set.
POLICY_KEYS = (
    "window_days",
    "holiday",
    "rules",
    "restocking_fee_percent",
    "refund_shipping",
    "shipping_on_fault",
    "refund_duties",
    "label_paid_by",
    "countries",
    "require_condition",
    "authorization_days",
    "location",
    "locations_by_country",
)


@attrs.frozen(kw_only=True)
class ReturnPolicy:
    """The return policy one line is judged by (already composed for its channel).

    Attributes:
        window_days: days from delivery the customer has to return (0: no returns).
        holiday_from, holiday_to, holiday_until: units delivered between the first two
            dates may come back until ``holiday_until`` at least (a holiday extension).
        rules: the eligibility rules checked, by registered name, in order.
        restocking_fee_percent: kept from the value of returned units (waived when the
            reason is the merchant's fault).
        refund_shipping: ``"full_return"`` refunds the order's shipping once everything
            has come back; ``"never"`` keeps it.
        shipping_on_fault: a return for a reason that is the merchant's fault refunds
            the shipping still unrefunded, whatever ``refund_shipping`` says.
        refund_duties: duties come back with a full return.
        label_paid_by: ``"merchant"`` or ``"customer"`` (its cost is deducted).
        countries: when not empty, only orders shipped to these countries may return.
        require_condition: a request must state each unit's condition.
        authorization_days: an authorized return not received within this many days
            expires.
        location: the returns centre every return goes to (``""``: choose, see
            ``omskit.returns.locations``).
        locations_by_country: a returns centre per destination country.
    """

    window_days: int = 30
    holiday_from: dt.date | None = None
    holiday_to: dt.date | None = None
    holiday_until: dt.date | None = None
    rules: tuple[str, ...] = BUILTIN_RULES
    restocking_fee_percent: Decimal = Decimal(0)
    refund_shipping: str = "full_return"
    shipping_on_fault: bool = True
    refund_duties: bool = True
    label_paid_by: str = "merchant"
    countries: frozenset[str] = frozenset()
    require_condition: bool = False
    authorization_days: int = 30
    location: str = ""
    locations_by_country: Mapping[str, str] = attrs.field(factory=dict)

    def deadline(self, delivered_at: dt.datetime) -> dt.datetime:
        """The last moment units delivered at ``delivered_at`` may be returned."""
        end = delivered_at + dt.timedelta(days=self.window_days)
        day = delivered_at.date()
        if (
            self.holiday_until is not None
            and self.holiday_from is not None
            and self.holiday_to is not None
            and self.holiday_from <= day <= self.holiday_to
        ):
            until = dt.datetime.combine(
                self.holiday_until, dt.time(23, 59, 59), tzinfo=delivered_at.tzinfo
            )
            end = max(end, until)
        return end


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(field, value, "expected a date such as '2026-12-24'")


def _choice(value: Any, field: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValidationError(field, value, f"expected one of {', '.join(allowed)}")
    return str(value)


def _overrides(  # noqa: PLR0912 - one branch per setting
    data: Mapping[str, Any], where: str, problems: Problems
) -> dict[str, Any]:
    """The policy fields set in ``data`` (a level of the section), checked."""
    out: dict[str, Any] = {}
    if "window_days" in data:
        out["window_days"] = problems.check(
            f"{where}window_days", check_quantity, data["window_days"], minimum=0, maximum=3650
        )
    if "holiday" in data:
        raw = problems.check(f"{where}holiday", check_mapping, data["holiday"])
        if raw is not None:
            for key in ("from", "to", "until"):
                if key not in raw:
                    report(
                        problems,
                        f"{where}holiday.{key}",
                        "required: holiday needs from, to and until dates",
                        None,
                    )
                else:
                    out[f"holiday_{key}"] = problems.check(f"{where}holiday.{key}", _date, raw[key])
    if "rules" in data:
        rules = data["rules"]
        if not isinstance(rules, list | tuple) or not all(isinstance(r, str) for r in rules):
            report(problems, f"{where}rules", "expected a list of rule names", rules)
        else:
            out["rules"] = tuple(rules)
    if "restocking_fee_percent" in data:
        out["restocking_fee_percent"] = problems.check(
            f"{where}restocking_fee_percent",
            check_decimal,
            data["restocking_fee_percent"],
            minimum=Decimal(0),
            maximum=Decimal(100),
        )
    if "refund_shipping" in data:
        out["refund_shipping"] = problems.check(
            f"{where}refund_shipping", _choice, data["refund_shipping"], SHIPPING_RULES
        )
    if "label_paid_by" in data:
        out["label_paid_by"] = problems.check(
            f"{where}label_paid_by", _choice, data["label_paid_by"], LABEL_PAYERS
        )
    for key in ("shipping_on_fault", "refund_duties", "require_condition"):
        if key in data:
            out[key] = problems.check(f"{where}{key}", check_bool, data[key])
    if "countries" in data:
        raw_countries = data["countries"]
        if not isinstance(raw_countries, list | tuple):
            report(problems, f"{where}countries", "expected a list of country codes", raw_countries)
        else:
            codes = [
                problems.check(f"{where}countries[{i}]", check_country, c)
                for i, c in enumerate(raw_countries)
            ]
            out["countries"] = frozenset(c for c in codes if c)
    if "authorization_days" in data:
        out["authorization_days"] = problems.check(
            f"{where}authorization_days",
            check_quantity,
            data["authorization_days"],
            maximum=3650,
        )
    if "location" in data:
        out["location"] = problems.check(
            f"{where}location", check_text, data["location"], max_length=32, required=False
        )
    if "locations_by_country" in data:
        raw_map = problems.check(
            f"{where}locations_by_country", check_mapping, data["locations_by_country"]
        )
        if raw_map is not None:
            clean: dict[str, str] = {}
            for country, code in raw_map.items():
                c = problems.check(f"{where}locations_by_country", check_country, country)
                loc = problems.check(
                    f"{where}locations_by_country.{country}", check_text, code, max_length=32
                )
                if c and loc:
                    clean[c] = loc
            out["locations_by_country"] = clean
    return {k: v for k, v in out.items() if v is not None}


@attrs.frozen
class ReturnSettings:
    """The whole ``returns`` section: the default policy, overrides and reasons.

    ``lost_parcels``: ``"claim"`` (default) opens a claim, with a claim against the
    carrier, when carrier tracking reports an outbound parcel lost; ``"ignore"`` leaves
    it to the customer or an agent.
    """

    default: ReturnPolicy = attrs.field(factory=ReturnPolicy)
    channels: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    categories: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    reasons: ReasonTree = attrs.field(factory=lambda: ReasonTree.parse(DEFAULT_REASONS))
    lost_parcels: str = "claim"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ReturnSettings:
        """Read the ``returns`` section, reporting every problem at once."""
        problems = Problems()
        allowed = {*POLICY_KEYS, "channels", "categories", "reasons", "lost_parcels"}
        for key in sorted(set(data) - allowed):
            report(
                problems,
                f"returns.{key}",
                f"unknown setting; allowed: {', '.join(sorted(allowed))}",
                data[key],
            )
        default = _overrides(data, "returns.", problems)
        levels: dict[str, dict[str, Mapping[str, Any]]] = {"channels": {}, "categories": {}}
        for level, found in levels.items():
            raw = problems.check(f"returns.{level}", check_mapping, data.get(level, {}))
            for name, section in (raw or {}).items():
                where = f"returns.{level}.{name}."
                body = problems.check(where.rstrip("."), check_mapping, section)
                if body is None:
                    continue
                for key in sorted(set(body) - set(POLICY_KEYS)):
                    report(
                        problems,
                        f"{where}{key}",
                        f"unknown setting; allowed: {', '.join(POLICY_KEYS)}",
                        body[key],
                    )
                found[str(name)] = _overrides(body, where, problems)
        reasons = None
        if "reasons" in data:
            try:
                reasons = ReasonTree.parse(data["reasons"])
            except ValidationError as exc:  # keep its problems with the rest
                problems.add_error(exc)
        lost = data.get("lost_parcels", "claim")
        if lost not in ("claim", "ignore"):
            report(problems, "returns.lost_parcels", "expected 'claim' or 'ignore'", lost)
        problems.raise_if_any()
        return cls(
            lost_parcels=lost,
            default=ReturnPolicy(**default),
            channels=levels["channels"],
            categories=levels["categories"],
            reasons=reasons if reasons is not None else ReasonTree.parse(DEFAULT_REASONS),
        )

    def policy(self, channel: str, category: str = "") -> ReturnPolicy:
        """The policy for a line sold on ``channel`` in product ``category``."""
        policy = self.default
        for layer in (self.channels.get(channel), self.categories.get(category)):
            if layer:
                policy = attrs.evolve(policy, **layer)
        return policy
