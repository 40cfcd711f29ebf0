"""Errors raised by returns, exchanges and claims (all re-exported from ``omskit``).

::

    ValidationError
    └── ReturnNotEligible        a line the policy refuses: field, value, why
    NotFound
    └── UnknownReturn            no RMA with that id
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from omskit.errors import NotFound, Problem, ValidationError, shown
from omskit.validation import Problems

__all__ = ["ReturnNotEligible", "UnknownReturn", "report"]


class ReturnNotEligible(ValidationError):
    """The return policy refuses one or more lines; each problem names the line and why.

    ``problems`` has one [`Problem`][] per refused line (field ``lines.L1``, the quantity
    asked for, and every rule's reason), so a request with two bad lines reports both.
    """

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> ReturnNotEligible:
        """One error carrying every refused line."""
        first = problems[0]
        return cls(first.field, first.value, first.message, problems=problems)


class UnknownReturn(NotFound):
    """No return (RMA) with that id."""

    def __init__(self, rma_id: object) -> None:
        super().__init__("return", rma_id, "oms.returns.for_order(order_id) lists an order's")


def report(problems: Problems, field: str, allowed: str, value: Any = None) -> None:
    """Record a problem whose message names the value seen and what is allowed."""
    problems.add(field, f"got {shown(value)}; {allowed}", value)
