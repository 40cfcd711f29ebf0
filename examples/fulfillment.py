"""Fulfillment walk-through: a split shipment, a short pick, click & collect, a drop-ship line.

Run from the repository root: ``python examples/fulfillment.py``.
"""

from __future__ import annotations

import datetime as dt

from omskit import OMS
from omskit.carriers import SandboxCarrier
from omskit.errors import OmskitError
from omskit.testing import FakeClock

HOME = {
    "country": "DE",
    "name": "Dana Levi",
    "line1": "Invalidenstr. 117",
    "city": "Berlin",
    "postal_code": "10115",
    "lat": 52.53,
    "lon": 13.38,
}


def setup() -> tuple[OMS, FakeClock]:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    oms = OMS.in_memory(clock=clock, autoload=False)
    for sku, name, grams, dims in (
        ("TEE", "Organic tee", 180, [300, 200, 20]),
        ("MUG", "Enamel mug", 320, [120, 90, 100]),
        ("LAMP", "Designer lamp", 2400, [400, 300, 300]),
    ):
        oms.catalog.add_product(
            sku, name=name, price="24.00", currency="EUR", weight_grams=grams, dimensions=dims
        )
    inv = oms.inventory
    inv.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40, priority=1)
    inv.add_location("MUC", name="Munich DC", country="DE", lat=48.14, lon=11.58, priority=2)
    inv.add_location(
        "HH",
        name="Hamburg store",
        kind="store",
        country="DE",
        lat=53.55,
        lon=9.99,
        capabilities={"click_and_collect": True},
    )
    inv.add_location(
        "ITALUCE", name="Italuce (supplier)", kind="supplier", country="IT", lat=45.46, lon=9.19
    )
    for sku, where, qty in (
        ("TEE", "BER", 3),
        ("MUG", "BER", 5),
        ("TEE", "MUC", 10),
        ("MUG", "HH", 4),
        ("LAMP", "ITALUCE", 100),
    ):
        inv.receive(sku, location=where, quantity=qty)
    inv.set_backorder_policy("MUG", "backorder")  # a mug order waits when Berlin runs out
    oms.fulfillment.configure_location("BER", bins={"TEE": "A-02-4-B", "MUG": "A-01-1-A"})
    return oms, clock


def capture(oms: OMS, ref: str, lines: dict[str, int]) -> str:
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": ref,
            "customer": {"email": "dana@example.com"},
            "ship_to": HOME,
            "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
        }
    )
    return order.id


def ship_and_deliver(oms: OMS, fo_id: str) -> None:
    oms.fulfillment.pack(fo_id)
    shipment = oms.fulfillment.ship(fo_id, objective="fastest")
    print(
        f"    {shipment.id} from {shipment.location}: {shipment.carrier}/{shipment.service}, "
        f"{', '.join(shipment.tracking_numbers)}"
    )
    deliver(oms, shipment.tracking_numbers)


def deliver(oms: OMS, numbers: tuple[str, ...]) -> None:
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for number in numbers:
        label = oms.carriers.label(number).label
        # signed raw bodies, as the sandbox sends them: the OMS verifies before it parses
        for hook in sandbox.webhook_deliveries(label, now=oms.clock.now()):
            oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)


def split_shipment(oms: OMS) -> None:
    print("1. A split shipment: Berlin has 3 tees, the order wants 5")
    order_id = capture(oms, "W-1", {"TEE": 5, "MUG": 1})
    for fo in oms.fulfillment.release(order_id):
        print(
            f"    {fo.id} to {fo.location}: "
            + ", ".join(f"{x.sku} x{x.quantity}" for x in fo.lines)
        )
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        ship_and_deliver(oms, fo.id)
    print(f"    order is {oms.orders.get(order_id).status}\n")


def short_pick(oms: OMS) -> None:
    print("2. A short pick: the shelf in Berlin has one mug less than the system thought")
    order_id = capture(oms, "W-2", {"MUG": 4})
    (fo,) = oms.fulfillment.release(order_id)
    oms.fulfillment.accept(fo.id)
    try:
        oms.fulfillment.confirm_pick(fo.id, {"L1": 5})
    except OmskitError as exc:
        print(f"    confirming 5 of 4 is refused: {exc}")
    done = oms.fulfillment.confirm_pick(fo.id, {"L1": 3})
    print(
        f"    picked {done.lines[0].picked}, short {done.lines[0].short}; Berlin now has "
        f"{oms.inventory.level('MUG', 'BER').on_hand} mugs on hand"
    )
    line = oms.orders.get(order_id).lines[0]
    others = [f for f in oms.fulfillment.for_order(order_id) if f.id != fo.id]
    where = ", ".join(f.location for f in others) or "nowhere: backordered"
    print(f"    the missing mug went to {where} (line backordered: {line.backordered})")
    ship_and_deliver(oms, fo.id)
    print(f"    order is {oms.orders.get(order_id).status}\n")


def click_and_collect(oms: OMS, clock: FakeClock) -> None:
    print("3. Click & collect at the Hamburg store")
    order_id = capture(oms, "W-3", {"MUG": 2})
    (fo,) = oms.fulfillment.release(order_id, pickup_location="HH")
    oms.fulfillment.accept(fo.id)
    oms.fulfillment.confirm_pick(fo.id)
    ready = oms.fulfillment.ready_for_pickup(fo.id)
    print(f"    ready: code {ready.pickup_code}, until {ready.pickup_expires_at:%Y-%m-%d}")
    clock.advance(days=2)
    collected = oms.fulfillment.collect(fo.id, ready.pickup_code)
    print(
        f"    collected two days later: {collected.status}; "
        f"order is {oms.orders.get(order_id).status}\n"
    )


def drop_ship(oms: OMS) -> None:
    print("4. A drop-ship line: the lamp comes straight from the supplier")
    order_id = capture(oms, "W-4", {"LAMP": 1, "TEE": 1})
    for fo in oms.fulfillment.release(order_id):
        if fo.kind == "dropship":
            print(f"    purchase order {fo.po_number} sent to {fo.location}")
            shipment = oms.fulfillment.confirm_dropship(
                fo.id, carrier="sandbox", tracking_number="SB471100009IT"
            )
            print(f"    supplier confirmed with tracking {shipment.tracking_numbers[0]}")
            deliver(oms, shipment.tracking_numbers)
        else:
            oms.fulfillment.accept(fo.id)
            oms.fulfillment.confirm_pick(fo.id)
            ship_and_deliver(oms, fo.id)
    print(f"    order is {oms.orders.get(order_id).status}")


def main() -> None:
    oms, clock = setup()
    split_shipment(oms)
    short_pick(oms)
    click_and_collect(oms, clock)
    drop_ship(oms)


if __name__ == "__main__":
    main()
