"""Built-in plugin: the return-eligibility rules that ship with omskit."""

from __future__ import annotations

from omskit.plugins.spec import hookimpl
from omskit.returns.rules import BUILTIN_RULE_OBJECTS, ReturnRule


@hookimpl
def omskit_register_return_rules() -> list[ReturnRule]:
    """The built-ins: delivered, window, returnable, hazmat, personalised, countries, condition."""
    return list(BUILTIN_RULE_OBJECTS)
