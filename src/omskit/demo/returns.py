"""Demo section: store credit, a split refund, an advance exchange, a lost parcel claim."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omskit.carriers import SandboxCarrier
from omskit.errors import OmskitError
from omskit.oms import OMS

Say = Callable[[str], None]

_HOME = {
    "country": "DE",
    "name": "Rosa Lenz",
    "line1": "Karl-Liebknecht-Str. 9",
    "city": "Leipzig",
    "postal_code": "04107",
}
_EMAIL = "rosa@example.com"


def _setup(oms: OMS) -> None:
    dims = [300, 220, 30]
    for sku, name, price, tax_class in (
        ("RT-SHIRT", "Linen shirt", "39.00", "standard"),
        ("RT-SHIRT-L", "Linen shirt, large", "39.00", "standard"),
        ("RT-BOOK", "Field guide", "24.00", "reduced"),
    ):
        oms.catalog.add_product(
            sku, name=name, price=price, currency="EUR", weight_grams=300,
            dimensions=dims, tax_class=tax_class,
        )  # fmt: skip
    oms.inventory.add_location(
        "RTN", name="Leipzig returns centre", country="DE", lat=51.34, lon=12.37, priority=9
    )
    for sku in ("RT-SHIRT", "RT-SHIRT-L", "RT-BOOK"):
        oms.inventory.receive(sku, location="RTN", quantity=10, reference="goods-in")


def _order(oms: OMS, ref: str, lines: dict[str, int], credit: str | None = None) -> Any:
    payment: dict[str, str] = {"method": "tok_visa"}
    if credit is not None:
        payment["store_credit"] = credit
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": ref,
            "customer": {"email": _EMAIL},
            "ship_to": _HOME,
            "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
            "payment": payment,
        }
    )
    if order.on_hold:
        order = oms.orders.release(order.id, reason="checked by a person")
    return order


def _ship(oms: OMS, order_id: str, scenario: str | None = None) -> None:
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    for fo in oms.fulfillment.release(order_id):
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id, objective="fastest")
        for number in shipment.tracking_numbers:
            label = oms.carriers.label(number).label
            for hook in sandbox.webhook_deliveries(label, scenario, now=oms.clock.now()):
                oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)


def _back(oms: OMS, order_id: str, lines: dict[str, int]) -> str:
    rma = oms.returns.request(order_id, lines, authorize=True, actor=_EMAIL)
    oms.returns.receive(rma.id, actor="returns-dock")
    oms.returns.inspect(rma.id, actor="qa")
    return rma.id


def run(oms: OMS, say: Say) -> None:
    """Print the returns walk-through."""
    say("== Returns, store credit and claims ==")
    _setup(oms)
    pay = oms.payments
    pay.issue_credit(_EMAIL, "30.00", currency="EUR", reason="gift card", actor="agent-3")
    say(f"store credit for {_EMAIL}: {pay.store_credit(_EMAIL, 'EUR')}")
    try:
        _order(oms, "RT-0", {"RT-SHIRT": 1}, credit="35.00")
    except OmskitError as exc:
        say(f"spending more than the balance is refused, nothing stored: {exc}")
    order = _order(oms, "RT-1", {"RT-SHIRT": 1, "RT-BOOK": 2}, credit="30.00")
    payment = pay.get(order.id)
    say(
        f"order {order.id} ({order.total.gross}): {payment.adjusted('store_credit')} from "
        f"store credit, {payment.authorized} authorized on the card"
    )
    _ship(oms, order.id)

    rma_id = _back(oms, order.id, {"L2": 1})
    rma = oms.returns.refund(rma_id, store_credit="10.00", actor="agent-3")
    record = rma.refunds[-1]
    say(
        f"a book comes back: {record.paid} refunded, {record.to_card} to the card and "
        f"{record.credit} to store credit (balance {pay.store_credit(_EMAIL, 'EUR')})"
    )

    rma = oms.returns.request(order.id, {"L1": 1}, authorize=True, actor=_EMAIL)
    rma = oms.returns.exchange(rma.id, {"RT-SHIRT-L": 1}, advance=True, actor="agent-3")
    assert rma.advance is not None
    say(
        f"advance exchange: {rma.replacement_order_id} ships now, "
        f"{rma.advance.amount} held on the card until the shirt is back"
    )
    _ship(oms, rma.replacement_order_id)
    oms.returns.receive(rma.id, actor="returns-dock")
    rma = oms.returns.inspect(rma.id, actor="qa")
    assert rma.advance is not None
    say(f"  the shirt arrived and passed inspection: hold {rma.advance.status}, {rma.status}")

    lost = _order(oms, "RT-2", {"RT-BOOK": 1})
    _ship(oms, lost.id, "lost")
    (claim,) = oms.returns.for_order(lost.id)
    carrier_claim = claim.carrier_claim
    assert carrier_claim is not None
    say(
        f"the carrier reports {carrier_claim.tracking_number} lost: {claim.id} opened, "
        f"claim of {carrier_claim.amount} against {carrier_claim.carrier}"
    )
    claim = oms.returns.resolve_claim(claim.id, resolution="replace", actor="agent-3")
    claim = oms.returns.settle_carrier_claim(claim.id, actor="agent-3")
    decided = claim.carrier_claim
    assert decided is not None
    say(
        f"  reshipped free as {claim.replacement_order_id}; the carrier {decided.status} "
        f"{decided.settled}"
    )

    totals = oms.returns.totals(order.id)
    say(f"totals of {order.id} after its returns:")
    for rate in totals.rates:
        say(
            f"  {rate.rate}: sold {rate.sold.gross}, returned {rate.returned.gross} "
            f"(tax {rate.returned.tax}), kept {rate.kept.gross}"
        )
    say(
        f"  refunded {totals.refunded} (card {totals.to_card}, store credit "
        f"{totals.to_store_credit}, exchanges {totals.to_exchanges}); net sales "
        f"{totals.net_sales}"
    )
    say("")
