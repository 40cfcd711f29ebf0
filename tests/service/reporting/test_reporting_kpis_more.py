"""The KPIs test_reporting_kpis leaves at zero, on a history that gives each a value.

World of ``reporting_helpers`` (TEE 20.00, MUG 10.00, 20 of each at BER; web prices
include German VAT 19 %), plus LAMP (80.00), 3 received at BER and never sold, and a
10 % restocking fee on returns. Store time zone UTC; Monday 2026-11-02:

* K-1 (web): TEE x1, shipping 5.95, paid. Placed 09:00, released 10:00, shipped
  12:00, delivered the next day at 12:00; later 1 TEE returned ("too_small", the
  customer's choice, so the fee applies), received and refunded: 20.00 - 10 %
  restocking fee (2.00) + the shipping charge (the whole order came back) 5.95 = 23.95.
* K-2 (web): TEE x1, no shipping charge. Placed 09:00, released 12:00, shipped
  16:00, delivered the next day at 16:00.
* K-3 (web): MUG x25 with only 20 on hand (MUG takes backorders). The order domain
  backorders a line whole when it cannot be reserved in full: all 25 units wait, none
  is reserved.

Hand-computed:

* shipping revenue 5.95 / 1.19 = 5.00; order total 20 + 5.95 + 20 + 25 x 10 = 295.95;
  shipping cost: two sandbox economy parcels of under 1 kg, 2 x (3.90 + 0.40) = 8.60;
* placed -> released: 1 h and 3 h (K-3 is never released) - p50 1 h, p90 3 h;
  released -> shipped: 2 h and 4 h; shipped -> delivered: 24 h both; placed ->
  delivered: 27 h and 31 h (nearest rank: p50 is the lower of two, p90 the higher);
* backordered units 25, unit backorder rate 25 / (1 + 1 + 25);
* returned units 1; restocking fees 2.00;
* dead stock: LAMP (3 units) and MUG (20 units, K-3 never shipped) at BER: 2, 23 units;
* inventory turnover: cost of units sold TEE 2 x 8.00 = 16.00 (MUG is never shipped);
  average inventory value over Nov 1..30 (the levels exist from Nov 2: 29 days),
  mean end-of-day units x unit cost, TEE and MUG (LAMP has no supplier cost, so it
  counts for neither): worked out in the test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from omskit import OMS
from omskit.carriers import SandboxCarrier
from omskit.money import Money
from omskit.reporting import Ratio, Spread
from omskit.testing import FakeClock

from .reporting_helpers import BERLIN, START, world

NOV = ("2026-11-01", "2026-11-30")
H = dt.timedelta(hours=1)


def eur(text: str) -> Money:
    return Money(Decimal(text), "EUR")


def deliver(oms: OMS, clock: FakeClock, numbers: tuple[str, ...], at: dt.datetime) -> None:
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    clock.set(at)
    for number in numbers:
        label = oms.carriers.label(number).label
        for hook in sandbox.webhook_deliveries(label, now=at):
            oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)


def flow(oms: OMS, clock: FakeClock, order_id: str, release: int,
         ship: int) -> tuple[str, ...]:  # fmt: skip
    """Release ``release`` hours after 09:00 and ship ``ship`` hours after that."""
    clock.set(START + release * H)
    (fo,) = oms.fulfillment.release(order_id)
    oms.fulfillment.accept(fo.id)
    clock.advance(hours=ship)
    oms.fulfillment.confirm_pick(fo.id)
    oms.fulfillment.pack(fo.id)
    shipment = oms.fulfillment.ship(fo.id)
    oms.fulfillment.hand_over(shipment.id)
    return tuple(shipment.tracking_numbers)


@pytest.fixture(scope="module")
def oms() -> OMS:
    shop, clock = world({"returns": {"restocking_fee_percent": "10"}})
    shop.catalog.add_product("LAMP", name="Lamp", price="80.00", currency="EUR",
                             weight_grams=900, dimensions=[300, 300, 400])  # fmt: skip
    shop.inventory.receive("LAMP", location="BER", quantity=3)
    shop.inventory.set_backorder_policy("MUG", "backorder")

    def order(ref: str, lines: dict[str, int], **more: object) -> str:
        return shop.orders.capture({
            "channel": "web", "external_id": ref, "customer": {"email": f"{ref}@example.com"},
            "ship_to": BERLIN, "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
            **more,
        }).id  # fmt: skip

    k1 = order("K-1", {"TEE": 1}, shipping="5.95", payment={"method": "tok_visa"})
    k2 = order("K-2", {"TEE": 1})
    order("K-3", {"MUG": 25})
    s1 = flow(shop, clock, k1, release=1, ship=2)
    s2 = flow(shop, clock, k2, release=3, ship=4)
    deliver(shop, clock, s1, START + 27 * H)
    deliver(shop, clock, s2, START + 31 * H)
    clock.set(START + dt.timedelta(days=3))
    rma = shop.returns.request(k1, [{"line": "L1", "quantity": 1, "reason": "too_small"}],
                               authorize=True)  # fmt: skip
    shop.returns.receive(rma.id)
    shop.returns.inspect(rma.id)
    shop.returns.refund(rma.id)
    return shop


def test_money_kpis(oms: OMS) -> None:
    r = oms.reports.kpis(*NOV)
    assert r["shipping_revenue"] == eur("5.00")
    assert r["order_total"] == eur("295.95")
    assert r["restocking_fees"] == eur("2.00")
    assert r["refunds"] == eur("23.95")
    assert r["shipping_cost"] == eur("8.60")


def test_cycle_times(oms: OMS) -> None:
    r = oms.reports.kpis(*NOV)
    assert r["placed_to_released"] == Spread(2, 1 * H, 3 * H)
    assert r["released_to_shipped"] == Spread(2, 2 * H, 4 * H)
    assert r["shipped_to_delivered"] == Spread(2, 24 * H, 24 * H)
    assert r["placed_to_delivered"] == Spread(2, 27 * H, 31 * H)


def test_backorders_returns_and_dead_stock(oms: OMS) -> None:
    r = oms.reports.kpis(*NOV)
    assert r["backordered_units"] == 25
    assert r["unit_backorder_rate"] == Ratio(25, 27)
    assert r["returned_units"] == 1
    assert r["dead_stock"] == 2
    assert r["dead_stock_units"] == 23


def test_inventory_turnover(oms: OMS) -> None:
    """TEE: 18 on hand at the end of Nov 2, 3, 4; 19 from Nov 5 (the returned one is
    restocked) to Nov 30: 3 x 18 + 26 x 19 = 548 unit-days over 29 days, at 8.00.
    MUG: 20 x 29 = 580 unit-days at 4.00. Turnover = 16.00 / (548 x 8 / 29 + 580 x 4 /
    29) = 16.00 / 231.17 = 6.92 %.
    """
    r = oms.reports.kpis(*NOV)
    stock = {row.sku: row for row in oms.reports.facts(*NOV).stock}
    assert stock["TEE"].on_hand_days == 3 * 18 + 26 * 19
    assert stock["MUG"].on_hand_days == 20 * 29
    assert stock["LAMP"].unit_cost is None  # no supplier cost: left out of turnover
    value = Decimal(548) / 29 * Decimal("8.00") + Decimal(580) / 29 * Decimal("4.00")
    assert r["inventory_turnover"] == Ratio(Decimal("16.00"), value)
    assert str(r["inventory_turnover"]) == "6.92%"
