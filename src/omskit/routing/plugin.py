"""Built-in plugin: the sourcing strategies that ship with omskit."""

from __future__ import annotations

from omskit.plugins.spec import hookimpl
from omskit.routing.lowest_cost import LowestCostStrategy
from omskit.routing.strategies import (
    DropshipStrategy,
    FewestShipmentsStrategy,
    HighestStockStrategy,
    NearestStrategy,
    PriorityStrategy,
    RoutingStrategy,
)


@hookimpl
def omskit_register_routing_strategies() -> list[RoutingStrategy]:
    """The built-ins: priority, nearest, fewest shipments, lowest cost, dropship, stock."""
    return [
        PriorityStrategy(),
        NearestStrategy(),
        FewestShipmentsStrategy(),
        LowestCostStrategy(),
        DropshipStrategy(),
        HighestStockStrategy(),
    ]
