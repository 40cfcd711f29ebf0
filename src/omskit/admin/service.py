"""The administration service: principals, roles, enforcement, approvals, audit, config.

Reached as ``oms.admin``. It is also the gatekeeper every guarded method asks (see
``omskit.admin.guard``): when access control is on, a call runs only if its actor holds
the method's permission in the call's scope, and an approval rule may hold it back for
a second principal; when the audit is on, every change is appended to the audit log.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

import attrs

from omskit.admin import guard as guarding
from omskit.admin import privacy
from omskit.admin.audit import changed_fields, plain, redact, to_json_lines
from omskit.admin.checks import ConfigCheck, check_configuration
from omskit.admin.errors import (
    AccessDenied,
    ApprovalRequired,
    ErasureBlocked,
    SelfApproval,
    UnknownApproval,
    UnknownPrincipal,
    UnknownRole,
)
from omskit.admin.model import (
    APPROVALS,
    AUDIT,
    AUDIT_PERSONAL,
    PRINCIPALS,
    ROLES,
    ApprovalRequest,
    ApprovalStatus,
    AuditRecord,
    CustomRole,
    Principal,
    PrincipalKind,
)
from omskit.admin.permissions import (
    BUILTIN_ROLES,
    PERMISSIONS,
    Grant,
    Role,
    Scope,
    check_permission_pattern,
    grant_allows,
)
from omskit.admin.rules import RULES, ApprovalRules
from omskit.admin.settings import AdminSettings
from omskit.admin.table import GUARDS, SELF_CHECKED
from omskit.customers.privacy import CUSTOMER_DATA, is_erased_email
from omskit.errors import (
    AlreadyExists,
    InvalidTransition,
    NotFound,
    OmskitError,
    ValidationError,
)
from omskit.pricing.tax import RATES_AS_OF
from omskit.runtime import Runtime
from omskit.storage import UnitOfWork
from omskit.storage.ports import reading_in
from omskit.validation import check_actor, check_text

__all__ = ["AdminService", "GrantLike"]

#: A grant as callers give it: a role name, a [`Grant`][], or
#: ``{"role": ..., "channels": [...], "locations": [...]}``.
GrantLike = str | Grant | Mapping[str, Any]

_NAME = 100


def _name(value: Any, field: str = "name") -> str:
    return check_text(value, field, max_length=_NAME)


def _codes(value: Any, field: str) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
        raise ValidationError(field, value, "a list of codes, or null for all")
    return frozenset(check_text(v, f"{field}[]", max_length=64) for v in value)


class AdminService:
    """Users and API clients, roles, access control, approvals and the audit log.

    Access control is off by default (embedded use: any caller may do anything);
    [`enable`][omskit.admin.service.AdminService.enable] or the ``admin`` configuration section
    (``{"access_control": true, "owner": "root"}``) turns it on.
    """

    def __init__(self, runtime: Runtime, services: Any) -> None:
        self._rt = runtime
        self._services = services
        self.settings = AdminSettings.from_mapping(runtime.config.section("admin"))
        self._rules = ApprovalRules.from_mapping(self.settings.approvals)
        self._enforcing = False
        self._auditing = False
        self._wrapped: list[str] = []
        self._keeper = _Keeper(self)
        if self.settings.owner is not None:
            self._ensure_owner(self.settings.owner)
        if self.settings.audit or self.settings.access_control:
            self._switch(self.settings.access_control, True)

    # -- switches -----------------------------------------------------------------------

    @property
    def enforcing(self) -> bool:
        """Whether every state-changing call's actor is checked."""
        return self._enforcing

    @property
    def auditing(self) -> bool:
        """Whether every state-changing call is recorded in the audit log."""
        return self._auditing

    @property
    def wrapped(self) -> list[str]:
        """The ``"service.method"`` names currently guarded on the facade."""
        return list(self._wrapped)

    def _switch(self, enforce: bool, audit: bool) -> None:
        if (enforce or audit) and not self._wrapped:
            self._wrapped = guarding.install(self._services, self._keeper, {"admin": self})
        self._enforcing, self._auditing = enforce, audit or enforce

    def enable(self, *, audit_only: bool = False, actor: str = "system") -> None:
        """Turn access control (and the audit log) on; ``audit_only`` records without checks.

        Turning access control on is refused unless ``actor`` is an active principal
        holding ``admin.configure``, so nobody locks everyone out.
        """
        if not audit_only:
            self._authorize(check_actor(actor), "admin.configure", Scope())
        before = {"access_control": self._enforcing, "audit": self._auditing}
        self._switch(not audit_only, True)
        if not before["audit"]:  # the guard was not recording yet: record the switch here
            after = {"access_control": self._enforcing, "audit": self._auditing}
            self._audit_admin("admin.enable", actor, "", before=before, after=after, reason="")

    def disable(self, *, actor: str = "system") -> None:
        """Turn access control and the audit log off (embedded use)."""
        self._switch(False, False)

    def install(self) -> None:
        """Wrap guarded methods of services added to the facade after this one started."""
        if self._wrapped:
            self._wrapped = sorted(
                set(self._wrapped)
                | set(guarding.install(self._services, self._keeper, {"admin": self}))
            )

    @contextmanager
    def acting_as(self, actor: str) -> Iterator[None]:
        """Calls in the block act as ``actor`` unless they pass an ``actor`` of their own."""
        with guarding.acting(check_actor(actor)):
            yield

    # -- principals and roles -------------------------------------------------------------

    def _ensure_owner(self, name: str) -> None:
        def use_case(uow: UnitOfWork) -> None:
            repo = uow.repo(PRINCIPALS)
            if repo.find(name) is None:
                repo.add(Principal(id=name, kind="user", grants=(Grant("owner"),)))

        self._rt.run(use_case)

    def _all_roles(self, uow: UnitOfWork | None = None) -> dict[str, Role]:
        def read(u: UnitOfWork) -> dict[str, Role]:
            custom = {
                r.id: Role(r.id, r.permissions, r.description)
                for r in u.repo(ROLES).scan_view()
                if not r.deleted
            }
            return {**custom, **BUILTIN_ROLES}

        if uow is not None:
            return read(uow)
        with self._rt.storage.unit_of_work() as fresh:
            return read(fresh)

    def _grant(self, value: GrantLike, roles: Mapping[str, Role], field: str) -> Grant:
        if isinstance(value, str):
            grant = Grant(_name(value, field))
        elif isinstance(value, Grant):
            grant = value
        elif isinstance(value, Mapping):
            extra = sorted(set(value) - {"role", "channels", "locations"})
            if extra:
                raise ValidationError(f"{field}.{extra[0]}", value[extra[0]],
                                      "one of 'role', 'channels', 'locations'")  # fmt: skip
            grant = Grant(
                _name(value.get("role"), f"{field}.role"),
                _codes(value.get("channels"), f"{field}.channels"),
                _codes(value.get("locations"), f"{field}.locations"),
            )
        else:
            raise ValidationError(field, value, "a role name or {'role', 'channels', 'locations'}")
        if grant.role not in roles:
            raise UnknownRole(grant.role)
        return grant

    def _add(self, kind: PrincipalKind, name: str, roles: Sequence[GrantLike],
             display_name: str) -> Principal:  # fmt: skip
        name = _name(name)
        display = check_text(display_name, "display_name", max_length=200, required=False)
        if isinstance(roles, str | Mapping | Grant):
            roles = [roles]

        def use_case(uow: UnitOfWork) -> Principal:
            known = self._all_roles(uow)
            grants = tuple(self._grant(r, known, f"roles[{i}]") for i, r in enumerate(roles))
            principal = Principal(id=name, kind=kind, display_name=display, grants=grants)
            uow.repo(PRINCIPALS).add(principal)
            return principal

        return self._rt.run(use_case)

    def add_user(
        self, name: str, *, roles: Sequence[GrantLike] = (), display_name: str = "",
        actor: str = "system",
    ) -> Principal:  # fmt: skip
        """Register a person who acts as ``name``, holding ``roles``.

        Raises:
            UnknownRole: a role that is neither built in nor defined.
            AlreadyExists: a principal by that name exists.
        """
        return self._add("user", name, roles, display_name)

    def add_client(
        self, name: str, *, roles: Sequence[GrantLike] = ("integration",),
        display_name: str = "", actor: str = "system",
    ) -> Principal:  # fmt: skip
        """Register an API client (an integration) that acts as ``name``."""
        return self._add("client", name, roles, display_name)

    def _change(self, name: str, change: Any) -> Principal:
        name = _name(name)

        def use_case(uow: UnitOfWork) -> Principal:
            repo = uow.repo(PRINCIPALS)
            principal = repo.find(name)
            if principal is None:
                raise UnknownPrincipal(name)
            change(uow, principal)
            repo.save(principal)
            return principal

        return self._rt.run(use_case)

    def grant(
        self, name: str, role: str, *, channels: Sequence[str] | None = None,
        locations: Sequence[str] | None = None, actor: str = "system",
    ) -> Principal:  # fmt: skip
        """Give ``name`` the role ``role``, limited to ``channels`` / ``locations`` if given."""

        def change(uow: UnitOfWork, principal: Principal) -> None:
            new = self._grant({"role": role, "channels": channels, "locations": locations},
                              self._all_roles(uow), "role")  # fmt: skip
            if new not in principal.grants:
                principal.grants = (*principal.grants, new)

        return self._change(name, change)

    def revoke(self, name: str, role: str, *, actor: str = "system") -> Principal:
        """Take every grant of ``role`` away from ``name``."""
        role = _name(role, "role")

        def change(uow: UnitOfWork, principal: Principal) -> None:
            principal.grants = tuple(g for g in principal.grants if g.role != role)

        return self._change(name, change)

    def deactivate(self, name: str, *, reason: str = "", actor: str = "system") -> Principal:
        """Stop ``name`` from doing anything (its grants are kept)."""

        def change(uow: UnitOfWork, principal: Principal) -> None:
            principal.active = False

        return self._change(name, change)

    def reactivate(self, name: str, *, actor: str = "system") -> Principal:
        """Let a deactivated principal act again."""

        def change(uow: UnitOfWork, principal: Principal) -> None:
            principal.active = True

        return self._change(name, change)

    def principal(self, name: str) -> Principal:
        """The user or API client ``name``."""
        with self._rt.storage.unit_of_work() as uow:
            found = uow.repo(PRINCIPALS).find(_name(name))
        if found is None:
            raise UnknownPrincipal(name)
        return found

    def principals(self, *, kind: PrincipalKind | None = None) -> list[Principal]:
        """Every principal (or every ``"user"`` / ``"client"``), by name."""
        with self._rt.storage.unit_of_work() as uow:
            repo = uow.repo(PRINCIPALS)
            found = list(repo.scan()) if kind is None else repo.list_by("kind", kind)
        return sorted(found, key=lambda p: p.id)

    def define_role(
        self, name: str, permissions: Sequence[str], *, description: str = "",
        actor: str = "system",
    ) -> Role:  # fmt: skip
        """Define (or redefine) a custom role from named permissions.

        Raises:
            UnknownPermission: a name not in ``PERMISSIONS`` (nor a ``"x.*"`` pattern).
            AlreadyExists: ``name`` is a built-in role.
        """
        name = _name(name)
        if name in BUILTIN_ROLES:
            raise AlreadyExists("built-in role", name)
        if isinstance(permissions, str):
            raise ValidationError("permissions", permissions, "a list of permission names")
        perms = frozenset(
            check_permission_pattern(p, f"permissions[{i}]") for i, p in enumerate(permissions)
        )
        text = check_text(description, "description", max_length=500, required=False)

        def use_case(uow: UnitOfWork) -> Role:
            repo = uow.repo(ROLES)
            found = repo.find(name)
            if found is None:
                repo.add(CustomRole(id=name, permissions=perms, description=text))
            else:
                found.permissions, found.description, found.deleted = perms, text, False
                repo.save(found)
            return Role(name, perms, text)

        return self._rt.run(use_case)

    def delete_role(self, name: str, *, actor: str = "system") -> None:
        """Delete a custom role; refused while any principal holds it."""
        name = _name(name)

        def use_case(uow: UnitOfWork) -> None:
            repo = uow.repo(ROLES)
            role = repo.find(name)
            if role is None or role.deleted:
                raise UnknownRole(name)
            holders = [
                p.id for p in uow.repo(PRINCIPALS).scan() if any(g.role == name for g in p.grants)
            ]
            if holders:
                raise ValidationError("name", name, f"a role nobody holds; held by {holders}")
            role.deleted = True
            repo.save(role)

        self._rt.run(use_case)

    def role(self, name: str) -> Role:
        """The built-in or custom role ``name``."""
        found = self.roles().get(_name(name))
        if found is None:
            raise UnknownRole(name)
        return found

    def roles(self) -> dict[str, Role]:
        """Every role (built-in and custom) by name."""
        return dict(sorted(self._all_roles().items()))

    def permissions(self) -> dict[str, str]:
        """Every permission omskit checks, with what it allows."""
        return dict(sorted(PERMISSIONS.items()))

    # -- checks ---------------------------------------------------------------------------

    def _authorize(self, actor: str, permission: str, scope: Scope) -> Principal:
        with self._rt.storage.unit_of_work() as uow:
            principal = uow.repo(PRINCIPALS).view(actor)
            roles = self._all_roles(uow)
        if principal is None:
            raise AccessDenied(actor, permission, str(scope), f"no principal {actor!r}")
        if not principal.active:
            raise AccessDenied(actor, permission, str(scope), "the principal is deactivated")
        if any(grant_allows(g, roles, permission, scope) for g in principal.grants):
            return principal
        held = ", ".join(g.describe() for g in principal.grants) or "no roles"
        raise AccessDenied(actor, permission, str(scope), f"holds {held}")

    def can(
        self, actor: str, permission: str, *, channel: str | None = None,
        location: str | None = None,
    ) -> bool:  # fmt: skip
        """Whether ``actor`` may do ``permission`` (in ``channel`` / at ``location``).

        For user interfaces deciding what to show; the services check for themselves.
        """
        permission = check_permission_pattern(permission)
        scope = Scope(
            frozenset() if channel is None else frozenset({channel}),
            frozenset() if location is None else frozenset({location}),
        )
        try:
            self._authorize(check_actor(actor), permission, scope)
        except AccessDenied:
            return False
        return True

    def allowed(self, actor: str) -> list[str]:
        """The permissions ``actor`` holds anywhere (in some channel or location)."""
        principal = self.principal(actor)
        if not principal.active:
            return []
        roles = self._all_roles()
        found: set[str] = set()
        for g in principal.grants:
            role = roles.get(g.role)
            if role is not None:
                found |= role.expanded()
        return sorted(found)

    def _admit(self, call: guarding.Call) -> None:
        """Refuse ``call`` unless its actor may make it now (the guard asks this)."""
        if not self._enforcing:
            return
        scope = call.guard.scope(self._services, call.named)
        self._authorize(call.actor, call.guard.permission, scope)
        if call.approval_id:
            return
        match = self._rules.match(call.action, self._services, call.named)
        if match is None:
            return
        now = self._rt.clock.now()
        target = call.guard.target(self._services, call.named, None) if call.guard.target else None
        request = ApprovalRequest(
            id=self._rt.ids.new_id("apr"),
            action=call.action,
            permission=match.permission,
            rule=f"{match.rule}: {match.detail}",
            requester=call.actor,
            arguments={"args": copy.deepcopy(call.args), "kwargs": copy.deepcopy(call.kwargs)},
            requested_at=now,
            expires_at=now + dt.timedelta(hours=self.settings.approval_hours),
            scope_channels=scope.channels,
            scope_locations=scope.locations,
            target=target[0] if target is not None else "",
            reason=str(call.named.get("reason") or ""),
        )
        self._rt.run(lambda uow: uow.repo(APPROVALS).add(request))
        raise ApprovalRequired(request.id, match.rule, match.permission)

    # -- approvals ------------------------------------------------------------------------

    def set_approval_rule(self, rule: str, value: Any, *, actor: str = "system") -> dict[str, Any]:
        """Turn approval rule ``rule`` on with ``value`` (``None`` turns it off).

        See ``omskit.admin.rules`` for the rules and their values. Returns every rule's
        setting.
        """
        self._rules.set(rule, value)
        return self._rules.as_data()

    def approvals(self, status: ApprovalStatus | None = "pending") -> list[ApprovalRequest]:
        """Approval requests with ``status`` (``None``: all), oldest first."""
        with self._rt.storage.unit_of_work() as uow:
            repo = uow.repo(APPROVALS)
            found = list(repo.scan()) if status is None else repo.list_by("status", status)
        return sorted(found, key=lambda r: (r.requested_at, r.id))

    def approval(self, request_id: str) -> ApprovalRequest:
        """The approval request ``request_id``."""
        with self._rt.storage.unit_of_work() as uow:
            found = uow.repo(APPROVALS).find(_name(request_id, "request_id"))
        if found is None:
            raise UnknownApproval(request_id)
        return found

    def _decide(self, request_id: str, action: str, actor: str, reason: str) -> ApprovalRequest:
        now = self._rt.clock.now()

        def use_case(uow: UnitOfWork) -> ApprovalRequest:
            repo = uow.repo(APPROVALS)
            request = repo.find(request_id)
            if request is None:
                raise UnknownApproval(request_id)
            if request.status == "pending" and now >= request.expires_at:
                request.move("expire")
                request.decided_at = now
                repo.save(request)
                return request
            request.move(action)
            request.decided_by, request.decided_at, request.decision_reason = actor, now, reason
            repo.save(request)
            return request

        decided = self._rt.run(use_case)
        if decided.status == "expired" and action != "expire":
            raise InvalidTransition(
                f"approval request {request_id}", "expired", action, ["pending"]
            )
        return decided

    def _check_decider(self, request: ApprovalRequest, actor: str) -> None:
        scope = Scope(request.scope_channels, request.scope_locations)
        self._authorize(actor, request.permission, scope)

    def approve(self, request_id: str, *, actor: str, reason: str) -> Any:
        """Approve a waiting request as a second principal; its action then runs, once.

        ``actor`` must not be the requester and must hold the request's permission in its
        scope. Returns what the action returned; if the action raises, the request ends
        ``failed`` with the error and the error is raised.

        Raises:
            SelfApproval: the requester approving their own request.
            AccessDenied: the approver lacks the permission.
            InvalidTransition: the request is decided or has expired.
        """
        request_id, actor = _name(request_id, "request_id"), check_actor(actor)
        reason = check_text(reason, "reason", max_length=500)
        request = self.approval(request_id)
        if actor == request.requester:
            raise SelfApproval(request_id, actor)
        self._check_decider(request, actor)
        before = {"status": request.status}
        request = self._decide(request_id, "approve", actor, reason)
        self._audit_admin("admin.approve", actor, f"approval:{request_id}", before=before,
                          after={"status": request.status}, reason=reason)  # fmt: skip
        service_name, method_name = request.action.split(".", 1)
        method = getattr(getattr(self._services, service_name), method_name)
        args, kwargs = request.arguments["args"], request.arguments["kwargs"]
        try:
            with guarding.acting(request.requester, request_id):
                result = method(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except OmskitError as exc:
            self._finish(request_id, "", str(exc))
            raise
        self._finish(request_id, repr(result)[:500], "")
        return result

    def _finish(self, request_id: str, result: str, error: str) -> None:
        def use_case(uow: UnitOfWork) -> None:
            repo = uow.repo(APPROVALS)
            request = repo.get(request_id)
            if error:
                request.move("fail")
            request.result, request.error = result, error
            repo.save(request)

        self._rt.run(use_case)

    def decline(self, request_id: str, *, actor: str, reason: str) -> ApprovalRequest:
        """Decline a waiting request (the requester may withdraw their own); nothing runs."""
        request_id, actor = _name(request_id, "request_id"), check_actor(actor)
        reason = check_text(reason, "reason", max_length=500)
        request = self.approval(request_id)
        if actor != request.requester:
            self._check_decider(request, actor)
        decided = self._decide(request_id, "decline", actor, reason)
        self._audit_admin("admin.decline", actor, f"approval:{request_id}",
                          before={"status": "pending"}, after={"status": decided.status},
                          reason=reason)  # fmt: skip
        return decided

    def expire_approvals(self, *, actor: str = "system") -> list[str]:
        """Expire every waiting request whose time ran out; returns their ids."""
        now = self._rt.clock.now()

        def use_case(uow: UnitOfWork) -> list[str]:
            repo = uow.repo(APPROVALS)
            gone = []
            for request in repo.list_by("status", "pending"):
                if now >= request.expires_at:
                    request.move("expire")
                    request.decided_at = now
                    repo.save(request)
                    gone.append(request.id)
            return gone

        return self._rt.run(use_case)

    # -- audit ----------------------------------------------------------------------------

    def _record(self, call: guarding.Call, before: dict[str, Any], after: dict[str, Any],
               target: str, uow: UnitOfWork | None) -> None:  # fmt: skip
        """Add the audit record of a guarded call to ``uow``, the change's unit of work.

        The guard calls this. Without ``uow`` (a call that stored nothing) the record gets
        a unit of work of its own, unless the target shows no change (a replay).
        """
        old, new = changed_fields(before, after)
        if uow is None and target and not old and before:
            return
        skip = {"uow", "actor", "reason", "self"}
        arguments = (
            redact({k: v for k, v in call.named.items() if k not in skip})
            if call.guard.arguments
            else {}
        )
        reason = call.named.get("reason")
        record = AuditRecord(
            id=self._rt.ids.new_id("aud"),
            at=self._rt.clock.now(),
            actor=call.actor,
            action=call.action,
            permission=call.guard.permission,
            target=target,
            before=old,
            after=new,
            arguments=arguments,
            reason=plain(reason) if isinstance(reason, str) else "",
            approval_id=call.approval_id,
        )
        self._append(record, uow)

    def _append(self, record: AuditRecord, uow: UnitOfWork | None) -> None:
        """Add ``record`` (its personal values kept apart) to ``uow`` or a fresh one."""
        record, personal = privacy.personal_entry(record)

        def add(into: UnitOfWork) -> None:
            into.repo(AUDIT).add(record)
            if personal is not None:
                into.repo(AUDIT_PERSONAL).add(personal)

        if uow is not None:
            add(uow)
        else:
            self._rt.run(add)

    def _audit_admin(self, action: str, actor: str, target: str, *, before: dict[str, Any],
                     after: dict[str, Any], reason: str) -> None:  # fmt: skip
        if not self._auditing:
            return
        record = AuditRecord(
            id=self._rt.ids.new_id("aud"), at=self._rt.clock.now(), actor=actor,
            action=action, permission="", target=target, before=before, after=after,
            reason=plain(reason),
        )  # fmt: skip
        self._append(record, None)

    def audit(self, *, target: str | None = None, actor: str | None = None) -> list[AuditRecord]:
        """Audit records, oldest first, for one ``target`` (``"order:O-7"``) and/or ``actor``."""
        with self._rt.storage.unit_of_work() as uow:
            repo = uow.repo(AUDIT)
            if target is not None:
                found = repo.list_by("target", target)
            elif actor is not None:
                found = repo.list_by("actor", actor)
            else:
                found = list(repo.scan())
            if actor is not None:
                found = [r for r in found if r.actor == actor]
            return privacy.restore(uow, sorted(found, key=lambda r: r.at))

    def export_audit(self, *, target: str | None = None, actor: str | None = None) -> str:
        """The audit records (all, or for ``target`` / ``actor``) as JSON lines."""
        return to_json_lines(self.audit(target=target, actor=actor))

    # -- personal data --------------------------------------------------------------------

    def _person(self, uow: UnitOfWork, customer: str) -> Any:
        person = privacy.resolve_in(uow, customer)
        if not person.customer_id and not person.order_ids and "@" not in customer:
            raise NotFound("customer", customer, "give a customer id or an e-mail address")
        return person

    def export_customer(self, customer: str, *, actor: str = "system") -> dict[str, Any]:
        """Everything omskit holds about a person, as JSON-ready data (GDPR article 15).

        ``customer`` is a customer id, or the e-mail address of a guest (or customer).
        ``subject`` is the customer id (or the guest's e-mail); the sections: ``customer``
        (the record, with its addresses), their orders, returns, shipments, labels,
        the messages sent to them, their notification preferences, support cases, and
        the audit records about any of these (personal values included). Guarded by
        ``admin.manage_pii``: the export itself is audited, without its content.

        Raises:
            NotFound: a customer id that names nobody.
        """
        key = check_text(customer, "customer", max_length=254)
        with self._rt.storage.unit_of_work() as uow:
            person = self._person(uow, key)
            data = privacy.export_in(uow, person)
            audit = privacy.audit_about_in(uow, person)
        return {
            "subject": person.customer_id or person.key,
            "exported_at": self._rt.clock.now().isoformat(),
            **data,
            "audit": [r.as_dict() for r in audit],
        }

    def erase_customer(self, customer: str, *, actor: str, reason: str) -> dict[str, int]:
        """Anonymise a person everywhere, keeping orders' money intact (GDPR article 17).

        Names, e-mail addresses, phone numbers, street addresses (all but country and
        region) and free text are replaced on the customer record, their orders, returns,
        carrier labels,
        messages, preferences and support cases, and their values in the audit log are
        erased. Totals, lines, payments, refunds and stock movements do not change.
        Returns how many records changed, by section; a second call changes nothing and
        returns zeros. The audit log records that the erasure happened (who, when, why),
        not what was erased.

        Raises:
            ErasureBlocked: an order not yet shipped or cancelled, a return still open, a
                message still waiting to be sent (nothing is changed).
            NotFound: a customer id that names nobody.
            ValidationError: no ``reason``.
        """
        key = check_text(customer, "customer", max_length=254)
        actor = check_actor(actor)
        reason = check_text(reason, "reason", max_length=500)
        now = self._rt.clock.now()

        def use_case(uow: UnitOfWork) -> dict[str, int]:
            person = self._person(uow, key)
            blocked = privacy.blocking_in(uow, person)
            if blocked:
                raise ErasureBlocked(person.customer_id or key, blocked)
            return privacy.erase_in(uow, person, now)

        return self._rt.run(use_case, actor=actor)

    def _erasure_state(self, customer: Any) -> dict[str, Any]:
        """Whether ``customer`` reads as erased now (what the audit compares; no values)."""
        if not isinstance(customer, str):
            return {}
        with self._rt.storage.unit_of_work() as uow:
            person = privacy.resolve_in(uow, customer)
            if person.customer_id:  # a customer: erased once their record's e-mail is
                found = CUSTOMER_DATA.export(uow, person)
                erased = bool(found) and is_erased_email(found[0].email)
            else:  # a guest: erased once no order carries the address any more
                erased = not person.order_ids
        return {"erased": erased}

    def _erasure_label(self, customer: Any) -> str:
        """The audit target of an erasure: the customer id, never an e-mail address."""
        if not isinstance(customer, str):
            return "customer:?"
        with self._rt.storage.unit_of_work() as uow:
            person = privacy.resolve_in(uow, customer)
        return f"customer:{person.customer_id or 'guest'}"

    # -- configuration --------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """The effective configuration, as plain data a host can inspect or print.

        Core settings, every capability's parsed settings, the registered plugins and the
        hook implementations of each hook, the roles and permissions, the approval rules
        and which methods are guarded.
        """
        cfg = self._rt.config
        core = {f.name: plain(getattr(cfg, f.name)) for f in attrs.fields(type(cfg))}
        capabilities = {}
        for name, service in sorted(vars(self._services).items()):
            settings = getattr(service, "settings", None)
            if settings is not None and attrs.has(type(settings)):
                capabilities[name] = plain(settings)
        pm = self._rt.plugins
        hooks = {
            name: [impl.plugin_name for impl in getattr(pm.hook, name).get_hookimpls()]
            for name in sorted(vars(pm.hook))
            if name.startswith("omskit_")
        }
        return {
            "core": core,
            "capabilities": capabilities,
            "plugins": sorted(name for name, _ in pm.list_name_plugin()),
            "hooks": hooks,
            "roles": {n: sorted(r.expanded()) for n, r in self.roles().items()},
            "permissions": self.permissions(),
            "approval_rules": self._rules.as_data(),
            "approval_rule_kinds": {n: r.description for n, r in sorted(RULES.items())},
            "access_control": self._enforcing,
            "audit": self._auditing,
            "guarded_methods": sorted(GUARDS),
            "self_checked_methods": dict(SELF_CHECKED),
            "tax_tables": self._tax_tables(),
        }

    def _tax_tables(self) -> dict[str, Any]:
        pricing = getattr(self._services, "pricing", None)
        if pricing is None:
            return {}
        rates = pricing.tax_rates()
        days = sorted(d for r in rates for d in (r.valid_from, r.valid_to) if d is not None)
        return {
            "builtin": bool(pricing.settings.builtin_rates),
            "builtin_as_of": RATES_AS_OF.isoformat(),
            "stored_rates": len(rates),
            "stored_from": days[0].isoformat() if days else None,
            "stored_until": days[-1].isoformat() if days else None,
        }

    def check_config(self) -> ConfigCheck:
        """Validate the effective configuration as a whole (see ``omskit.admin.checks``).

        Returns the problems (a strategy, gateway, carrier or provider that is not
        registered, a channel currency with no prices, a tax rate that ended with no
        successor, access control with nobody allowed to configure it) and warnings.
        """
        return check_configuration(self._services, self._rt.clock.now())


class _Probe:
    """A stand-in unit of work that notes whether a store read through it."""

    def __init__(self) -> None:
        self.used = False

    def repo(self, collection: Any) -> Any:
        self.used = True
        return None


class _Keeper:
    """The gatekeeper the guard asks: private, so no caller can forge an audit record."""

    def __init__(self, admin: AdminService) -> None:
        self._admin = admin
        self._joins: bool | None = None

    @property
    def joins_reads(self) -> bool:
        """Whether the store honours ``reading_in`` (asked once, with a probe)."""
        if self._joins is None:
            probe = _Probe()
            joined = cast(UnitOfWork, probe)
            try:
                with reading_in(joined), self._admin._rt.storage.unit_of_work() as uow:
                    uow.repo(AUDIT)
            except Exception:  # a store that cannot even be probed: assume it does not
                probe.used = False
            self._joins = probe.used
        return self._joins

    @property
    def enforcing(self) -> bool:
        return self._admin.enforcing

    @property
    def auditing(self) -> bool:
        return self._admin.auditing

    def admit(self, call: guarding.Call) -> None:
        self._admin._admit(call)

    def record(self, call: guarding.Call, before: dict[str, Any], after: dict[str, Any],
               target: str, uow: UnitOfWork | None) -> None:  # fmt: skip
        self._admin._record(call, before, after, target, uow)
