"""Approval rules: which calls need a second principal, decided from the call's arguments.

Each rule is data (its settings come from the ``admin.approvals`` configuration section
or [`AdminService.set_approval_rule`][omskit.admin.service.AdminService.set_approval_rule]) and
a check that looks at the call and the records it would touch, through the services'
public reads. A rule that matches names itself and the permission the approver needs.

The rules (all off unless configured):

- ``refund_above`` (``{"EUR": "200"}``, per currency): ``payments.refund``,
  ``orders.refund`` and ``returns.refund`` above the amount; the approver needs ``payments.refund``.
- ``price_override_above_percent`` (``"10"``): ``orders.capture`` with a line priced
  more than that percent below the list price; the approver needs
  ``pricing.override_price``.
- ``cancel_shipped`` (``true``): ``orders.cancel`` and ``orders.cancel_lines`` once a
  unit has shipped; the approver needs ``orders.cancel``.
- ``release_fraud_hold`` (``true``): ``orders.release`` and ``orders.approve`` of an
  order held for risk review; the approver needs ``orders.release``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from omskit.errors import OmskitError, ValidationError
from omskit.money import Money, to_decimal
from omskit.validation import check_bool, check_mapping

__all__ = ["RULES", "ApprovalRules", "Match", "RuleSpec"]


@attrs.frozen
class Match:
    """A rule that applies to one call: its name, what it found, who may approve."""

    rule: str
    detail: str
    permission: str


@attrs.frozen
class RuleSpec:
    """One kind of approval rule: the actions it watches and the approver's permission."""

    name: str
    actions: frozenset[str]
    permission: str
    description: str


#: The approval rules omskit knows, by name.
RULES: Mapping[str, RuleSpec] = {
    r.name: r
    for r in (
        RuleSpec("refund_above", frozenset({"payments.refund", "orders.refund",
                                            "returns.refund"}),
                 "payments.refund", "refunds above an amount per currency"),
        RuleSpec("price_override_above_percent", frozenset({"orders.capture"}),
                 "pricing.override_price",
                 "captured lines priced more than a percent below the list price"),
        RuleSpec("cancel_shipped", frozenset({"orders.cancel", "orders.cancel_lines"}),
                 "orders.cancel", "cancelling an order that has shipped"),
        RuleSpec("release_fraud_hold", frozenset({"orders.release", "orders.approve"}),
                 "orders.release", "releasing an order held for risk review"),
    )
}  # fmt: skip


def _thresholds(value: Any) -> dict[str, Decimal]:
    data = check_mapping(value, "admin.approvals.refund_above")
    return {
        str(cur).upper(): to_decimal(amount, f"admin.approvals.refund_above.{cur}")
        for cur, amount in data.items()
    }


def _percent(value: Any) -> Decimal:
    pct = to_decimal(value, "admin.approvals.price_override_above_percent")
    if not 0 <= pct <= 100:
        raise ValidationError(
            "admin.approvals.price_override_above_percent", value, "a percent from 0 to 100"
        )
    return pct


def parse_setting(rule: str, value: Any) -> Any:
    """The checked setting of ``rule``; ``None`` turns the rule off."""
    if rule not in RULES:
        raise ValidationError("rule", rule, f"one of {sorted(RULES)}")
    if value is None or value is False:
        return None
    if rule == "refund_above":
        return _thresholds(value)
    if rule == "price_override_above_percent":
        return _percent(value)
    return check_bool(value, f"admin.approvals.{rule}") or None


@attrs.define
class ApprovalRules:
    """The configured rules: name -> setting (absent = off)."""

    settings: dict[str, Any] = attrs.field(factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ApprovalRules:
        """Parse the ``admin.approvals`` section (``expire_after_hours`` is read elsewhere)."""
        rules = cls()
        for name, value in check_mapping(data, "admin.approvals").items():
            if name != "expire_after_hours":
                rules.set(name, value)
        return rules

    def set(self, rule: str, value: Any) -> None:
        """Turn ``rule`` on with ``value``, or off with ``None``."""
        parsed = parse_setting(rule, value)
        if parsed is None:
            self.settings.pop(rule, None)
        else:
            self.settings[rule] = parsed

    def as_data(self) -> dict[str, Any]:
        """The settings as plain data."""
        return {
            name: {k: str(v) for k, v in value.items()} if isinstance(value, dict)
            else str(value) if isinstance(value, Decimal) else value
            for name, value in sorted(self.settings.items())
        }  # fmt: skip

    def match(self, action: str, services: Any, args: Mapping[str, Any]) -> Match | None:
        """The first configured rule that applies to this call, if any."""
        for name, setting in self.settings.items():
            spec = RULES[name]
            if action not in spec.actions:
                continue
            try:
                detail = _CHECKS[name](setting, action, services, args)
            except OmskitError:
                detail = None  # the call itself will raise its own error
            if detail:
                return Match(name, detail, spec.permission)
        return None


def _refund(
    setting: dict[str, Decimal], action: str, services: Any, args: Mapping[str, Any]
) -> str | None:
    if action == "returns.refund":
        breakdown = services.returns.simulate(args.get("rma_id"))
        limit = setting.get(breakdown.currency)
        if limit is not None and breakdown.total.amount > limit:
            return f"refund of {breakdown.total} is above {limit} {breakdown.currency}"
        return None
    key = "order_id" if action == "orders.refund" else "reference"
    payment = services.payments.get(args.get(key))
    limit = setting.get(payment.currency)
    if limit is None:
        return None
    raw = args.get("amount")
    amount = (
        payment.captured - payment.refunded if raw is None
        else Money.of(raw, payment.currency, "amount")
    )  # fmt: skip
    if amount.amount > limit:
        return f"refund of {amount} is above {limit} {payment.currency}"
    return None


def _price_override(
    setting: Decimal, action: str, services: Any, args: Mapping[str, Any]
) -> str | None:
    payload, fields = args.get("payload"), args.get("fields") or {}
    lines = fields.get("lines")
    if lines is None:
        lines = (
            payload.get("lines")
            if isinstance(payload, Mapping)
            else getattr(payload, "lines", None)
        )
    for line in lines or ():
        sku = line.get("sku") if isinstance(line, Mapping) else getattr(line, "sku", None)
        raw = (
            line.get("unit_price")
            if isinstance(line, Mapping)
            else getattr(line, "unit_price", None)
        )
        if raw is None:
            continue
        product = services.catalog.find(sku) if isinstance(sku, str) else None
        if product is None or product.price is None or not product.price.amount:
            continue
        price = to_decimal(raw, "unit_price")
        off = (product.price.amount - price) / product.price.amount * 100
        if off > setting:
            return f"{sku} at {price} is {off:.1f}% below the list price {product.price}"
    return None


def _cancel_shipped(
    setting: bool, action: str, services: Any, args: Mapping[str, Any]
) -> str | None:
    order = services.orders.get(args.get("order_id"))
    shipped = sum(line.shipped for line in order.lines)
    if shipped or order.shipments:
        return f"order {order.id} has shipped {shipped} unit(s)"
    return None


def _fraud_hold(setting: bool, action: str, services: Any, args: Mapping[str, Any]) -> str | None:
    order = services.orders.get(args.get("order_id"))
    if order.on_hold and "risk review" in order.hold_reason:
        return f"order {order.id} is held: {order.hold_reason}"
    return None


_CHECKS: Mapping[str, Callable[[Any, str, Any, Mapping[str, Any]], str | None]] = {
    "refund_above": _refund,
    "price_override_above_percent": _price_override,
    "cancel_shipped": _cancel_shipped,
    "release_fraud_hold": _fraud_hold,
}
