"""Named permissions, roles that bundle them, grants scoped by channel and location.

A permission is a ``"capability.action"`` name (``"orders.cancel"``); the catalogue
``PERMISSIONS`` lists every one with what it allows. A
[`Role`][omskit.admin.Role] is a named set of permissions (``"*"`` is all of them,
``"orders.*"`` all of one capability); the built-in roles are
``BUILTIN_ROLES``. A principal holds
[`Grant`][omskit.admin.Grant]s: a role, optionally limited to some channels and some
locations (a store clerk only at their store). Everything here is pure data and rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from omskit.admin.errors import UnknownPermission
from omskit.validation import check_text

__all__ = [
    "BUILTIN_ROLES",
    "PERMISSIONS",
    "Grant",
    "Role",
    "Scope",
    "check_permission_pattern",
    "grant_allows",
    "role_allows",
]

#: Every permission omskit checks, with what it allows.
PERMISSIONS: Mapping[str, str] = {
    "admin.configure": "switch access control and audit, register listeners and settlers",
    "admin.manage_roles": "define and delete custom roles",
    "admin.manage_users": "add, change and deactivate users and API clients",
    "admin.manage_pii": "export and erase a customer's personal data (GDPR articles 15, 17)",
    "admin.approve": "decline approval requests and expire the queue",
    "carriers.labels": "buy, void and request return labels",
    "carriers.manage": "settle failed label purchases",
    "carriers.tracking": "take tracking webhooks and refresh tracking",
    "catalog.manage": "add, change, deactivate and reactivate products",
    "channels.manage": "add and change sales channels",
    "customers.manage": "register customers, change them, add addresses",
    "events.manage": "subscribe to events and dispatch the outbox",
    "fulfillment.cancel": "cancel fulfillment orders",
    "fulfillment.dropship": "confirm drop-ship shipments",
    "fulfillment.manage": "configure locations for fulfillment (bins, boxes, address)",
    "fulfillment.pack": "pack fulfillment orders",
    "fulfillment.pick": "accept, reject and confirm picks of fulfillment orders",
    "fulfillment.pickup": "ready and hand over click-and-collect orders, expire pickups",
    "fulfillment.release": "release orders to fulfillment",
    "fulfillment.ship": "ship fulfillment orders and hand shipments over",
    "inventory.adjust": "adjust, count and quarantine stock",
    "inventory.manage": "locations, suppliers, supply terms, policies and thresholds",
    "inventory.purchase": "place purchase orders",
    "inventory.receive": "receive stock, purchase orders and returned goods",
    "inventory.reserve": "reserve, release and consume stock, expire cart holds",
    "inventory.transfer": "move stock between locations",
    "notifications.manage": "triggers, templates, delivery runs, timers and dead letters",
    "notifications.preferences": "customers' notification preferences and unsubscribes",
    "orders.approve": "approve orders held for review",
    "orders.cancel": "cancel orders and order lines",
    "orders.capture": "capture (create) orders",
    "orders.complete": "complete orders",
    "orders.edit": "edit orders before fulfillment",
    "orders.hold": "put orders on hold",
    "orders.release": "release orders from a hold (a fraud hold too)",
    "payments.authorize": "authorize payments",
    "payments.capture": "capture authorized payments",
    "payments.manage": "compensations, raw gateway calls and use cases on the payment store",
    "payments.refund": "refund payments",
    "payments.void": "void authorizations",
    "pricing.manage": "price lists, prices, promotions, coupons, taxes and duties",
    "pricing.override_price": "capture or edit lines at a price the channel sets",
    "returns.approve": "authorize or reject requested returns",
    "returns.manage": "cancel and close returns, expire lapsed authorizations",
    "returns.receive": "receive returned goods and decide their disposition",
    "returns.refund": "refund inspected returns",
    "returns.request": "open returns for an order's lines",
    "reports.export": "write report files (CSV, Parquet, the HTML dashboard)",
    "support.answer": "answer, assign and move support cases",
    "support.open": "open support cases",
    "reports.manage": "record exchange rates and anomalies for reports",
}

_ALL = frozenset(PERMISSIONS)


def check_permission_pattern(value: Any, field: str = "permission") -> str:
    """A permission name, ``"capability.*"`` for all of one capability, or ``"*"``."""
    text = check_text(value, field, max_length=100)
    if text == "*" or text in PERMISSIONS:
        return text
    if text.endswith(".*") and any(p.startswith(text[:-1]) for p in PERMISSIONS):
        return text
    raise UnknownPermission(value, field)


@attrs.frozen
class Role:
    """A named set of permissions.

    Attributes:
        name: what grants refer to (``"warehouse"``).
        permissions: permission names or patterns (``"orders.*"``, ``"*"``).
        description: what the role is for, in words.
        builtin: shipped with omskit (cannot be redefined or deleted).
    """

    name: str
    permissions: frozenset[str]
    description: str = ""
    builtin: bool = False

    def expanded(self) -> frozenset[str]:
        """The concrete permissions this role gives, patterns resolved."""
        return frozenset(p for p in _ALL if role_allows(self, p))


def role_allows(role: Role, permission: str) -> bool:
    """Whether ``role`` includes ``permission`` (directly or through a pattern)."""
    if "*" in role.permissions or permission in role.permissions:
        return True
    head = permission.split(".", 1)[0]
    return f"{head}.*" in role.permissions


def _frozen_codes(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


@attrs.frozen
class Scope:
    """Where a call acts: the channels and locations it touches.

    An empty set means the call has no such dimension. ``resolved=False`` means omskit
    could not tell (the order does not exist, say): only a grant limited to no channel
    and no location covers it.
    """

    channels: frozenset[str] = frozenset()
    locations: frozenset[str] = frozenset()
    resolved: bool = True

    def __str__(self) -> str:
        if not self.resolved:
            return "(unresolved)"
        parts = [f"channel {c!r}" for c in sorted(self.channels)]
        parts += [f"location {loc!r}" for loc in sorted(self.locations)]
        return "{" + ", ".join(parts) + "}" if parts else "(any)"

    def __or__(self, other: Scope) -> Scope:
        return Scope(
            self.channels | other.channels,
            self.locations | other.locations,
            self.resolved and other.resolved,
        )


@attrs.frozen
class Grant:
    """A role held by a principal, limited to some channels and locations.

    Attributes:
        role: the role's name.
        channels: the channels it applies in; ``None`` is every channel.
        locations: the locations it applies at; ``None`` is every location.
    """

    role: str
    channels: frozenset[str] | None = attrs.field(default=None, converter=_frozen_codes)
    locations: frozenset[str] | None = attrs.field(default=None, converter=_frozen_codes)

    def covers(self, scope: Scope) -> bool:
        """Whether every channel and location of ``scope`` lies inside this grant."""
        if not scope.resolved:
            return self.channels is None and self.locations is None
        if self.channels is not None and not scope.channels <= self.channels:
            return False
        return self.locations is None or scope.locations <= self.locations

    def describe(self) -> str:
        """``"warehouse at BER"``, ``"customer_service in web"``, ``"owner"``."""
        text = self.role
        if self.channels is not None:
            text += " in " + ", ".join(sorted(self.channels))
        if self.locations is not None:
            text += " at " + ", ".join(sorted(self.locations))
        return text


def grant_allows(grant: Grant, roles: Mapping[str, Role], permission: str, scope: Scope) -> bool:
    """Whether ``grant`` gives ``permission`` over the whole of ``scope``."""
    role = roles.get(grant.role)
    return role is not None and role_allows(role, permission) and grant.covers(scope)


def _role(name: str, description: str, *permissions: str) -> Role:
    return Role(name, frozenset(permissions), description, builtin=True)


#: The roles omskit ships with, by name.
BUILTIN_ROLES: Mapping[str, Role] = {
    r.name: r
    for r in (
        _role("owner", "everything, including users, roles and configuration", "*"),
        _role(
            "manager",
            "runs the business: every capability, but not users, roles or configuration",
            "orders.*",
            "payments.*",
            "pricing.*",
            "inventory.*",
            "fulfillment.*",
            "carriers.*",
            "catalog.*",
            "customers.*",
            "channels.*",
            "reports.*",
            "returns.*",
            "notifications.*",
            "support.*",
            "admin.approve",
        ),
        _role(
            "customer_service",
            "answers customers: captures, edits, holds, cancels, refunds",
            "orders.capture",
            "orders.edit",
            "orders.hold",
            "orders.release",
            "orders.cancel",
            "orders.approve",
            "customers.manage",
            "payments.refund",
            "returns.request",
            "returns.approve",
            "returns.manage",
            "returns.refund",
            "notifications.preferences",
            "support.open",
            "support.answer",
        ),
        _role(
            "warehouse",
            "moves goods: stock, picking, packing, shipping, pickups",
            "inventory.adjust",
            "inventory.receive",
            "inventory.transfer",
            "inventory.reserve",
            "fulfillment.pick",
            "fulfillment.pack",
            "fulfillment.ship",
            "fulfillment.pickup",
            "fulfillment.cancel",
            "carriers.labels",
            "returns.receive",
        ),
        _role(
            "finance",
            "money: payments, refunds, prices and taxes",
            "payments.*",
            "pricing.manage",
            "reports.*",
            "returns.refund",
        ),
        _role("read_only", "looks, changes nothing"),
        _role(
            "integration",
            "an API client: captures orders, feeds stock and tracking, releases orders",
            "orders.capture",
            "inventory.receive",
            "inventory.reserve",
            "carriers.tracking",
            "fulfillment.release",
            "fulfillment.dropship",
            "payments.authorize",
            "payments.capture",
            "events.manage",
            "returns.request",
        ),
    )
}
