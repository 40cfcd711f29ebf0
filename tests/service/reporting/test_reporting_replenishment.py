"""Demand from the ledger, forecasts per SKU and location, and replenishment they drive."""

from __future__ import annotations

import datetime as dt
import math
import random

import attrs
import pytest

from omskit import OMS, NotFound, ValidationError
from omskit.inventory.replenishment import REORDER_POLICIES
from omskit.inventory.reservations import Allocation
from omskit.reporting import ReplenishmentApplied
from omskit.reporting.replenish import economic_order_quantity, safety_stock, service_z
from omskit.testing import FakeClock

from .reporting_helpers import world

DAY0 = dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.UTC)
WEEK = [9, 4, 4, 5, 6, 8, 12]  # a weekly pattern of daily sales, Tuesday first


def sell(oms: OMS, sku: str, quantity: int, ref: str) -> None:
    """Stock leaves the shelf: reserved and consumed, as a shipment does."""
    oms.inventory.reserve(reference=ref, allocations=[Allocation("BER", sku, quantity, "L1")])
    oms.inventory.consume(reference=ref, line_ref="L1", location="BER", quantity=quantity)


def selling_world(days: int = 56, seed: int = 2) -> tuple[OMS, FakeClock]:
    """TEE sells the weekly pattern (plus noise) every day; MUG sells 6 every 3rd day."""
    oms, clock = world()
    oms.inventory.receive("TEE", location="BER", quantity=2000)
    oms.inventory.receive("MUG", location="BER", quantity=2000)
    rng = random.Random(seed)
    for d in range(days):
        clock.set(DAY0 + dt.timedelta(days=d))
        sell(oms, "TEE", max(1, WEEK[d % 7] + rng.randint(-1, 1)), f"t{d}")
        if d % 3 == 0:
            sell(oms, "MUG", 6, f"m{d}")
    clock.set(DAY0 + dt.timedelta(days=days - 1, hours=12))
    return oms, clock


@pytest.fixture(scope="module")
def selling() -> tuple[OMS, FakeClock]:
    return selling_world()


def test_demand_is_read_from_the_ledger_per_local_day(selling: tuple[OMS, FakeClock]) -> None:
    oms, _clock = selling
    days = oms.reports.demand("MUG", "BER", "2026-09-01", "2026-09-07")
    assert days == [(dt.date(2026, 9, d), 6 if (d - 1) % 3 == 0 else 0) for d in range(1, 8)]
    weeks = oms.reports.demand("MUG", "BER", "2026-09-01", "2026-09-13", every="week")
    # weeks start on Monday: Aug 31 (Sep 1 and 4 in range), Sep 7 (Sep 7, 10 and 13)
    assert weeks == [(dt.date(2026, 8, 31), 12), (dt.date(2026, 9, 7), 18)]


def test_the_weekly_pattern_is_forecast_by_a_seasonal_method(
    selling: tuple[OMS, FakeClock],
) -> None:
    oms, _clock = selling
    result = oms.reports.forecast("TEE", "BER", horizon=7)
    assert result.forecast.method in ("holt_winters", "seasonal_naive")
    naive = next(a for a in result.ranking if a.method == "naive")
    assert result.ranking[0].mae < naive.mae
    assert result.demand_class == "smooth"
    assert len(result.history) == 56
    assert "holt_winters" in result.describe()


def test_intermittent_demand_is_recognised(selling: tuple[OMS, FakeClock]) -> None:
    oms, _clock = selling
    result = oms.reports.forecast("MUG", "BER", horizon=5, method="croston")
    assert result.demand_class == "intermittent"
    assert result.forecast.values[0] == pytest.approx(2.0, abs=0.1)  # 6 every 3 days


def test_forecast_arguments_are_checked(selling: tuple[OMS, FakeClock]) -> None:
    oms, _clock = selling
    with pytest.raises(ValidationError, match="method"):
        oms.reports.forecast("TEE", "BER", method="prophet")
    with pytest.raises(ValidationError, match="history_days"):
        oms.reports.forecast("TEE", "BER", history_days=3)
    with pytest.raises(ValidationError, match="every"):
        oms.reports.demand("TEE", "BER", every="hour")


