"""The carrier service: registry, configuration, rate shopping, labels and webhooks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from omskit import OMS
from omskit.carriers import (
    LABELS,
    Label,
    NoRateAvailable,
    RateRequest,
    SandboxCarrier,
    UnknownTrackingNumber,
)
from omskit.errors import (
    DuplicateRegistration,
    InvalidTransition,
    UnknownProvider,
    ValidationError,
)
from omskit.money import Money
from omskit.plugins.spec import hookimpl
from omskit.testing import FakeClock

from ...webhooks import deliver  # noqa: TID252 - the shared test helpers live in tests/

FROM = {"country": "DE", "line1": "Lagerweg 1", "city": "Berlin", "postal_code": "12099"}
TO = {"country": "DE", "line1": "Hauptstr. 5", "city": "Köln", "postal_code": "50667"}
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def request(
    oms: OMS, *grams: int, value: str | None = None, to: dict[str, str] = TO
) -> RateRequest:
    return oms.carriers.request(
        ship_from=FROM,
        ship_to=to,
        parcels=[{"weight_grams": g} for g in grams],
        order_value=Money(value, "EUR") if value else None,
    )


def stored_labels(oms: OMS) -> list[tuple[str, str, int]]:
    with oms.runtime.storage.unit_of_work() as uow:
        return sorted((r.tracking_number, r.status, len(r.events)) for r in uow.repo(LABELS).scan())


def test_the_built_in_carriers_are_registered(oms: OMS) -> None:
    assert oms.carriers.names() == ["tablerate", "sandbox"]
    with pytest.raises(UnknownProvider) as info:
        oms.carriers.get("pigeon")
    assert info.value.known == ("sandbox", "tablerate")


def test_configuration_replaces_the_demo_table_and_adds_carriers(clock: FakeClock) -> None:
    table = {
        "zones": [{"name": "home", "countries": ["DE"]}],
        "services": [{"code": "std", "name": "Standard", "transit_days": {"home": 2}}],
        "rates": {"std": {"home": [[30000, "3.00"]]}},
    }
    oms = OMS.in_memory(
        config={
            "carriers": {
                "tablerate": {"table": table},
                "tables": [{"name": "courier", **table}],
                "sandbox": {"blocked_countries": ["DE"]},
            }
        },
        clock=clock,
        autoload=False,
    )
    assert oms.carriers.names() == ["tablerate", "sandbox", "courier"]
    quotes, failures = oms.carriers.quotes(request(oms, 500))
    assert sorted(q.key for q in quotes) == ["courier/std", "tablerate/std"]
    assert {q.price for q in quotes} == {Money("3.00", "EUR")}
    assert [f.key for f in failures] == ["sandbox"]


def test_a_bad_carrier_table_in_configuration_is_reported(clock: FakeClock) -> None:
    oms = OMS.in_memory(
        config={"carriers": {"tables": [{"name": "x", "zones": []}]}}, clock=clock, autoload=False
    )
    with pytest.raises(ValidationError, match="zone"):
        oms.carriers.names()


def test_a_plugin_carrier_with_a_taken_name_is_refused(clock: FakeClock) -> None:
    class Twin:
        @hookimpl
        def omskit_register_carriers(self) -> list[Any]:
            return [SandboxCarrier.create()]

    oms = OMS.in_memory(plugins=[Twin()], clock=clock, autoload=False)
    with pytest.raises(DuplicateRegistration, match="sandbox"):
        oms.carriers.names()


def test_a_plugin_carrier_takes_part_in_rate_shopping(clock: FakeClock) -> None:
    class Courier:
        @hookimpl
        def omskit_register_carriers(self) -> list[Any]:
            return [SandboxCarrier.create("courier", currency="USD")]

    oms = OMS.in_memory(
        config={"exchange_rates": {"EUR": {"USD": "1.25"}}},
        plugins=[Courier()],
        clock=clock,
        autoload=False,
    )
    choice = oms.carriers.shop(request(oms, 1500), "cheapest")
    assert {q.price.currency for q in (choice.chosen, *choice.alternatives)} == {"EUR"}
    courier = [q for q in (choice.chosen, *choice.alternatives) if q.carrier == "courier"]
    assert courier[0].price == Money("3.76", "EUR")  # 4.70 USD / 1.25


def test_rates_from_every_carrier_come_cheapest_first(oms: OMS) -> None:
    quotes = oms.carriers.rates(ship_from=FROM, ship_to=TO, parcels=[{"weight_grams": 800}])
    prices = [q.price.amount for q in quotes]
    assert prices == sorted(prices)
    assert len(quotes) == 5
    with pytest.raises(NoRateAvailable) as info:
        oms.carriers.rates(
            ship_from=FROM,
            ship_to={**TO, "country": "KP", "postal_code": ""},
            parcels=[{"weight_grams": 800}],
        )
    assert len(info.value.reasons) == 2


def test_bad_rate_requests_report_every_problem(oms: OMS) -> None:
    with pytest.raises(ValidationError) as info:
        oms.carriers.request(
            ship_from={"country": "XX"},
            ship_to=TO,
            parcels=[{"weight_grams": 0}, {"weight_grams": "1", "size": 3}],
        )
    fields = {p.field for p in info.value.problems}
    assert {
        "ship_from.country",
        "parcels[0].weight_grams",
        "parcels[1].weight_grams",
        "parcels[1].size",
    } <= fields


def test_shopping_for_a_promise_explains_the_choice(oms: OMS) -> None:
    choice = oms.carriers.shop(request(oms, 800), "promise", deliver_by=dt.date(2026, 11, 26))
    assert choice.chosen.promised_date <= dt.date(2026, 11, 26)
    assert "chosen (cheapest quote arriving by 2026-11-26)" in choice.explain()
    assert any("after 2026-11-26" in r.reason for r in choice.rejected)


def test_buying_a_label_is_idempotent_per_reference(oms: OMS) -> None:
    req = request(oms, 800, 1200)
    first = oms.carriers.buy_label(req, carrier="sandbox", service="express", reference="R-1")
    again = oms.carriers.buy_label(req, carrier="sandbox", service="express", reference="R-1")
    assert [r.id for r in again] == [r.id for r in first]
    assert len(stored_labels(oms)) == 2
    assert sum((r.label.price for r in first), Money.zero("EUR")) == Money(
        "28.80", "EUR"
    )  # (12.90 + 1 kg) + (12.90 + 2 kg)


def test_a_void_label_can_be_bought_again_under_a_new_number(oms: OMS) -> None:
    req = request(oms, 800)
    (first,) = oms.carriers.buy_label(req, carrier="sandbox", service="standard", reference="R-2")
    assert oms.carriers.void_label(first.tracking_number).status == "voided"
    assert oms.carriers.void_label(first.tracking_number).status == "voided"  # no-op
    (second,) = oms.carriers.buy_label(req, carrier="sandbox", service="standard", reference="R-2")
    assert second.tracking_number != first.tracking_number
    with pytest.raises(InvalidTransition, match="voided"):
        deliver(
            oms,
            "sandbox",
            {
                "tracking_number": first.tracking_number,
                "event": {"code": "ACC", "time": "2026-11-24T12:00:00Z"},
            },
        )


def test_a_label_that_left_cannot_be_voided_but_can_get_a_return_label(oms: OMS) -> None:
    (rec,) = oms.carriers.buy_label(
        request(oms, 800), carrier="sandbox", service="standard", reference="R-3"
    )
    deliver(
        oms,
        "sandbox",
        {
            "tracking_number": rec.tracking_number,
            "event": {"code": "ACC", "time": "2026-11-24T12:00:00Z", "location": "Berlin"},
        },
    )
    with pytest.raises(InvalidTransition, match="void"):
        oms.carriers.void_label(rec.tracking_number)
    ret = oms.carriers.return_label(rec.tracking_number)
    assert ret.label.is_return
    assert (ret.label.ship_from.city, ret.label.ship_to.city) == ("Köln", "Berlin")
    assert "RETURN" in ret.label.document
    assert oms.carriers.return_label(rec.tracking_number).id == ret.id


def test_a_webhook_with_one_unknown_parcel_applies_none_of_it(oms: OMS) -> None:
    (rec,) = oms.carriers.buy_label(
        request(oms, 800), carrier="sandbox", service="standard", reference="R-4"
    )
    good = {"code": "ACC", "time": "2026-11-24T12:00:00Z"}
    before = stored_labels(oms)
    payload = {
        "msg": {
            "tracking_number": "TR00000000000",
            "checkpoints": [{"tag": "PickedUp", "checkpoint_time": "2026-11-24T12:00:00Z"}],
        }
    }
    with pytest.raises(UnknownTrackingNumber):
        deliver(oms, "tablerate", payload)
    checkpoint = {"tag": "PickedUp", "checkpoint_time": "2026-11-24T12:00:00Z"}
    with pytest.raises(UnknownTrackingNumber):  # the sandbox's number, sent by another carrier
        deliver(
            oms,
            "tablerate",
            {"msg": {"tracking_number": rec.tracking_number, "checkpoints": [checkpoint]}},
        )
    with pytest.raises(ValidationError):
        deliver(
            oms,
            "sandbox",
            {"tracking_number": rec.tracking_number, "events": [good, {"code": "??"}]},
        )
    assert stored_labels(oms) == before


def test_duplicate_deliveries_are_clean_no_ops(oms: OMS) -> None:
    (rec,) = oms.carriers.buy_label(
        request(oms, 800), carrier="sandbox", service="standard", reference="R-5"
    )
    payload = {
        "tracking_number": rec.tracking_number,
        "delivery_id": "d-1",
        "event": {"code": "ACC", "time": "2026-11-24T12:00:00Z"},
    }
    assert not deliver(oms, "sandbox", payload).duplicate
    assert deliver(oms, "sandbox", payload).duplicate
    later = {**payload, "event": {"code": "TRN", "time": "2026-11-25T06:00:00Z"}}
    assert deliver(oms, "sandbox", later).duplicate  # same delivery id
    assert oms.carriers.label(rec.tracking_number).tracking_status == "handed_over"
    with pytest.raises(UnknownProvider):
        oms.carriers.handle_webhook("owl", b"{}", {})


def test_pull_tracking_applies_what_the_carrier_reports(oms: OMS, clock: FakeClock) -> None:
    (rec,) = oms.carriers.buy_label(
        request(oms, 800), carrier="sandbox", service="express", reference="R-6"
    )
    clock.advance(days=3)
    assert oms.carriers.refresh_tracking(rec.tracking_number).tracking_status == "delivered"


def test_an_external_label_needs_a_registered_carrier(oms: OMS) -> None:
    label = Label(
        carrier="owl",
        service="x",
        tracking_number="OWL1",
        document="",
        price=Money("0", "EUR"),
        created_at=NOW,
        ship_from=request(oms, 1).ship_from,
        ship_to=request(oms, 1).ship_to,
        weight_grams=1,
    )
    with oms.runtime.transaction() as uow, pytest.raises(UnknownProvider):
        oms.carriers.register_label_in(uow, label, reference="R-7")
