"""The policy engine: each requested line judged by the rules its policy names.

[`evaluate`][] is pure over what it is given (the order, the products, the other open
returns, the clock); ``oms.returns.check`` calls it before anything is created, and
``request`` refuses what it refuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from omskit.catalog.model import Product
from omskit.errors import Problem
from omskit.orders.model import Order
from omskit.plugins.manager import Registry
from omskit.returns.errors import report
from omskit.returns.rules import LineContext, ReturnRule
from omskit.returns.settings import ReturnSettings
from omskit.validation import Problems, check_quantity, check_text

__all__ = ["LineRequest", "LineVerdict", "ReturnCheck", "delivered_at", "evaluate", "parse_lines"]


@attrs.frozen
class LineRequest:
    """One line of a return request: which order line, how many, why, in what state."""

    line_id: str
    quantity: int
    reason: str = ""
    condition: str = ""


@attrs.frozen
class LineVerdict:
    """The policy's answer for one requested line.

    Attributes:
        line_id: the order line.
        sku: its SKU.
        quantity: units asked for.
        allowed: every rule allowed it.
        reasons: why not, one sentence per refusing rule (with the rule's name).
        deadline: the last moment the line may come back (``None``: not delivered).
        policy_rules: the rules that were checked, in order.
    """

    line_id: str
    sku: str
    quantity: int
    allowed: bool
    reasons: tuple[str, ...]
    deadline: dt.datetime | None
    policy_rules: tuple[str, ...]

    def describe(self) -> str:
        """``L1 TEE-M x1: allowed (until 2026-12-24)`` or the reasons it is not."""
        head = f"{self.line_id} {self.sku} x{self.quantity}"
        if self.allowed:
            until = f" (until {self.deadline:%Y-%m-%d})" if self.deadline else ""
            return f"{head}: allowed{until}"
        return f"{head}: not allowed - " + "; ".join(self.reasons)


@attrs.frozen
class ReturnCheck:
    """Per line, whether it may come back and why (nothing was created)."""

    order_id: str
    lines: tuple[LineVerdict, ...]

    @property
    def allowed(self) -> bool:
        """Every line is allowed."""
        return all(x.allowed for x in self.lines)

    def explain(self) -> str:
        """One line per requested line."""
        return "\n".join(x.describe() for x in self.lines)

    def problems(self) -> list[Problem]:
        """The refused lines as problems: field ``lines.<id>``, the quantity, why."""
        return [
            Problem(f"lines.{x.line_id}", f"got {x.quantity}; " + "; ".join(x.reasons), x.quantity)
            for x in self.lines
            if not x.allowed
        ]


def parse_lines(raw: Any, reasons: Sequence[str], *, default_reason: str) -> list[LineRequest]:
    """Read ``{line_id: qty}`` or ``[{"line", "quantity", "reason", "condition"}]``.

    Every problem is reported at once (field, value, what is allowed).
    """
    problems = Problems()
    items: list[tuple[str, Any, Any, Any]] = []
    if isinstance(raw, Mapping):
        items = [(f"lines.{k}", k, v, None) for k, v in raw.items()]
        for field, key, _, _ in items:
            if not isinstance(key, str):
                report(problems, field, "expected a line id such as 'L1'", key)
    elif isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping):
                report(problems, f"lines[{i}]", "expected {'line': 'L1', 'quantity': 1, ...}", item)
                continue
            for key in sorted(set(item) - {"line", "quantity", "reason", "condition"}):
                report(
                    problems,
                    f"lines[{i}].{key}",
                    "unknown key; allowed: line, quantity, reason, condition",
                    item[key],
                )
            items.append((f"lines[{i}]", item.get("line"), item.get("quantity"), item))
    else:
        report(problems, "lines", "expected {line_id: quantity} or a list of lines", raw)
    out: list[LineRequest] = []
    seen: set[str] = set()
    for field, key, qty, item in items:
        line_id = key if isinstance(key, str) else None
        if item is not None:
            line_id = problems.check(f"{field}.line", check_text, key, max_length=64)
        quantity = problems.check(
            f"{field}.quantity" if item is not None else field, check_quantity, qty
        )
        reason = default_reason
        condition = ""
        if item is not None and item.get("reason") is not None:
            reason = item["reason"]
        if reason not in reasons:
            report(
                problems,
                f"{field}.reason",
                f"unknown reason; allowed: {', '.join(reasons)}",
                reason,
            )
        if item is not None and item.get("condition") is not None:
            condition = (
                problems.check(f"{field}.condition", check_text, item["condition"], max_length=100)
                or ""
            )
        if line_id is not None and line_id in seen:
            report(problems, field, "each line may appear once", line_id)
            continue
        if line_id is not None and quantity is not None and reason in reasons:
            seen.add(line_id)
            out.append(LineRequest(line_id, quantity, reason, condition))
    if not items and not problems:
        report(problems, "lines", "name at least one line and quantity", raw)
    problems.raise_if_any()
    return out


def delivered_at(order: Order, line_id: str) -> dt.datetime | None:
    """When units of line ``line_id`` were last delivered (``OrderLine.delivered_at``).

    An order stored before lines kept that field falls back to its timeline.
    """
    line = order.line(line_id)
    if line is not None and line.delivered_at is not None:
        return line.delivered_at
    found = None
    for entry in order.history:
        if entry.action != "delivered":
            continue
        for key, value in entry.changes:
            if key == "lines" and any(part.split(" x")[0] == line_id for part in value.split(", ")):
                found = entry.at
    return found


def evaluate(
    order: Order,
    requests: Sequence[LineRequest],
    *,
    products: Mapping[str, Product | None],
    open_units: Mapping[str, int],
    settings: ReturnSettings,
    rules: Registry[ReturnRule],
    now: dt.datetime,
    claim: bool = False,
) -> ReturnCheck:
    """Judge each requested line by the rules of its channel's and category's policy.

    Unknown order lines are refused with the lines the order has.
    """
    verdicts = []
    known = ", ".join(x.id for x in order.lines)
    for req in requests:
        line = next((x for x in order.lines if x.id == req.line_id), None)
        if line is None:
            verdicts.append(
                LineVerdict(
                    req.line_id,
                    "",
                    req.quantity,
                    False,
                    (f"order {order.id} has no line {req.line_id} (it has {known})",),
                    None,
                    (),
                )
            )
            continue
        product = products.get(line.sku)
        category = product.attributes.get("category", "") if product is not None else ""
        policy = settings.policy(order.channel, category)
        when = delivered_at(order, line.id)
        reason = settings.reasons.get(req.reason) if req.reason in settings.reasons else None
        ctx = LineContext(
            order=order,
            line=line,
            product=product,
            quantity=req.quantity,
            open_units=open_units.get(line.id, 0),
            reason=reason,
            condition=req.condition,
            delivered_at=when,
            now=now,
            policy=policy,
            claim=claim,
        )
        why = []
        for name in policy.rules:
            said = rules.get(name).check(ctx)
            if said:
                why.append(f"{said} [{name}]")
        deadline = policy.deadline(when) if when is not None and not claim else None
        verdicts.append(
            LineVerdict(
                line.id, line.sku, req.quantity, not why, tuple(why), deadline, policy.rules
            )
        )
    return ReturnCheck(order.id, tuple(verdicts))
