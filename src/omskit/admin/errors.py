"""Errors raised by the administration capability, all subclasses of the kernel's errors.

The tree (under [`OmskitError`][])::

    OmskitError
    ├── AccessDenied (PermissionError)   actor, permission and scope of a refused call
    ├── ApprovalRequired                 the call waits for a second principal's approval
    └── ErasureBlocked                   a person's data cannot be erased yet
    ValidationError
    ├── UnknownPermission                not a permission omskit knows
    └── SelfApproval                     a requester approving their own request
    NotFound
    ├── UnknownPrincipal                 no user or API client by that name
    ├── UnknownRole                      no built-in or custom role by that name
    └── UnknownApproval                  no approval request with that id
"""

from __future__ import annotations

from typing import Any

from omskit.errors import NotFound, OmskitError, ValidationError

__all__ = [
    "AccessDenied",
    "ApprovalRequired",
    "ErasureBlocked",
    "SelfApproval",
    "UnknownApproval",
    "UnknownPermission",
    "UnknownPrincipal",
    "UnknownRole",
]


class AccessDenied(OmskitError, PermissionError):
    """``actor`` may not do ``permission`` in ``scope``; nothing was changed."""

    def __init__(self, actor: str, permission: str, scope: str, why: str = "") -> None:
        self.actor = actor
        self.permission = permission
        self.scope = scope
        self.why = why
        detail = f": {why}" if why else ""
        super().__init__(
            f"access denied: {actor!r} may not {permission!r} in scope {scope}{detail}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.actor, self.permission, self.scope, self.why)


class ApprovalRequired(OmskitError):
    """The call needs a second principal's approval; it waits as request ``request_id``.

    Nothing was changed yet: the action runs once, when the request is approved.
    """

    def __init__(self, request_id: str, rule: str, permission: str) -> None:
        self.request_id = request_id
        self.rule = rule
        self.permission = permission
        super().__init__(
            f"approval required ({rule}): queued as request {request_id!r}; a second "
            f"principal with {permission!r} must approve it with "
            f"oms.admin.approve({request_id!r}, ...)"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.request_id, self.rule, self.permission)


class ErasureBlocked(OmskitError):
    """``customer`` cannot be erased yet, for each of ``reasons``; nothing was changed."""

    def __init__(self, customer: str, reasons: tuple[str, ...] | list[str]) -> None:
        self.customer = customer
        self.reasons = tuple(reasons)
        super().__init__(f"cannot erase customer {customer!r} yet: " + "; ".join(self.reasons))

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.customer, self.reasons)


class UnknownPermission(ValidationError):
    """Not a permission in the catalogue (``PERMISSIONS``)."""

    def __init__(self, value: object, field: str = "permission") -> None:
        super().__init__(field, value, "a permission from omskit.admin.PERMISSIONS, or '*'")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.value, self.field)


class SelfApproval(ValidationError):
    """The principal who asked for an action cannot approve it (separation of duties)."""

    def __init__(self, request_id: str, actor: str) -> None:
        self.request_id = request_id
        self.actor = actor
        super().__init__("actor", actor, f"someone other than the requester of {request_id!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.request_id, self.actor)


class UnknownPrincipal(NotFound):
    """No user or API client is registered under this name."""

    def __init__(self, name: object) -> None:
        self.name = name
        super().__init__("principal", name, "add it with oms.admin.add_user() or add_client()")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.name,)


class UnknownRole(NotFound):
    """No built-in or custom role has this name."""

    def __init__(self, name: object) -> None:
        self.name = name
        super().__init__(
            "role", name, "use a built-in role or define it with oms.admin.define_role()"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.name,)


class UnknownApproval(NotFound):
    """No approval request has this id."""

    def __init__(self, request_id: object) -> None:
        self.request_id = request_id
        super().__init__("approval request", request_id, "see oms.admin.approvals()")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.request_id,)
