"""Service integrations: orders paid through Stripe, and every event relayed to a broker.

Run with ``python examples/service_integrations.py``. Stripe is played by ``FakeStripe``
(a transport answering like Stripe's test mode) and the broker by a ``MemoryPublisher``,
so the walk-through needs no network; a host passes its own HTTP transport and a
``RabbitMQPublisher`` instead.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse

from omskit import OMS, OmskitError
from omskit.config import OMSConfig
from omskit.events import RetryPolicy
from omskit.integrations.accounting import (
    check_quickbooks_totals,
    credit_note_for_refund,
    invoice_from_order,
    journal_csv,
    journal_entries,
    quickbooks_document,
    xero_document,
)
from omskit.integrations.broker import BrokerRelay, MemoryPublisher
from omskit.integrations.stripe import (
    FakeStripe,
    StripeGateway,
    StripePlugin,
    StripeWebhooks,
    sign_payload,
)
from omskit.money import Money
from omskit.orders import Order
from omskit.testing import FakeClock


def main() -> None:
    """Stripe payments, a Stripe webhook and the broker relay, one after another."""
    clock = FakeClock(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC))
    stripe = FakeStripe()
    gateway = StripeGateway(api_key="sk_test_demo", transport=stripe)
    config = OMSConfig(events=RetryPolicy(max_attempts=20, backoff_seconds=30))
    oms = OMS.in_memory(config, clock=clock, plugins=[StripePlugin(gateway)], autoload=False)
    broker = MemoryPublisher()
    relay = BrokerRelay(broker).attach(oms.runtime)

    oms.channels.update("web", payment_gateway="stripe")
    oms.catalog.add_product("TEE-M", name="T-shirt", price="19.90", currency="EUR",
                            weight_grams=180)  # fmt: skip
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    oms.inventory.receive("TEE-M", location="BER", quantity=10)

    print("1. An order paid through Stripe: a PaymentIntent with manual capture")
    order = oms.orders.capture({
        "channel": "web", "external_id": "W-2001",
        "customer": {"email": "dana@example.com"},
        "ship_to": {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                    "postal_code": "10115"},
        "lines": [{"sku": "TEE-M", "quantity": 3}],
        "payment": {"method": "pm_card_visa"},
    })  # fmt: skip
    payment = oms.payments.get(order.id)
    auth = payment.transactions[0].authorization
    sent = dict(urllib.parse.parse_qsl(stripe.requests[-1].body.decode()))
    print(f"   {order.id}: total {order.total.gross}, payment {payment.status}")
    print(f"   sent to Stripe: amount={sent['amount']} currency={sent['currency']} "
          f"capture_method={sent['capture_method']} "
          f"Idempotency-Key={stripe.requests[-1].header('Idempotency-Key')}")  # fmt: skip

    print("\n2. Capture part of it; refund one T-shirt")
    oms.payments.capture(order.id, "39.80")
    oms.payments.refund(order.id, "19.90", reason="one shirt arrived torn")
    intent = stripe.intents[auth]
    payment = oms.payments.get(order.id)
    print(
        f"   Stripe: {intent['status']}, received {intent['amount_received']} cents, "
        f"refunded {sum(r['amount'] for r in stripe.refunds.values())} cents"
    )
    print(
        f"   omskit: captured {payment.captured}, refunded {payment.refunded}, "
        f"status {payment.status}"
    )

    print("\n3. A declined card: the order waits on hold with Stripe's own reason")
    held = oms.orders.capture({
        "channel": "web", "external_id": "W-2002",
        "customer": {"email": "lee@example.com"},
        "ship_to": {"country": "DE", "city": "Berlin", "postal_code": "10115",
                    "line1": "Torstr. 1"},
        "lines": [{"sku": "TEE-M", "quantity": 1}],
        "payment": {"method": "pm_card_chargeDeclinedInsufficientFunds"},
    })  # fmt: skip
    print(f"   {held.id}: {held.status} ({held.hold_reason}); payment {held.payment_status}")

    webhook(clock, auth)
    ledgers(oms.orders.get(order.id))
    relay_events(oms, clock, broker, relay)


def ledgers(order: Order) -> None:
    """The order as a QuickBooks invoice, a refund as a Xero credit note, the journal."""
    print("\n5. The order for the ledger: omskit's tax, to the cent")
    invoice = invoice_from_order(order)
    vat = invoice.lines[0].tax_code
    qbo = quickbooks_document(invoice, customer_ref="24", items={"TEE-M": "5"},
                              tax_codes={vat: "TAX"}, tax_rates={vat: "7"})  # fmt: skip
    print(f"   QuickBooks Invoice {qbo['DocNumber']}: lines "
          f"{[str(x['Amount']) for x in qbo['Line']]} + tax "
          f"{qbo['TxnTaxDetail']['TotalTax']} = {check_quickbooks_totals(qbo, 'EUR')} "
          f"(order total {order.total.gross})")  # fmt: skip
    refund = credit_note_for_refund(invoice, Money("19.90", "EUR"), number="cn_000001",
                                    date=invoice.date, reason="one shirt arrived torn")  # fmt: skip
    xero = xero_document(refund, contact={"Name": "Dana"}, account_code="200",
                         tax_types={vat: "OUTPUT2"})  # fmt: skip
    item = xero["LineItems"][0]
    print(f"   Xero {xero['Type']} {xero['CreditNoteNumber']}: {item['LineAmount']} net + "
          f"{item['TaxAmount']} tax = {refund.total}")  # fmt: skip
    entries = journal_entries([invoice, refund], invoice.date)
    print("   sales journal:")
    for row in journal_csv(entries).splitlines():
        print(f"     {row}")


def webhook(clock: FakeClock, auth: str) -> None:
    """A signed webhook about the payment, verified, read, replayed and tampered with."""
    print("\n4. A Stripe webhook: verified, read, and a replay ignored")
    body = json.dumps({
        "id": "evt_demo_1", "object": "event", "type": "charge.refunded",
        "created": int(clock.now().timestamp()), "livemode": False,
        "data": {"object": {"id": "re_1", "object": "refund", "amount": 1990,
                            "currency": "eur", "status": "succeeded", "payment_intent": auth}},
    }).encode()  # fmt: skip
    headers = {"Stripe-Signature": sign_payload(body, "whsec_demo", clock.now())}
    hooks = StripeWebhooks("whsec_demo")
    event = hooks.handle(body, headers, clock.now())
    assert event is not None
    print(f"   {event.type}: {event.object_id} {event.status} {event.amounts['amount']} "
          f"on {event.payment_intent}")  # fmt: skip
    print(f"   the same delivery again: {hooks.handle(body, headers, clock.now())}")
    try:
        hooks.handle(body.replace(b"1990", b"9990"), headers, clock.now())
    except OmskitError as exc:
        print(f"   tampered: {exc}")


def relay_events(oms: OMS, clock: FakeClock, broker: MemoryPublisher, relay: BrokerRelay) -> None:
    """What the broker got, and an outage that delays events without losing any."""
    print("\n6. Every committed event went to the broker, in the versioned envelope")
    print(f"   {len(broker.messages)} messages; the first:")
    print("   " + json.dumps(json.loads(broker.messages[0].body))[:150] + " ...")
    print("\n7. The broker goes down: events wait in the outbox, then go out in order")
    broker.fail = ConnectionError("broker unreachable")
    oms.catalog.update_product("TEE-M", name="T-shirt, organic")
    oms.catalog.update_product("TEE-M", name="T-shirt, organic cotton")
    print(
        f"   waiting: {oms.runtime.dispatcher.pending_count()}, held back behind the "
        f"first: {list(relay.held().values())}"
    )
    broker.fail = None
    clock.advance(seconds=120)
    oms.runtime.dispatcher.dispatch()
    tail = [(m.routing_key, m.message_id) for m in broker.messages[-2:]]
    print(f"   after the outage: {tail}; waiting {oms.runtime.dispatcher.pending_count()}")


if __name__ == "__main__":
    main()
