"""Returns walk-through: partial return, exchange, lost-parcel claim, store credit.

The partial return shows a discount share and a restocking fee; the claim is filed
against the carrier from its own "lost" scan; store credit is refunded, spent and given
back.

Run from the repository root: ``python examples/returns.py``.
"""

from __future__ import annotations

import datetime as dt

from omskit import OMS
from omskit.carriers import SandboxCarrier
from omskit.errors import OmskitError
from omskit.money import sum_money
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
    config = {"returns": {"restocking_fee_percent": "10", "window_days": 30}}
    oms = OMS.in_memory(config, clock=clock, autoload=False)
    dims = [300, 200, 20]
    oms.catalog.add_product(
        "TEE", name="Organic tee", price="19.99", currency="EUR", weight_grams=180, dimensions=dims
    )
    oms.catalog.add_product(
        "MUG", name="Enamel mug", price="12.50", currency="EUR", weight_grams=320, dimensions=dims
    )
    oms.catalog.add_product(
        "SOCKS",
        name="Socks (final sale)",
        price="5.00",
        currency="EUR",
        weight_grams=60,
        dimensions=dims,
        returnable=False,
    )
    inv = oms.inventory
    inv.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40, priority=1)
    inv.add_location("MUC", name="Munich DC", country="DE", lat=48.14, lon=11.58, priority=2)
    oms.catalog.add_product(
        "HOODIE", name="Hoodie", price="39.99", currency="EUR", weight_grams=500, dimensions=dims
    )
    for sku in ("TEE", "MUG", "SOCKS", "HOODIE"):
        inv.receive(sku, location="BER", quantity=20)
    oms.pricing.add_promotion("WINTER10", name="10% off the order", kind="percent", percent="10")
    return oms, clock


def deliver(oms: OMS, order_id: str) -> None:
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for fo in oms.fulfillment.release(order_id):
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id, objective="fastest")
        for number in shipment.tracking_numbers:
            label = oms.carriers.label(number).label
            for hook in sandbox.webhook_deliveries(label, now=oms.clock.now()):
                oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)


def partial_return(oms: OMS, clock: FakeClock) -> str:
    print("1. A partial return: 2 of 3 tees, one of them scratched")
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": "W-1",
            "customer": {"email": "dana@example.com"},
            "ship_to": HOME,
            "lines": [
                {"sku": "TEE", "quantity": 3},
                {"sku": "MUG", "quantity": 1},
                {"sku": "SOCKS", "quantity": 1},
            ],
            "payment": {"method": "tok_visa"},
            "shipping": "4.90",
        }
    )
    deliver(oms, order.id)
    order = oms.orders.get(order.id)
    tee = order.line("L1")
    print(f"    order {order.id}: {order.total.gross} paid, status {order.status}")
    print(f"    tees: 3 x {tee.unit_price} less the 10% order discount = {tee.total.gross}")
    clock.advance(days=5)
    check = oms.returns.check(order.id, {"L1": 2, "L3": 1, "L2": 2})
    print("    the policy, before anything is created:")
    for line in check.explain().splitlines():
        print(f"      {line}")
    try:
        oms.returns.request(order.id, {"L1": 2, "L3": 1})
    except OmskitError as exc:
        print(f"    asking for the socks too is refused whole: {exc}")
    rma = oms.returns.request(
        order.id,
        [{"line": "L1", "quantity": 2, "reason": "too_small", "condition": "worn once"}],
        actor="dana@example.com",
    )
    rma = oms.returns.authorize(rma.id, actor="agent-7")
    print(f"    {rma.id} authorized, goods go to {rma.location_reason}")
    rma = oms.returns.receive(rma.id, location="MUC", actor="munich-dock")
    print(f"    received at {rma.location} (the customer dropped it at Munich)")
    rma = oms.returns.inspect(rma.id, {"L1": {"restock": 1, "quarantine": 1}}, actor="qa")
    level = oms.inventory.level("TEE", "MUC")
    print(
        f"    inspected: 1 restocked, 1 quarantined -> Munich tees on hand {level.on_hand}, "
        f"sellable {level.available}"
    )
    print("    the refund, simulated before it is paid:")
    for line in oms.returns.simulate(rma.id).explain().splitlines():
        print(f"    {line}")
    rma = oms.returns.refund(rma.id, idempotency_key="rma-1-refund", actor="agent-7")
    again = oms.returns.refund(rma.id, idempotency_key="rma-1-refund", actor="agent-7")
    payment = oms.payments.get(order.id)
    print(
        f"    refunded once (a replay with the same key pays nothing): {len(again.refunds)} "
        f"refund, payment balance {payment.balance}"
    )
    print("    the RMA's history:")
    for step in rma.history:
        print(f"      {step.describe()}")
    print()
    return order.id


def full_return(oms: OMS, order_id: str) -> None:
    print("2. The other tee and the mug come back; the final-sale socks stay")
    rma = oms.returns.request(order_id, {"L1": 1, "L2": 1}, authorize=True)
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id)
    for line in oms.returns.simulate(rma.id).explain().splitlines():
        print(f"    {line}")
    oms.returns.refund(rma.id)
    payment = oms.payments.get(order_id)
    order = oms.orders.get(order_id)
    socks = order.line("L3").total.gross
    fees = sum_money(
        (r.breakdown.fees for x in oms.returns.for_order(order_id) for r in x.refunds), "EUR"
    )
    print(
        f"    captured {payment.captured}, refunded {payment.refunded}; kept: the socks "
        f"({socks}), shipping ({order.shipping.gross}: not everything came back) and "
        f"{fees} of restocking fees, to the cent"
    )
    assert payment.refunded + socks + order.shipping.gross + fees == payment.captured
    print(f"    returned per line: {[(x.id, x.returned) for x in order.lines]}")


