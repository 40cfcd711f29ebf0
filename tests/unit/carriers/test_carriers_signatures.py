"""Webhook signatures, idempotent purchases and keyed tracking numbers of the built-ins."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.carriers import (
    ParcelSpec,
    RateRequest,
    SandboxCarrier,
    TableRateCarrier,
    WebhookSignatureInvalid,
)
from omskit.carriers.webhooks import decode_body, header, raw_body, verify
from omskit.customers.address import Address
from omskit.errors import IdempotencyConflict, ValidationError

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
BERLIN = Address(country="DE", line1="Lager 1", city="Berlin", postal_code="10115")
PARIS = Address(country="FR", line1="1 rue X", city="Paris", postal_code="75001", name="Ann")
SECRET = "whsec-0123456789abcdef"
BODY = b'{"tracking_number":"SB1","event":{"code":"DLV","time":"2026-11-24T09:00:00Z"}}'


def header_for(body: bytes, secret: str = SECRET, at: dt.datetime = NOW) -> dict[str, str]:
    t = int(at.timestamp())
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Sandbox-Signature": f"t={t},v1={digest}"}


@pytest.fixture
def sandbox() -> SandboxCarrier:
    return SandboxCarrier.create().configured({"webhook_secret": SECRET})


def test_a_signature_computed_as_documented_verifies(sandbox: SandboxCarrier) -> None:
    sandbox.verify_webhook(BODY, header_for(BODY), NOW)
    lower = {k.lower(): v for k, v in header_for(BODY).items()}
    sandbox.verify_webhook(BODY, lower, NOW + dt.timedelta(seconds=299))


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (BODY, {}, "no Sandbox-Signature header"),
        (BODY, {"Sandbox-Signature": "v1=abc"}, "must read"),
        (BODY, {"Sandbox-Signature": "t=1,v1="}, "must read"),
        (BODY.replace(b"DLV", b"LST"), header_for(BODY), "does not match"),
        (BODY, header_for(BODY, secret="another-secret-0000"), "does not match"),
        (BODY, header_for(BODY, at=NOW - dt.timedelta(seconds=301)), "either way"),
        (BODY, header_for(BODY, at=NOW + dt.timedelta(hours=1)), "either way"),
    ],
    ids=["no header", "no timestamp", "no digest", "tampered", "wrong secret", "old", "future"],
)
def test_a_webhook_that_does_not_verify_is_refused_with_the_reason(
    sandbox: SandboxCarrier, body: bytes, headers: dict[str, str], reason: str
) -> None:
    with pytest.raises(WebhookSignatureInvalid) as info:
        sandbox.verify_webhook(body, headers, NOW)
    assert reason in info.value.reason
    assert info.value.carrier == "sandbox"


def test_a_rotated_secret_verifies_under_either_while_both_are_configured() -> None:
    old, new = "old-secret-0123456789", "new-secret-0123456789"
    both = SandboxCarrier.create().configured({"webhook_secret": [new, old]})
    both.verify_webhook(BODY, header_for(BODY, secret=old), NOW)
    both.verify_webhook(BODY, header_for(BODY, secret=new), NOW)
    signed = both.sign_webhook(json.loads(BODY), now=NOW)
    SandboxCarrier.create().configured({"webhook_secret": new}).verify_webhook(
        signed.body, signed.headers, NOW
    )


def test_without_a_configured_secret_only_what_the_carrier_signs_itself_verifies() -> None:
    one, two = SandboxCarrier.create(), SandboxCarrier.create()
    hook = one.sign_webhook(json.loads(BODY), now=NOW)
    one.verify_webhook(hook.body, hook.headers, NOW)
    with pytest.raises(WebhookSignatureInvalid):
        two.verify_webhook(hook.body, hook.headers, NOW)


def test_each_built_in_carrier_signs_under_its_own_header() -> None:
    table = TableRateCarrier.from_mapping(None)
    hook = table.sign_webhook({"msg": {}}, now=NOW)
    assert "Tablerate-Signature" in hook.headers
    table.verify_webhook(hook.body, hook.headers, NOW)
    with pytest.raises(WebhookSignatureInvalid):
        table.verify_webhook(hook.body, {"Sandbox-Signature": "t=1,v1=ab"}, NOW)


@pytest.mark.parametrize("secret", ["short", "", 42, ["fine-secret-0123456", 7]])
def test_a_weak_or_malformed_secret_is_refused_in_configuration(secret: object) -> None:
    with pytest.raises(ValidationError, match="webhook_secret"):
        SandboxCarrier.create().configured({"webhook_secret": secret})


def test_only_raw_bytes_can_be_verified() -> None:
    assert raw_body("sandbox", bytearray(b"{}")) == b"{}"
    for body in ({"tracking_number": "SB1"}, '{"a": 1}', None):
        with pytest.raises(WebhookSignatureInvalid, match="raw bytes"):
            raw_body("sandbox", body)
    with pytest.raises(ValidationError, match="bytes"):
        raw_body("sandbox", b" " * (1 << 20 + 1))


@pytest.mark.parametrize(
    "body", [b"\xff\xfe", b"[1, 2]", b"{", b"[" * 100_000, b'"\\ud800"', b"1" * 5000]
)
def test_a_verified_body_that_is_not_a_json_object_is_a_validation_error(body: bytes) -> None:
    with pytest.raises(ValidationError, match="body"):
        decode_body(body)


@given(st.binary(max_size=200), st.text(max_size=60))
def test_no_body_verifies_under_a_guessed_header(body: bytes, guess: str) -> None:
    carrier = SandboxCarrier.create()
    with pytest.raises(WebhookSignatureInvalid):
        verify(
            "sandbox",
            body,
            {"Sandbox-Signature": guess},
            header_name="Sandbox-Signature",
            secrets=carrier.webhook_secrets,
            now=NOW,
        )


def test_header_lookup_ignores_case_and_non_text() -> None:
    assert header({"X-A": "1"}, "x-a") == "1"
    assert header({1: "1", "x-a": 2}, "X-A") is None
    assert header("not headers", "x-a") is None


def request(grams: int = 1200) -> RateRequest:
    return RateRequest(BERLIN, PARIS, (ParcelSpec(grams),))


def test_the_same_idempotency_key_returns_the_same_labels(sandbox: SandboxCarrier) -> None:
    first = sandbox.buy_label(request(), "standard", reference="a", now=NOW, idempotency_key="k")
    later = NOW + dt.timedelta(hours=1)
    again = sandbox.buy_label(request(), "standard", reference="b", now=later, idempotency_key="k")
    assert again == first
    assert sandbox.find_labels("k") == first
    assert sandbox.find_labels("other") == ()
    assert len(sandbox.bought()) == 1
    assert first[0].idempotency_key == "k"


def test_the_same_key_for_another_purchase_is_a_conflict(sandbox: SandboxCarrier) -> None:
    sandbox.buy_label(request(), "standard", reference="a", now=NOW, idempotency_key="k")
    with pytest.raises(IdempotencyConflict):
        sandbox.buy_label(request(900), "standard", reference="a", now=NOW, idempotency_key="k")
    with pytest.raises(IdempotencyConflict):
        sandbox.buy_label(request(), "express", reference="a", now=NOW, idempotency_key="k")


def test_tracking_numbers_are_keyed_per_carrier_account() -> None:
    one, two = SandboxCarrier.create(), SandboxCarrier.create()
    a = one.buy_label(request(), "standard", reference="shp_000001", now=NOW)[0]
    b = two.buy_label(request(), "standard", reference="shp_000001", now=NOW)[0]
    assert a.tracking_number != b.tracking_number  # the id alone does not give the number
    fixed = {"numbering_key": "demo-numbering-key-000"}
    c, d = (SandboxCarrier.create().configured(fixed) for _ in range(2))
    same = [x.buy_label(request(), "standard", reference="r", now=NOW)[0] for x in (c, d)]
    assert same[0].tracking_number == same[1].tracking_number
