"""The Stripe adapter against Stripe's published fixtures and a fake transport."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import IdempotencyConflict, ValidationError
from omskit.integrations.stripe import (
    THREE_DECIMAL,
    ZERO_DECIMAL,
    FakeStripe,
    StripeGateway,
    StripeOutcomeUnknown,
    StripeRequestRefused,
    StripeWebhooks,
    from_stripe_amount,
    parse_event,
    sign_payload,
    stripe_exponent,
    to_stripe_amount,
    verify_signature,
)
from omskit.integrations.transport import HttpResponse, SignatureInvalid
from omskit.money import Money, precision
from omskit.payments import PaymentGateway

from .fixtures import load

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
SECRET = "whsec_test_secret"


def gateway(fake: FakeStripe | None = None, **options: object) -> tuple[StripeGateway, FakeStripe]:
    fake = fake or FakeStripe()
    return StripeGateway(api_key="sk_test_123", transport=fake, **options), fake  # type: ignore[arg-type]


def form(fake: FakeStripe, index: int = -1) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(fake.requests[index].body.decode()))


# -- minor units -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        ("10.00", "USD", 1000),
        ("500", "JPY", 500),
        ("5.120", "KWD", 5120),
        ("1", "ISK", 100),
        ("1999", "KRW", 1999),
        ("0.01", "EUR", 1),
    ],
)
def test_amounts_go_to_stripe_in_its_minor_units(amount: str, currency: str, units: int) -> None:
    money = Money(amount, currency)
    assert to_stripe_amount(money) == units
    assert from_stripe_amount(units, currency.lower()) == money


def test_a_three_decimal_amount_must_end_in_zero() -> None:
    with pytest.raises(ValidationError, match="end in 0") as info:
        to_stripe_amount(Money("5.124", "KWD"), "amount")
    assert info.value.field == "amount"


def test_more_digits_than_the_currency_has_are_refused_not_rounded() -> None:
    with pytest.raises(ValidationError, match="at most 0 decimal"):
        to_stripe_amount(Money("1.5", "JPY"))
    with pytest.raises(ValidationError, match="with 2 decimal"):
        to_stripe_amount(Money("1.2345", "UYW"))  # ISO 4 decimals, Stripe 2
    with pytest.raises(ValidationError, match="ISK has 0 decimal"):
        from_stripe_amount(150, "isk")
    with pytest.raises(ValidationError, match="integer amount"):
        from_stripe_amount("1000", "usd")


CURRENCIES = sorted({"USD", "EUR", "GBP", "ISK", "HUF", "TWD", "CHF", "UYW"} | ZERO_DECIMAL
                    | THREE_DECIMAL)  # fmt: skip


@given(st.sampled_from(CURRENCIES), st.integers(min_value=0, max_value=10**12))
def test_minor_units_round_trip_exactly(currency: str, units: int) -> None:
    step = 10 ** max(0, stripe_exponent(currency) - precision(currency))
    units -= units % max(step, 10 if currency in THREE_DECIMAL else 1)
    money = from_stripe_amount(units, currency)
    assert to_stripe_amount(money) == units
    assert from_stripe_amount(to_stripe_amount(money), currency) == money


@given(st.sampled_from(CURRENCIES), st.integers(min_value=0, max_value=10**9))
def test_money_round_trips_through_stripe_units(currency: str, minor: int) -> None:
    money = Money.from_minor_units(minor, currency)
    try:
        units = to_stripe_amount(money)
    except ValidationError:  # only amounts Stripe cannot express are refused
        assert currency in THREE_DECIMAL or precision(currency) > stripe_exponent(currency)
        return
    assert from_stripe_amount(units, currency.lower()) == money


# -- the recorded objects ----------------------------------------------------------------
def test_the_recorded_payment_intent_reads_with_its_amounts() -> None:
    intent = load("stripe", "payment_intent.json")
    assert from_stripe_amount(intent["amount"], intent["currency"]) == Money("10.99", "USD")


def test_the_fake_answers_with_every_key_of_stripes_fixtures() -> None:
    g, fake = gateway()
    txn = g.authorize(amount=Money("10.99", "USD"), method="pm_card_visa", idempotency_key="k")
    g.capture(authorization=txn.authorization, amount=Money("10.99", "USD"), idempotency_key="c")
    g.refund(authorization=txn.authorization, amount=Money("1.00", "USD"), idempotency_key="r")
    assert set(load("stripe", "payment_intent.json")) <= set(fake.intents[txn.authorization])
    refund = next(iter(fake.refunds.values()))
    assert set(load("stripe", "refund.json")) <= set(refund)


def test_a_recorded_card_error_is_a_decline_with_stripes_code() -> None:
    body = json.dumps(load("stripe", "card_declined.json"), default=str).encode()
    g = StripeGateway(api_key="sk_test_1", transport=lambda _r: HttpResponse(402, body))
    txn = g.authorize(amount=Money("5.00", "EUR"), method="pm_x", idempotency_key="k")
    assert (txn.status, txn.code, txn.message) == (
        "declined", "generic_decline", "Your card was declined.")  # fmt: skip


def test_the_gateway_satisfies_the_port() -> None:
    assert isinstance(gateway()[0], PaymentGateway)


# -- the requests --------------------------------------------------------------------------
def test_authorize_sends_a_manual_capture_intent_with_the_idempotency_key() -> None:
    g, fake = gateway()
    txn = g.authorize(amount=Money("1999", "JPY"), method="pm_card_visa",
                      idempotency_key="order-7:authorize", reference="O-7")  # fmt: skip
    request = fake.requests[-1]
    assert request.url == "https://api.stripe.com/v1/payment_intents"
    assert request.header("Idempotency-Key") == "order-7:authorize"
    assert request.header("Authorization") == "Bearer sk_test_123"
    sent = form(fake)
    assert sent["amount"] == "1999"
    assert sent["currency"] == "jpy"
    assert sent["capture_method"] == "manual"
    assert sent["confirm"] == "true"
    assert sent["metadata[omskit_reference]"] == "O-7"
    assert txn.succeeded
    assert txn.authorization.startswith("pi_")


def test_partial_capture_sends_amount_to_capture_and_releases_the_rest() -> None:
    g, fake = gateway()
    auth = g.authorize(amount=Money("100.00", "EUR"), method="pm_card_visa", idempotency_key="a")
    cap = g.capture(authorization=auth.authorization, amount=Money("60.00", "EUR"),
                    idempotency_key="c")  # fmt: skip
    assert form(fake)["amount_to_capture"] == "6000"
    assert cap.succeeded
    assert cap.id.startswith("ch_")
    assert fake.intents[auth.authorization]["status"] == "succeeded"
    void = g.void(authorization=auth.authorization, amount=Money("40.00", "EUR"),
                  idempotency_key="v")  # fmt: skip
    assert (void.status, void.code) == ("succeeded", "released_at_capture")
    second = g.capture(authorization=auth.authorization, amount=Money("1.00", "EUR"),
                       idempotency_key="c2")  # fmt: skip
    assert (second.status, second.code) == ("declined", "payment_intent_unexpected_state")


def test_multicapture_keeps_the_authorization_open_between_captures() -> None:
    g, fake = gateway(multicapture=True)
    auth = g.authorize(amount=Money("100.00", "EUR"), method="pm_card_visa", idempotency_key="a")
    g.capture(authorization=auth.authorization, amount=Money("30.00", "EUR"), idempotency_key="c1")
    assert form(fake)["final_capture"] == "false"
    g.capture(authorization=auth.authorization, amount=Money("30.00", "EUR"), idempotency_key="c2")
    void = g.void(authorization=auth.authorization, amount=Money("40.00", "EUR"),
                  idempotency_key="v")  # fmt: skip
    assert void.succeeded
    assert fake.intents[auth.authorization]["status"] == "canceled"


def test_void_of_the_whole_authorization_cancels_and_of_a_part_is_declined() -> None:
    g, fake = gateway()
    auth = g.authorize(amount=Money("50.00", "USD"), method="pm_card_visa", idempotency_key="a")
    part = g.void(authorization=auth.authorization, amount=Money("10.00", "USD"),
                  idempotency_key="v1")  # fmt: skip
    assert (part.status, part.code) == ("declined", "partial_release_unsupported")
    whole = g.void(authorization=auth.authorization, amount=Money("50.00", "USD"),
                   idempotency_key="v2")  # fmt: skip
    assert whole.succeeded
    assert fake.intents[auth.authorization]["status"] == "canceled"


def test_increase_goes_through_increment_authorization() -> None:
    g, fake = gateway()
    auth = g.authorize(amount=Money("50.00", "USD"), method="pm_card_visa", idempotency_key="a")
    more = g.authorize(amount=Money("20.00", "USD"), method="pm_card_visa",
                       idempotency_key="a2", authorization=auth.authorization)  # fmt: skip
    assert more.succeeded
    assert form(fake)["amount"] == "7000"
    assert fake.intents[auth.authorization]["amount_capturable"] == 7000


def test_refunds_are_partial_and_repeatable_and_never_exceed_the_capture() -> None:
    g, _ = gateway()
    auth = g.authorize(amount=Money("30.00", "GBP"), method="pm_card_visa", idempotency_key="a")
    g.capture(authorization=auth.authorization, amount=Money("30.00", "GBP"), idempotency_key="c")
    for i in range(3):
        r = g.refund(authorization=auth.authorization, amount=Money("10.00", "GBP"),
                     idempotency_key=f"r{i}")  # fmt: skip
        assert r.succeeded
        assert r.id.startswith("re_")
    over = g.refund(authorization=auth.authorization, amount=Money("0.01", "GBP"),
                    idempotency_key="r9")  # fmt: skip
    assert (over.status, over.code) == ("declined", "charge_already_refunded")


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_authenticationRequired", "authentication_required"),
    ],
)
def test_declines_carry_stripes_reason(method: str, code: str) -> None:
    g, _ = gateway()
    txn = g.authorize(amount=Money("5.00", "USD"), method=method, idempotency_key="k")
    assert (txn.status, txn.code) == ("declined", code)


def test_a_replayed_key_returns_the_first_answer_and_charges_once() -> None:
    g, fake = gateway()
    first = g.authorize(amount=Money("5.00", "USD"), method="pm_card_visa", idempotency_key="k")
    again = g.authorize(amount=Money("5.00", "USD"), method="pm_card_visa", idempotency_key="k")
    assert first == again
    assert len(fake.intents) == 1
    with pytest.raises(IdempotencyConflict):
        g.authorize(amount=Money("6.00", "USD"), method="pm_card_visa", idempotency_key="k")


def test_a_server_error_is_an_unknown_outcome_and_a_rate_limit_a_transient_failure() -> None:
    g, fake = gateway()
    fake.fail_next(500)
    with pytest.raises(StripeOutcomeUnknown):
        g.authorize(amount=Money("5.00", "USD"), method="pm_card_visa", idempotency_key="k")
    with pytest.raises(StripeOutcomeUnknown):  # Stripe saved the 500 under the key
        g.authorize(amount=Money("5.00", "USD"), method="pm_card_visa", idempotency_key="k")
    fake.fail_next(429)
    txn = g.authorize(amount=Money("5.00", "USD"), method="pm_card_visa", idempotency_key="k2")
    assert (txn.status, txn.code) == ("failed", "rate_limited")
    assert g.authorize(amount=Money("5.00", "USD"), method="pm_card_visa",
                       idempotency_key="k2").succeeded  # fmt: skip


def test_a_bad_request_names_stripes_parameter() -> None:
    g, _ = gateway()
    with pytest.raises(StripeRequestRefused, match="resource_missing") as info:
        g.capture(authorization="pi_missing", amount=Money("1.00", "USD"), idempotency_key="c")
    assert info.value.param == "intent"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "k" * 256}, "idempotency_key"),
        ({"amount": Money("-1.00", "USD")}, "amount"),
    ],
)
def test_bad_input_names_the_field_and_sends_nothing(kwargs: dict[str, object], field: str) -> None:
    g, fake = gateway()
    call: dict[str, object] = {"amount": Money("1.00", "USD"), "method": "pm_card_visa",
                               "idempotency_key": "k"} | kwargs  # fmt: skip
    with pytest.raises(ValidationError) as info:
        g.authorize(**call)  # type: ignore[arg-type]
    assert info.value.field == field
    assert fake.requests == []


def test_a_key_that_is_not_a_secret_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="api_key"):
        StripeGateway(api_key="pk_live_abc", transport=FakeStripe())


# -- webhooks ----------------------------------------------------------------------------
def delivery(
    payload: object, at: dt.datetime = NOW, secret: str = SECRET
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload, default=str).encode()
    return body, {"Stripe-Signature": sign_payload(body, secret, at)}


def capturable_event() -> dict[str, object]:
    event = load("stripe", "event.json")
    intent = load("stripe", "payment_intent.json") | {"status": "requires_capture",
                                                      "amount_capturable": 1099}  # fmt: skip
    return event | {"type": "payment_intent.amount_capturable_updated", "data": {"object": intent}}


def test_a_good_signature_verifies_and_the_event_reads() -> None:
    body, headers = delivery(capturable_event())
    event = StripeWebhooks(SECRET).handle(body, headers, NOW)
    assert event is not None
    assert (event.id, event.object_type, event.status) == (
        "evt_1Pgc76B7WZ01zgkWwyRHS12y", "payment_intent", "requires_capture")  # fmt: skip
    assert event.amounts["amount_capturable"] == Money("10.99", "USD")
    assert event.payment_intent == "pi_1PgafyB7WZ01zgkWSjxsAJo3"


def test_the_recorded_event_parses() -> None:
    event = parse_event(load("stripe", "event.json"))
    assert event.type == "plan.created"
    assert event.amounts["amount"] == Money("20.00", "USD")


def test_a_replayed_delivery_is_a_no_op() -> None:
    hooks = StripeWebhooks(SECRET)
    body, headers = delivery(capturable_event())
    assert hooks.handle(body, headers, NOW) is not None
    assert hooks.handle(body, headers, NOW) is None


def test_a_bad_secret_is_refused() -> None:
    body, headers = delivery(capturable_event(), secret="whsec_other")
    with pytest.raises(SignatureInvalid, match="does not match"):
        verify_signature(body, headers, SECRET, NOW)


def test_a_tampered_body_is_refused_and_not_remembered() -> None:
    hooks = StripeWebhooks(SECRET)
    body, headers = delivery(capturable_event())
    with pytest.raises(SignatureInvalid):
        hooks.handle(body.replace(b"1099", b"9999"), headers, NOW)
    assert hooks.handle(body, headers, NOW) is not None  # the genuine one still applies


def test_an_expired_signature_is_refused() -> None:
    body, headers = delivery(capturable_event(), at=NOW - dt.timedelta(seconds=301))
    with pytest.raises(SignatureInvalid, match="at most 300 s"):
        verify_signature(body, headers, SECRET, NOW)
    verify_signature(body, headers, SECRET, NOW, tolerance_seconds=600)


def test_a_missing_or_malformed_header_is_refused() -> None:
    body, _ = delivery(capturable_event())
    with pytest.raises(SignatureInvalid, match="no Stripe-Signature"):
        verify_signature(body, {}, SECRET, NOW)
    with pytest.raises(SignatureInvalid, match="must read"):
        verify_signature(body, {"stripe-signature": "v1=abc"}, SECRET, NOW)


def test_a_rolled_secret_verifies_under_either() -> None:
    body, headers = delivery(capturable_event(), secret="whsec_new")
    verify_signature(body, headers, ["whsec_old", "whsec_new"], NOW)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"object": "charge"}, "object"),
        ({"id": "x"}, "id"),
        ({"created": "soon"}, "created"),
        ({"data": {}}, "data.object"),
    ],
)
def test_a_malformed_event_names_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_event(capturable_event() | change)
    assert info.value.field == field


def test_an_amount_in_the_event_is_never_a_float() -> None:
    payload = capturable_event()
    payload["data"] = {"object": {"object": "refund", "id": "re_1", "amount": Decimal("1.5"),
                                  "currency": "usd"}}  # fmt: skip
    with pytest.raises(ValidationError, match="integer amount"):
        parse_event(payload)
