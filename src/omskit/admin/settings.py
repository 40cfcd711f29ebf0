"""Settings of the administration capability: the ``admin`` section of the configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from omskit.admin.rules import ApprovalRules
from omskit.errors import ValidationError
from omskit.validation import check_bool, check_mapping, check_quantity, check_text

__all__ = ["AdminSettings"]

_KEYS = ("access_control", "audit", "owner", "approvals")


@attrs.frozen
class AdminSettings:
    """How administration behaves.

    Attributes:
        access_control: check every state-changing call's actor (default off).
        audit: record every state-changing call in the audit log (on with access
            control; may be on alone).
        owner: a user created with the ``owner`` role when missing, so an OMS that
            starts with access control has someone who may add the others.
        approval_hours: how long an approval request waits before it expires.
        approvals: the approval rules (see ``omskit.admin.rules``).
    """

    access_control: bool = False
    audit: bool = False
    owner: str | None = None
    approval_hours: int = 72
    approvals: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AdminSettings:
        """Parse the ``admin`` section.

        Keys: ``access_control`` (bool), ``audit`` (bool), ``owner`` (a user name),
        ``approvals`` (rules, plus ``expire_after_hours``).
        """
        data = check_mapping(data, "admin")
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise ValidationError(f"admin.{unknown[0]}", data[unknown[0]], f"one of {list(_KEYS)}")
        access = check_bool(data.get("access_control", False), "admin.access_control")
        audit = check_bool(data.get("audit", access), "admin.audit") or access
        owner = data.get("owner")
        if owner is not None:
            owner = check_text(owner, "admin.owner", max_length=100)
        if access and owner is None:
            raise ValidationError(
                "admin.owner", None, "a user name: access control needs an owner to start with"
            )
        approvals = dict(check_mapping(data.get("approvals", {}), "admin.approvals"))
        hours = check_quantity(approvals.get("expire_after_hours", 72),
                               "admin.approvals.expire_after_hours", maximum=24 * 366)  # fmt: skip
        ApprovalRules.from_mapping(approvals)  # checked now, so a bad rule fails at start
        return cls(access, audit, owner, hours, approvals)
