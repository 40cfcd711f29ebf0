"""Every public method of every service on the facade is either guarded or a read.

This is what keeps access control from being skipped: a new state-changing method that
lands without an entry in ``omskit.admin.GUARDS`` fails here, named, and so does an
entry whose scope reads an argument the method does not have.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

from omskit import OMS
from omskit.admin import GUARDS, READS, SELF_CHECKED, table
from omskit.admin.scopes import params_of


def services(oms: OMS) -> Iterator[tuple[str, object]]:
    """The capability services hanging off the facade (objects from omskit's packages)."""
    for name, value in vars(oms).items():
        module = type(value).__module__
        if name.startswith("_") or not module.startswith("omskit."):
            continue
        if module.split(".")[1] in {"config", "clock", "ids", "runtime"}:
            continue  # the kernel the facade holds, not a capability service
        if type(value).__name__.endswith("Service"):
            yield name, value


def public_methods(oms: OMS) -> Iterator[tuple[str, object]]:
    for name, service in services(oms):
        for attr, raw in inspect.getmembers(type(service)):
            if attr.startswith("_") or isinstance(raw, property):
                continue
            if callable(raw):
                yield f"{name}.{attr}", getattr(service, attr)


@pytest.fixture(scope="module")
def facade() -> OMS:
    # the embedded default, said out loud so OMSKIT_TEST_AUDIT=1 does not turn it on
    return OMS.in_memory({"admin": {"audit": False}}, autoload=False)


def test_every_public_service_method_is_guarded_or_declared_a_read(facade: OMS) -> None:
    unlisted = sorted(
        name for name, _ in public_methods(facade)
        if name not in GUARDS and name not in READS and name not in SELF_CHECKED
    )  # fmt: skip
    assert unlisted == [], (
        "state-changing methods must be in omskit.admin.table.GUARDS (with their permission "
        f"and scope), read-only ones in READS: {unlisted}"
    )


def test_no_method_is_both_guarded_and_a_read() -> None:
    assert set(GUARDS) & READS == set()
    assert set(SELF_CHECKED) & (set(GUARDS) | READS) == set()


def test_every_table_entry_names_a_method_that_exists(facade: OMS) -> None:
    existing = {name for name, _ in public_methods(facade)}
    stale = sorted((set(GUARDS) | READS | set(SELF_CHECKED)) - existing)
    assert stale == []


@pytest.mark.parametrize("action", sorted(GUARDS))
def test_scope_and_target_read_arguments_the_method_really_has(facade: OMS, action: str) -> None:
    service, method = action.split(".", 1)
    parameters = inspect.signature(getattr(getattr(facade, service), method)).parameters
    guard = GUARDS[action]
    wanted = set(params_of(guard.scope)) | set(params_of(guard.target))
    missing = sorted(wanted - set(parameters))
    assert missing == [], f"{action} has no parameter(s) {missing}; it has {list(parameters)}"


def test_enabling_wraps_every_guarded_method_on_the_facade() -> None:
    oms = OMS.in_memory({"admin": {"access_control": True, "owner": "root"}}, autoload=False)
    assert sorted(oms.admin.wrapped) == sorted(GUARDS)
    for action in GUARDS:
        service, method = action.split(".", 1)
        assert method in vars(getattr(oms, service)), f"{action} is not wrapped"


def test_embedded_default_wraps_nothing(facade: OMS) -> None:
    assert facade.admin.wrapped == []
    for action in GUARDS:
        service, method = action.split(".", 1)
        assert method not in vars(getattr(facade, service))


def test_a_guard_cannot_name_an_unknown_permission() -> None:
    with pytest.raises(ValueError, match=r"orders.teleport"):
        table.Guard("orders.teleport")
