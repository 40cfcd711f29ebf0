"""PayPal Orders v2 and Payments v2 for omskit's payment gateway port, and its webhooks.

The buyer approves a PayPal order (``intent: AUTHORIZE``) in the host's checkout; its id
is the ``method`` omskit authorizes. Each port call is one or more JSON requests built
here, checked against PayPal's documented request schema, and sent by the host's
[`Transport`][omskit.integrations.transport.Transport]; no PayPal SDK is needed. The
port's ``idempotency_key`` goes as PayPal's ``PayPal-Request-Id`` header, so a retry
returns PayPal's first answer and never moves money twice.

========================  ===========================================================
port call                 PayPal request
========================  ===========================================================
``authorize``             ``GET /v2/checkout/orders/{id}`` (the approved order must be
                          for exactly ``amount``), then
                          ``POST /v2/checkout/orders/{id}/authorize``
``capture``               ``POST /v2/payments/authorizations/{id}/capture`` with the
                          ``amount`` and ``final_capture: false`` (partial captures)
``void``                  ``POST /v2/payments/authorizations/{id}/void``: PayPal
                          releases everything not captured yet
``refund``                ``POST /v2/payments/captures/{id}/refund`` per capture, the
                          captures found through the authorization's order
========================  ===========================================================

An access token comes from ``POST /v1/oauth2/token`` (client credentials) through the
same transport and is kept until a minute before it expires.

Answers: 2xx is ``succeeded`` (an authorization or capture ``PENDING`` is approved and
flagged for review; ``DENIED`` / ``DECLINED`` is ``declined``); 422 (``INSTRUMENT_DECLINED``,
``AUTHORIZATION_ALREADY_CAPTURED``...) is ``declined`` with PayPal's ``issue``; 429 is
``failed`` (retried); a 409 for a ``PayPal-Request-Id`` reused with another body is an
[`IdempotencyConflict`][omskit.errors.IdempotencyConflict]; other 4xx raise
[`ServiceError`][omskit.integrations.transport.ServiceError]; 5xx raise
[`PayPalOutcomeUnknown`][] (omskit reconciles). PayPal cannot raise an authorization:
``authorize`` with an existing ``authorization`` is declined (``increase_unsupported``).

Mapped: an order's ``id``, ``status``, ``purchase_units[0].amount``
(``currency_code``, ``value``) and ``.payments`` (``authorizations[]``, ``captures[]``,
``refunds[]``: ``id``, ``status``, ``amount``, ``links[rel=up]``); an authorization's
``supplementary_data.related_ids.order_id``. Ignored: payer and shipping details,
seller protection, fee breakdowns, items.

Webhooks ([`PayPalWebhooks`][]): PayPal signs with a certificate; the documented check is
``POST /v1/notifications/verify-webhook-signature`` with the ``PAYPAL-*`` headers and the
event, answered ``verification_status: SUCCESS``. A verified event already seen is a
no-op.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from omskit.carriers.webhooks import header
from omskit.errors import IdempotencyConflict, PaymentError, ValidationError
from omskit.integrations.transport import (
    HttpRequest,
    HttpResponse,
    ServiceError,
    SignatureInvalid,
    Transport,
    decode_json,
    json_request,
)
from omskit.money import Money, check_currency, precision
from omskit.payments.model import Transaction, TransactionKind, TransactionStatus
from omskit.plugins.spec import hookimpl

__all__ = [
    "WEBHOOK_HEADERS",
    "ZERO_DECIMAL",
    "PayPalEvent",
    "PayPalGateway",
    "PayPalOutcomeUnknown",
    "PayPalPlugin",
    "PayPalWebhooks",
    "from_paypal_amount",
    "to_paypal_amount",
]

#: Currencies PayPal takes without decimals (its currency codes reference).
ZERO_DECIMAL = frozenset({"HUF", "JPY", "TWD"})
#: The webhook headers PayPal signs with, and the verify call's field for each.
WEBHOOK_HEADERS = {
    "PAYPAL-AUTH-ALGO": "auth_algo",
    "PAYPAL-CERT-URL": "cert_url",
    "PAYPAL-TRANSMISSION-ID": "transmission_id",
    "PAYPAL-TRANSMISSION-SIG": "transmission_sig",
    "PAYPAL-TRANSMISSION-TIME": "transmission_time",
}
_DECLINES = frozenset({"DENIED", "DECLINED", "FAILED"})


class PayPalOutcomeUnknown(PaymentError):
    """PayPal answered 5xx: whether the operation happened is unknown; omskit reconciles."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body[:200]
        super().__init__(f"PayPal answered HTTP {status}; the outcome is unknown")


