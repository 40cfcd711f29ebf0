"""Reporting walk-through: a simulated quarter of orders, then KPIs, series and exports.

Ends by writing the HTML dashboard of the quarter (charts, KPI tiles, tables) to the
path given, or to a temporary folder. Run from the repository root:
``python examples/reporting.py [report.html]``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import tempfile
from pathlib import Path

from omskit import OMS, ValidationError
from omskit.carriers import SandboxCarrier
from omskit.testing import FakeClock

START = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
SKUS = {"TEE": ("20.00", "apparel"), "HOODIE": ("45.00", "apparel"),
        "MUG": ("12.00", "home"), "LAMP": ("80.00", "home")}  # fmt: skip
CITIES = [
    {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
     "postal_code": "10115", "lat": 52.53, "lon": 13.38},
    {"country": "FR", "line1": "1 rue de Rivoli", "city": "Paris",
     "postal_code": "75001", "lat": 48.86, "lon": 2.35},
]  # fmt: skip


def setup() -> tuple[OMS, FakeClock]:
    clock = FakeClock(START)
    oms = OMS.in_memory({"reporting": {"timezone": "Europe/Berlin"}}, clock=clock,
                        autoload=False)  # fmt: skip
    oms.channels.add("app", name="Mobile app")
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    oms.inventory.add_supplier("ACME", name="Acme Textiles", lead_time_days=6)
    for sku, (price, category) in SKUS.items():
        oms.catalog.add_product(sku, name=sku.title(), price=price, currency="EUR",
                                weight_grams=400, dimensions=[300, 200, 50],
                                attributes={"category": category})  # fmt: skip
        oms.inventory.receive(sku, location="BER", quantity=400)
        cost = f"{float(price) * 0.4:.2f}"
        oms.inventory.set_supply_terms("ACME", sku, unit_cost=cost, currency="EUR")
    return oms, clock


def ship(oms: OMS, clock: FakeClock, order_id: str, *, pick_hours: int, deliver: bool) -> None:
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for fo in oms.fulfillment.release(order_id):
        oms.fulfillment.accept(fo.id)
        clock.advance(hours=pick_hours)  # picking and packing take a while
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id)
        oms.fulfillment.hand_over(shipment.id)
        if deliver and shipment.carrier == "sandbox":
            for number in shipment.tracking_numbers:
                label = oms.carriers.label(number).label
                for hook in sandbox.webhook_deliveries(label, now=oms.clock.now()):
                    oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)


def simulate(oms: OMS, clock: FakeClock, days: int = 92) -> int:
    """A quarter: more orders on weekends, TEE selling most, some cancellations."""
    rng = random.Random(15)
    count = 0
    for day in range(days):
        clock.set(START + dt.timedelta(days=day))
        weekend = clock.now().weekday() >= 5
        for n in range(rng.randint(2, 5) + (2 if weekend else 0)):
            clock.set(START + dt.timedelta(days=day, hours=1 + n))
            lines = {sku: rng.randint(1, 2) for sku in rng.sample(list(SKUS), rng.randint(1, 2))}
            order = oms.orders.capture({
                "channel": rng.choice(["web", "web", "app"]), "external_id": f"Q-{count}",
                "customer": {"email": f"c{rng.randint(1, 60)}@example.com"},
                "ship_to": rng.choice(CITIES),
                "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
            })  # fmt: skip
            count += 1
            if rng.random() < 0.05:
                oms.orders.cancel(order.id, reason=rng.choice(["customer asked", "fraud"]))
                continue
            clock.advance(hours=rng.choice([1, 2, 5, 30]))
            ship(oms, clock, order.id, pick_hours=rng.choice([1, 3, 8, 24]),
                 deliver=day < days - 3)  # fmt: skip
    return count


def main() -> None:
    oms, clock = setup()
    print("1. A simulated quarter (July to September 2026)")
    print(f"    {simulate(oms, clock)} orders captured, shipped and tracked\n")

    q3 = ("2026-07-01", "2026-09-30")
    print("2. The quarter's KPIs")
    report = oms.reports.kpis(*q3)
    for name in ("orders", "net_sales", "average_order_value", "units_per_order",
                 "unit_fill_rate", "on_time_ship_rate", "perfect_order_rate",
                 "cancellation_rate", "line_margin", "released_to_shipped",
                 "sell_through", "days_of_supply"):  # fmt: skip
        print(f"    {name:<22} {report[name]}")
    print(f"    (average_order_value = {report.formula('average_order_value')})\n")

    print("3. By channel (the parts add up to the total)")
    by_channel = oms.reports.kpis(*q3, by="channel")
    for channel, kpis in by_channel.groups.items():
        print(f"    {channel:<4} orders {kpis['orders']}, net sales {kpis['net_sales']}")
    print(f"    all  orders {by_channel['orders']}, net sales {by_channel['net_sales']}\n")

    print("4. Net sales per month, compared with the month before")
    print("    " + oms.reports.series("net_sales", *q3, every="month")
          .describe().replace("\n", "\n    ") + "\n")  # fmt: skip

    print("5. The same quarter in US dollars, at the rate recorded for each day")
    oms.reports.record_rate("EUR", "USD", "1.08", on="2026-07-01", actor="finance")
    oms.reports.record_rate("EUR", "USD", "1.12", on="2026-08-15", actor="finance")
    print(f"    net sales {oms.reports.kpis(*q3, currency='USD')['net_sales']}\n")

    print("6. A custom report: top categories by net sales, per channel")
    rows = oms.reports.query({"table": "lines", "dimensions": ["category", "channel"],
                              "measures": ["units", "net_sales"], "sort": ["-net_sales"],
                              "limit": 3}, *q3)  # fmt: skip
    for row in rows:
        print(f"    {row['category']:<8} {row['channel']:<4} {row['units']:>4} units"
              f"  {row['net_sales']}")  # fmt: skip
    try:
        oms.reports.query({"table": "lines", "measures": ["happiness"], "limit": -1}, *q3)
    except ValidationError as exc:
        print(f"    a bad query is refused: {exc}".replace("\n", "\n    "))
    print()

    print("7. Export for a BI tool (CSV, atomic, with a manifest)")
    with tempfile.TemporaryDirectory() as folder:
        oms.reports.export(folder, *q3)
        manifest = json.loads((Path(folder) / "manifest.json").read_text())
        for _name, info in sorted(manifest["tables"].items()):
            print(f"    {info['file']:<14} {info['rows']:>5} rows")
    print()

    print("8. Demand forecasts from the ledger, chosen by backtest against the naive one")
    for sku in ("TEE", "LAMP"):
        result = oms.reports.forecast(sku, "BER", horizon=7)
        lines = result.describe().splitlines()
        naive = next(a for a in result.ranking if a.method == "naive")
        print("    " + "\n    ".join(lines[:3]))
        print(f"      (naive           MAE {naive.mae:6.2f})")
    print()

    print("9. Forecasts drive replenishment: reorder points for a 95 % service level")
    for sku in SKUS:
        oms.inventory.set_reorder_policy(sku, location="BER", supplier="ACME")
    suggestions = oms.reports.suggest_replenishment(service_level=0.95, order_cost="40",
                                                    holding_rate="0.25")  # fmt: skip
    for s in suggestions:
        print(f"    {s.sku:<6} {s.explanation}")
    oms.reports.apply_replenishment(suggestions, actor="planner")
    oms.inventory.count("LAMP", location="BER", counted=15, actor="stocktake")
    print("    a stock count finds only 15 lamps; the purchase orders inventory suggests:")
    for po in oms.inventory.suggest_purchase_orders():
        for line in po.lines:
            print(f"    order {line.quantity} {line.sku} from {po.supplier}: {line.reason}")
    print()
    dashboard(oms, q3)


def dashboard(oms: OMS, q3: tuple[str, str]) -> None:
    """Anomalies of the quarter's last day, then its HTML dashboard."""
    print("10. Anomalies of the last day, and the HTML dashboard of the quarter")
    found = oms.reports.anomalies("2026-09-30")
    print(f"    {len(found)} anomalies on 2026-09-30"
          + "".join(f"\n    - {a.explanation}" for a in found))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(folder) / "report.html"
        page = oms.reports.dashboard(target, *q3, every="week", title="Q3 2026")
        text = page.read_text(encoding="utf-8")
        charts = text.count("<svg")
        print(f"    wrote {page.name}: {len(text) // 1024} KiB, {charts} charts drawn"
              + ("" if charts else " (matplotlib missing: charts as tables)"))  # fmt: skip


if __name__ == "__main__":
    main()
