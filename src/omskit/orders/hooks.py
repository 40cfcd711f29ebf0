"""The orders' hooks: the host's own validation and risk signals for an order being captured."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from omskit.plugins.spec import hookspec

if TYPE_CHECKING:
    from omskit.errors import Problem
    from omskit.orders.model import Order
    from omskit.orders.risk import RiskSignal

__all__ = ["OrderValidationPlugin", "RiskChecksPlugin", "RiskSignalLike"]

#: What a risk-check hook may return for one signal (see `RiskSignal.coerce`).
RiskSignalLike: TypeAlias = (
    "RiskSignal | Mapping[str, object] | tuple[str, int, str] | tuple[str, int, str, str]"
)


class RiskChecksPlugin(Protocol):
    """What a plugin adding risk signals looks like to a type checker."""

    def omskit_risk_checks(
        self, order: Order, context: Mapping[str, Any]
    ) -> Iterable[RiskSignalLike]:
        """The signals this plugin raises for ``order``."""
        ...


class OrderValidationPlugin(Protocol):
    """What a plugin adding validation problems looks like to a type checker."""

    def omskit_validate_order(self, order: Order) -> Iterable[Problem]:
        """The problems this plugin finds in ``order``."""
        ...


@hookspec
def omskit_risk_checks(order: Order, context: Mapping[str, Any]) -> Iterable[RiskSignalLike]:
    """Add fraud and risk signals for an order being captured.

    Called for every captured order after the built-in rules. Each signal carries a
    score, a reason and optionally a ``group`` of correlated evidence; hard signals add
    up in full, each group up to a cap, and the total decides approve, hold for review
    or reject (a group alone never rejects; see ``docs/orders.md``).

    :param order: the order being captured (not yet stored).
    :param context: read-only facts gathered for the checks (e.g. recent orders).
    :returns: risk signals ([`RiskSignal`][omskit.orders.risk.RiskSignal], a mapping or a
        ``(rule, score, reason[, group])`` tuple); empty when there is nothing to report.
    """
    raise NotImplementedError  # a hookspec: pluggy reads its signature, never runs it


@hookspec
def omskit_validate_order(order: Order) -> Iterable[Problem]:
    """Add the host's own validation problems for an order being captured.

    Problems from every implementation are reported together with omskit's own; any
    problem rejects the order and nothing is stored.

    :param order: the order being captured (not yet stored).
    :returns: [`Problem`][] items; empty when the order is fine.
    """
    raise NotImplementedError  # a hookspec: pluggy reads its signature, never runs it