def test_the_formulas_by_hand() -> None:
    """z(95 %) = 1.6449; SS = 1.6449 x 3 x sqrt(4) = 9.869; EOQ = sqrt(2 x 1000 x 50 / 4)."""
    assert service_z(0.95) == pytest.approx(1.6449, abs=1e-4)
    assert safety_stock(3, 4, 0.95) == pytest.approx(9.869, abs=1e-3)
    assert economic_order_quantity(1000, 50, 4) == pytest.approx(math.sqrt(25_000))
    with pytest.raises(ValidationError, match="service_level"):
        service_z(1.0)


def test_suggestions_follow_the_forecast_and_feed_purchase_orders() -> None:
    """MUG sells 2/day on average with its error sigma; lead time 5 days: ROP = 2 x 5 +
    ceil(1.645 x sigma x sqrt 5). Applied, inventory's suggested purchase order uses it."""
    oms, _clock = selling_world()
    oms.inventory.set_reorder_policy("MUG", location="BER", supplier="ACME")
    (s,) = oms.reports.suggest_replenishment(service_level=0.95, method="croston",
                                              order_cost="40", holding_rate="0.25")  # fmt: skip
    assert s.sku == "MUG"
    assert s.lead_time_days == 5
    assert s.safety_stock == math.ceil(service_z(0.95) * s.sigma * math.sqrt(5))
    assert s.reorder_point == math.ceil(s.daily_demand * 5 + service_z(0.95) * s.sigma * 5**0.5)
    assert s.order_quantity == math.ceil(math.sqrt(2 * 365 * s.daily_demand * 40 / (4 * 0.25)))
    assert "reorder point" in s.explanation
    events: list[object] = []
    oms.events.subscribe("test", events.append)
    (policy,) = oms.reports.apply_replenishment([s], actor="planner")
    assert (policy.reorder_point, policy.order_quantity) == (s.reorder_point, s.order_quantity)
    applied = [e for e in events if isinstance(e, ReplenishmentApplied)]
    assert [(e.policy, e.actor) for e in applied] == [("BER:MUG", "planner")]
    oms.inventory.adjust("MUG", location="BER", delta=-(oms.inventory.level("MUG", "BER")
                         .on_hand - s.reorder_point), reason="count")  # fmt: skip
    (po,) = oms.inventory.suggest_purchase_orders()
    assert f"reorder point {s.reorder_point}" in po.lines[0].reason
    assert po.lines[0].quantity == s.order_quantity


def test_min_max_policies_get_a_minimum_and_a_maximum() -> None:
    oms, _clock = selling_world()
    oms.inventory.set_reorder_policy("TEE", location="BER", supplier="ACME", method="min_max")
    (s,) = oms.reports.suggest_replenishment(service_level=0.9)
    assert s.minimum == s.reorder_point
    assert s.maximum is not None
    assert s.maximum > s.minimum
    (policy,) = oms.reports.apply_replenishment([s])
    assert (policy.minimum, policy.maximum) == (s.minimum, s.maximum)


def test_applying_is_all_or_nothing() -> None:
    """The second suggestion names a policy that does not exist: the first is not kept."""
    oms, _clock = selling_world(days=21)
    oms.inventory.set_reorder_policy("TEE", location="BER", supplier="ACME")
    (good,) = oms.reports.suggest_replenishment()
    stray = attrs.evolve(good, sku="MUG")
    with pytest.raises(NotFound, match="BER:MUG"):
        oms.reports.apply_replenishment([good, stray])
    with oms.runtime.storage.unit_of_work() as uow:
        assert uow.repo(REORDER_POLICIES).get("BER:TEE").reorder_point is None
    with pytest.raises(ValidationError, match=r"suggestions\[0\]"):
        oms.reports.apply_replenishment(["BER:TEE"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="service_level"):
        oms.reports.suggest_replenishment(service_level=95)
