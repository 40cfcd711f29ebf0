"""EasyPost as an omskit carrier: rates, labels, voids, return labels and tracking.

Requests go to EasyPost's REST API (``/v2``) through the host's transport, with the API
key as HTTP basic auth; answers are read with exact decimals. EasyPost sells several
carriers' services: an omskit service code is ``"<carrier>:<service>"``
(``"USPS:Priority"``).

=====================  ==============================================================
port call              EasyPost request
=====================  ==============================================================
``rates`` / ``quote``  ``POST /shipments`` (one per parcel), its ``rates``
``buy_label``          ``POST /shipments`` then ``POST /shipments/{id}/buy`` ``rate.id``
``void_label``         ``POST /shipments/{id}/refund``
``return_label``       ``POST /shipments`` with ``is_return: true`` (EasyPost swaps the
                       addresses), then buy the same service
``track``              ``POST /trackers`` ``tracking_code``, ``carrier``
webhooks               ``X-Hmac-Signature: hmac-sha256-hex=<hex>`` over the raw body
                       (secret NFKD-normalised), then ``tracker.updated`` events
=====================  ==============================================================

Weights go in ounces (rounded up to 0.1 oz), dimensions in inches (rounded up to 0.1);
rates are decimal strings read exactly. Tracking statuses map to omskit's:
``pre_transit`` -> ``label_purchased``, ``in_transit`` -> ``in_transit``,
``out_for_delivery`` and ``available_for_pickup`` -> ``out_for_delivery``,
``delivered``, ``return_to_sender`` -> ``returned_to_sender``, ``failure`` ->
``failed_attempt`` (``lost`` when the detail says so); ``unknown``, ``cancelled`` and
``error`` carry no status and are skipped.

EasyPost has no idempotency key: the adapter sends omskit's key as each shipment's
``reference`` and remembers, in this process, the labels bought under it
(``find_labels``), so a retry in the same process buys nothing twice; across restarts,
look the reference up in EasyPost. Ignored: customs forms, insurance, carrier accounts,
batches and pickups, and EasyPost's own ``est_delivery_date`` beyond the promised date.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from omskit.carriers.errors import UnknownServiceLevel
from omskit.carriers.model import (
    Label,
    ParcelSpec,
    RateQuote,
    RateRequest,
    ServiceLevel,
    TrackingEvent,
    TrackingUpdate,
    add_business_days,
    first_ship_date,
)
from omskit.carriers.tracking import parse_time
from omskit.carriers.webhooks import header, raw_body
from omskit.customers.address import Address
from omskit.errors import ValidationError
from omskit.integrations.transport import (
    ServiceError,
    SignatureInvalid,
    Transport,
    decode_json,
    json_request,
)
from omskit.money import Money
from omskit.plugins.spec import hookimpl

__all__ = ["EASYPOST_STATUSES", "EasyPostCarrier", "EasyPostPlugin", "sign_webhook"]

#: EasyPost tracker status -> omskit tracking status (``None``: no status, skipped).
EASYPOST_STATUSES: Mapping[str, str | None] = {
    "pre_transit": "label_purchased",
    "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "available_for_pickup": "out_for_delivery",
    "delivered": "delivered",
    "return_to_sender": "returned_to_sender",
    "failure": "failed_attempt",
    "unknown": None,
    "cancelled": None,
    "error": None,
}
_GRAMS_PER_OZ = Decimal("28.349523125")
_MM_PER_IN = Decimal("25.4")
SIGNATURE_HEADER = "X-Hmac-Signature"


def _up(value: Decimal) -> Decimal:
    """Round up to 0.1 (a carrier bills the next tenth)."""
    return Decimal(math.ceil(value * 10)) / 10


def sign_webhook(body: bytes, secret: str) -> str:
    """The ``X-Hmac-Signature`` value EasyPost sends for ``body`` (for tests)."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()


