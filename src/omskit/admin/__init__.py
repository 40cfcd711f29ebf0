"""Administration: principals, roles and permissions, access control, approvals, audit.

Reached as ``oms.admin`` ([`AdminService`][omskit.admin.AdminService]). Access control is
off by default; one switch turns it on, and then every state-changing method on the
facade checks its actor against one table, ``GUARDS``.
"""

from omskit.admin.audit import REDACTED
from omskit.admin.checks import ConfigCheck
from omskit.admin.errors import (
    AccessDenied,
    ApprovalRequired,
    ErasureBlocked,
    SelfApproval,
    UnknownApproval,
    UnknownPermission,
    UnknownPrincipal,
    UnknownRole,
)
from omskit.admin.model import ApprovalRequest, AuditRecord, CustomRole, Principal
from omskit.admin.permissions import BUILTIN_ROLES, PERMISSIONS, Grant, Role, Scope
from omskit.admin.rules import RULES
from omskit.admin.service import AdminService
from omskit.admin.settings import AdminSettings
from omskit.admin.table import GUARDS, READS, SELF_CHECKED, Guard

__all__ = [
    "BUILTIN_ROLES",
    "GUARDS",
    "PERMISSIONS",
    "READS",
    "REDACTED",
    "RULES",
    "SELF_CHECKED",
    "AccessDenied",
    "AdminService",
    "AdminSettings",
    "ApprovalRequest",
    "ApprovalRequired",
    "AuditRecord",
    "ConfigCheck",
    "CustomRole",
    "ErasureBlocked",
    "Grant",
    "Guard",
    "Principal",
    "Role",
    "Scope",
    "SelfApproval",
    "UnknownApproval",
    "UnknownPermission",
    "UnknownPrincipal",
    "UnknownRole",
]
