"""A Stripe adapter for omskit's payment gateway port: PaymentIntents with manual capture.

Each port call is one Stripe API request (form-encoded, as Stripe's API takes it), handed
to the host's [`Transport`][omskit.integrations.transport.Transport]; no Stripe SDK and
no HTTP library is needed. The port's ``idempotency_key`` is sent as Stripe's
``Idempotency-Key`` header, so a retry after a timeout returns Stripe's first answer and
never charges twice (Stripe keeps keys for at least 24 hours).

========================  ===========================================================
port call                 Stripe request
========================  ===========================================================
``authorize``             ``POST /v1/payment_intents`` with ``capture_method=manual``,
                          ``confirm=true``; status ``requires_capture`` is approved
``authorize`` (increase)  ``POST /v1/payment_intents/{id}/increment_authorization``
``capture``               ``POST /v1/payment_intents/{id}/capture``
                          ``amount_to_capture`` (the rest is released unless
                          ``multicapture`` is on)
``void``                  ``POST /v1/payment_intents/{id}/cancel`` for what is open
``refund``                ``POST /v1/refunds`` ``payment_intent``, ``amount``
========================  ===========================================================

How answers map to [`Transaction`][omskit.payments.model.Transaction] records:

* HTTP 200: ``succeeded`` (for an authorization: when the intent is ``requires_capture``;
  ``requires_action`` or ``requires_payment_method`` is ``declined``, since omskit
  cannot run the customer's 3-D Secure step);
* HTTP 402 ``card_error``: ``declined`` with Stripe's ``decline_code`` (or ``code``);
* a state refusal (``payment_intent_unexpected_state``, ``charge_already_refunded``,
  ``amount_too_large``...): ``declined`` with that code;
* HTTP 429 (rate limited, nothing done, not saved under the key): ``failed``, retried;
* ``idempotency_error``: [`IdempotencyConflict`][omskit.errors.IdempotencyConflict];
* any other 4xx (bad key, bad parameter, unknown intent): [`StripeRequestRefused`][];
* HTTP 5xx: [`StripeOutcomeUnknown`][] is raised. Stripe saves even a 500 under the
  idempotency key and says the outcome is unknown, so omskit treats it as no answer and
  reconciles (``payments.pending_compensations``).

Stripe cannot release part of an uncaptured authorization: ``void`` of less than the
open amount is declined (``partial_release_unsupported``); the remainder is released at
capture. After a capture without ``multicapture`` nothing is open, and ``void`` of the
remainder succeeds without a request (``released_at_capture``).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from omskit.errors import IdempotencyConflict, PaymentError, ValidationError
from omskit.integrations.schemas import validate_payload
from omskit.integrations.stripe.amounts import from_stripe_amount, to_stripe_amount
from omskit.integrations.transport import HttpRequest, ServiceError, Transport
from omskit.money import Money
from omskit.payments.model import Transaction, TransactionKind, TransactionStatus

__all__ = [
    "DEFAULT_API_VERSION",
    "STATE_REFUSALS",
    "StripeGateway",
    "StripeOutcomeUnknown",
    "StripeRequestRefused",
    "form_fields",
]

#: The Stripe API version the adapter's requests and mappings are written for.
DEFAULT_API_VERSION = "2024-06-20"
#: Stripe error codes that mean "not in this state / not this amount": a final no.
STATE_REFUSALS = frozenset({
    "payment_intent_unexpected_state",
    "charge_already_captured",
    "charge_already_refunded",
    "charge_expired_for_capture",
    "amount_too_large",
    "amount_too_small",
    "payment_intent_incompatible_payment_method",
    "payment_intent_authentication_failure",
    "refund_disputed_payment",
})  # fmt: skip
_MAX_KEY = 255  # Stripe's limit on Idempotency-Key


class StripeRequestRefused(ServiceError, PaymentError):
    """Stripe refused a request as malformed or unauthorised; nothing happened.

    A bad API key, an unknown PaymentIntent, a parameter Stripe does not accept: fix
    the request (``param`` names the parameter Stripe named).
    """


class StripeOutcomeUnknown(RuntimeError):
    """Stripe answered HTTP 5xx: the request may or may not have taken effect.

    Deliberately not an ``OmskitError``: omskit's payment service treats it as "no
    answer", keeps the call as unknown and reconciles it, instead of taking it for a no.
    """

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        super().__init__(f"stripe answered HTTP {status}; the outcome is unknown ({body[:200]!r})")


class StripeGateway:
    """omskit's [`PaymentGateway`][omskit.payments.gateway.PaymentGateway] over Stripe.

    Args:
        api_key: the secret (``sk_...``) or restricted (``rk_...``) key.
        transport: sends each request (see [`Transport`][omskit.integrations.transport.Transport]).
        name: the name the gateway registers under (a channel's ``payment_gateway``).
        api_version: sent as ``Stripe-Version``.
        base_url: Stripe's API root (a test double's address in tests).
        multicapture: ask for several captures per authorization
            (``request_multicapture=if_available``; ``final_capture=false`` on capture).
    """

    def __init__(
        self,
        *,
        api_key: str,
        transport: Transport,
        name: str = "stripe",
        api_version: str = DEFAULT_API_VERSION,
        base_url: str = "https://api.stripe.com",
        multicapture: bool = False,
    ) -> None:
        if not isinstance(api_key, str) or not api_key.startswith(("sk_", "rk_")):
            shown_key = api_key[:3] + "..." if isinstance(api_key, str) else api_key
            raise ValidationError(
                "api_key", shown_key, "a Stripe secret key 'sk_...' or restricted key 'rk_...'"
            )
        self.name = name
        self._key = api_key
        self._transport = transport
        self.api_version = api_version
        self.base_url = base_url.rstrip("/")
        self.multicapture = multicapture

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
        """Open a manual-capture PaymentIntent for ``amount`` (or increase ``authorization``)."""
        if authorization:
            return self._increment(amount, authorization, idempotency_key)
        params: list[tuple[str, str]] = [
            ("amount", str(to_stripe_amount(amount))),
            ("currency", amount.currency.lower()),
            ("capture_method", "manual"),
            ("confirm", "true"),
            ("payment_method", method),
            ("payment_method_types[0]", "card"),
        ]
        if self.multicapture:
            params.append(("payment_method_options[card][request_multicapture]", "if_available"))
        if reference:
            params += [
                ("description", reference[:1000]),
                ("metadata[omskit_reference]", reference[:500]),
            ]
        answer = self._post("/v1/payment_intents", params, idempotency_key,
                            "stripe.payment_intent_create")  # fmt: skip
        if isinstance(answer, Transaction):
            return self._as(answer, "authorize", amount, idempotency_key)
        intent = answer
        status = intent.get("status")
        self._same_amount(intent, "amount", amount)
        if status == "requires_capture":
            return self._txn("authorize", "succeeded", amount, idempotency_key, intent,
                             review=intent.get("review") is not None)  # fmt: skip
        code = "authentication_required" if status == "requires_action" else str(status)
        error = intent.get("last_payment_error") or {}
        if isinstance(error, Mapping) and (error.get("decline_code") or error.get("code")):
            code = str(error.get("decline_code") or error.get("code"))
        message = f"PaymentIntent is {status!r}, not 'requires_capture'"
        return self._txn("authorize", "declined", amount, idempotency_key, intent, code=code,
                         message=message)  # fmt: skip

    def capture(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Capture ``amount`` of the PaymentIntent ``authorization``."""
        params = [("amount_to_capture", str(to_stripe_amount(amount)))]
        if self.multicapture:
            params.append(("final_capture", "false"))
        answer = self._post(f"/v1/payment_intents/{_id(authorization)}/capture", params,
                            idempotency_key, "stripe.payment_intent_capture")  # fmt: skip
        if isinstance(answer, Transaction):
            return self._as(answer, "capture", amount, idempotency_key, authorization)
        return self._txn("capture", "succeeded", amount, idempotency_key, answer)

    def void(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Release ``amount`` of the authorization: cancel the intent if that is all open."""
        intent = self._get(f"/v1/payment_intents/{_id(authorization)}")
        status = intent.get("status")
        capturable = from_stripe_amount(intent.get("amount_capturable"), intent.get("currency"),
                                        "amount_capturable")  # fmt: skip
        if status in ("succeeded", "canceled") or (capturable.is_zero and amount.is_zero):
            code = "already_canceled" if status == "canceled" else "released_at_capture"
            return self._txn("void", "succeeded", amount, idempotency_key, intent, code=code)
        if amount != capturable:
            return self._txn("void", "declined", amount, idempotency_key, intent,
                             code="partial_release_unsupported",
                             message=f"Stripe releases the whole {capturable} open or "
                             "nothing; the rest is released at capture")  # fmt: skip
        answer = self._post(f"/v1/payment_intents/{_id(authorization)}/cancel",
                            [("cancellation_reason", "requested_by_customer")],
                            idempotency_key, "stripe.payment_intent_cancel")  # fmt: skip
        if isinstance(answer, Transaction):
            return self._as(answer, "void", amount, idempotency_key, authorization)
        return self._txn("void", "succeeded", amount, idempotency_key, answer)

    def refund(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """Refund ``amount`` of what was captured on the PaymentIntent ``authorization``."""
        params = [
            ("payment_intent", _id(authorization)),
            ("amount", str(to_stripe_amount(amount))),
            ("metadata[omskit_idempotency_key]", idempotency_key[:500]),
        ]
        answer = self._post("/v1/refunds", params, idempotency_key, "stripe.refund_create")
        if isinstance(answer, Transaction):
            return self._as(answer, "refund", amount, idempotency_key, authorization)
        refund = answer
        self._same_amount(refund, "amount", amount)
        status = refund.get("status")
        if status in ("succeeded", "pending"):
            return Transaction(
                id=str(refund.get("id", "")), kind="refund", status="succeeded", amount=amount,
                gateway=self.name, idempotency_key=idempotency_key, authorization=authorization,
                code="approved" if status == "succeeded" else "pending",
            )  # fmt: skip
        return Transaction(
            id=str(refund.get("id", "")), kind="refund", status="declined", amount=amount,
            gateway=self.name, idempotency_key=idempotency_key, authorization=authorization,
            code=str(refund.get("failure_reason") or status),
            message=f"refund is {status!r}",
        )  # fmt: skip

    # -- requests -------------------------------------------------------------------
    def _increment(self, amount: Money, authorization: str, key: str) -> Transaction:
        intent = self._get(f"/v1/payment_intents/{_id(authorization)}")
        held = from_stripe_amount(intent.get("amount"), intent.get("currency"), "amount")
        total = held + amount
        answer = self._post(
            f"/v1/payment_intents/{_id(authorization)}/increment_authorization",
            [("amount", str(to_stripe_amount(total)))],
            key,
            "stripe.payment_intent_increment",
        )
        if isinstance(answer, Transaction):
            return self._as(answer, "authorize", amount, key, authorization)
        self._same_amount(answer, "amount", total)
        return self._txn("authorize", "succeeded", amount, key, answer)

    def _headers(self, key: str | None) -> tuple[tuple[str, str], ...]:
        headers = [
            ("Authorization", f"Bearer {self._key}"),
            ("Stripe-Version", self.api_version),
        ]
        if key is not None:
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            headers.append(("Idempotency-Key", key))
        return tuple(headers)

    def _get(self, path: str) -> Mapping[str, Any]:
        request = HttpRequest("GET", self.base_url + path, self._headers(None))
        answer = self._answer(request, "GET")
        if isinstance(answer, Transaction):  # a GET is never declined or rate limited twice
            raise StripeRequestRefused(self.name, 429, answer.code, answer.message)
        return answer

    def _post(
        self, path: str, params: Sequence[tuple[str, str]], key: str, schema: str
    ) -> Mapping[str, Any] | Transaction:
        _check_key(key)
        validate_payload(form_fields(params), schema)
        body = urllib.parse.urlencode(params).encode("ascii")
        request = HttpRequest("POST", self.base_url + path, self._headers(key), body)
        return self._answer(request, key)

    def _answer(self, request: HttpRequest, key: str) -> Mapping[str, Any] | Transaction:
        """The JSON object of a 200, or a declined / failed placeholder for the caller."""
        response = self._transport(request)
        if response.status >= 500:
            raise StripeOutcomeUnknown(response.status, response.body)
        payload = response.json(self.name)
        if response.status < 300:
            return payload
        error = payload.get("error")
        error = error if isinstance(error, Mapping) else {}
        kind = str(error.get("type", ""))
        code = str(error.get("decline_code") or error.get("code") or kind or "error")
        message = str(error.get("message", ""))
        if kind == "idempotency_error":
            raise IdempotencyConflict(key, f"stripe: {message}")
        if response.status == 429:
            return _placeholder("failed", "rate_limited", message)
        if response.status == 402 or kind == "card_error" or code in STATE_REFUSALS:
            return _placeholder("declined", code, message)
        raise StripeRequestRefused(self.name, response.status, code, message,
                                   str(error.get("param", "")))  # fmt: skip

    # -- records --------------------------------------------------------------------
    def _as(
        self,
        placeholder: Transaction,
        kind: TransactionKind,
        amount: Money,
        key: str,
        authorization: str = "",
    ) -> Transaction:
        return Transaction(
            id="", kind=kind, status=placeholder.status, amount=amount, gateway=self.name,
            idempotency_key=key, authorization=authorization, code=placeholder.code,
            message=placeholder.message,
        )  # fmt: skip

    def _txn(
        self,
        kind: TransactionKind,
        status: TransactionStatus,
        amount: Money,
        key: str,
        intent: Mapping[str, Any],
        *,
        code: str = "approved",
        message: str = "",
        review: bool = False,
    ) -> Transaction:
        intent_id = str(intent.get("id", ""))
        charge = intent.get("latest_charge")
        operation = charge if isinstance(charge, str) and kind == "capture" else intent_id
        return Transaction(
            id=str(operation), kind=kind, status=status, amount=amount, gateway=self.name,
            idempotency_key=key, authorization=intent_id, code=code, message=message,
            review=review,
        )  # fmt: skip

    def _same_amount(self, obj: Mapping[str, Any], field: str, expected: Money) -> None:
        got = from_stripe_amount(obj.get(field), obj.get("currency"), field)
        if got != expected:
            raise StripeRequestRefused(
                self.name, 200, "amount_mismatch",
                f"asked for {expected}, Stripe's {obj.get('object', 'object')} says {got}",
                field,
            )  # fmt: skip


def _placeholder(status: TransactionStatus, code: str, message: str) -> Transaction:
    return Transaction(
        id="", kind="authorize", status=status, amount=Money.zero("USD"), gateway="stripe",
        idempotency_key="-", code=code, message=message,
    )  # fmt: skip


def form_fields(params: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form parameters read back into objects: ``a[b][0]=x`` is ``{"a": {"b": ["x"]}}``.

    This is how Stripe reads them, so the request can be checked against the schema its
    API reference documents.
    """
    root: dict[str, Any] = {}
    for name, value in params:
        head, *rest = name.replace("]", "").split("[")
        node, key = root, head
        for part in rest:
            node = node.setdefault(key, {})
            key = part
        node[key] = value
    fields: dict[str, Any] = _lists(root)
    return fields


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    items = {k: _lists(v) for k, v in node.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


def _check_key(key: object) -> None:
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY or not key.isprintable():
        raise ValidationError(
            "idempotency_key", key, f"1 to {_MAX_KEY} printable characters (Stripe's limit)"
        )


def _id(value: str) -> str:
    """A Stripe object id, safe to put in a URL path."""
    if not isinstance(value, str) or not value or not value.replace("_", "").isalnum():
        raise ValidationError(
            "authorization", value, "a Stripe PaymentIntent id such as 'pi_3Mtw...'"
        )
    return value
