"""The returns hook: eligibility rules registered by name.

Typed with [`ReturnRule`][omskit.returns.rules.ReturnRule].
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from omskit.plugins.spec import hookspec

if TYPE_CHECKING:
    from omskit.returns.rules import ReturnRule

__all__ = ["ReturnRulesPlugin"]


class ReturnRulesPlugin(Protocol):
    """What a plugin that registers return-eligibility rules looks like to a type checker."""

    def omskit_register_return_rules(self) -> Iterable[ReturnRule]:
        """The rules this plugin adds."""
        ...


@hookspec
def omskit_register_return_rules() -> Iterable[ReturnRule]:
    """Register return-eligibility rules, selectable by ``name`` in the returns policy.

    Every rule needs a unique ``name``; two rules with one name is an error. A policy
    (``returns.rules``, per channel or per category) lists the names it applies; a rule
    that no policy names is never called.

    :returns: rule objects implementing
        [`ReturnRule`][omskit.returns.rules.ReturnRule]: a ``name`` and
        ``check(ctx) -> str | None`` (``None`` allows the line, a sentence refuses it).
    """
    raise NotImplementedError  # a hookspec: pluggy reads its signature, never runs it
