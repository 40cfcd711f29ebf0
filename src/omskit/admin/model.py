"""Stored administration records: principals, custom roles, audit records, approvals.

Principals and custom roles are ordinary aggregates; audit records live in an
append-only collection (written once, never changed); approval requests move along
``APPROVAL_TRANSITIONS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from omskit.admin.permissions import Grant
from omskit.errors import InvalidTransition
from omskit.storage import Aggregate, Collection

__all__ = [
    "APPROVALS",
    "APPROVAL_TRANSITIONS",
    "AUDIT",
    "AUDIT_PERSONAL",
    "PRINCIPALS",
    "ROLES",
    "ApprovalRequest",
    "ApprovalStatus",
    "AuditRecord",
    "CustomRole",
    "PersonalValues",
    "Principal",
    "PrincipalKind",
]

PrincipalKind = Literal["user", "client"]
ApprovalStatus = Literal["pending", "approved", "declined", "expired", "failed"]


@attrs.define(eq=False)
class Principal(Aggregate):
    """A user (a person) or an API client (an integration) that acts on the OMS.

    The ``id`` is the name callers pass as ``actor``.

    Attributes:
        kind: ``"user"`` or ``"client"``.
        display_name: how people see it.
        grants: the roles it holds, each maybe limited to channels and locations.
        active: a deactivated principal may do nothing.
    """

    kind: PrincipalKind
    display_name: str = ""
    grants: tuple[Grant, ...] = ()
    active: bool = True


@attrs.define(eq=False)
class CustomRole(Aggregate):
    """A role a host defined from named permissions (the ``id`` is its name).

    Storage keeps every record, so a deleted role stays as ``deleted=True``.
    """

    permissions: frozenset[str]
    description: str = ""
    deleted: bool = False


@attrs.define(eq=False)
class AuditRecord(Aggregate):
    """One change: who, when, what, to which target, the fields before and after, why.

    Attributes:
        at: when the change was committed.
        actor: the principal (or ``"system"``) that made it.
        action: the service method, ``"orders.cancel"``.
        permission: the permission it needed.
        target: ``"order:O-7"``; empty when the call names no single record.
        before: the changed fields' values before (secrets and card data redacted).
        after: the changed fields' values after.
        arguments: what the call was given (redacted), for calls that name no target.
        reason: the caller's reason, when it gave one.
        approval_id: the approval request that released the change, if any.
    """

    at: dt.datetime
    actor: str
    action: str
    permission: str
    target: str = ""
    before: Mapping[str, Any] = attrs.field(factory=dict)
    after: Mapping[str, Any] = attrs.field(factory=dict)
    arguments: Mapping[str, Any] = attrs.field(factory=dict)
    reason: str = ""
    approval_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON lines."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "permission": self.permission,
            "target": self.target,
            "before": dict(self.before),
            "after": dict(self.after),
            "arguments": dict(self.arguments),
            "reason": self.reason,
            "approval_id": self.approval_id,
        }


@attrs.define(eq=False)
class PersonalValues(Aggregate):
    """The personal values of the audit record with the same ``id``, kept apart.

    The record itself never changes; these values can be erased.

    Attributes:
        target: the audit record's target.
        keys: the customer ids and e-mail addresses (lower case) the values name.
        values: each value by its path in the record (``"after/ship_to"``).
        paths: every path, kept after erasure so the record reads ``"[erased]"`` there.
        erased_at: when the person was erased (``values`` is empty from then on).
    """

    target: str = ""
    keys: frozenset[str] = frozenset()
    values: Mapping[str, Any] = attrs.field(factory=dict)
    paths: tuple[str, ...] = ()
    erased_at: dt.datetime | None = None


#: Which approval action may follow which status.
APPROVAL_TRANSITIONS: Mapping[ApprovalStatus, Mapping[str, ApprovalStatus]] = {
    "pending": {"approve": "approved", "decline": "declined", "expire": "expired"},
    "approved": {"fail": "failed"},
    "declined": {},
    "expired": {},
    "failed": {},
}


@attrs.define(eq=False)
class ApprovalRequest(Aggregate):
    """A call that waits for a second principal, with what it would do and why.

    Attributes:
        action: the service method, ``"payments.refund"``.
        permission: what the approver must hold (in the same scope).
        rule: the rule that asked for approval, in words.
        requester: who made the call.
        arguments: the call's arguments, replayed once on approval.
        scope_channels / scope_locations: the call's scope.
        target: ``"order:O-7"``.
        requested_at / expires_at: when it was asked, when it lapses.
        status: ``pending``, then ``approved`` / ``declined`` / ``expired``; an approved
            call that then raised ends ``failed`` (with ``error``).
        decided_by / decided_at / decision_reason: the second principal's decision.
        result: what the replayed call returned (``repr``), after approval.
    """

    action: str
    permission: str
    rule: str
    requester: str
    arguments: Mapping[str, Any]
    requested_at: dt.datetime
    expires_at: dt.datetime
    scope_channels: frozenset[str] = frozenset()
    scope_locations: frozenset[str] = frozenset()
    target: str = ""
    reason: str = ""
    status: ApprovalStatus = "pending"
    decided_by: str = ""
    decided_at: dt.datetime | None = None
    decision_reason: str = ""
    result: str = ""
    error: str = ""

    def move(self, action: str) -> None:
        """Take ``action`` if the transition table allows it from the current status."""
        allowed = APPROVAL_TRANSITIONS[self.status]
        if action not in allowed:
            froms = [s for s, moves in APPROVAL_TRANSITIONS.items() if action in moves]
            raise InvalidTransition(f"approval request {self.id}", self.status, action, froms)
        self.status = allowed[action]


PRINCIPALS: Collection[Principal] = Collection(
    "admin_principals", Principal, indexes={"kind": lambda p: p.kind}, label="principal"
)
ROLES: Collection[CustomRole] = Collection("admin_roles", CustomRole, label="role")
AUDIT: Collection[AuditRecord] = Collection(
    "admin_audit",
    AuditRecord,
    indexes={"target": lambda r: r.target, "actor": lambda r: r.actor},
    label="audit record",
    append_only=True,
    fixed_keys=True,
)
AUDIT_PERSONAL: Collection[PersonalValues] = Collection(
    "admin_audit_personal", PersonalValues, label="audit personal values"
)
APPROVALS: Collection[ApprovalRequest] = Collection(
    "admin_approvals",
    ApprovalRequest,
    indexes={"status": lambda r: r.status},
    label="approval request",
)
