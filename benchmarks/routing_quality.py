"""How good is each routing strategy? Cost against an optimum omskit does not compute.

Seeded random instances: 5-line orders over 10-50 locations with random coordinates,
handling costs and random stock, from sparse (a line at one or two locations) to dense (a
line at twenty or more, where lowest_cost's search is heuristic). For each instance the
optimum comes from a mixed-integer programme solved by HiGHS (``highspy``, in the
``bench`` extra), built here from the instance's own numbers: this file computes every
cost itself (the cost model of docs/routing.md) and uses none of omskit's costing or
search code, so an error in either cannot hide in both.

    min  sum_s fixed_s * open_s + sum_l,s line_s * uses_l,s + sum_l,s unit_l,s * units_l,s
    s.t. sum_s units_l,s = ships_l             every line ships all it can (as omskit does)
         units_l,s <= stock_l,s * uses_l,s     a line takes units only where it is picked
         uses_l,s <= open_s                    and only from a location that ships
         open, uses binary; units integer >= 0

Run: ``python benchmarks/routing_quality.py`` (``--quick`` for fewer instances,
``--instances N``). Needs ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import dataclass
from decimal import Decimal

import highspy

from omskit.routing import LineSpec, Pick, Site, SourcingProblem
from omskit.routing.lowest_cost import EXHAUSTIVE_SITES, FILL_LIMIT
from omskit.routing.plugin import omskit_register_routing_strategies

DEST = (52.53, 13.38)
BASE_FEE = Decimal("4.50")
PER_KM = Decimal("0.002")
PER_KG = Decimal("0.80")
PER_KG_PER_100KM = Decimal("0.10")
TOLERANCE = 1e-6  # money units: what still counts as equal to the optimum


@dataclass
class Location:
    """One location's numbers: priority, distance to the customer, handling costs."""

    code: str
    priority: int
    km: Decimal
    handling: Decimal
    per_line: Decimal

    @property
    def shipment(self) -> Decimal:
        """One shipment from here: handling, the carrier's base fee, the distance."""
        return self.handling + BASE_FEE + PER_KM * self.km

    def unit(self, grams: int) -> Decimal:
        """One unit of ``grams`` from here: its weight at the distance's rate per kg."""
        return Decimal(grams) / 1000 * (PER_KG + PER_KG_PER_100KM * self.km / 100)


@dataclass
class Line:
    """One order line: units ordered, weight, stock by location."""

    ref: str
    quantity: int
    grams: int
    stock: dict[str, int]

    @property
    def ships(self) -> int:
        """Units that can ship (all ordered, or all there is)."""
        return min(self.quantity, sum(self.stock.values()))


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def instance(rng: random.Random) -> tuple[list[Location], list[Line]]:
    n = rng.randint(10, 50)
    per_line = rng.choice([rng.uniform(1.0, 4.0), rng.uniform(4.0, 10.0), rng.uniform(10, 25)])
    density = min(1.0, per_line / n)  # each location stocks each SKU with this chance
    locations = []
    for i in range(n):
        point = (rng.uniform(47.5, 54.5), rng.uniform(6.0, 15.0))
        locations.append(Location(f"L{i:02d}", rng.randint(1, 100),
                                  Decimal(f"{km(point, DEST):.1f}"),
                                  Decimal(rng.randint(50, 300)) / 100,
                                  Decimal(rng.randint(10, 60)) / 100))  # fmt: skip
    lines = []
    for j in range(5):
        stock = {loc.code: rng.randint(1, 6) for loc in locations if rng.random() < density}
        lines.append(Line(str(j), rng.randint(1, 8), rng.randint(100, 3000), stock))
    return locations, lines


def as_problem(locations: list[Location], lines: list[Line]) -> SourcingProblem:
    """The instance as omskit's strategies see it."""
    sites = {
        loc.code: Site(code=loc.code, kind="warehouse", priority=loc.priority,
                       distance_km=float(loc.km), fixed=loc.shipment, line=loc.per_line,
                       per_kg=PER_KG + PER_KG_PER_100KM * loc.km / 100, base_fee=BASE_FEE)
        for loc in locations
    }  # fmt: skip
    specs = tuple(LineSpec(ln.ref, f"SKU{ln.ref}", ln.quantity, ln.grams, False, ln.stock)
                  for ln in lines)  # fmt: skip
    return SourcingProblem(specs, sites)


def cost_of(locations: list[Location], lines: list[Line], picks: list[Pick]) -> Decimal:
    """What ``picks`` cost, computed here from the instance's numbers."""
    by_code = {loc.code: loc for loc in locations}
    by_ref = {ln.ref: ln for ln in lines}
    shipped: dict[str, int] = {}
    used: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    total = Decimal(0)
    for p in picks:
        line, loc = by_ref[p.line_ref], by_code[p.location]
        assert 0 < p.quantity <= line.stock.get(p.location, 0)
        shipped[line.ref] = shipped.get(line.ref, 0) + p.quantity
        used.add(loc.code)
        pairs.add((line.ref, loc.code))
        total += loc.unit(line.grams) * p.quantity
    total += sum((by_code[c].shipment for c in used), Decimal(0))
    total += sum((by_code[c].per_line for _r, c in pairs), Decimal(0))
    for line in lines:
        assert shipped.get(line.ref, 0) == line.ships, "a plan must ship all it can"
    return total


