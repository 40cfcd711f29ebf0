"""Wraps every method in ``GUARDS`` on the facade's services.

The wrapper binds the call's arguments to the method's signature, finds the actor (the
call's ``actor`` argument when given, else the principal of
[`AdminService.acting_as`][omskit.admin.service.AdminService.acting_as], else ``"system"``), asks
the [`Gatekeeper`][] whether the actor may do the guarded permission in the call's
scope and whether an approval rule holds the call back, runs the method, and hands the
gatekeeper the target's state before and after for the audit log. A call made from
inside a guarded call (the orders service cancelling fulfillment orders) passes
straight through: the outer call's check covers the whole use case.

The audit record joins the unit of work of the change it records: while the call runs,
every commit the runtime makes asks an `_Audit` hook first, which reads the
target's state through that open unit of work and, at the first commit that changes
the target, adds the record to it. The record and the change commit together or not at
all. A call that commits nothing through the store (a setting held in memory) is
recorded in a unit of work of its own after it returns; an ``_in`` method called
directly adds its record to the caller's unit of work.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from omskit.admin.audit import changed_fields, snapshot
from omskit.admin.scopes import Target
from omskit.admin.table import GUARDS, Guard
from omskit.errors import OmskitError
from omskit.runtime import committing_with
from omskit.storage.ports import UnitOfWork, reading_in

__all__ = ["Call", "Gatekeeper", "acting", "current_actor", "install", "uninstall"]

_ACTOR: contextvars.ContextVar[str | None] = contextvars.ContextVar("omskit_actor", default=None)
_INSIDE: contextvars.ContextVar[bool] = contextvars.ContextVar("omskit_guarded", default=False)
_APPROVAL: contextvars.ContextVar[str] = contextvars.ContextVar("omskit_approval", default="")

#: Marks a wrapped method, pointing at the original bound method.
_ORIGINAL = "__omskit_original__"


def current_actor() -> str | None:
    """The principal set by ``acting`` in this context, if any."""
    return _ACTOR.get()


@contextmanager
def acting(actor: str, approval_id: str = "") -> Iterator[None]:
    """Calls inside the block act as ``actor`` (when they pass no ``actor`` of their own)."""
    token = _ACTOR.set(actor)
    approval = _APPROVAL.set(approval_id) if approval_id else None
    try:
        yield
    finally:
        _ACTOR.reset(token)
        if approval is not None:
            _APPROVAL.reset(approval)


class Call:
    """One guarded call, as the gatekeeper sees it."""

    __slots__ = ("action", "actor", "approval_id", "args", "guard", "kwargs", "named", "uow")

    def __init__(  # noqa: PLR0917 - built in one place, by the wrapper
        self, action: str, guard: Guard, actor: str, named: Mapping[str, Any],
        args: tuple[Any, ...], kwargs: dict[str, Any], uow: Any,
    ) -> None:  # fmt: skip
        self.action = action
        self.guard = guard
        self.actor = actor
        self.named = named
        self.args = args
        self.kwargs = kwargs
        self.uow = uow
        self.approval_id = _APPROVAL.get()


class Gatekeeper(Protocol):
    """What the wrapper asks before and tells after a call (the admin service)."""

    @property
    def enforcing(self) -> bool:
        """Whether permissions are checked."""

    @property
    def auditing(self) -> bool:
        """Whether changes are recorded."""

    @property
    def joins_reads(self) -> bool:
        """Whether the store's reads join an open unit of work (``reading_in``)."""

    def admit(self, call: Call) -> None:
        """Raise if ``call`` may not run now (denied, or waiting for approval)."""

    def record(
        self, call: Call, before: dict[str, Any], after: dict[str, Any], target: str,
        uow: UnitOfWork | None,
    ) -> None:  # fmt: skip
        """Append the audit record of a call to ``uow`` (``None``: in a unit of work of its own)."""