def to_paypal_amount(money: Money) -> dict[str, str]:
    """``money`` as PayPal's ``{"currency_code", "value"}`` (a decimal string).

    Raises:
        ValidationError: more decimals than PayPal takes in that currency.
    """
    places = 0 if money.currency in ZERO_DECIMAL else precision(money.currency)
    quantum = Decimal(1).scaleb(-places)
    value = money.amount.quantize(quantum)
    if value != money.amount:
        raise ValidationError("amount", str(money.amount),
                              f"PayPal takes {money.currency} with {places} decimals")  # fmt: skip
    return {"currency_code": money.currency, "value": f"{value:f}"}


def from_paypal_amount(value: Any, field: str) -> Money:
    """PayPal's ``{"currency_code", "value"}`` as exact ``Money``.

    Raises:
        ValidationError: not such an object, or a value that is not a decimal string.
    """
    if not isinstance(value, Mapping):
        raise ValidationError(field, value, "a PayPal amount {currency_code, value}")
    currency = check_currency(value.get("currency_code"), f"{field}.currency_code")
    text = value.get("value")
    if not isinstance(text, str):
        raise ValidationError(f"{field}.value", text, "a decimal string such as '10.00'")
    try:
        return Money(Decimal(text), currency)
    except ArithmeticError:
        raise ValidationError(f"{field}.value", text, "a decimal string") from None