def capture(oms: OMS, ref: str, lines: dict[str, int]) -> str:
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": ref,
            "customer": {"email": "dana@example.com"},
            "ship_to": HOME,
            "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
            "payment": {"method": "tok_visa"},
        }
    )
    return order.id


def exchange(oms: OMS) -> None:
    print("\n3. An exchange: a tee for a hoodie, the difference charged")
    order_id = capture(oms, "W-2", {"TEE": 1})
    deliver(oms, order_id)
    rma = oms.returns.request(order_id, {"L1": 1}, authorize=True)
    rma = oms.returns.issue_label(rma.id)
    print(f"    return label {rma.label_carrier} {rma.label_tracking} ({rma.label_cost})")
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    label = oms.carriers.label(rma.label_tracking).label
    for hook in sandbox.webhook_deliveries(label, now=oms.clock.now()):
        oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)
    print(f"    tracked by the carrier's webhooks: {oms.returns.get(rma.id).status}")
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id)
    rma = oms.returns.exchange(rma.id, {"HOODIE": 1})
    replacement = oms.orders.get(rma.replacement_order_id)
    pay = oms.payments.get(replacement.id)
    print(
        f"    replacement {replacement.id} ({replacement.total.gross}): credit "
        f"{pay.goodwill} from the tee, {pay.open_amount} authorized for the difference"
    )


def lost_parcel(oms: OMS) -> None:
    print("\n4. A lost parcel: refunded without a return")
    order_id = capture(oms, "W-3", {"MUG": 2})
    (fo,) = oms.fulfillment.release(order_id)
    oms.fulfillment.accept(fo.id)
    oms.fulfillment.confirm_pick(fo.id)
    oms.fulfillment.pack(fo.id)
    shipment = oms.fulfillment.ship(fo.id, objective="fastest")
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    label = oms.carriers.label(shipment.tracking_numbers[0]).label
    for hook in sandbox.webhook_deliveries(label, "lost", now=oms.clock.now()):
        oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)
    print(f"    the carrier says: {oms.fulfillment.shipment(shipment.id).status}")
    (opened,) = oms.returns.for_order(order_id)  # the lost scan opened the claim
    carrier_claim = opened.carrier_claim
    assert carrier_claim is not None
    print(
        f"    {opened.id} ({opened.kind}) opened by {opened.actor}; claim against "
        f"{carrier_claim.carrier} {carrier_claim.tracking_number} for {carrier_claim.amount}"
    )
    claim = oms.returns.resolve_claim(opened.id, resolution="refund", actor="agent-7")
    payment = oms.payments.get(order_id)
    print(
        f"    resolved by the agent: {claim.status}, refunded {payment.refunded} "
        f"of {payment.captured}"
    )
    claim = oms.returns.settle_carrier_claim(claim.id, "20.00", note="carrier's cap")
    decided = claim.carrier_claim
    assert decided is not None
    print(f"    the carrier {decided.status} the claim, paying {decided.settled}")


def store_credit(oms: OMS) -> None:
    print("\n5. Store credit: a refund kept as credit, then spent with a card")
    order_id = capture(oms, "W-4", {"HOODIE": 1})
    deliver(oms, order_id)
    rma = oms.returns.request(order_id, {"L1": 1}, authorize=True)
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id, {"L1": "restock"})
    rma = oms.returns.refund(rma.id, to="store_credit", reason="customer chose credit")
    balance = oms.payments.store_credit("dana@example.com", "EUR")
    print(f"    refunded {rma.refunds[-1].paid} to store credit: balance {balance}")
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": "W-5",
            "customer": {"email": "dana@example.com"},
            "ship_to": HOME,
            "lines": [{"sku": "TEE", "quantity": 3}],
            "payment": {"method": "tok_visa", "store_credit": str(balance.amount)},
        }
    )
    payment = oms.payments.get(order.id)
    print(
        f"    order {order.id} ({order.total.gross}): {payment.adjusted('store_credit')} "
        f"from store credit, {payment.authorized} on the card"
    )
    try:
        capture_with_credit(oms, "W-6", "1.00")
    except OmskitError as exc:
        print(f"    the balance is spent, so more is refused: {exc}")
    oms.orders.cancel(order.id, reason="ordered the wrong size", actor="dana@example.com")
    balance = oms.payments.store_credit("dana@example.com", "EUR")
    print(f"    the order is cancelled: the credit comes back, balance {balance}")
    totals = oms.returns.totals(order_id)
    print(f"    the hoodie order after its return: net sales {totals.net_sales}")


def capture_with_credit(oms: OMS, ref: str, credit: str) -> None:
    oms.orders.capture(
        {
            "channel": "web",
            "external_id": ref,
            "customer": {"email": "dana@example.com"},
            "ship_to": HOME,
            "lines": [{"sku": "MUG", "quantity": 1}],
            "payment": {"method": "tok_visa", "store_credit": credit},
        }
    )


def main() -> None:
    oms, clock = setup()
    order_id = partial_return(oms, clock)
    full_return(oms, order_id)
    exchange(oms)
    lost_parcel(oms)
    store_credit(oms)


if __name__ == "__main__":
    main()
