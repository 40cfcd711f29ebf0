"""Eligibility rules: small named objects, each saying why a line may not come back.

A rule gets a [`LineContext`][] (the order, the line, its product, the quantity asked
for, the policy composed for the line's channel and category) and returns ``None`` when
it has nothing against the return, or a sentence a person can read. Rules are registered
by name through the ``omskit_register_return_rules`` hook; the policy's ``rules`` names
the ones that apply, in order. The built-ins are here.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

import attrs

from omskit.catalog.model import Product
from omskit.orders.model import Order, OrderLine
from omskit.returns.reasons import Reason
from omskit.returns.settings import ReturnPolicy

__all__ = [
    "BUILTIN_RULE_OBJECTS",
    "ConditionRule",
    "CountriesRule",
    "DeliveredRule",
    "HazmatRule",
    "LineContext",
    "PersonalisedRule",
    "ReturnRule",
    "ReturnableRule",
    "WindowRule",
]

_YES = frozenset({"true", "yes", "1"})


@attrs.frozen(kw_only=True)
class LineContext:
    """Everything a rule may look at for one line of a return request.

    Attributes:
        order: the order (read-only: rules decide, they never change anything).
        line: the order line asked about.
        product: its catalog product (``None`` when it was removed from the catalog).
        quantity: units asked to return.
        open_units: units of the line already returned or on other open returns.
        reason: the reason given (``None`` when the check named none).
        condition: the condition stated (``""`` when none).
        delivered_at: when the line's units were (last) delivered, if ever.
        now: the OMS clock.
        policy: the policy composed for the order's channel and the product's category.
        claim: the request is a claim (damaged or lost), not a return.
    """

    order: Order
    line: OrderLine
    product: Product | None
    quantity: int
    open_units: int
    reason: Reason | None
    condition: str
    delivered_at: dt.datetime | None
    now: dt.datetime
    policy: ReturnPolicy
    claim: bool = False

    def attribute(self, name: str) -> str:
        """The product attribute ``name`` (``""`` when unset)."""
        return self.product.attributes.get(name, "") if self.product is not None else ""


@runtime_checkable
class ReturnRule(Protocol):
    """An eligibility rule: a ``name`` and a ``check`` that says why not, or ``None``."""

    @property
    def name(self) -> str:
        """The rule's unique name, as policies list it."""
        ...

    def check(self, ctx: LineContext) -> str | None:
        """``None`` when the rule allows the line, else why it does not."""
        ...


@attrs.frozen
class DeliveredRule:
    """Only delivered units may come back, less those returned or on open returns.

    For a claim (lost in transit) shipped units count instead of delivered ones.
    """

    name: str = "delivered"

    def check(self, ctx: LineContext) -> str | None:
        """Refuses more units than were delivered (shipped, for a claim) and not returned."""
        line = ctx.line
        base = line.shipped if ctx.claim else line.delivered
        word = "shipped" if ctx.claim else "delivered"
        room = base - ctx.open_units
        if base == 0:
            return f"line {line.id} has no {word} units yet (0 of {line.active})"
        if ctx.quantity > room:
            return (
                f"only {max(room, 0)} unit(s) of line {line.id} can come back "
                f"({base} {word}, {ctx.open_units} returned or on open returns)"
            )
        return None


@attrs.frozen
class WindowRule:
    """The return window: ``window_days`` from delivery, extended for holidays."""

    name: str = "window"

    def check(self, ctx: LineContext) -> str | None:
        """Refuses a line whose window closed (claims are not bound by it)."""
        if ctx.claim or ctx.delivered_at is None:
            return None
        if ctx.policy.window_days == 0 and ctx.policy.holiday_until is None:
            return f"{ctx.line.sku} cannot be returned (its return window is 0 days)"
        deadline = ctx.policy.deadline(ctx.delivered_at)
        if ctx.now > deadline:
            return (
                f"the return window closed on {deadline:%Y-%m-%d} "
                f"(delivered {ctx.delivered_at:%Y-%m-%d}, "
                f"{ctx.policy.window_days} days)"
            )
        return None


@attrs.frozen
class ReturnableRule:
    """Final-sale and non-returnable products (``Product.returnable``, ``final_sale``)."""

    name: str = "returnable"

    def check(self, ctx: LineContext) -> str | None:
        """Refuses products marked not returnable or final sale (claims pass)."""
        if ctx.claim:
            return None
        if ctx.product is not None and not ctx.product.returnable:
            return f"{ctx.line.sku} is not returnable"
        if ctx.attribute("final_sale").lower() in _YES:
            return f"{ctx.line.sku} was a final sale"
        return None


@attrs.frozen
class HazmatRule:
    """Dangerous goods cannot travel back by parcel."""

    name: str = "hazmat"

    def check(self, ctx: LineContext) -> str | None:
        """Refuses hazmat products (claims pass: nothing travels)."""
        if not ctx.claim and ctx.product is not None and ctx.product.hazmat:
            return f"{ctx.line.sku} is dangerous goods and cannot be sent back"
        return None


@attrs.frozen
class PersonalisedRule:
    """Personalised items (product attribute ``personalised``) are not returnable."""

    name: str = "personalised"

    def check(self, ctx: LineContext) -> str | None:
        """Refuses personalised products unless the reason is the merchant's fault."""
        fault = ctx.reason is not None and ctx.reason.our_fault
        if not ctx.claim and not fault and ctx.attribute("personalised").lower() in _YES:
            return f"{ctx.line.sku} was personalised; only a fault makes it returnable"
        return None


@attrs.frozen
class CountriesRule:
    """Only orders shipped to the policy's ``countries`` may come back (when listed)."""

    name: str = "countries"

    def check(self, ctx: LineContext) -> str | None:
        """Refuses orders shipped outside the listed countries."""
        allowed = ctx.policy.countries
        country = ctx.order.ship_to.country
        if allowed and country not in allowed:
            return f"returns are accepted from {', '.join(sorted(allowed))}, not {country}"
        return None


@attrs.frozen
class ConditionRule:
    """With ``require_condition``, each line must state the condition of its units."""

    name: str = "condition"

    def check(self, ctx: LineContext) -> str | None:
        """Refuses a line without a condition when the policy requires one."""
        if ctx.policy.require_condition and not ctx.condition and not ctx.claim:
            return "state the condition of the units (e.g. unopened, opened, damaged)"
        return None


#: The built-in rules, one object each.
BUILTIN_RULE_OBJECTS: tuple[ReturnRule, ...] = (
    DeliveredRule(),
    WindowRule(),
    ReturnableRule(),
    HazmatRule(),
    PersonalisedRule(),
    CountriesRule(),
    ConditionRule(),
)