class EasyPostCarrier:
    """An omskit [`Carrier`][omskit.carriers.port.Carrier] over EasyPost.

    Args:
        api_key: the EasyPost API key (``EZAK...`` production, ``EZTK...`` test).
        transport: sends each request.
        services: the services offered, codes ``"<carrier>:<service>"``; rates for
            other services are left out (none given: every rate EasyPost returns).
        webhook_secret: the webhook's HMAC secret (webhooks are refused without one).
        name: the carrier name omskit registers.
        base_url: EasyPost's API root.
        cutoff_hour: the hour after which parcels leave the next business day.
    """

    def __init__(
        self,
        *,
        api_key: str,
        transport: Transport,
        services: Sequence[ServiceLevel] = (),
        webhook_secret: str = "",
        name: str = "easypost",
        base_url: str = "https://api.easypost.com/v2",
        cutoff_hour: int = 16,
    ) -> None:
        if not isinstance(api_key, str) or not api_key:
            raise ValidationError("api_key", api_key, "an EasyPost API key")
        self._auth = "Basic " + base64.b64encode(f"{api_key}:".encode()).decode()
        self._transport = transport
        self._services = tuple(services)
        self._secret = webhook_secret
        self._name = name
        self.base_url = base_url.rstrip("/")
        self.cutoff_hour = cutoff_hour
        self._bought: dict[str, tuple[Label, ...]] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The registered carrier name."""
        return self._name

    @property
    def services(self) -> tuple[ServiceLevel, ...]:
        """The services this carrier offers (empty: whatever EasyPost rates)."""
        return self._services

    # -- requests --------------------------------------------------------------------
    def _call(self, path: str, body: Mapping[str, Any], schema: str) -> Mapping[str, Any]:
        auth = (("Authorization", self._auth),)
        request = json_request("POST", self.base_url + path, body, schema=schema, headers=auth)
        response = self._transport(request)
        if response.status >= 500:
            raise ServiceError(self._name, response.status, "server_error",
                               response.body[:200].decode("utf-8", "replace"))  # fmt: skip
        payload = response.json(self._name)
        if response.status >= 300:
            error = payload.get("error")
            error = error if isinstance(error, Mapping) else {}
            raise ServiceError(self._name, response.status, str(error.get("code", "error")),
                               str(error.get("message", "")))  # fmt: skip
        return payload

    def _shipment(self, request: RateRequest, parcel: ParcelSpec, *, reference: str = "",
                  is_return: bool = False) -> Mapping[str, Any]:  # fmt: skip
        body: dict[str, Any] = {
            "from_address": _address(request.ship_from),
            "to_address": _address(request.ship_to),
            "parcel": _parcel(parcel),
        }
        if reference:
            body["reference"] = reference
        if is_return:
            body["is_return"] = True
        return self._call("/shipments", {"shipment": body}, "easypost.shipment_create")

    # -- rates -----------------------------------------------------------------------
    def _quotes(self, shipment: Mapping[str, Any], now: dt.datetime) -> list[RateQuote]:
        wanted = {s.code for s in self._services}
        quotes = []
        for i, rate in enumerate(shipment.get("rates") or ()):
            code = f"{rate.get('carrier')}:{rate.get('service')}"
            if wanted and code not in wanted:
                continue
            price = Money(_decimal(rate.get("rate"), f"rates[{i}].rate"),
                          str(rate.get("currency") or "USD"))  # fmt: skip
            days = rate.get("delivery_days") or rate.get("est_delivery_days") or 0
            ship = first_ship_date(now, self.cutoff_hour)
            quotes.append(RateQuote(
                carrier=self._name, service=code, service_name=code.replace(":", " "),
                price=price, transit_days=int(days), ship_date=ship,
                promised_date=add_business_days(ship, int(days)), zone=str(rate.get("id", "")),
            ))  # fmt: skip
        return quotes

    def rates(self, request: RateRequest, now: dt.datetime) -> list[RateQuote]:
        """A quote per service, summed over the parcels (one EasyPost shipment each)."""
        per_parcel = [self._quotes(self._shipment(request, p), now) for p in request.parcels]
        first, *rest = per_parcel
        out = []
        for quote in first:
            others = [next((q for q in qs if q.service == quote.service), None) for qs in rest]
            if any(o is None for o in others):
                continue  # not offered for every parcel
            prices = (quote.price, *(o.price for o in others if o is not None))
            out.append(RateQuote(
                carrier=quote.carrier, service=quote.service, service_name=quote.service_name,
                price=sum(prices[1:], prices[0]), transit_days=quote.transit_days,
                ship_date=quote.ship_date, promised_date=quote.promised_date,
                parcel_prices=prices,
            ))  # fmt: skip
        return sorted(out, key=lambda q: (q.price.amount, q.service))

    def quote(self, request: RateRequest, service: str, now: dt.datetime) -> RateQuote:
        """The quote for ``service``.

        Raises:
            UnknownServiceLevel: EasyPost offers no such service for this shipment.
        """
        for found in self.rates(request, now):
            if found.service == service:
                return found
        raise UnknownServiceLevel(
            self._name, service, [q.service for q in self.rates(request, now)]
        )

    # -- labels ----------------------------------------------------------------------
    def find_labels(self, idempotency_key: str) -> Sequence[Label]:
        """The labels this process bought under ``idempotency_key`` (empty when none)."""
        with self._lock:
            return self._bought.get(idempotency_key, ())

    def buy_label(
        self,
        request: RateRequest,
        service: str,
        *,
        reference: str,
        now: dt.datetime,
        options: Sequence[tuple[str, str]] = (),
        idempotency_key: str = "",
    ) -> tuple[Label, ...]:
        """Buy ``service`` for every parcel (an EasyPost shipment each)."""
        key = idempotency_key or reference
        if found := self.find_labels(key):
            return tuple(found)
        labels = []
        count = len(request.parcels)
        for i, parcel in enumerate(request.parcels):
            shipment = self._shipment(request, parcel, reference=f"{key}:{i}" if count > 1 else key)
            labels.append(self._buy(shipment, service, request, parcel, now, reference=reference,
                                    index=i, count=count, key=key, options=options))  # fmt: skip
        with self._lock:
            self._bought[key] = tuple(labels)
        return tuple(labels)

    def _buy(self, shipment: Mapping[str, Any], service: str, request: RateRequest,
             parcel: ParcelSpec, now: dt.datetime, **label: Any) -> Label:  # fmt: skip
        rate = next((r for r in shipment.get("rates") or ()
                     if f"{r.get('carrier')}:{r.get('service')}" == service), None)  # fmt: skip
        if rate is None:
            offered = [
                f"{r.get('carrier')}:{r.get('service')}" for r in shipment.get("rates") or ()
            ]
            raise UnknownServiceLevel(self._name, service, offered)
        bought = self._call(f"/shipments/{shipment['id']}/buy", {"rate": {"id": rate["id"]}},
                            "easypost.shipment_buy")  # fmt: skip
        return _label(self._name, service, bought, request, parcel, now, **label)

    def void_label(self, label: Label, now: dt.datetime) -> None:
        """Ask EasyPost to refund an unused label.

        Raises:
            ServiceError: EasyPost refused the refund (``refund_status`` ``rejected``).
        """
        shipment = self._call(f"/shipments/{_shipment_id(label)}/refund", {},
                              "easypost.shipment_refund")  # fmt: skip
        status = shipment.get("refund_status")
        if status not in ("submitted", "refunded"):
            raise ServiceError(self._name, 200, f"refund_{status}",
                               f"label {label.tracking_number} was not refunded")  # fmt: skip

    def return_label(self, original: Label, *, reference: str, now: dt.datetime) -> Label:
        """A return label (``is_return``) for the parcel of ``original``, same service."""
        request = RateRequest(original.ship_from, original.ship_to,
                              (ParcelSpec(original.weight_grams),))  # fmt: skip
        parcel = request.parcels[0]
        shipment = self._shipment(request, parcel, reference=reference, is_return=True)
        return self._buy(shipment, original.service, request, parcel, now, reference=reference,
                         index=0, count=1, key="", options=(), is_return=True)  # fmt: skip

    # -- tracking --------------------------------------------------------------------
    def track(self, label: Label, now: dt.datetime) -> tuple[TrackingEvent, ...]:
        """The tracker's events for ``label`` (``POST /trackers``)."""
        carrier = label.service.split(":", 1)[0]
        tracker = self._call("/trackers", {"tracker": {"tracking_code": label.tracking_number,
                                                      "carrier": carrier}},
                             "easypost.tracker_create")  # fmt: skip
        return tuple(u.event for u in _updates(tracker) if u.event.at <= now)

    def verify_webhook(self, body: bytes, headers: Mapping[str, str], now: dt.datetime) -> None:
        """Check ``X-Hmac-Signature`` over the raw body.

        EasyPost signs no timestamp, so a replayed delivery verifies; it is harmless,
        since tracking events merge as a set (the same event twice changes nothing).

        Raises:
            SignatureInvalid: no secret configured, no header, or a mismatch.
        """
        raw = raw_body(self._name, body)
        if not self._secret:
            raise SignatureInvalid(self._name, "no webhook secret is configured")
        given = header(headers, SIGNATURE_HEADER)
        if not given:
            raise SignatureInvalid(self._name, f"no {SIGNATURE_HEADER} header")
        if not hmac.compare_digest(sign_webhook(raw, self._secret), given.strip()):
            raise SignatureInvalid(self._name, "the signature does not match the body")

    def parse_webhook(self, payload: Mapping[str, Any]) -> tuple[TrackingUpdate, ...]:
        """A ``tracker.updated`` (or ``tracker.created``) event's tracking details.

        Raises:
            ValidationError: not an EasyPost tracker event (the field is named).
        """
        if payload.get("object") != "Event":
            raise ValidationError("object", payload.get("object"), "expected 'Event'")
        description = payload.get("description")
        if description not in ("tracker.updated", "tracker.created"):
            raise ValidationError("description", description,
                                  "'tracker.updated' or 'tracker.created'")  # fmt: skip
        result = payload.get("result")
        if not isinstance(result, Mapping) or result.get("object") != "Tracker":
            raise ValidationError("result", result, "the event's Tracker")
        return _updates(result)

    @classmethod
    def decode(cls, body: bytes) -> Mapping[str, Any]:
        """A verified webhook body as JSON, numbers with a fraction as Decimal."""
        return decode_json(body, "body")


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            pass
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value)
    raise ValidationError(field, value, "a decimal amount such as '7.42'")