def optimum(locations: list[Location], lines: list[Line]) -> tuple[float, int]:
    """(least cost, shipments in that plan) from the MILP above, solved by HiGHS."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    col = 0
    open_col: dict[str, int] = {}

    def var(cost: Decimal, upper: float) -> int:
        nonlocal col
        h.addVar(0.0, upper)
        h.changeColCost(col, float(cost))
        h.changeColIntegrality(col, highspy.HighsVarType.kInteger)
        col += 1
        return col - 1

    stocked = {c for ln in lines for c in ln.stock}
    for loc in locations:
        if loc.code in stocked:
            open_col[loc.code] = var(loc.shipment, 1.0)
    for line in lines:
        units = []
        for code, have in line.stock.items():
            loc = next(x for x in locations if x.code == code)
            uses = var(loc.per_line, 1.0)
            q = var(loc.unit(line.grams), float(have))
            units.append(q)
            h.addRow(-highspy.kHighsInf, 0.0, 2, [q, uses], [1.0, -float(have)])
            h.addRow(-highspy.kHighsInf, 0.0, 2, [uses, open_col[code]], [1.0, -1.0])
        if units:
            h.addRow(line.ships, line.ships, len(units), units, [1.0] * len(units))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, h.getModelStatus()
    values = h.getSolution().col_value
    shipments = sum(1 for c in open_col.values() if values[c] > 0.5)
    return h.getInfo().objective_function_value, shipments


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--instances", type=int, default=0)
    args = parser.parse_args()
    wanted = args.instances or (30 if args.quick else 300)
    rng = random.Random(20261124)
    strategies = omskit_register_routing_strategies()
    ratios: dict[str, list[float]] = {s.name: [] for s in strategies}
    ships: dict[str, list[float]] = {s.name: [] for s in strategies}
    hits = dict.fromkeys(ratios, 0)
    exact_case = exact_hits = dense = dense_hits = 0
    worst: tuple[float, int] = (0.0, -1)
    started = time.perf_counter()
    for n in range(wanted):
        locations, lines = instance(rng)
        problem = as_problem(locations, lines)
        best, best_ships = optimum(locations, lines)
        stocked = {c for ln in lines for c in ln.stock}
        provable = len(stocked) <= EXHAUSTIVE_SITES and all(
            len(ln.stock) * ln.ships <= FILL_LIMIT for ln in lines)  # fmt: skip
        many = any(len(ln.stock) > 6 for ln in lines)
        for s in strategies:
            picks = list(s.assign(problem))
            cost = float(cost_of(locations, lines, picks))
            assert cost >= best - TOLERANCE, f"{s.name} beat the optimum: MILP or costs wrong"
            ratio = cost / best if best else 1.0
            ratios[s.name].append(ratio)
            ships[s.name].append(len({p.location for p in picks}) / max(best_ships, 1))
            optimal = cost <= best + TOLERANCE
            hits[s.name] += optimal
            if s.name == "lowest_cost":
                exact_case += provable
                exact_hits += provable and optimal
                dense += many
                dense_hits += many and optimal
                if ratio - 1 > worst[0]:
                    worst = (ratio - 1, n)
    elapsed = time.perf_counter() - started
    print(f"{wanted} instances (5 lines, 10-50 locations), seed 20261124, optimum by HiGHS "
          f"{highspy.Highs().version()}, {elapsed:.1f} s")  # fmt: skip
    print(f"{'strategy':18} {'mean cost/opt':>14} {'worst':>8} {'optimal':>9} "
          f"{'mean shipments/opt':>19}")  # fmt: skip
    for name, r in ratios.items():
        print(f"{name:18} {sum(r) / len(r):14.4f} {max(r):8.4f} {hits[name]:5d}/{wanted:<3d} "
              f"{sum(ships[name]) / len(ships[name]):19.3f}")  # fmt: skip
    lc = ratios["lowest_cost"]
    mean = 100 * (sum(lc) / len(lc) - 1)
    print(f"\nlowest_cost: {hits['lowest_cost']}/{wanted} optimal "
          f"({100 * hits['lowest_cost'] / wanted:.1f} %), mean {mean:.3f} % above the "
          f"optimum, worst {100 * worst[0]:.3f} % (instance {worst[1]})")  # fmt: skip
    print(f"  exact by construction (<= {EXHAUSTIVE_SITES} stocked locations): "
          f"{exact_hits}/{exact_case} optimal")  # fmt: skip
    print(f"  with a line stocked at more than 6 locations: {dense_hits}/{dense} optimal")


if __name__ == "__main__":
    main()
