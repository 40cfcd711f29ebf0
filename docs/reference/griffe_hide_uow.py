"""A griffe extension: leave the ``*_in(uow, ...)`` functions out of the API reference.

A function or method whose name ends in ``_in`` and which takes a ``uow`` parameter runs
inside its caller's unit of work: it is how one capability calls another (through the
typed ports), not an entry point for host code. They stay importable and documented in
the source; the reference hides them by dropping their docstring for the renderer, which
skips undocumented objects (``show_if_no_docstring: false`` in ``mkdocs.yml``).
"""

from __future__ import annotations

from typing import Any

import griffe


def runs_in_callers_unit_of_work(func: griffe.Function) -> bool:
    """True for ``name_in(self, uow, ...)`` / ``name_in(uow, ...)`` style functions."""
    return func.name.endswith("_in") and "uow" in func.parameters


class HideUnitOfWorkFunctions(griffe.Extension):
    """Hide every function [`runs_in_callers_unit_of_work`][] says is internal."""

    def on_function_instance(self, *, func: griffe.Function, **kwargs: Any) -> None:
        """Drop the docstring of an internal ``*_in(uow)`` function as it is loaded."""
        if runs_in_callers_unit_of_work(func):
            func.docstring = None
