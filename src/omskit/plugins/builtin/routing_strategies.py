"""Built-in plugin: the sourcing strategies that ship with omskit."""

from __future__ import annotations

from omskit.plugins.spec import hookimpl
from omskit.routing.lowest_cost import LowestCostStrategy
from omskit.routing.strategies import (
    DropshipStrategy,
    FewestShipmentsStrategy,
    NearestStrategy,
    PriorityStrategy,
    RoutingStrategy,
)


@hookimpl
def omskit_register_routing_strategies() -> list[RoutingStrategy]:
    """``priority``, ``nearest``, ``fewest_shipments``, ``lowest_cost`` and ``dropship``."""
    return [
        PriorityStrategy(),
        NearestStrategy(),
        FewestShipmentsStrategy(),
        LowestCostStrategy(),
        DropshipStrategy(),
    ]