def _address(address: Address) -> dict[str, str]:
    out = {"name": address.name, "company": address.company, "street1": address.line1,
           "street2": address.line2, "city": address.city, "state": address.region,
           "zip": address.postal_code, "country": address.country, "phone": address.phone,
           "email": address.email}  # fmt: skip
    return {k: v for k, v in out.items() if v}


def _parcel(parcel: ParcelSpec) -> dict[str, Decimal]:
    out = {"weight": _up(Decimal(parcel.weight_grams) / _GRAMS_PER_OZ)}
    if parcel.dimensions is not None:
        d = parcel.dimensions
        out |= {"length": _up(d.length_mm / _MM_PER_IN), "width": _up(d.width_mm / _MM_PER_IN),
                "height": _up(d.height_mm / _MM_PER_IN)}  # fmt: skip
    return out


def _shipment_id(label: Label) -> str:
    found = label.option("easypost_shipment")
    if not found:
        raise ValidationError("label.options", label.options, "a label bought through EasyPost")
    return found


def _label(  # noqa: PLR0917 - the purchase's own values, then the label's
    carrier: str,
    service: str,
    shipment: Mapping[str, Any],
    request: RateRequest,
    parcel: ParcelSpec,
    now: dt.datetime,
    *,
    reference: str,
    index: int,
    count: int,
    key: str,
    options: Sequence[tuple[str, str]],
    is_return: bool = False,
) -> Label:
    selected = shipment.get("selected_rate")
    postage = shipment.get("postage_label")
    if not isinstance(selected, Mapping) or not isinstance(postage, Mapping):
        raise ValidationError("selected_rate", selected, "a bought shipment (rate and label)")
    tracking = shipment.get("tracking_code")
    if not isinstance(tracking, str) or not tracking:
        raise ValidationError("tracking_code", tracking, "the label's tracking number")
    price = Money(_decimal(selected.get("rate"), "selected_rate.rate"),
                  str(selected.get("currency") or "USD"))  # fmt: skip
    return Label(
        carrier=carrier, service=service, tracking_number=tracking,
        document=str(postage.get("label_url", "")), price=price, created_at=now,
        ship_from=request.ship_from, ship_to=request.ship_to, weight_grams=parcel.weight_grams,
        reference=reference, parcel_index=index, parcel_count=count, is_return=is_return,
        options=(*options, ("easypost_shipment", str(shipment.get("id", ""))),
                 ("easypost_rate", str(selected.get("id", "")))),
        idempotency_key=key,
    )  # fmt: skip


