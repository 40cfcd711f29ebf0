"""``OMSKIT_TEST_AUDIT=1``: every OMS a test builds audits, and a spy checks each change.

With the variable set, ``tests/conftest.py`` calls [`activate`][] at start-up. From then
on every OMS is built with ``admin.audit`` on (unless its configuration says
``"audit": false`` or the test carries the ``no_audit`` marker), and every guarded
method the admin service wraps on a facade is wrapped once more, *outside* the guard,
by a spy. For each outermost call the spy checks:

- a call that returned appended at least one audit record of its action, naming the
  target the method's [`Guard`][omskit.admin.table.Guard] names, unless the target
  existed before and reads exactly the same afterwards (a replay, a setting set to
  the value it had: the guard records no change that did not happen);
- a call that raised left no committed record of its action that describes no change
  (a record may stay when the call committed its change and then raised: a lost
  acknowledgement, a declined card kept on the payment, a subscriber's Ctrl-C);
  checked for the methods whose guard names a target.

A call whose target did not exist when it began and was created, and recorded, by a
concurrent call (an identical replay that lost the race) counts as changing nothing.

Problems are collected per test and fail it at teardown (an assertion raised inside
the call could be swallowed by a test's own ``pytest.raises``). At the end of the
session ``summary`` lists the ``GUARDS`` entries no test called.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from omskit.admin import guard as guarding
from omskit.admin.audit import snapshot
from omskit.admin.model import AUDIT
from omskit.admin.service import AdminService
from omskit.admin.settings import AdminSettings
from omskit.admin.table import GUARDS, Guard
from omskit.errors import OmskitError

#: Whether the service tests run with the audit on and the spy installed.
ENABLED = os.environ.get("OMSKIT_TEST_AUDIT", "") == "1"


class _State:
    """What the spy saw: per test (problems) and per session (calls per action)."""

    def __init__(self) -> None:
        self.exempt = False
        self.problems: list[str] = []
        self.seen: Counter[str] = Counter()
        self.unchanged: Counter[str] = Counter()


STATE = _State()


_LOCAL = threading.local()


def _appended() -> list[Any]:
    """The audit records the admin service added in this thread (committed or not)."""
    found: list[Any] | None = getattr(_LOCAL, "appended", None)
    if found is None:
        found = _LOCAL.appended = []
    return found


def _stored(keeper: Any, records: list[Any], uow: Any = None) -> list[Any]:
    """Those of ``records`` that are in ``uow``, or committed (a retried attempt's are not)."""

    def present(into: Any) -> list[Any]:
        repo, kept = into.repo(AUDIT), []
        for record in records:
            try:
                repo.get(record.id)
            except OmskitError:
                continue
            kept.append(record)
        return kept

    if uow is not None:
        return present(uow)
    with keeper._admin._rt.storage.unit_of_work() as fresh:
        return present(fresh)


def _named(signature: inspect.Signature, args: Any, kwargs: Any) -> dict[str, Any] | None:
    """The call's arguments by name, as the guard sees them (``None``: they do not bind)."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    named = dict(bound.arguments)
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_KEYWORD:
            named.update(named.pop(parameter.name, None) or {})
    return named


def _target(guard: Guard, services: Any, named: Mapping[str, Any], result: Any) -> Any:
    if guard.target is None:
        return None
    try:
        return guard.target(services, named, result)
    except (AttributeError, TypeError, LookupError, OmskitError):
        return None


def _state_of(target: Any) -> dict[str, Any]:
    if target is None:
        return {}
    try:
        return snapshot(target[1]())
    except (AttributeError, TypeError, LookupError, OmskitError):
        return {}


def _unchanged(keeper: Any, action: str, target: Any, before: dict[str, Any]) -> bool:
    """Whether a call that left no record changed nothing.

    Either its target reads exactly as before, or the target did not exist when the
    call began and another call (a concurrent replay that won) recorded creating it.
    """
    if target is None:
        return False
    if before:
        return before == _state_of(target)
    with keeper._admin._rt.storage.unit_of_work() as uow:
        return any(r.action == action for r in uow.repo(AUDIT).list_by("target", target[0]))


def _spy(action: str, guard: Guard, method: Callable[..., Any], keeper: Any, *,
         services: Any, guarded: Callable[..., Any]) -> Callable[..., Any]:  # fmt: skip
    signature = inspect.signature(method)

    @functools.wraps(guarded)
    def spied(*args: Any, **kwargs: Any) -> Any:
        if guarding._INSIDE.get() or not keeper.auditing:
            return guarded(*args, **kwargs)
        named = _named(signature, args, kwargs)
        if named is None:
            return guarded(*args, **kwargs)
        uow = named.get("uow")
        start = len(_appended())
        given = _target(guard, services, named, None)
        before = _state_of(given)
        try:
            result = guarded(*args, **kwargs)
        except BaseException:
            new = [r for r in _appended()[start:] if r.action == action]
            stored = _stored(keeper, new) if uow is None and guard.target is not None else []
            if any(not (r.target and (r.before or r.after)) for r in stored):
                STATE.problems.append(f"{action}: raised, yet left a record of no change")
            raise
        STATE.seen[action] += 1
        new = _stored(keeper, [r for r in _appended()[start:] if r.action == action], uow)
        # a target named by the arguments keeps the label it had (an erased customer's
        # e-mail no longer finds them); a new record is named by the call's result
        target = given if given is not None else _target(guard, services, named, result)
        if not new:
            if _unchanged(keeper, action, target, before):
                STATE.unchanged[action] += 1  # nothing changed, so nothing to record
                return result
            STATE.problems.append(f"{action}: no audit record")
        elif target is not None and target[0] not in {r.target for r in new}:
            STATE.problems.append(
                f"{action}: records name {sorted({r.target for r in new})}, not {target[0]!r}"
            )
        return result

    return spied


def activate() -> None:
    """Turn the audit on for every OMS built from now on and spy on every guarded call."""
    original_wrap = guarding._wrap
    original_settings = AdminSettings.from_mapping.__func__  # type: ignore[attr-defined]
    original_append = AdminService._append

    @functools.wraps(original_wrap)
    def wrap(action: str, guard: Guard, method: Callable[..., Any], keeper: Any,
             services: Any) -> Callable[..., Any]:  # fmt: skip
        guarded = original_wrap(action, guard, method, keeper, services)
        return _spy(action, guard, method, keeper, services=services, guarded=guarded)

    def append(admin: AdminService, record: Any, uow: Any) -> None:
        _appended().append(record)
        original_append(admin, record, uow)

    def from_mapping(cls: type[AdminSettings], data: Mapping[str, Any]) -> AdminSettings:
        if not STATE.exempt and isinstance(data, Mapping) and "audit" not in data:
            data = {**data, "audit": True}
        return original_settings(cls, data)  # type: ignore[no-any-return]

    guarding._wrap = wrap  # type: ignore[assignment]
    AdminService._append = append  # type: ignore[method-assign]
    AdminSettings.from_mapping = classmethod(from_mapping)  # type: ignore[assignment,method-assign]


def reset() -> None:
    """Start a test: no problems yet, and forget the records of earlier tests."""
    STATE.problems.clear()
    _appended().clear()


def summary() -> list[str]:
    """Lines for the end of the session: how many guarded methods ran, which never did."""
    never = sorted(set(GUARDS) - set(STATE.seen))
    lines = [
        f"audit spy: {len(STATE.seen)} of {len(GUARDS)} guarded methods called "
        f"({sum(STATE.seen.values())} calls, {sum(STATE.unchanged.values())} changed nothing)",
        f"never called ({len(never)}):",
    ]
    lines += [f"  {action}" for action in never]
    return lines
