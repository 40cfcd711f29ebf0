"""The bare baseline of the benchmarks does the same arithmetic as omskit.

A ratio against a baseline means something only if both compute the same order; this
checks the realistic shape's totals, to the cent, for a run of orders.
"""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_the_bare_capture_prices_the_realistic_order_as_omskit_does() -> None:
    capture, baseline = load("capture"), load("baseline")
    oms, _clock = capture.build("realistic")
    shop = baseline.BareShop(capture.SKU_COUNT, baseline.LOCATIONS)
    for n in range(40):
        data = capture.payload(n, "realistic")
        order = oms.orders.capture(data)
        bare = shop.capture(data, 52.5, 13.4)
        assert order.total.gross.amount == bare["total"], n
        taxes = [Decimal(line["tax"]) for line in bare["lines"]]
        assert order.total.tax.amount == sum(taxes), n
        assert {r.location for r in oms.inventory.reservations(order.id)} == {bare["location"]}


def test_the_bare_spread_sums_to_the_whole() -> None:
    baseline = load("baseline")
    parts = baseline.spread(Decimal("1.00"), [Decimal(1), Decimal(1), Decimal(1)])
    assert sum(parts) == Decimal("1.00")
    assert sorted(parts) == [Decimal("0.33"), Decimal("0.33"), Decimal("0.34")]
