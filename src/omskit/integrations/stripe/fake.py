"""``FakeStripe``: a transport that answers like Stripe's test mode, for tests and demos.

It keeps PaymentIntents and Refunds in memory and implements what the adapter relies on,
as Stripe documents it: manual capture (``requires_capture`` -> ``succeeded``, the rest
released), ``final_capture=false`` multicapture, cancel, increment_authorization, partial
and repeated refunds, ``Idempotency-Key`` replay (the first answer, 500s included) and
refusal of a key reused with other parameters, and the test payment methods:

==========================================  ======================================
payment method                              answer
==========================================  ======================================
``pm_card_visa`` (and any other ``pm_``)     authorized (``requires_capture``)
``pm_card_chargeDeclined``                  HTTP 402 ``card_declined``
``pm_card_chargeDeclinedInsufficientFunds`` HTTP 402 ``insufficient_funds``
``pm_card_authenticationRequired``          ``requires_action`` (3-D Secure)
==========================================  ======================================

``fail_next(status)`` makes the next request answer that status (a 500, a 429), as an
outage would; the objects carry every top-level key of Stripe's published fixtures.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Any

from omskit.integrations.transport import HttpRequest, HttpResponse

__all__ = ["FakeStripe"]

_DECLINES = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": (
        "card_declined", "insufficient_funds", "Your card has insufficient funds."),
}  # fmt: skip


def _intent_template() -> dict[str, Any]:
    return {
        "amount_details": {"tip": {}}, "application": None, "application_fee_amount": None,
        "automatic_payment_methods": None, "canceled_at": None, "cancellation_reason": None,
        "client_secret": "", "confirmation_method": "automatic", "customer": None,
        "customer_account": None, "description": None, "excluded_payment_method_types": None,
        "last_payment_error": None, "latest_charge": None, "livemode": False,
        "managed_payments": {"enabled": False}, "metadata": {}, "next_action": None,
        "object": "payment_intent", "on_behalf_of": None,
        "payment_method_configuration_details": None, "payment_method_options": {},
        "payment_method_types": ["card"], "processing": None, "receipt_email": None,
        "review": None, "setup_future_usage": None, "shipping": None, "source": None,
        "statement_descriptor": None, "statement_descriptor_suffix": None,
        "transfer_data": None, "transfer_group": None,
    }  # fmt: skip


class FakeStripe:
    """An in-memory Stripe, called as a [`Transport`][omskit.integrations.transport.Transport].

    Attributes:
        requests: every request received, in order (for assertions).
    """

    def __init__(self, *, now: int = 1_767_225_600) -> None:
        self.now = now
        self.requests: list[HttpRequest] = []
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self._keys: dict[str, tuple[tuple[str, str, bytes], HttpResponse]] = {}
        self._ids = itertools.count(1)
        self._faults: list[int] = []
        self._lock = threading.Lock()

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next ``times`` requests with HTTP ``status`` (after saving a 500)."""
        self._faults.extend([status] * times)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request`` as Stripe would."""
        with self._lock:
            self.requests.append(request)
            if not (request.header("Authorization") or "").startswith("Bearer sk_"):
                return _error(401, "invalid_request_error", "", "Invalid API Key provided")
            key = request.header("Idempotency-Key")
            signature = (request.method, request.url, request.body)
            if key is not None and key in self._keys:
                first, response = self._keys[key]
                if first != signature:
                    return _error(400, "idempotency_error", "",
                                  "Keys for idempotent requests can only be used with the "
                                  "same parameters they were first used with.")  # fmt: skip
                return response
            if self._faults:
                status = self._faults.pop(0)
                if status == 429:  # refused before it ran: not saved under the key
                    return _error(429, "rate_limit_error", "rate_limit", "Too many requests")
                response = HttpResponse(status, b'{"error": {"type": "api_error"}}')
            else:
                response = self._route(request)
            if key is not None and response.status != 429:
                self._keys[key] = (signature, response)
            return response

    # -- routes -------------------------------------------------------------------------
    def _route(self, request: HttpRequest) -> HttpResponse:
        path = urllib.parse.urlsplit(request.url).path
        form = dict(urllib.parse.parse_qsl(request.body.decode("ascii")))
        parts = path.strip("/").split("/")
        if parts[:2] == ["v1", "payment_intents"]:
            if len(parts) == 2 and request.method == "POST":
                return self._create(form)
            intent = self.intents.get(parts[2]) if len(parts) > 2 else None
            if intent is None:
                return _error(404, "invalid_request_error", "resource_missing",
                              "No such payment_intent", "intent")  # fmt: skip
            if len(parts) == 3 and request.method == "GET":
                return _ok(intent)
            action = parts[3] if len(parts) == 4 else ""
            handler = {"capture": self._capture, "cancel": self._cancel,
                       "increment_authorization": self._increment}.get(action)  # fmt: skip
            if handler is not None and request.method == "POST":
                return handler(intent, form)
        if parts == ["v1", "refunds"] and request.method == "POST":
            return self._refund(form)
        return _error(404, "invalid_request_error", "", f"Unrecognized request URL {path}")

    def _create(self, form: Mapping[str, str]) -> HttpResponse:
        amount = int(form["amount"])
        method = form.get("payment_method", "")
        intent = _intent_template() | {
            "id": f"pi_fake{next(self._ids):08d}", "amount": amount, "amount_capturable": 0,
            "amount_received": 0, "capture_method": form.get("capture_method", "automatic"),
            "created": self.now, "currency": form["currency"], "payment_method": method,
            "description": form.get("description"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
        }  # fmt: skip
        intent["client_secret"] = f"{intent['id']}_secret_fake"
        if form.get("payment_method_options[card][request_multicapture]"):
            intent["payment_method_options"] = {"card": {"request_multicapture": "if_available"}}
        self.intents[intent["id"]] = intent
        if method in _DECLINES:
            code, decline, message = _DECLINES[method]
            intent["status"] = "requires_payment_method"
            error = {"type": "card_error", "code": code, "decline_code": decline}
            intent["last_payment_error"] = error | {"message": message}
            return _error(402, "card_error", code, message, decline_code=decline)
        if method == "pm_card_authenticationRequired":
            intent["status"] = "requires_action"
            intent["next_action"] = {"type": "use_stripe_sdk"}
            return _ok(intent)
        intent["status"] = "requires_capture"
        intent["amount_capturable"] = amount
        intent["latest_charge"] = f"ch_fake{next(self._ids):08d}"
        return _ok(intent)

    def _capture(self, intent: dict[str, Any], form: Mapping[str, str]) -> HttpResponse:
        if intent["status"] != "requires_capture":
            return _unexpected(intent, "capture")
        amount = int(form.get("amount_to_capture", intent["amount_capturable"]))
        if amount > intent["amount_capturable"]:
            return _error(400, "invalid_request_error", "amount_too_large",
                          "amount_to_capture is greater than amount_capturable")  # fmt: skip
        intent["amount_received"] += amount
        intent["amount_capturable"] -= amount
        multicapture = "card" in intent["payment_method_options"]
        if form.get("final_capture") == "false" and multicapture and intent["amount_capturable"]:
            return _ok(intent)
        intent["amount_capturable"] = 0  # the rest is released
        intent["status"] = "succeeded"
        return _ok(intent)

    def _cancel(self, intent: dict[str, Any], form: Mapping[str, str]) -> HttpResponse:
        if intent["status"] in ("succeeded", "canceled"):
            return _unexpected(intent, "cancel")
        intent.update(status="canceled", amount_capturable=0, canceled_at=self.now,
                      cancellation_reason=form.get("cancellation_reason"))  # fmt: skip
        return _ok(intent)

    def _increment(self, intent: dict[str, Any], form: Mapping[str, str]) -> HttpResponse:
        amount = int(form["amount"])
        if intent["status"] != "requires_capture":
            return _unexpected(intent, "increment_authorization")
        if amount <= intent["amount"]:
            return _error(400, "invalid_request_error", "",
                          "amount must exceed the authorized amount", "amount")  # fmt: skip
        intent["amount_capturable"] += amount - intent["amount"]
        intent["amount"] = amount
        return _ok(intent)

    def _refund(self, form: Mapping[str, str]) -> HttpResponse:
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None:
            return _error(404, "invalid_request_error", "resource_missing",
                          "No such payment_intent", "payment_intent")  # fmt: skip
        refunded = sum(r["amount"] for r in self.refunds.values()
                       if r["payment_intent"] == intent["id"])  # fmt: skip
        left = intent["amount_received"] - refunded
        amount = int(form.get("amount", left))
        if left <= 0:
            return _error(400, "invalid_request_error", "charge_already_refunded",
                          "Charge has already been refunded.")  # fmt: skip
        if amount > left:
            return _error(400, "invalid_request_error", "amount_too_large",
                          f"Refund amount ({amount}) is greater than unrefunded amount "
                          f"on charge ({left})", "amount")  # fmt: skip
        refund = {
            "amount": amount, "balance_transaction": None, "charge": intent["latest_charge"],
            "created": self.now, "currency": intent["currency"], "customer": None,
            "customer_account": None, "destination_details": {"type": "card"},
            "id": f"re_fake{next(self._ids):08d}",
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "object": "refund", "payment_intent": intent["id"], "payment_method": None,
            "reason": form.get("reason"), "receipt_number": None,
            "source_transfer_reversal": None, "status": "succeeded", "transfer_reversal": None,
        }  # fmt: skip
        self.refunds[refund["id"]] = refund
        return _ok(refund)


def _ok(obj: Mapping[str, Any]) -> HttpResponse:
    return HttpResponse(200, json.dumps(obj).encode(), {"Content-Type": "application/json"})


def _unexpected(intent: Mapping[str, Any], action: str) -> HttpResponse:
    return _error(400, "invalid_request_error", "payment_intent_unexpected_state",
                  f"This PaymentIntent could not be {action}d because it has a status of "
                  f"{intent['status']}.")  # fmt: skip


def _error(
    status: int, kind: str, code: str, message: str, param: str = "", *, decline_code: str = ""
) -> HttpResponse:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    if decline_code:
        error["decline_code"] = decline_code
    return HttpResponse(status, json.dumps({"error": error}).encode())