class _Audit:
    """The commit hook of one audited call: writes its record in the change's unit of work."""

    __slots__ = ("before", "call", "commits", "given", "keeper", "services", "target", "written")

    def __init__(self, call: Call, keeper: Gatekeeper, services: Any,
                 target: Target | None, before: dict[str, Any]) -> None:  # fmt: skip
        self.call, self.keeper, self.services = call, keeper, services
        self.target, self.before = target, before
        self.given = target  # the target known before the call (``None``: a new record)
        self.commits = 0
        self.written = False

    def before_commit(self, uow: UnitOfWork, result: object) -> None:
        self.commits += 1
        if self.written:
            return
        guard, target = self.call.guard, self.target
        if target is None and guard.target is not None and result is not None:
            try:  # a new record: the use case's result is usually the record itself
                target = guard.target(self.services, self.call.named, result)
            except (AttributeError, TypeError, OmskitError):
                target = None
            self.target = target
        if target is None and guard.target is not None:
            return  # a side record (a compensation kept for retry): the target comes later
        after: dict[str, Any] = {}
        if target is not None:
            with reading_in(uow):
                after = snapshot(target[1]())
            seen = self.keeper.joins_reads  # else ``after`` is the committed state
            if seen and self.before and not changed_fields(self.before, after)[0]:
                return  # this commit did not touch the target (a replay, a side record)
        self.keeper.record(self.call, self.before, after,
                           target[0] if target is not None else "", uow)  # fmt: skip
        self.written = True

    def retried(self) -> None:
        # the unit of work holding the record was rolled back, and with it the record
        # the attempt created: the next attempt names its own
        self.written = False
        self.target = self.given

    def finish(self, result: object) -> None:
        """After the call returned: record what no commit of the store carried."""
        call, guard, target = self.call, self.call.guard, self.target
        if call.uow is not None:  # an ``_in`` method: the record joins the caller's work
            if target is None and guard.target is not None:
                target = guard.target(self.services, call.named, result)
            self.keeper.record(call, self.before, {},
                               target[0] if target is not None else "", call.uow)  # fmt: skip
        elif not self.written:
            # nothing reached the store (a setting held in memory), or no commit named
            # the target: a record of its own
            if target is None and guard.target is not None:
                target = guard.target(self.services, call.named, result)
            after = snapshot(target[1]()) if target is not None else {}
            self.keeper.record(call, self.before, after,
                               target[0] if target is not None else "", None)  # fmt: skip


def _wrap(
    action: str, guard: Guard, method: Callable[..., Any], keeper: Gatekeeper, services: Any
) -> Callable[..., Any]:
    signature = inspect.signature(method)
    has_actor = "actor" in signature.parameters
    has_uow = "uow" in signature.parameters
    var_keyword = next(
        (p.name for p in signature.parameters.values() if p.kind is p.VAR_KEYWORD), None
    )

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if _INSIDE.get() or not (keeper.enforcing or keeper.auditing):
            return method(*args, **kwargs)
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return method(*args, **kwargs)  # the method raises its own TypeError
        given = bound.arguments.get("actor") if has_actor else None
        actor = given if isinstance(given, str) and given else (_ACTOR.get() or None)
        if has_actor and "actor" not in bound.arguments and actor is not None:
            bound.arguments["actor"] = actor
        bound.apply_defaults()
        if actor is None:
            default = bound.arguments.get("actor") if has_actor else None
            actor = default if isinstance(default, str) else "system"
        named = dict(bound.arguments)
        if var_keyword is not None:
            named.update(named.pop(var_keyword, None) or {})
            named[var_keyword] = bound.arguments.get(var_keyword) or {}
        call = Call(action, guard, actor, named, bound.args, dict(bound.kwargs),
                    named.get("uow") if has_uow else None)  # fmt: skip
        keeper.admit(call)
        if not keeper.auditing:
            token = _INSIDE.set(True)
            try:
                return method(*bound.args, **bound.kwargs)
            finally:
                _INSIDE.reset(token)
        target = guard.target(services, named, None) if guard.target else None
        before = snapshot(target[1]()) if target is not None else {}
        audit = _Audit(call, keeper, services, target, before)
        token = _INSIDE.set(True)
        try:
            if call.uow is None:
                with committing_with(audit):
                    result = method(*bound.args, **bound.kwargs)
            else:
                result = method(*bound.args, **bound.kwargs)
        finally:
            _INSIDE.reset(token)
        audit.finish(result)
        return result

    setattr(guarded, _ORIGINAL, method)
    return guarded


def install(services: Any, keeper: Gatekeeper, own: Mapping[str, Any] | None = None) -> list[str]:
    """Wrap every guarded method found on ``services``; returns the names wrapped.

    ``own`` names services not yet attached to the facade (the admin service itself,
    while it is being built).
    """
    wrapped = []
    for action, guard in GUARDS.items():
        service_name, method_name = action.split(".", 1)
        service = (own or {}).get(service_name) or getattr(services, service_name, None)
        if service is None or method_name in vars(service):
            continue  # a service this OMS does not have, or already wrapped
        method = getattr(service, method_name, None)
        if method is None:
            continue
        setattr(service, method_name, _wrap(action, guard, method, keeper, services))
        wrapped.append(action)
    return wrapped


def uninstall(services: Any) -> None:
    """Remove every wrapper ``install`` put on ``services``."""
    for action in GUARDS:
        service_name, method_name = action.split(".", 1)
        service = getattr(services, service_name, None)
        if service is not None and hasattr(vars(service).get(method_name), _ORIGINAL):
            delattr(service, method_name)