def _updates(tracker: Mapping[str, Any]) -> tuple[TrackingUpdate, ...]:
    tracking = tracker.get("tracking_code")
    if not isinstance(tracking, str) or not tracking:
        raise ValidationError("result.tracking_code", tracking, "the tracker's tracking number")
    out = []
    for i, detail in enumerate(tracker.get("tracking_details") or ()):
        raw = detail.get("status")
        if raw not in EASYPOST_STATUSES:
            raise ValidationError(f"tracking_details[{i}].status", raw,
                                  f"one of {', '.join(EASYPOST_STATUSES)}")  # fmt: skip
        status = EASYPOST_STATUSES[raw]
        if status is None:
            continue
        sub = str(detail.get("status_detail") or "")
        if raw == "failure" and "lost" in sub:
            status = "lost"
        place = detail.get("tracking_location") or {}
        where = ", ".join(str(place.get(k)) for k in ("city", "state", "country") if place.get(k))
        at = parse_time(detail.get("datetime"), f"tracking_details[{i}].datetime")
        code = f"{raw}/{sub}" if sub else str(raw)
        event = TrackingEvent(at, status, code, where, str(detail.get("message") or ""))
        out.append(TrackingUpdate(tracking, event))
    return tuple(out)


class EasyPostPlugin:
    """Pass to ``OMS(plugins=[EasyPostPlugin(carrier)])``; shipments pick it by name."""

    def __init__(self, carrier: EasyPostCarrier) -> None:
        self.carrier = carrier

    @hookimpl
    def omskit_register_carriers(self) -> list[EasyPostCarrier]:
        """The one EasyPost carrier this plugin was built with."""
        return [self.carrier]
