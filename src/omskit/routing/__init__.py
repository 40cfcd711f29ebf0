"""Routing (sourcing): which location ships what, by a named strategy, explained.

Reached as ``oms.routing`` ([`RoutingService`][]).
"""

from omskit.inventory.reservations import Allocation
from omskit.routing.lowest_cost import LowestCostStrategy
from omskit.routing.model import (
    Alternative,
    Decision,
    Plan,
    PlanDetails,
    Shortfall,
    SourcingLine,
    SourcingRequest,
)
from omskit.routing.problem import (
    LineSpec,
    Pick,
    Site,
    SiteSource,
    SourcingProblem,
    plan_cost,
)
from omskit.routing.service import RoutingService
from omskit.routing.settings import CostModel, RoutingSettings
from omskit.routing.strategies import (
    DropshipStrategy,
    FewestShipmentsStrategy,
    HighestStockStrategy,
    NearestStrategy,
    PriorityStrategy,
    RoutingStrategy,
)

__all__ = [
    "Allocation",
    "Alternative",
    "CostModel",
    "Decision",
    "DropshipStrategy",
    "FewestShipmentsStrategy",
    "HighestStockStrategy",
    "LineSpec",
    "LowestCostStrategy",
    "NearestStrategy",
    "Pick",
    "Plan",
    "PlanDetails",
    "PriorityStrategy",
    "RoutingService",
    "RoutingSettings",
    "RoutingStrategy",
    "Shortfall",
    "Site",
    "SiteSource",
    "SourcingLine",
    "SourcingProblem",
    "SourcingRequest",
    "plan_cost",
]
