"""How good is each routing strategy? Mean cost and shipments relative to the optimum.

Seeded random instances: 5-line orders, 10-50 locations with random coordinates, handling
costs and sparse random stock. For each instance the exact optimum is found by exhaustive
search over every set of up to six shipping locations (with the cheapest exact fill of each
line from a set), which covers every instance generated here; instances with more than
14 candidate locations are skipped so the search stays exhaustive and fast.

Run: ``python benchmarks/routing_quality.py`` (``--quick`` for fewer instances).
"""

from __future__ import annotations

import argparse
import math
import random
import time
from decimal import Decimal
from itertools import combinations

from omskit.plugins.builtin.routing_strategies import omskit_register_routing_strategies
from omskit.routing import LineSpec, Site, SourcingProblem, plan_cost
from omskit.routing.lowest_cost import Evaluator
from omskit.routing.strategies import shipment_count

DEST = (52.53, 13.38)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def instance(rng: random.Random) -> SourcingProblem:
    n = rng.randint(10, 50)
    density = rng.uniform(1.5, 4.0) / n  # each location stocks each SKU with this chance
    sites = {}
    for i in range(n):
        point = (rng.uniform(47.5, 54.5), rng.uniform(6.0, 15.0))
        d = km(point, DEST)
        dkm = Decimal(f"{d:.1f}")
        handling = Decimal(rng.randint(50, 300)) / 100
        sites[f"L{i:02d}"] = Site(
            code=f"L{i:02d}", kind="warehouse", priority=rng.randint(1, 100), distance_km=d,
            fixed=handling + Decimal("4.50") + Decimal("0.002") * dkm,
            line=Decimal(rng.randint(10, 60)) / 100,
            per_kg=Decimal("0.80") + Decimal("0.10") * dkm / 100, base_fee=Decimal("4.50"),
        )  # fmt: skip
    lines = []
    for j in range(5):
        stock = {c: rng.randint(1, 6) for c in sites if rng.random() < density}
        lines.append(LineSpec(str(j), f"SKU{j}", rng.randint(1, 4), rng.randint(100, 3000),
                              False, stock))  # fmt: skip
    return SourcingProblem(tuple(lines), sites)


def exhaustive(problem: SourcingProblem) -> tuple[Decimal, int, int]:
    """(optimal cost, min shipments with full coverage, units) by trying every set."""
    ev = Evaluator(problem, exact_sites=16)  # exact fill of every line from every set
    cands = sorted({c for ln in problem.lines for c in ln.stock})
    best: tuple[tuple[int, Decimal], frozenset[str]] | None = None
    fewest = None
    for r in range(1, min(6, len(cands)) + 1):
        for combo in combinations(cands, r):
            score, used = ev.score(frozenset(combo))
            if best is None or score < best[0]:
                best = (score, used)
            if score[0] == 0 and fewest is None:
                fewest = r
    assert best is not None
    units = sum(ln.coverable for ln in problem.lines) - best[0][0]
    return best[0][1], fewest or len(best[1]), units


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--instances", type=int, default=0)
    args = parser.parse_args()
    wanted = args.instances or (12 if args.quick else 60)
    rng = random.Random(20261124)
    strategies = omskit_register_routing_strategies()
    ratios: dict[str, list[float]] = {s.name: [] for s in strategies}
    ships: dict[str, list[float]] = {s.name: [] for s in strategies}
    exact_hits: dict[str, int] = {s.name: 0 for s in strategies}
    done = skipped = 0
    started = time.perf_counter()
    while done < wanted:
        problem = instance(rng)
        cands = {c for ln in problem.lines for c in ln.stock}
        if len(cands) > 14 or not cands:
            skipped += 1
            continue
        opt_cost, opt_ships, opt_units = exhaustive(problem)
        if opt_units != sum(ln.coverable for ln in problem.lines):
            skipped += 1  # would need more than six locations: not exhaustive here
            continue
        done += 1
        for s in strategies:
            picks = s.assign(problem)
            assert sum(p.quantity for p in picks) == opt_units, s.name
            cost = plan_cost(problem, picks)
            ratios[s.name].append(float(cost / opt_cost))
            ships[s.name].append(shipment_count(picks) / opt_ships)
            exact_hits[s.name] += cost == opt_cost
    elapsed = time.perf_counter() - started
    print(
        f"{done} instances (5 lines, 10-50 locations, <=14 with stock; {skipped} skipped), "
        f"seed 20261124, {elapsed:.1f} s"
    )
    print(
        f"{'strategy':18} {'mean cost/opt':>14} {'worst':>8} {'optimal':>8} "
        f"{'mean shipments/min':>19}"
    )
    for name, r in ratios.items():
        print(
            f"{name:18} {sum(r) / len(r):14.4f} {max(r):8.4f} "
            f"{exact_hits[name]:4d}/{done:<3d} {sum(ships[name]) / len(ships[name]):19.3f}"
        )
    lc = ratios["lowest_cost"]
    print(
        f"\nlowest_cost is on average {100 * (sum(lc) / len(lc) - 1):.3f}% above the exhaustive "
        f"optimum (worst {100 * (max(lc) - 1):.2f}%); target: within 2%."
    )


if __name__ == "__main__":
    main()