class PayPalGateway:
    """The payment gateway port over PayPal Orders v2 (``intent: AUTHORIZE``).

    Args:
        client_id: the REST app's client id.
        client_secret: its secret.
        transport: sends each request (see
            [`Transport`][omskit.integrations.transport.Transport]).
        name: the gateway name omskit registers.
        base_url: ``https://api-m.paypal.com`` (``https://api-m.sandbox.paypal.com``).
        clock: seconds, monotonic, for the token's expiry (a test passes its own).
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        transport: Transport,
        name: str = "paypal",
        base_url: str = "https://api-m.paypal.com",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id or not client_secret:
            raise ValidationError("client_id", client_id, "the REST app's id and secret")
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._basic = f"Basic {basic}"
        self._transport = transport
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._clock = clock
        self._token = ("", 0.0)
        self._lock = threading.Lock()

    # -- the port -------------------------------------------------------------------
    def authorize(
        self,
        *,
        amount: Money,
        method: str,
        idempotency_key: str,
        authorization: str = "",
        reference: str = "",
    ) -> Transaction:
        """Authorize the approved PayPal order ``method`` for exactly ``amount``."""
        if authorization:
            return self._record("authorize", "declined", amount, idempotency_key,
                                authorization=authorization, code="increase_unsupported",
                                message="PayPal cannot raise an authorization; "
                                "authorize a new order for the difference")  # fmt: skip
        order_id = _id(method, "method")
        order = self._get(f"/v2/checkout/orders/{order_id}")
        unit = _first_unit(order)
        held = from_paypal_amount(unit.get("amount"), "purchase_units[0].amount")
        if held != amount:
            raise ServiceError(self.name, 200, "amount_mismatch",
                               f"the PayPal order is for {held}, omskit authorizes {amount}",
                               "purchase_units[0].amount")  # fmt: skip
        answer = self._post(f"/v2/checkout/orders/{order_id}/authorize", {},
                            "paypal.order_authorize", idempotency_key)  # fmt: skip
        if isinstance(answer, Transaction):
            return self._as(answer, "authorize", amount, idempotency_key)
        auths = _payments(answer, "authorizations")
        if not auths:
            return self._record("authorize", "declined", amount, idempotency_key,
                                code=str(answer.get("status", "no_authorization")),
                                message="PayPal made no authorization")  # fmt: skip
        auth = auths[0]
        got = from_paypal_amount(auth.get("amount"), "authorizations[0].amount")
        if got != amount:
            raise ServiceError(self.name, 200, "amount_mismatch",
                               f"PayPal authorized {got}, not {amount}", "amount")  # fmt: skip
        return self._outcome("authorize", auth, amount, idempotency_key, str(auth.get("id")))

    def capture(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Capture ``amount`` of ``authorization``; more captures may follow."""
        body = {"amount": to_paypal_amount(amount), "final_capture": False}
        path = f"/v2/payments/authorizations/{_id(authorization, 'authorization')}/capture"
        answer = self._post(path, body, "paypal.authorization_capture", idempotency_key)
        if isinstance(answer, Transaction):
            return self._as(answer, "capture", amount, idempotency_key, authorization)
        got = from_paypal_amount(answer.get("amount"), "amount")
        if got != amount:
            raise ServiceError(self.name, 200, "amount_mismatch",
                               f"PayPal captured {got}, not {amount}", "amount")  # fmt: skip
        return self._outcome("capture", answer, amount, idempotency_key, authorization)

    def void(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Release what is still open on ``authorization`` (PayPal voids all of it)."""
        auth_id = _id(authorization, "authorization")
        current = self._get(f"/v2/payments/authorizations/{auth_id}")
        status = current.get("status")
        if status in ("VOIDED", "CAPTURED", "EXPIRED"):
            code = {"VOIDED": "already_voided", "CAPTURED": "released_at_capture",
                    "EXPIRED": "expired"}[str(status)]  # fmt: skip
            return self._record("void", "succeeded", amount, idempotency_key, id_=auth_id,
                                authorization=authorization, code=code)  # fmt: skip
        answer = self._post(f"/v2/payments/authorizations/{auth_id}/void", None,
                            "", idempotency_key)  # fmt: skip
        if isinstance(answer, Transaction):
            return self._as(answer, "void", amount, idempotency_key, authorization)
        return self._record("void", "succeeded", amount, idempotency_key, id_=auth_id,
                            authorization=authorization)  # fmt: skip

    def refund(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Refund ``amount`` of what was captured under ``authorization``, newest first."""
        auth_id = _id(authorization, "authorization")
        details = self._get(f"/v2/payments/authorizations/{auth_id}")
        related = (details.get("supplementary_data") or {}).get("related_ids") or {}
        order = self._get(f"/v2/checkout/orders/{_id(related.get('order_id'), 'order_id')}")
        left = self._refundable(order, auth_id, amount.currency)
        total = sum(left.values(), Money.zero(amount.currency))
        if amount > total:
            return self._record("refund", "declined", amount, idempotency_key,
                                authorization=authorization, code="amount_too_large",
                                message=f"{total} is left to refund")  # fmt: skip
        ids, rest = [], amount
        for n, (capture_id, open_) in enumerate(reversed(list(left.items()))):
            if rest.is_zero:
                break
            part = min(rest, open_)
            if part.is_zero:
                continue
            key = idempotency_key if n == 0 else f"{idempotency_key}:{n}"
            answer = self._post(f"/v2/payments/captures/{capture_id}/refund",
                                {"amount": to_paypal_amount(part)}, "paypal.capture_refund",
                                key)  # fmt: skip
            if isinstance(answer, Transaction):
                return self._as(answer, "refund", amount, idempotency_key, authorization)
            if str(answer.get("status")) in _DECLINES:
                return self._outcome("refund", answer, amount, idempotency_key, authorization)
            ids.append(str(answer.get("id", "")))
            rest = rest - part
        return self._record("refund", "succeeded", amount, idempotency_key, id_=",".join(ids),
                            authorization=authorization)  # fmt: skip

    def _refundable(self, order: Mapping[str, Any], auth_id: str,
                    currency: str) -> dict[str, Money]:  # fmt: skip
        """What is left to refund per capture of ``auth_id``, in capture order."""
        left: dict[str, Money] = {}
        for i, cap in enumerate(_payments(order, "captures")):
            if cap.get("status") not in ("COMPLETED", "PARTIALLY_REFUNDED"):
                continue
            if _up(cap) not in ("", auth_id):
                continue
            money = from_paypal_amount(cap.get("amount"), f"captures[{i}].amount")
            if money.currency != currency:
                raise ValidationError("amount.currency", currency, f"the capture is {money}")
            left[str(cap.get("id"))] = money
        for i, ref in enumerate(_payments(order, "refunds")):
            target = _up(ref)
            if target in left and ref.get("status") in ("COMPLETED", "PENDING"):
                done = from_paypal_amount(ref.get("amount"), f"refunds[{i}].amount")
                left[target] = left[target] - done
        return left

    # -- requests -------------------------------------------------------------------
    def _bearer(self) -> str:
        with self._lock:
            token, until = self._token
            if token and self._clock() < until:
                return token
            request = HttpRequest("POST", f"{self.base_url}/v1/oauth2/token",
                                  (("Authorization", self._basic),
                                   ("Content-Type", "application/x-www-form-urlencoded")),
                                  b"grant_type=client_credentials")  # fmt: skip
            response = self._transport(request)
            payload = self._checked(response)
            token = str(payload.get("access_token", ""))
            if not token:
                raise ServiceError(self.name, response.status, "no_token", "no access_token")
            expires = int(payload.get("expires_in", 0) or 0)
            self._token = (token, self._clock() + max(expires - 60, 0))
            return token

    def _checked(self, response: HttpResponse) -> Mapping[str, Any]:
        if response.status >= 500:
            raise PayPalOutcomeUnknown(response.status, response.body)
        payload = response.json(self.name) if response.body else {}
        if response.status >= 300:
            raise ServiceError(self.name, response.status, str(payload.get("name", "error")),
                               str(payload.get("message", "")))  # fmt: skip
        return payload

    def _get(self, path: str) -> Mapping[str, Any]:
        auth = (("Authorization", f"Bearer {self._bearer()}"),)
        return self._checked(self._transport(HttpRequest("GET", self.base_url + path, auth)))

    def _post(self, path: str, body: Mapping[str, Any] | None, schema: str,
              key: str) -> Mapping[str, Any] | Transaction:  # fmt: skip
        _check_key(key)
        headers = (("Authorization", f"Bearer {self._bearer()}"), ("PayPal-Request-Id", key),
                   ("Prefer", "return=representation"))  # fmt: skip
        url = self.base_url + path
        if body is None:
            request = HttpRequest("POST", url, headers, b"", key)
        else:
            request = json_request("POST", url, body, schema=schema, idempotency_key=key,
                                   headers=headers)  # fmt: skip
        response = self._transport(request)
        if response.status >= 500:
            raise PayPalOutcomeUnknown(response.status, response.body)
        payload = response.json(self.name) if response.body else {}
        if response.status < 300:
            return payload
        issue = _issue(payload)
        if response.status == 429:
            return _placeholder("failed", "rate_limited", issue)
        if response.status == 422:
            return _placeholder("declined", issue, str(payload.get("message", "")))
        if response.status == 409:
            raise IdempotencyConflict(key, f"paypal: {payload.get('message', issue)}")
        raise ServiceError(self.name, response.status, issue, str(payload.get("message", "")))

    # -- records --------------------------------------------------------------------
    def _outcome(self, kind: TransactionKind, obj: Mapping[str, Any], amount: Money,
                 key: str, authorization: str) -> Transaction:  # fmt: skip
        status = str(obj.get("status", ""))
        declined = status in _DECLINES
        details = obj.get("status_details")
        reason = details.get("reason") if isinstance(details, Mapping) else None
        return self._record(kind, "declined" if declined else "succeeded", amount, key,
                            id_=str(obj.get("id", "")), authorization=authorization,
                            code=str(reason or status).lower() if declined or reason
                            else "approved",
                            review=status == "PENDING")  # fmt: skip

    def _as(self, placeholder: Transaction, kind: TransactionKind, amount: Money, key: str,
            authorization: str = "") -> Transaction:  # fmt: skip
        return self._record(kind, placeholder.status, amount, key, authorization=authorization,
                            code=placeholder.code, message=placeholder.message)  # fmt: skip

    def _record(self, kind: TransactionKind, status: TransactionStatus, amount: Money,
                key: str, *, id_: str = "", authorization: str = "", code: str = "approved",
                message: str = "", review: bool = False) -> Transaction:  # fmt: skip
        return Transaction(id=id_, kind=kind, status=status, amount=amount, gateway=self.name,
                           idempotency_key=key, authorization=authorization, code=code,
                           message=message, review=review)  # fmt: skip


def _placeholder(status: TransactionStatus, code: str, message: str) -> Transaction:
    return Transaction(id="", kind="authorize", status=status, amount=Money.zero("USD"),
                       gateway="paypal", idempotency_key="-", code=code,
                       message=message)  # fmt: skip


def _issue(payload: Mapping[str, Any]) -> str:
    details = payload.get("details")
    if isinstance(details, list) and details and isinstance(details[0], Mapping):
        return str(details[0].get("issue") or payload.get("name") or "error")
    return str(payload.get("name") or "error")


def _first_unit(order: Mapping[str, Any]) -> Mapping[str, Any]:
    units = order.get("purchase_units")
    if not isinstance(units, list) or not units or not isinstance(units[0], Mapping):
        raise ValidationError("purchase_units", units, "the PayPal order's purchase units")
    return units[0]


def _payments(order: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    payments = _first_unit(order).get("payments")
    found = payments.get(kind) if isinstance(payments, Mapping) else None
    return [x for x in found if isinstance(x, Mapping)] if isinstance(found, list) else []


def _up(obj: Mapping[str, Any]) -> str:
    """The id at the end of the object's ``rel: up`` link (its parent), or ``""``."""
    for link in obj.get("links") or ():
        if isinstance(link, Mapping) and link.get("rel") == "up":
            return str(link.get("href", "")).rstrip("/").rsplit("/", 1)[-1]
    return ""


def _id(value: Any, field: str) -> str:
    """A PayPal resource id (``^[A-Z0-9]+$``, as the API reference gives it)."""
    if not isinstance(value, str) or not value.isalnum() or not value.isascii():
        raise ValidationError(field, value, "a PayPal id such as '5O190127TN364715T'")
    return value


def _check_key(key: object) -> None:
    if not isinstance(key, str) or not key or len(key) > 108 or not key.isprintable():
        raise ValidationError("idempotency_key", key,
                              "1 to 108 printable characters (PayPal-Request-Id)")  # fmt: skip


# -- webhooks ----------------------------------------------------------------------------


class PayPalEvent:
    """A verified PayPal webhook event.

    Attributes:
        id: the event id (``WH-...``).
        type: ``PAYMENT.CAPTURE.COMPLETED``, ``PAYMENT.CAPTURE.REFUNDED``...
        resource_id: the id of the capture, refund or authorization it is about.
        amount: the resource's amount, when it has one (v2 ``currency_code`` / ``value``,
            or a v1 resource's ``currency`` / ``total``).
        raw: the whole event.
    """

    def __init__(self, raw: Mapping[str, Any]) -> None:
        resource = raw.get("resource")
        if not isinstance(resource, Mapping):
            raise ValidationError("resource", resource, "the event's resource object")
        event_id, kind = raw.get("id"), raw.get("event_type")
        if not isinstance(event_id, str) or not event_id:
            raise ValidationError("id", event_id, "the event id, 'WH-...'")
        if not isinstance(kind, str) or not kind:
            raise ValidationError("event_type", kind, "such as 'PAYMENT.CAPTURE.COMPLETED'")
        self.id = event_id
        self.type = kind
        self.resource_id = str(resource.get("id", ""))
        money = resource.get("amount")
        if isinstance(money, Mapping) and "total" in money:  # a v1 resource (older events)
            money = {"currency_code": money.get("currency"), "value": money.get("total")}
        self.amount = None if money is None else from_paypal_amount(money, "resource.amount")
        self.raw = raw


class PayPalWebhooks:
    """Verifies PayPal webhooks with PayPal's verify call, and drops replays.

    Args:
        gateway: the gateway whose credentials and transport make the verify call.
        webhook_id: the webhook's id in the PayPal developer dashboard.
        seen: event ids already handled (a host passes a persistent set); a verified
            event in it is a no-op.
    """

    def __init__(self, gateway: PayPalGateway, *, webhook_id: str,
                 seen: set[str] | None = None) -> None:  # fmt: skip
        if not webhook_id or not webhook_id.isalnum():
            raise ValidationError("webhook_id", webhook_id, "the webhook's id, letters and digits")
        self.gateway = gateway
        self.webhook_id = webhook_id
        self.seen = seen if seen is not None else set()
        self._lock = threading.Lock()

    def verify(self, body: bytes, headers: Mapping[str, str] | Iterable[tuple[str, str]]
               ) -> PayPalEvent:  # fmt: skip
        """The event in ``body`` once PayPal confirmed its signature.

        Raises:
            SignatureInvalid: a ``PAYPAL-*`` header is missing or PayPal answered
                ``FAILURE``.
            ValidationError: the body is not a PayPal event.
        """
        if not isinstance(body, bytes | bytearray):
            raise SignatureInvalid("paypal", "the body is not the raw bytes as received")
        fields: dict[str, Any] = {}
        for name, field in WEBHOOK_HEADERS.items():
            value = header(headers, name)
            if not value:
                raise SignatureInvalid("paypal", f"no {name} header")
            fields[field] = value.strip()
        event = decode_json(bytes(body), "body")
        fields["webhook_id"] = self.webhook_id
        fields["webhook_event"] = event
        answer = self.gateway._post("/v1/notifications/verify-webhook-signature", fields,
                                    "paypal.verify_webhook_signature",
                                    f"verify:{fields['transmission_id']}")  # fmt: skip
        if isinstance(answer, Transaction) or answer.get("verification_status") != "SUCCESS":
            raise SignatureInvalid("paypal", "PayPal did not confirm the signature")
        return PayPalEvent(event)

    def handle(self, body: bytes, headers: Mapping[str, str] | Iterable[tuple[str, str]],
               apply: Callable[[PayPalEvent], None]) -> bool:  # fmt: skip
        """Verify, then ``apply`` the event unless it was handled before.

        Returns:
            True when ``apply`` ran; False for a replay (nothing is done again).
        """
        event = self.verify(body, headers)
        with self._lock:
            if event.id in self.seen:
                return False
            apply(event)
            self.seen.add(event.id)
        return True


class PayPalPlugin:
    """Pass to ``OMS(plugins=[PayPalPlugin(gateway)])``; channels pick it by its name."""

    def __init__(self, gateway: PayPalGateway) -> None:
        self.gateway = gateway

    @hookimpl
    def omskit_register_payment_gateways(self) -> list[PayPalGateway]:
        """The one PayPal gateway this plugin was built with."""
        return [self.gateway]
