"""A carrier plugin raising a raw ConnectionError comes out as CarrierUnavailable."""

from __future__ import annotations

import datetime as dt

import pytest

from omskit import OMS, CarrierUnavailable
from omskit.carriers import NoRateAvailable, RateRequest
from omskit.testing import FakeClock

from ...faults import CarrierPlugin, FaultyCarrier  # noqa: TID252 - shared test helpers

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
FROM = {"country": "DE", "line1": "Lagerweg 1", "city": "Berlin", "postal_code": "12099"}
TO = {"country": "DE", "line1": "Hauptstr. 5", "city": "Köln", "postal_code": "50667"}


def shop_with(flaky: FaultyCarrier) -> tuple[OMS, RateRequest]:
    oms = OMS.in_memory(plugins=[CarrierPlugin(flaky)], clock=FakeClock(NOW), autoload=False)
    return oms, oms.carriers.request(ship_from=FROM, ship_to=TO, parcels=[{"weight_grams": 800}])


def test_rate_shopping_lists_a_failing_carrier_and_compares_the_others() -> None:
    oms, req = shop_with(FaultyCarrier().fail("rates"))
    choice = oms.carriers.shop(req, "cheapest")
    assert choice.chosen.carrier != "flaky"
    (why,) = [r.reason for r in choice.rejected if r.key == "flaky"]
    assert "ConnectionError" in why
    assert "rates" in why


def test_quoting_only_a_failing_carrier_names_it() -> None:
    oms, _req = shop_with(FaultyCarrier().fail("rates"))
    with pytest.raises(NoRateAvailable, match=r"flaky.*ConnectionError"):
        oms.carriers.rates(
            ship_from=FROM, ship_to=TO, parcels=[{"weight_grams": 800}], carriers=["flaky"]
        )


def test_a_failing_void_or_tracking_pull_is_wrapped_and_changes_nothing() -> None:
    flaky = FaultyCarrier().fail("void_label").fail("track", error=TimeoutError("slow"))
    oms, req = shop_with(flaky)
    (record,) = oms.carriers.buy_label(req, carrier="flaky", service="standard", reference="R")
    with pytest.raises(CarrierUnavailable) as info:
        oms.carriers.void_label(record.tracking_number)
    assert (info.value.carrier, info.value.operation) == ("flaky", "void_label")
    assert isinstance(info.value.__cause__, ConnectionError)
    assert oms.carriers.label(record.tracking_number).status == "active"
    with pytest.raises(CarrierUnavailable) as tracked:
        oms.carriers.refresh_tracking(record.tracking_number)
    assert isinstance(tracked.value.__cause__, TimeoutError)
    assert oms.carriers.void_label(record.tracking_number).status == "voided"


def test_buying_by_reference_after_a_lost_answer_returns_the_label_bought() -> None:
    flaky = FaultyCarrier(find=False).fail("buy_label", when="after")
    oms, req = shop_with(flaky)
    with pytest.raises(CarrierUnavailable):
        oms.carriers.buy_label(req, carrier="flaky", service="standard", reference="R-9")
    (record,) = oms.carriers.buy_label(req, carrier="flaky", service="standard", reference="R-9")
    assert [x.tracking_number for x in flaky.purchases()] == [record.tracking_number]
