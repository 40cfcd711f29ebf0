"""An in-memory PayPal (Orders v2, Payments v2, OAuth, webhook verify) for the tests.

It answers in the shapes PayPal's API reference documents, keeps every request, honours
``PayPal-Request-Id`` (the same id gives the first answer), and refuses what PayPal
refuses: capturing more than is open, refunding more than was captured, voiding a
captured authorization, a declined instrument.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from decimal import Decimal
from typing import Any

from omskit.integrations.transport import HttpRequest, HttpResponse

WEBHOOK_ID = "1JE4291016473214C"
API = "https://api-m.sandbox.paypal.com"


def signature(transmission_id: str, event_id: str, webhook_id: str = WEBHOOK_ID) -> str:
    """The signature this fake accepts for a delivery (PayPal's is RSA; any stand-in works)."""
    return hashlib.sha256(f"{transmission_id}|{event_id}|{webhook_id}".encode()).hexdigest()


class FakePayPal:
    def __init__(self, client_id: str = "AYclient", secret: str = "EGsecret") -> None:
        self.basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        self.requests: list[HttpRequest] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.auths: dict[str, dict[str, Any]] = {}
        self.captures: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, HttpResponse] = {}
        self.tokens = 0
        self.fail_next: tuple[int, dict[str, Any]] | None = None
        self._n = 0

    def approved_order(self, value: str, currency: str = "USD", *, declines: bool = False) -> str:
        order_id = self._id("5O19")
        self.orders[order_id] = {
            "id": order_id, "intent": "AUTHORIZE", "status": "APPROVED", "declines": declines,
            "purchase_units": [{"reference_id": "default",
                                "amount": {"currency_code": currency, "value": value},
                                "payments": {}}],
        }  # fmt: skip
        return order_id

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:013d}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        key = request.header("PayPal-Request-Id")
        if key and key in self.by_key:
            return self.by_key[key]
        if self.fail_next is not None:
            status, body = self.fail_next
            self.fail_next = None
            return _json(status, body)
        response = self._route(request)
        if key and response.status < 500:
            self.by_key[key] = response
        return response

    def _route(self, request: HttpRequest) -> HttpResponse:
        path = request.url.removeprefix(API)
        if path == "/v1/oauth2/token":
            if request.header("Authorization") != self.basic:
                return _json(401, {"error": "invalid_client"})
            self.tokens += 1
            return _json(200, {"access_token": f"A21AA{self.tokens}", "token_type": "Bearer",
                               "expires_in": 32400})  # fmt: skip
        if not (request.header("Authorization") or "").startswith("Bearer A21AA"):
            return _json(401, {"name": "AUTHENTICATION_FAILURE"})
        body = json.loads(request.body, parse_float=Decimal) if request.body else {}
        for pattern, handler in (
            (r"/v2/checkout/orders/(\w+)", self._order),
            (r"/v2/checkout/orders/(\w+)/authorize", self._authorize),
            (r"/v2/payments/authorizations/(\w+)", self._auth),
            (r"/v2/payments/authorizations/(\w+)/capture", self._capture),
            (r"/v2/payments/authorizations/(\w+)/void", self._void),
            (r"/v2/payments/captures/(\w+)/refund", self._refund),
            (r"/v1/notifications/verify-webhook-signature()", self._verify),
        ):
            found = re.fullmatch(pattern, path)
            if found:
                return handler(found.group(1), body)  # type: ignore[operator]
        return _json(404, {"name": "RESOURCE_NOT_FOUND"})

    # -- resources ------------------------------------------------------------------
    def _order(self, order_id: str, _body: Any) -> HttpResponse:
        order = self.orders.get(order_id)
        if order is None:
            return _json(404, {"name": "RESOURCE_NOT_FOUND"})
        return _json(200, {k: v for k, v in order.items() if k != "declines"})

    def _authorize(self, order_id: str, _body: Any) -> HttpResponse:
        order = self.orders[order_id]
        if order["declines"]:
            return _error(422, "INSTRUMENT_DECLINED")
        if order["status"] != "APPROVED":
            return _error(422, "ORDER_ALREADY_AUTHORIZED")
        unit = order["purchase_units"][0]
        auth_id = self._id("0VF5")
        auth = {"id": auth_id, "status": "CREATED", "amount": dict(unit["amount"]),
                "supplementary_data": {"related_ids": {"order_id": order_id}},
                "links": [{"rel": "up", "href": f"{API}/v2/checkout/orders/{order_id}"}],
                "captured": Decimal(0)}  # fmt: skip
        self.auths[auth_id] = auth
        unit["payments"]["authorizations"] = [_public(auth)]
        order["status"] = "COMPLETED"
        return _json(201, {k: v for k, v in order.items() if k != "declines"})

    def _auth(self, auth_id: str, _body: Any) -> HttpResponse:
        return _json(200, _public(self.auths[auth_id]))

    def _capture(self, auth_id: str, body: dict[str, Any]) -> HttpResponse:
        auth = self.auths[auth_id]
        if auth["status"] in ("VOIDED", "CAPTURED"):
            return _error(
                422,
                "AUTHORIZATION_ALREADY_CAPTURED"
                if auth["status"] == "CAPTURED"
                else "AUTHORIZATION_VOIDED",
            )
        value = Decimal(body["amount"]["value"])
        if auth["captured"] + value > Decimal(auth["amount"]["value"]):
            return _error(422, "AMOUNT_GREATER_THAN_AUTHORIZED")
        auth["captured"] += value
        auth["status"] = "PARTIALLY_CAPTURED" if body.get("final_capture") is False else "CAPTURED"
        capture_id = self._id("2GG2")
        capture = {"id": capture_id, "status": "COMPLETED", "amount": dict(body["amount"]),
                   "final_capture": body.get("final_capture", True), "refunded": Decimal(0),
                   "links": [{"rel": "up",
                              "href": f"{API}/v2/payments/authorizations/{auth_id}"}]}  # fmt: skip
        self.captures[capture_id] = capture
        order = self.orders[auth["supplementary_data"]["related_ids"]["order_id"]]
        order["purchase_units"][0]["payments"].setdefault("captures", []).append(capture)
        return _json(201, _public(capture))

    def _void(self, auth_id: str, _body: Any) -> HttpResponse:
        auth = self.auths[auth_id]
        if auth["status"] in ("CAPTURED", "VOIDED"):
            return _error(422, "AUTHORIZATION_ALREADY_CAPTURED")
        auth["status"] = "VOIDED"
        return _json(200, _public(auth))

    def _refund(self, capture_id: str, body: dict[str, Any]) -> HttpResponse:
        capture = self.captures[capture_id]
        value = Decimal(body["amount"]["value"])
        if capture["refunded"] + value > Decimal(capture["amount"]["value"]):
            return _error(422, "REFUND_AMOUNT_EXCEEDED")
        capture["refunded"] += value
        full = capture["refunded"] == Decimal(capture["amount"]["value"])
        capture["status"] = "REFUNDED" if full else "PARTIALLY_REFUNDED"
        refund = {
            "id": self._id("1JU0"),
            "status": "COMPLETED",
            "amount": dict(body["amount"]),
            "links": [{"rel": "up", "href": f"{API}/v2/payments/captures/{capture_id}"}],
        }
        auth_id = capture["links"][0]["href"].rsplit("/", 1)[-1]
        order_id = self.auths[auth_id]["supplementary_data"]["related_ids"]["order_id"]
        payments = self.orders[order_id]["purchase_units"][0]["payments"]
        payments.setdefault("refunds", []).append(refund)
        return _json(201, refund)

    def _verify(self, _: str, body: dict[str, Any]) -> HttpResponse:
        event = body.get("webhook_event") or {}
        ok = body.get("transmission_sig") == signature(body.get("transmission_id", ""),
                                                       event.get("id", ""),
                                                       body.get("webhook_id", ""))  # fmt: skip
        return _json(200, {"verification_status": "SUCCESS" if ok else "FAILURE"})


def _public(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k not in ("captured", "refunded")}


def _json(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, json.dumps(body, default=str).encode())


def _error(status: int, issue: str) -> HttpResponse:
    return _json(status, {"name": "UNPROCESSABLE_ENTITY", "message": "The requested action "
                          "could not be performed.", "debug_id": "b1d1f06c7246c",
                          "details": [{"issue": issue, "description": issue.lower()}]})  # fmt: skip
