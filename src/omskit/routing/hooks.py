"""The routing hook: sourcing strategies registered by name.

Typed with [`RoutingStrategy`][omskit.routing.strategies.RoutingStrategy].
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from omskit.plugins.spec import hookspec

if TYPE_CHECKING:
    from omskit.routing.strategies import RoutingStrategy

__all__ = ["StrategyPlugin"]


class StrategyPlugin(Protocol):
    """What a plugin that registers routing strategies looks like to a type checker."""

    def omskit_register_routing_strategies(self) -> Iterable[RoutingStrategy]:
        """The strategies this plugin adds."""
        ...


@hookspec
def omskit_register_routing_strategies() -> Iterable[RoutingStrategy]:
    """Register sourcing (routing) strategies, selectable by ``name`` in configuration.

    Every item needs a unique ``name``; two strategies with one name is an error.

    :returns: strategy objects implementing
        [`RoutingStrategy`][omskit.routing.strategies.RoutingStrategy].
    """
    raise NotImplementedError  # a hookspec: pluggy reads its signature, never runs it
