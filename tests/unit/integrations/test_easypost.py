"""The EasyPost carrier against EasyPost's recorded answers (easypost-python cassettes)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from omskit import OMS
from omskit.carriers import Carrier
from omskit.carriers.errors import UnknownServiceLevel
from omskit.carriers.model import RateRequest, ServiceLevel
from omskit.errors import ValidationError
from omskit.integrations.easypost import EasyPostCarrier, EasyPostPlugin, sign_webhook
from omskit.integrations.transport import HttpRequest, HttpResponse, ServiceError, SignatureInvalid
from omskit.money import Money

from .fixtures import load, raw

NOW = dt.datetime(2025, 3, 7, 12, 0, tzinfo=dt.UTC)
SF = {"country": "US", "region": "CA", "city": "San Francisco", "postal_code": "94107",
      "line1": "388 Townsend St", "name": "Jack Sparrow"}  # fmt: skip
REDONDO = {"country": "US", "region": "CA", "city": "Redondo Beach", "postal_code": "90277",
           "line1": "179 N Harbor Dr", "name": "Elizabeth Swan"}  # fmt: skip


RECORDED = {"buy": "shipment_buy.json", "refund": "shipment_refund.json",
            "trackers": "tracker_create.json", "create": "shipment_create.json"}  # fmt: skip


class Recorded:
    """Answers each EasyPost path with its recorded body, keeping the requests."""

    def __init__(self, **override: tuple[int, bytes]) -> None:
        self.requests: list[HttpRequest] = []
        self.override = override

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        path = request.url.removeprefix("https://api.easypost.com/v2")
        kind = ("buy" if path.endswith("/buy") else "refund" if path.endswith("/refund")
                else "trackers" if path == "/trackers" else "create")  # fmt: skip
        if kind in self.override:
            return HttpResponse(*self.override[kind])
        return HttpResponse(200, raw("easypost", RECORDED[kind]))

    def sent(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].body)


def carrier(transport: Recorded, **options: Any) -> EasyPostCarrier:
    return EasyPostCarrier(api_key="EZTK_test", transport=transport,
                           webhook_secret="sécret", **options)  # fmt: skip


def request(parcels: int = 1) -> RateRequest:
    parcel = {"weight_grams": 437, "dimensions": [254, 203, 102]}
    return RateRequest.build(ship_from=SF, ship_to=REDONDO, parcels=[parcel] * parcels)


def test_it_is_an_omskit_carrier() -> None:
    assert isinstance(carrier(Recorded()), Carrier)


def test_rates_are_read_exactly_from_the_recorded_shipment() -> None:
    transport = Recorded()
    quotes = carrier(transport).rates(request(), NOW)
    assert [(q.service, q.price, q.transit_days) for q in quotes] == [
        ("USPS:GroundAdvantage", Money("6.07", "USD"), 3),
        ("USPS:Priority", Money("7.42", "USD"), 2),
        ("USPS:Express", Money("34.15", "USD"), 1)]  # fmt: skip
    sent = transport.sent()["shipment"]
    assert sent["parcel"] == {"weight": 15.5, "length": 10, "width": 8, "height": 4.1}
    assert (sent["to_address"]["zip"], sent["from_address"]["state"]) == ("90277", "CA")
    assert (
        transport.requests[0].header(
            "Authorization",
        )
        == "Basic RVpUS190ZXN0Og=="
    )


def test_configured_services_filter_the_rates_and_parcels_add_up() -> None:
    ez = carrier(Recorded(), services=[ServiceLevel("USPS:Priority", "Priority", 2)])
    (quote,) = ez.rates(request(parcels=2), NOW)
    assert quote.price == Money("14.84", "USD")
    assert quote.parcel_prices == (Money("7.42", "USD"), Money("7.42", "USD"))
    with pytest.raises(UnknownServiceLevel):
        ez.quote(request(), "USPS:Express", NOW)


def test_a_label_is_bought_at_the_chosen_rate_once_per_key() -> None:
    transport = Recorded()
    ez = carrier(transport)
    (label,) = ez.buy_label(request(), "USPS:GroundAdvantage", reference="ord_1", now=NOW,
                            idempotency_key="ship-1")  # fmt: skip
    bought = load("easypost", "shipment_buy.json")
    assert label.tracking_number == bought["tracking_code"] == "9400100208303109505657"
    assert label.price == Money("6.07", "USD")
    assert label.document == bought["postage_label"]["label_url"]
    assert transport.sent()["rate"]["id"] == "rate_4d1f36fa716c4b1292cacbdf19227c2d"
    assert transport.sent(0)["shipment"]["reference"] == "ship-1"
    again = ez.buy_label(request(), "USPS:GroundAdvantage", reference="ord_1", now=NOW,
                         idempotency_key="ship-1")  # fmt: skip
    assert again == (label,)
    assert len(transport.requests) == 2


def test_void_asks_for_a_refund_and_a_rejection_is_an_error() -> None:
    ez = carrier(Recorded())
    (label,) = ez.buy_label(request(), "USPS:Priority", reference="r", now=NOW)
    ez.void_label(label, NOW)  # recorded refund_status: submitted
    rejected = json.dumps(load("easypost", "shipment_refund.json") | {"refund_status": "rejected"},
                          default=str).encode()  # fmt: skip
    ez = carrier(Recorded(refund=(200, rejected)))
    (label,) = ez.buy_label(request(), "USPS:Priority", reference="r", now=NOW)
    with pytest.raises(ServiceError, match="refund_rejected"):
        ez.void_label(label, NOW)


def test_a_return_label_is_an_is_return_shipment_of_the_same_service() -> None:
    transport = Recorded()
    ez = carrier(transport)
    (label,) = ez.buy_label(request(), "USPS:GroundAdvantage", reference="r", now=NOW)
    back = ez.return_label(label, reference="rma_1", now=NOW)
    assert back.is_return
    assert back.service == "USPS:GroundAdvantage"
    assert transport.sent(-2)["shipment"]["is_return"] is True


def test_tracking_maps_easyposts_statuses() -> None:
    ez = carrier(Recorded())
    (label,) = ez.buy_label(request(), "USPS:Priority", reference="r", now=NOW)
    events = ez.track(label, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    recorded = load("easypost", "tracker_create.json")["tracking_details"]
    assert len(events) == len(recorded)
    assert {e.status for e in events} <= {"label_purchased", "in_transit", "out_for_delivery",
                                           "delivered"}  # fmt: skip
    assert events[0].code == "pre_transit/status_update"


def webhook(status: str = "delivered", detail: str = "arrived_at_destination") -> bytes:
    tracker = load("easypost", "tracker_create.json")
    tracker["tracking_details"].append(
        tracker["tracking_details"][-1]
        | {"status": status, "status_detail": detail, "datetime": "2025-02-09T10:00:00Z"}
    )
    event = {"object": "Event", "description": "tracker.updated", "id": "evt_1",
             "result": tracker}  # fmt: skip
    return json.dumps(event, default=str).encode()


def test_a_signed_webhook_verifies_and_reads() -> None:
    ez = carrier(Recorded())
    body = webhook()
    ez.verify_webhook(body, {"X-Hmac-Signature": sign_webhook(body, "sécret")}, NOW)
    updates = ez.parse_webhook(ez.decode(body))
    assert updates[-1].event.status == "delivered"
    assert updates[-1].tracking_number == "EZ1000000001"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({}, "no X-Hmac-Signature"), ({"X-Hmac-Signature": "hmac-sha256-hex=00"}, "does not match")],
)
def test_a_bad_signature_is_refused(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        carrier(Recorded()).verify_webhook(webhook(), headers, NOW)


def test_a_tampered_body_is_refused() -> None:
    body = webhook()
    signature = {"X-Hmac-Signature": sign_webhook(body, "sécret")}
    with pytest.raises(SignatureInvalid):
        carrier(Recorded()).verify_webhook(
            body.replace(b"delivered", b"in_transit"), signature, NOW
        )


def test_a_lost_parcel_and_a_malformed_event_are_told_apart() -> None:
    ez = carrier(Recorded())
    lost = ez.parse_webhook(ez.decode(webhook("failure", "lost")))
    assert lost[-1].event.status == "lost"
    with pytest.raises(ValidationError) as info:
        ez.parse_webhook(ez.decode(webhook("teleported", "")))
    assert info.value.field.endswith(".status")
    with pytest.raises(ValidationError, match="description"):
        ez.parse_webhook({"object": "Event", "description": "batch.created"})


def test_an_easypost_error_names_its_code() -> None:
    error = b'{"error": {"code": "ADDRESS.VERIFY.FAILURE", "message": "Unable to verify"}}'
    ez = carrier(Recorded(create=(422, error)))
    with pytest.raises(ServiceError, match=r"ADDRESS\.VERIFY\.FAILURE"):
        ez.rates(request(), NOW)


def test_the_plugin_makes_it_an_oms_carrier() -> None:
    oms = OMS.in_memory(plugins=[EasyPostPlugin(carrier(Recorded()))], autoload=False)
    assert "easypost" in oms.carriers.names()
    quotes = oms.carriers.rates(ship_from=SF, ship_to=REDONDO,
                                parcels=[{"weight_grams": 437}], carriers=["easypost"])  # fmt: skip
    assert min(q.price.amount for q in quotes) == Decimal("6.07")
