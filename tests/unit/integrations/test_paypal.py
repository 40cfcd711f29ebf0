"""PayPal Orders v2 through the payment gateway port, against an in-memory PayPal."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from omskit.errors import IdempotencyConflict, ValidationError
from omskit.integrations.paypal import (
    PayPalEvent,
    PayPalGateway,
    PayPalOutcomeUnknown,
    PayPalPlugin,
    PayPalWebhooks,
    from_paypal_amount,
    to_paypal_amount,
)
from omskit.integrations.schemas import PayloadInvalid, validate_payload
from omskit.integrations.transport import ServiceError, SignatureInvalid, dumps_exact
from omskit.money import Money
from omskit.payments import PaymentGateway

from .fixtures import load
from .paypal_fake import API, WEBHOOK_ID, FakePayPal, signature

USD = "USD"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def gateway(
    fake: FakePayPal | None = None, clock: Clock | None = None
) -> tuple[PayPalGateway, FakePayPal]:
    fake = fake or FakePayPal()
    gw = PayPalGateway(client_id="AYclient", client_secret="EGsecret", transport=fake,
                       base_url=API, clock=clock or Clock())  # fmt: skip
    return gw, fake


def usd(value: str) -> Money:
    return Money(value, USD)


def sent(fake: FakePayPal, index: int = -1) -> Any:
    return json.loads(fake.requests[index].body, parse_float=Decimal)


def authorized(gw: PayPalGateway, fake: FakePayPal, value: str = "100.00") -> str:
    order_id = fake.approved_order(value)
    txn = gw.authorize(amount=usd(value), method=order_id, idempotency_key=f"auth-{order_id}")
    assert txn.succeeded, txn
    return txn.authorization


def test_it_is_an_omskit_payment_gateway() -> None:
    gw, _ = gateway()
    assert isinstance(gw, PaymentGateway)
    assert PayPalPlugin(gw).omskit_register_payment_gateways() == [gw]


def test_authorize_checks_the_approved_order_then_authorizes_it() -> None:
    gw, fake = gateway()
    order_id = fake.approved_order("100.00")
    txn = gw.authorize(amount=usd("100.00"), method=order_id, idempotency_key="k-1",
                       reference="ord_1")  # fmt: skip
    assert (txn.kind, txn.status, txn.amount, txn.code) == ("authorize", "succeeded",
                                                            usd("100.00"), "approved")  # fmt: skip
    assert txn.authorization == txn.id
    assert txn.id.startswith("0VF5")
    post = fake.requests[-1]
    assert post.url == f"{API}/v2/checkout/orders/{order_id}/authorize"
    assert post.header("PayPal-Request-Id") == "k-1"
    assert post.header("Content-Type") == "application/json"
    assert fake.requests[-2].method == "GET"  # the order was read first
    again = gw.authorize(amount=usd("100.00"), method=order_id, idempotency_key="k-1")
    assert again.authorization == txn.authorization  # PayPal's first answer, no second hold


def test_an_order_for_another_amount_is_refused_before_authorizing() -> None:
    gw, fake = gateway()
    order_id = fake.approved_order("99.00")
    with pytest.raises(ServiceError) as err:
        gw.authorize(amount=usd("100.00"), method=order_id, idempotency_key="k")
    assert err.value.code == "amount_mismatch"
    assert all(r.method == "GET" or "oauth2" in r.url for r in fake.requests)


def test_a_declined_instrument_and_an_increase_are_declines() -> None:
    gw, fake = gateway()
    order_id = fake.approved_order("10.00", declines=True)
    txn = gw.authorize(amount=usd("10.00"), method=order_id, idempotency_key="k")
    assert (txn.status, txn.code) == ("declined", "INSTRUMENT_DECLINED")
    more = gw.authorize(amount=usd("5.00"), method=order_id, idempotency_key="k2",
                        authorization="0VF5000")  # fmt: skip
    assert (more.status, more.code) == ("declined", "increase_unsupported")


def test_partial_captures_void_of_the_rest_and_refund_across_captures() -> None:
    gw, fake = gateway()
    auth = authorized(gw, fake)
    first = gw.capture(authorization=auth, amount=usd("30.00"), idempotency_key="c-1")
    assert sent(fake) == {"amount": {"currency_code": USD, "value": "30.00"},
                          "final_capture": False}  # fmt: skip
    second = gw.capture(authorization=auth, amount=usd("20.00"), idempotency_key="c-2")
    replay = gw.capture(authorization=auth, amount=usd("20.00"), idempotency_key="c-2")
    assert (first.status, second.status) == ("succeeded", "succeeded")
    assert replay.id == second.id  # the same key: PayPal's first answer, not a third capture
    assert fake.auths[auth]["captured"] == Decimal("50.00")
    too_much = gw.capture(authorization=auth, amount=usd("60.00"), idempotency_key="c-3")
    assert (too_much.status, too_much.code) == ("declined", "AMOUNT_GREATER_THAN_AUTHORIZED")
    void = gw.void(authorization=auth, amount=usd("50.00"), idempotency_key="v-1")
    assert void.succeeded
    assert fake.auths[auth]["status"] == "VOIDED"
    posts = len(fake.requests)
    again = gw.void(authorization=auth, amount=usd("50.00"), idempotency_key="v-2")
    assert (again.status, again.code) == ("succeeded", "already_voided")
    assert all(r.method == "GET" for r in fake.requests[posts:])
    refund = gw.refund(authorization=auth, amount=usd("40.00"), idempotency_key="r-1")
    assert refund.succeeded
    assert refund.id.count(",") == 1
    assert [(c["refunded"]) for c in fake.captures.values()] == [Decimal("20.00"),
                                                                 Decimal("20.00")]  # fmt: skip
    keys = [r.header("PayPal-Request-Id") for r in fake.requests if r.url.endswith("/refund")]
    assert keys == ["r-1", "r-1:1"]
    left = gw.refund(authorization=auth, amount=usd("10.01"), idempotency_key="r-2")
    assert (left.status, left.code) == ("declined", "amount_too_large")
    rest = gw.refund(authorization=auth, amount=usd("10.00"), idempotency_key="r-3")
    assert rest.succeeded
    assert sum(c["refunded"] for c in fake.captures.values()) == Decimal("50.00")


def test_a_full_capture_leaves_nothing_to_void() -> None:
    gw, fake = gateway()
    auth = authorized(gw, fake, "10.00")
    fake.auths[auth]["status"] = "CAPTURED"
    txn = gw.void(authorization=auth, amount=usd("0.00"), idempotency_key="v")
    assert (txn.status, txn.code) == ("succeeded", "released_at_capture")


def test_rate_limits_fail_and_server_errors_are_unknown_outcomes() -> None:
    gw, fake = gateway()
    auth = authorized(gw, fake)
    fake.fail_next = (429, {"name": "RATE_LIMIT_REACHED"})
    assert (
        gw.capture(authorization=auth, amount=usd("1.00"), idempotency_key="x").status == "failed"
    )
    fake.fail_next = (500, {"name": "INTERNAL_SERVER_ERROR"})
    with pytest.raises(PayPalOutcomeUnknown):
        gw.capture(authorization=auth, amount=usd("1.00"), idempotency_key="y")
    fake.fail_next = (409, {"name": "DUPLICATE_REQUEST_ID", "message": "reused"})
    with pytest.raises(IdempotencyConflict):
        gw.capture(authorization=auth, amount=usd("1.00"), idempotency_key="z")
    fake.fail_next = (400, {"name": "INVALID_REQUEST", "details": [{"issue": "MISSING"}]})
    with pytest.raises(ServiceError) as err:
        gw.capture(authorization=auth, amount=usd("1.00"), idempotency_key="w")
    assert err.value.code == "MISSING"


def test_the_token_is_fetched_once_and_again_after_it_expires() -> None:
    clock = Clock()
    gw, fake = gateway(clock=clock)
    auth = authorized(gw, fake)
    gw.capture(authorization=auth, amount=usd("1.00"), idempotency_key="a")
    assert fake.tokens == 1
    clock.now += 32400 - 59  # within the last minute of the token's life
    gw.capture(authorization=auth, amount=usd("1.00"), idempotency_key="b")
    assert fake.tokens == 2


def test_bad_ids_keys_and_amounts_are_refused_before_any_request() -> None:
    gw, fake = gateway()
    for call in (
        lambda: gw.capture(authorization="../x", amount=usd("1.00"), idempotency_key="k"),
        lambda: gw.capture(authorization="ABC", amount=usd("1.00"), idempotency_key=""),
        lambda: gw.authorize(amount=usd("1.00"), method="", idempotency_key="k"),
    ):
        with pytest.raises(ValidationError):
            call()
    assert [r for r in fake.requests if "oauth2" not in r.url] == []
    with pytest.raises(ValidationError):
        to_paypal_amount(Money("5.5", "JPY"))
    assert to_paypal_amount(Money("500", "JPY")) == {"currency_code": "JPY", "value": "500"}
    assert from_paypal_amount({"currency_code": "USD", "value": "0.10"}, "a") == usd("0.10")
    with pytest.raises(ValidationError):
        from_paypal_amount({"currency_code": "USD", "value": 0.1}, "a")


def test_requests_match_paypals_own_request_samples() -> None:
    for name, schema in (("capture_request.json", "paypal.authorization_capture"),
                         ("refund_request.json", "paypal.capture_refund"),
                         ("verify_webhook_signature_request.json",
                          "paypal.verify_webhook_signature")):  # fmt: skip
        validate_payload(load("paypal", name), schema)
    ours = {"amount": {"currency_code": "USD", "value": "30.00"}, "final_capture": False}
    assert set(ours) <= set(load("paypal", "capture_request.json"))
    with pytest.raises(PayloadInvalid) as err:
        validate_payload({"amount": {"currency_code": "usd", "value": "1"}},
                         "paypal.authorization_capture")  # fmt: skip
    assert err.value.path == "amount.currency_code"


# -- webhooks ------------------------------------------------------------------------------


def delivery(event: dict[str, Any], sig: str | None = None) -> tuple[bytes, dict[str, str]]:
    transmission = "69cd13f0-d67a-11e5-baa3-778b53f4ae55"
    headers = {
        "PAYPAL-AUTH-ALGO": "SHA256withRSA",
        "PAYPAL-CERT-URL": "https://api.paypal.com/v1/notifications/certs/CERT-360caa42",
        "PAYPAL-TRANSMISSION-ID": transmission,
        "PAYPAL-TRANSMISSION-SIG": sig or signature(transmission, event["id"]),
        "PAYPAL-TRANSMISSION-TIME": "2016-02-18T20:01:35Z",
    }
    return dumps_exact(event), headers


def sample_event() -> dict[str, Any]:
    return dict(load("paypal", "verify_webhook_signature_request.json")["webhook_event"])


def test_a_verified_event_is_applied_once_and_a_replay_is_a_no_op() -> None:
    gw, fake = gateway()
    hooks = PayPalWebhooks(gw, webhook_id=WEBHOOK_ID)
    body, headers = delivery(sample_event())
    applied: list[PayPalEvent] = []
    assert hooks.handle(body, headers, applied.append) is True
    assert hooks.handle(body, headers, applied.append) is False
    assert len(applied) == 1
    event = applied[0]
    assert (event.type, event.resource_id) == ("PAYMENT.AUTHORIZATION.CREATED",
                                               "2DC87612EK520411B")  # fmt: skip
    assert event.amount == usd("7.47")  # read from JSON text exactly
    verify = next(r for r in fake.requests if r.url.endswith("verify-webhook-signature"))
    sent_body = json.loads(verify.body, parse_float=Decimal)
    assert sent_body["webhook_id"] == WEBHOOK_ID
    assert sent_body["webhook_event"] == json.loads(body, parse_float=Decimal)


@pytest.mark.parametrize("how", ["wrong signature", "tampered body", "missing header",
                                 "parsed body"])  # fmt: skip
def test_a_webhook_that_does_not_verify_changes_nothing(how: str) -> None:
    gw, _ = gateway()
    hooks = PayPalWebhooks(gw, webhook_id=WEBHOOK_ID)
    event = sample_event()
    body, headers = delivery(event, sig="forged" if how == "wrong signature" else None)
    sent_body: Any = body
    if how == "tampered body":
        sent_body = dumps_exact({**event, "id": "WH-OTHER"})
    elif how == "missing header":
        del headers["PAYPAL-TRANSMISSION-SIG"]
    elif how == "parsed body":
        sent_body = event
    applied: list[PayPalEvent] = []
    with pytest.raises(SignatureInvalid):
        hooks.handle(sent_body, headers, applied.append)
    assert applied == []
    assert hooks.seen == set()


def test_a_verified_body_that_is_no_event_names_the_field() -> None:
    gw, _ = gateway()
    hooks = PayPalWebhooks(gw, webhook_id=WEBHOOK_ID)
    body, headers = delivery({"id": "WH-1", "event_type": "X"})
    with pytest.raises(ValidationError) as err:
        hooks.verify(body, headers)
    assert err.value.field == "resource"
    with pytest.raises(ValidationError):
        PayPalWebhooks(gw, webhook_id="not an id")
