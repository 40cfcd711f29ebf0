"""The public API: ``omskit.__all__`` is sorted, complete and documented."""

from __future__ import annotations

import inspect
import re
import types

import pytest

import omskit


def isort_key(name: str) -> tuple[int, list[object]]:
    """The order ruff's RUF022 keeps ``__all__`` in (its "isort-style" sort).

    SCREAMING_SNAKE_CASE names first, then CamelCase, then everything else; inside
    each group a natural sort (digits compared as numbers). The repository's ruff
    configuration enforces this order, so a plain ``sorted()`` would fight the linter.
    """
    if name.isupper() and len(name) > 1:
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    parts = [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]
    return group, parts


def test_all_is_sorted_the_way_ruff_keeps_it() -> None:
    assert omskit.__all__ == sorted(omskit.__all__, key=isort_key)


def test_all_has_no_duplicates() -> None:
    assert len(omskit.__all__) == len(set(omskit.__all__))


def test_every_name_in_all_exists() -> None:
    missing = [name for name in omskit.__all__ if not hasattr(omskit, name)]
    assert missing == []


def test_every_public_attribute_is_in_all() -> None:
    public = {
        name
        for name, value in vars(omskit).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - set(omskit.__all__) == set()


def public_objects() -> list[tuple[str, object]]:
    return [
        (name, getattr(omskit, name))
        for name in omskit.__all__
        if not isinstance(getattr(omskit, name), str | int)
    ]


@pytest.mark.parametrize(("name", "obj"), public_objects(), ids=[n for n, _ in public_objects()])
def test_every_public_name_has_a_docstring(name: str, obj: object) -> None:
    assert inspect.getdoc(obj), f"omskit.{name} has no docstring"


def own_public_members() -> list[str]:
    found = []
    for name, obj in public_objects():
        if not inspect.isclass(obj) or not obj.__module__.startswith("omskit"):
            continue
        for attr, raw in vars(obj).items():
            if attr.startswith("_"):
                continue
            value = raw.__func__ if isinstance(raw, classmethod | staticmethod) else raw
            if inspect.isfunction(value) or isinstance(value, property):
                found.append(f"{name}.{attr}")
    return found


@pytest.mark.parametrize("member", own_public_members())
def test_every_public_method_and_property_of_a_public_class_has_a_docstring(member: str) -> None:
    cls_name, attr = member.split(".")
    value = vars(getattr(omskit, cls_name))[attr]
    if isinstance(value, classmethod | staticmethod):
        value = value.__func__
    assert (value.__doc__ or "").strip(), f"omskit.{member} has no docstring"


def test_the_version_is_a_string_matching_the_package_metadata() -> None:
    from importlib.metadata import version

    assert omskit.__version__ == version("omskit")
