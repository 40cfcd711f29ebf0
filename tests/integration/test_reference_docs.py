"""The API reference renders: Markdown cross-references, no internal unit-of-work calls."""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import griffe
import pytest

from omskit.inventory.service import InventoryService

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "omskit"
EXTENSION = ROOT / "docs" / "reference" / "griffe_hide_uow.py"
# Sphinx roles print as raw text in the mkdocstrings reference; write [`Name`][] instead
ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|exc|data|obj|const|ref):`")


def strings(path: Path) -> Iterator[tuple[int, str]]:
    """Every string literal of a module (docstrings of modules, classes, functions and
    attributes among them) with its line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_the_role_pattern_catches_sphinx_roles_and_spares_markdown_links() -> None:
    assert ROLE.search("raises :class:`NotFound`")
    assert ROLE.search("see :py:meth:`~omskit.OMS.close`")
    assert not ROLE.search("raises [`NotFound`][] or [`Order`][omskit.orders.Order]")
    assert not ROLE.search(":param order: the order")  # hookspec fields are read, not roles


def test_no_docstring_in_the_package_uses_a_sphinx_role() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {ROLE.search(text)[0]}"  # type: ignore[index]
        for path in sorted(SRC.rglob("*.py"))
        for line, text in strings(path)
        if ROLE.search(text)
    ]
    assert not found, "write [`Name`][] cross-references instead:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def reference() -> griffe.Module:
    """omskit as the reference loads it, with the extension mkdocs.yml configures."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "docs/reference/griffe_hide_uow.py:HideUnitOfWorkFunctions" in config
    spec = importlib.util.spec_from_file_location("griffe_hide_uow", EXTENSION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    extensions = griffe.load_extensions(module.HideUnitOfWorkFunctions())
    loaded = griffe.load("omskit", search_paths=[str(ROOT / "src")], extensions=extensions)
    assert isinstance(loaded, griffe.Module)
    return loaded


def functions(obj: griffe.Object) -> Iterator[griffe.Function]:
    for member in obj.members.values():
        if member.is_alias:
            continue
        if isinstance(member, griffe.Function):
            yield member
        elif isinstance(member, griffe.Object):
            yield from functions(member)


def test_internal_unit_of_work_functions_are_left_out_of_the_reference(
    reference: griffe.Module,
) -> None:
    internal = [f for f in functions(reference) if f.name.endswith("_in") and "uow" in f.parameters]
    assert len(internal) > 40
    assert all(f.docstring is None for f in internal), [f.path for f in internal if f.docstring]
    reserve_in = reference["inventory.reservation_service.ReservationMixin.reserve_in"]
    assert reserve_in.docstring is None
    # still there for the capabilities that call them, and documented in the source
    assert InventoryService.reserve_in.__doc__


def test_public_names_that_only_end_in_in_stay_documented(reference: griffe.Module) -> None:
    amount_in = reference["pricing.promotions.Promotion.amount_in"]
    assert amount_in.docstring is not None
    assert "fixed amount" in amount_in.docstring.value
    documented = [f for f in functions(reference) if f.docstring is not None]
    assert len(documented) > 300
