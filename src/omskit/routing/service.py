"""The routing service: plan where each order line ships from, and re-plan after a rejection.

Reached as ``oms.routing``. Strategies come from the ``omskit_register_routing_strategies``
hook (the built-ins are ``priority``, ``nearest``, ``fewest_shipments``, ``lowest_cost``,
``dropship`` and ``highest_stock``); the default is the ``strategy`` of the ``routing``
configuration section.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.money import Money, convert
from omskit.plugins.manager import Registry, collect_registry
from omskit.routing.model import Plan, SourcingLine, SourcingRequest
from omskit.routing.planner import CostCache, build_problem, make_plan
from omskit.routing.settings import RoutingSettings
from omskit.routing.strategies import RoutingStrategy
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork

__all__ = ["RoutingService"]


class RoutingService:
    """Sourcing plans. Reached as ``oms.routing``."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.settings = RoutingSettings.from_mapping(
            runtime.config.section("routing"), runtime.config.default_currency
        )
        self._registry: Registry[RoutingStrategy] = collect_registry(
            runtime.plugins, "omskit_register_routing_strategies", "routing strategy"
        )
        self._registry.get(self.settings.strategy)  # fail early on a misconfigured default
        self._costs: CostCache = {}

    @property
    def registry(self) -> Registry[RoutingStrategy]:
        """Every routing strategy by name (as ``oms.carriers.registry`` for carriers)."""
        return self._registry

    @property
    def strategies(self) -> Registry[RoutingStrategy]:
        """Deprecated: the same registry as [`registry`][] (use that, or [`names`][])."""
        warnings.warn(
            "oms.routing.strategies is deprecated; use oms.routing.registry or oms.routing.names()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._registry

    def names(self) -> list[str]:
        """Registered strategy names (as ``oms.carriers.names()``)."""
        return self._registry.names()

    def strategy(self, name: str | None = None) -> RoutingStrategy:
        """The strategy called ``name`` (default: the configured one)."""
        return self._registry.get(name or self.settings.strategy)

    def _today(self) -> dt.date:
        return self._rt.clock.now().date()

    def _money(self, value: Money, currency: str) -> Decimal:
        if value.currency == currency:
            return value.amount
        provider = self._rt.plugins.hook.omskit_exchange_rates(config=self._rt.config)
        return convert(value, currency, provider).converted.amount

    def plan_in(
        self, uow: UnitOfWork, request: SourcingRequest | Mapping[str, Any],
        strategy: str | None = None,
    ) -> Plan:  # fmt: skip
        """Plan ``request`` with the caller's unit of work (reads only).

        It sees the unit of work's own changes: holds released earlier in it are stock
        again. With ``request.count_own_holds`` (the default) what the reference holds
        counts as available to it, so the plan replaces those holds; with ``False`` the
        plan is for units on top of them and can be reserved as it is.
        """
        req = _request(request)
        chosen = self.strategy(strategy)
        ctx = build_problem(uow, req, self.settings.cost_model, self._money, self._costs)
        return make_plan(uow, ctx, chosen, self._today)

    def plan(
        self, request: SourcingRequest | Mapping[str, Any], strategy: str | None = None
    ) -> Plan:
        """Plan where each line of ``request`` ships from, with ``strategy`` (a name).

        Raises:
            UnknownProvider: no strategy by that name.
            UnknownSku, ValidationError: bad request.
        """
        with self._rt.storage.unit_of_work() as uow:
            return self.plan_in(uow, request, strategy)

    def compare(
        self, request: SourcingRequest | Mapping[str, Any], strategies: list[str] | None = None
    ) -> dict[str, Plan]:
        """Plans for the same request from several strategies (all registered by default)."""
        names = strategies or self._registry.names()
        with self._rt.storage.unit_of_work() as uow:
            return {name: self.plan_in(uow, request, name) for name in names}

    def replan(
        self, request_or_plan: SourcingRequest | Plan, *, exclude: frozenset[str] | set[str]
        | tuple[str, ...] = frozenset(), remaining: Mapping[str, int] | None = None,
        strategy: str | None = None,
    ) -> Plan:  # fmt: skip
        """Plan again without the locations in ``exclude`` (they rejected or short-picked).

        Given a [`Plan`][], what those locations were to ship is planned again (or
        ``remaining``: ``{line_ref: quantity}`` still to source), with the plan's
        strategy; given a request, the whole request is planned again. Locations
        excluded before stay excluded.
        """
        if isinstance(request_or_plan, Plan):
            if request_or_plan.request is None:
                raise ValidationError("plan", request_or_plan, "a plan made by oms.routing")
            base = request_or_plan.request
            if remaining is None:
                remaining = {}
                for a in request_or_plan.allocations:
                    if a.location in exclude:
                        remaining[a.line_ref] = remaining.get(a.line_ref, 0) + a.quantity
            strategy = strategy or request_or_plan.strategy
        else:
            base = _request(request_or_plan)
        lines = base.lines
        if remaining is not None:
            known = {ln.line_ref: ln for ln in lines}
            for ref in remaining:
                if ref not in known:
                    raise ValidationError(f"remaining.{ref}", remaining[ref],
                                          f"lines are {', '.join(known)}")  # fmt: skip
            lines = tuple(SourcingLine(ref, known[ref].sku, qty)
                          for ref, qty in remaining.items() if qty)  # fmt: skip
        dropped: frozenset[str] = frozenset(exclude)
        new = attrs.evolve(base, exclude=base.exclude | dropped, lines=lines)
        return self.plan(new, strategy)


def _request(value: SourcingRequest | Mapping[str, Any]) -> SourcingRequest:
    if isinstance(value, SourcingRequest):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError("request", value, "expected a SourcingRequest or a mapping")
    allowed = {"reference", "lines", "ship_to", "allow_split", "exclude", "channel",
               "count_own_holds"}  # fmt: skip
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValidationError(unknown[0], value[unknown[0]], f"allowed: {sorted(allowed)}")
    return SourcingRequest(**value)
