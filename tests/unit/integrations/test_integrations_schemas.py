"""Outbound payloads against the platforms' documented request schemas.

Every schema shipped is used by a builder, every builder's payload passes its schema,
and a payload that breaks one (a missing required field, a wrong type, a value out of
its enum, an undocumented field) is refused with ``PayloadInvalid`` naming the path and
the rule, before any transport is called.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

from omskit.errors import ValidationError
from omskit.integrations import amazon, ebay, magento, schemas, shopify, woocommerce
from omskit.integrations.accounting import quickbooks_document, xero_document
from omskit.integrations.accounting.document import credit_note_for_refund
from omskit.integrations.schemas import (
    PayloadInvalid,
    load_schema,
    schema_names,
    validate_payload,
)
from omskit.integrations.stripe.gateway import form_fields
from omskit.integrations.transport import HttpRequest, json_request
from omskit.money import Money
from omskit.orders.events import OrderCancelled, OrderLinesCancelled
from omskit.testing import FakeClock

from ...service.integrations import test_taxengine as tax  # noqa: TID252
from . import test_accounting as acc
from . import test_easypost as ep
from . import test_paypal as pp
from . import test_stripe as st
from .fixtures import load
from .test_integrations_marketplaces import fixture, shipment

USD = Money("199.00", "USD")
LINES = OrderLinesCancelled(order_id="ord_1", lines=(("L2", 1),), reason="damaged",
                            actor="ops", refunded=USD, voided=Money.zero("USD"))  # fmt: skip
CANCELLED = OrderCancelled(order_id="ord_1", reason="asked", actor="ops", refunded=USD,
                           voided=Money.zero("USD"))  # fmt: skip
SHOPIFY_LINES = {"L1": "466157049", "L2": "518995019"}


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    """Every (schema, payload) the code under test validates, in order."""
    seen: list[tuple[str, Any]] = []
    real = schemas.validate_payload

    def spy(payload: Any, name: str) -> None:
        seen.append((name, payload))
        real(payload, name)

    # the builders import validate_payload by name: patch it where each one looks it up
    for module in ("omskit.integrations.transport", "omskit.integrations.stripe.gateway",
                   "omskit.integrations.accounting.quickbooks",
                   "omskit.integrations.accounting.xero",
                   "omskit.integrations.taxengine"):  # fmt: skip
        monkeypatch.setattr(f"{module}.validate_payload", spy)
    return seen


def channel_requests() -> list[HttpRequest]:
    fos = load("shopify", "fulfillment_orders.json")
    ship2 = shipment((("L1", 1), ("L2", 1)))
    return [
        shopify.fulfillment_request(ship2, line_map=SHOPIFY_LINES, fulfillment_orders=fos),
        shopify.inventory_request(
            inventory_item_id="808950810", location_id="905684977", available=6
        ),
        shopify.cancel_request(CANCELLED, external_id="450789469", reason="customer"),
        shopify.refund_request(
            LINES,
            external_id="450789469",
            line_map=SHOPIFY_LINES,
            parent_transaction_id="389404469",
            gateway="bogus",
        ),
        amazon.shipment_confirmation(
            shipment((("L1", 1),)),
            external_id="902-1845936-5435065",
            marketplace_id="ATVPDKIKX0DER",
            line_map={"L1": "05015851154158"},
            carrier_code="UPS",
            shipping_method="UPS Ground",
        ),
        amazon.inventory_request(
            seller_id="A1", sku="TEE-M", marketplace_id="ATVPDKIKX0DER", quantity=3
        ),
        ebay.shipping_fulfillment(
            shipment((("L1", 1),)),
            external_id="12-03456-78901",
            line_map={"L1": "10000000001"},
            carrier_code="UPS",
        ),
        ebay.inventory_request({"TEE-M": 3, "MUG": 0}),
        magento.ship_request(
            shipment((("L1", 2),)),
            external_id="42",
            line_map={"L1": "101"},
            carrier_code="ups",
            title="UPS",
        ),
        magento.refund_request(LINES, external_id="42", line_map={"L2": "102"}),
        magento.source_items_request({("TEE-M", "berlin"): 0, ("MUG", "berlin"): 4}),
        woocommerce.status_request("727", "completed", note="shipped"),
        woocommerce.stock_request("22", 4, variation_id="23"),
        woocommerce.refund_request(LINES, external_id="727", line_map={"L2": "316"}),
    ]


def service_calls() -> None:
    """Drive the Stripe, EasyPost, QuickBooks and Xero builders through each request."""
    gateway, _ = st.gateway(multicapture=True)
    auth = gateway.authorize(amount=Money("30.00", "USD"), method="pm_card_visa",
                             idempotency_key="a1", reference="ord_1")  # fmt: skip
    gateway.authorize(amount=Money("5.00", "USD"), method="pm_card_visa",
                      idempotency_key="a2", authorization=auth.authorization)  # fmt: skip
    gateway.capture(authorization=auth.authorization, amount=Money("10.00", "USD"),
                    idempotency_key="c1")  # fmt: skip
    gateway.refund(authorization=auth.authorization, amount=Money("4.00", "USD"),
                   idempotency_key="r1")  # fmt: skip
    other, _ = st.gateway()
    held = other.authorize(amount=Money("9.00", "USD"), method="pm_card_visa",
                           idempotency_key="a3")  # fmt: skip
    other.void(authorization=held.authorization, amount=Money("9.00", "USD"),
               idempotency_key="v1")  # fmt: skip
    carrier = ep.carrier(ep.Recorded())
    (label,) = carrier.buy_label(ep.request(), "USPS:Priority", reference="ship-1", now=ep.NOW)
    carrier.return_label(label, reference="rma-1", now=ep.NOW)
    carrier.track(label, ep.NOW)
    carrier.void_label(label, ep.NOW)
    engine = tax.Engine(tax.raw("taxjar", "taxes_us.json"))
    shop = tax.make(FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)), engine)
    quote = shop.pricing.quote(channel="us", lines=[{"sku": "TEE", "quantity": 2}],
                               ship_to=tax.LA, shipping="1.50")  # fmt: skip
    assert quote.tax_provider == "taxjar"  # the engine answered: its request passed
    paypal, fake = pp.gateway()
    auth = pp.authorized(paypal, fake)
    paypal.capture(authorization=auth, amount=pp.usd("30.00"), idempotency_key="pc-1")
    paypal.refund(authorization=auth, amount=pp.usd("5.00"), idempotency_key="pr-1")
    body, headers = pp.delivery(pp.sample_event())
    pp.PayPalWebhooks(paypal, webhook_id=pp.WEBHOOK_ID).verify(body, headers)
    quickbooks_document(acc.SAMPLE, customer_ref="58", **acc.QB)  # type: ignore[arg-type]
    xero_document(acc.SAMPLE, **acc.XERO)  # type: ignore[arg-type]
    credit = credit_note_for_refund(acc.SAMPLE, number="cn_1", date=acc.DAY,
                                    amount=Money("10.00", "EUR"), reason="damaged")  # fmt: skip
    quickbooks_document(credit, customer_ref="58", **acc.QB)  # type: ignore[arg-type]
    xero_document(credit, **acc.XERO)  # type: ignore[arg-type]


def test_every_schema_names_its_source_and_uses_only_checked_keywords() -> None:
    names = schema_names()
    assert len(names) >= 27
    for name in names:
        schema = load_schema(name)  # refuses a keyword the checker does not implement
        assert schema["$comment"].startswith("Field names, types and required fields from https://")
        assert schema["title"]
        assert schema["$id"] == f"omskit:integrations/{name}"


def test_every_adapters_outbound_payload_passes_and_every_schema_is_used(
    checked: list[tuple[str, Any]],
) -> None:
    requests = channel_requests()
    service_calls()
    used = {name for name, _ in checked}
    assert used == set(schema_names())
    for request in requests:  # what the transport gets is what was checked
        assert (request.header("Content-Type") == "application/json") == bool(request.body)
    assert len(checked) >= len(requests) + 13


def test_magento_cancel_has_no_body_and_checks_nothing(checked: list[tuple[str, Any]]) -> None:
    request = magento.cancel_request("42")
    assert (request.body, request.payload(), checked) == (b"", None, [])


# -- a broken payload fails, naming the path and the rule ---------------------------------


def _broken_cases() -> list[tuple[str, Callable[[dict[str, Any]], None], str, str]]:
    def drop(*path: str | int) -> Callable[[dict[str, Any]], None]:
        def change(body: dict[str, Any]) -> None:
            node: Any = body
            for key in path[:-1]:
                node = node[key]
            del node[path[-1]]

        return change

    def put(value: Any, *path: str | int) -> Callable[[dict[str, Any]], None]:
        def change(body: dict[str, Any]) -> None:
            node: Any = body
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value

        return change

    return [
        ("shopify.fulfillment", drop("fulfillment", "line_items_by_fulfillment_order"),
         "fulfillment.line_items_by_fulfillment_order", "required"),
        ("shopify.fulfillment", put("yes", "fulfillment", "notify_customer"),
         "fulfillment.notify_customer", "type"),
        ("shopify.inventory_level_set", put(Decimal("2.5"), "available"), "available", "type"),
        ("shopify.order_cancel", put("bored", "reason"), "reason", "enum"),
        ("shopify.refund", put("19.9O", "refund", "transactions", 0, "amount"),
         "refund.transactions[0].amount", "pattern"),
        ("amazon.confirm_shipment", put("abc", "packageDetail", "packageReferenceId"),
         "packageDetail.packageReferenceId", "pattern"),
        ("amazon.confirm_shipment", put(0, "packageDetail", "orderItems", 0, "quantity"),
         "packageDetail.orderItems[0].quantity", "minimum"),
        ("ebay.shipping_fulfillment", put([], "lineItems"), "lineItems", "minItems"),
        ("ebay.bulk_update_price_quantity", put([{"sku": "A"}] * 26, "requests"), "requests",
         "maxItems"),
        ("magento.order_ship", put({"track_number": "1Z"}, "tracks", 0), "tracks[0].title",
         "required"),
        ("magento.source_items", put(2, "sourceItems", 0, "status"), "sourceItems[0].status",
         "enum"),
        ("woocommerce.order_update", put("shipped", "status"), "status", "enum"),
        ("woocommerce.order_refund", put("now", "surprise"), "surprise", "additionalProperties"),
        ("quickbooks.invoice", drop("CustomerRef"), "CustomerRef", "required"),
        ("quickbooks.invoice", put("x" * 22, "DocNumber"), "DocNumber", "maxLength"),
        ("xero.invoice", put("ACCPAY", "Type"), "Type", "const"),
        ("stripe.payment_intent_create", put("10.00", "amount"), "amount", "pattern"),
        ("taxjar.taxes", drop("to_country"), "to_country", "required"),
        ("taxjar.taxes", put("-1.00", "shipping"), "shipping", "type"),
        ("easypost.shipment_create", drop("shipment", "to_address", "street1"),
         "shipment.to_address.street1", "required"),
        ("easypost.shipment_create", put(True, "shipment", "parcel", "weight"),
         "shipment.parcel.weight", "type"),
    ]  # fmt: skip


GOOD: dict[str, Mapping[str, Any]] = {}


def good(name: str, checked: list[tuple[str, Any]]) -> dict[str, Any]:
    """A deep copy of a payload a builder made for schema ``name``."""
    if not GOOD:
        channel_requests()
        service_calls()
        for seen, payload in checked:
            GOOD.setdefault(seen, payload)
    return copy.deepcopy(dict(GOOD[name]))


@pytest.mark.parametrize(("name", "change", "path", "rule"), _broken_cases(),
                         ids=lambda v: v if isinstance(v, str) else "")  # fmt: skip
def test_a_broken_payload_is_refused_naming_the_path_and_rule(
    checked: list[tuple[str, Any]], name: str, change: Callable[[dict[str, Any]], None],
    path: str, rule: str,
) -> None:  # fmt: skip
    body = good(name, checked)
    validate_payload(body, name)  # the builder's own payload passes
    change(body)
    with pytest.raises(PayloadInvalid) as err:
        validate_payload(body, name)
    assert (err.value.schema, err.value.path, err.value.rule) == (name, path, rule)
    assert err.value.field == path
    assert isinstance(err.value, ValidationError)
    assert name in str(err.value)
    assert repr(rule) in str(err.value)
    again = pickle.loads(pickle.dumps(err.value))
    assert (again.schema, again.path, again.rule) == (name, path, rule)


def test_every_violation_is_listed_once() -> None:
    with pytest.raises(PayloadInvalid) as err:
        validate_payload({"location_id": "1", "available": True}, "shopify.inventory_level_set")
    fields = [p.field for p in err.value.problems]
    assert fields == ["inventory_item_id", "location_id", "available"]
    assert str(err.value).startswith("3 problems:")


# -- the builders refuse before the transport is called -----------------------------------


def test_a_builder_refuses_a_payload_the_platform_would_refuse() -> None:
    with pytest.raises(PayloadInvalid) as err:
        amazon.shipment_confirmation(shipment((("L1", 1),)), external_id="1",
                                     marketplace_id="ATVPDKIKX0DER", line_map={"L1": "9"},
                                     carrier_code="UPS", package_reference="box-1")  # fmt: skip
    assert err.value.path == "packageDetail.packageReferenceId"


def test_stripe_refuses_before_sending() -> None:
    gateway, fake = st.gateway()
    with pytest.raises(PayloadInvalid) as err:
        gateway.authorize(amount=Money("30.00", "USD"), method="", idempotency_key="k")
    assert (err.value.path, err.value.rule) == ("payment_method", "minLength")
    assert fake.requests == []


def test_easypost_refuses_before_sending() -> None:
    transport = ep.Recorded()
    carrier = ep.carrier(transport)
    bad = ep.RateRequest.build(ship_from=ep.SF, ship_to={**ep.REDONDO, "line1": ""},
                               parcels=[{"weight_grams": 437}])  # fmt: skip
    with pytest.raises(ValidationError):
        carrier.rates(bad, ep.NOW)
    assert transport.requests == []


def test_xero_refuses_a_contact_name_longer_than_xero_keeps() -> None:
    with pytest.raises(PayloadInvalid) as err:
        xero_document(acc.SAMPLE, **{**acc.XERO, "contact": {"Name": "x" * 300}})  # type: ignore[arg-type]
    assert (err.value.schema, err.value.path, err.value.rule) == (
        "xero.invoice",
        "Contact.Name",
        "maxLength",
    )


# -- the checker itself ---------------------------------------------------------------------


def test_numbers_are_exact_and_bool_is_no_number() -> None:
    validate_payload({"location_id": 1, "inventory_item_id": Decimal("2"), "available": -3},
                     "shopify.inventory_level_set")  # fmt: skip
    for bad in (True, Decimal("2.5"), "2"):
        with pytest.raises(PayloadInvalid):
            validate_payload({"location_id": 1, "inventory_item_id": 2, "available": bad},
                             "shopify.inventory_level_set")  # fmt: skip


def test_stripe_form_fields_read_back_into_objects() -> None:
    assert form_fields([("amount", "100"), ("payment_method_types[0]", "card"),
                        ("payment_method_types[1]", "link"), ("metadata[k]", "v"),
                        ("payment_method_options[card][request_multicapture]", "never")]) == {
        "amount": "100", "payment_method_types": ["card", "link"], "metadata": {"k": "v"},
        "payment_method_options": {"card": {"request_multicapture": "never"}},
    }  # fmt: skip


def test_an_unknown_schema_or_keyword_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError) as err:
        load_schema("shopify.nothing")
    assert err.value.field == "schema"
    with pytest.raises(ValueError, match="unsupported keywords"):
        schemas._check_keywords({"type": "object", "oneOf": []}, "x", "#")
    with pytest.raises(ValueError, match="unsupported keywords"):
        schemas._check_keywords({"properties": {"a": {"format": "date"}}}, "x", "#")


def test_json_request_checks_then_encodes_exactly() -> None:
    request = json_request("POST", "inventory_levels/set.json",
                           {"location_id": 1, "inventory_item_id": 2, "available": 3},
                           schema="shopify.inventory_level_set", idempotency_key="k")  # fmt: skip
    assert request.body == b'{"location_id":1,"inventory_item_id":2,"available":3}'
    with pytest.raises(PayloadInvalid):
        json_request("POST", "x", {"available": 3}, schema="shopify.inventory_level_set")


def test_recorded_platform_samples_pass_their_schemas() -> None:
    """The platforms' own sample requests (checked-in fixtures) conform too."""
    sample = fixture("amazon", "shipment_confirmation_request.json")
    validate_payload(sample, "amazon.confirm_shipment")
    orders = load("shopify", "fulfillment_orders.json")
    assert orders["fulfillment_orders"]  # read by the fulfillment built above
