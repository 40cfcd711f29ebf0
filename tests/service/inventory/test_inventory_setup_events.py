"""Setting up stock, locations and duties is a change like any other: it records an event
with its actor. Reads of an unknown SKU say so; a location names every missing field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omskit import OMS, UnknownSku, ValidationError
from omskit.catalog.model import Dimensions
from omskit.fulfillment import LocationConfigured
from omskit.fulfillment.packing import Box
from omskit.inventory import LowStockThresholdSet, SafetyStockSet
from omskit.pricing import DutyRateSet, ImportRuleSet
from omskit.testing import FakeClock, RecordingSubscriber


@pytest.fixture
def seen() -> RecordingSubscriber:
    return RecordingSubscriber()


@pytest.fixture
def shop(clock: FakeClock, seen: RecordingSubscriber) -> OMS:
    oms = OMS.in_memory(plugins=[seen], clock=clock, autoload=False)
    oms.catalog.add_product("TEE-M", name="Tee", weight_grams=180)
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.52, lon=13.40)
    oms.inventory.receive("TEE-M", location="BER", quantity=10)
    return oms


def test_safety_stock_records_an_event_with_its_actor_and_the_value_before(
    shop: OMS, seen: RecordingSubscriber
) -> None:
    shop.inventory.set_safety_stock("TEE-M", location="BER", quantity=3, actor="ops:kim")
    shop.inventory.set_safety_stock("TEE-M", location="BER", quantity=3, actor="ops:kim")
    found = [e for e in seen.events if isinstance(e, SafetyStockSet)]
    assert [(e.sku, e.location, e.quantity, e.previous, e.actor) for e in found] == [
        ("TEE-M", "BER", 3, 0, "ops:kim")  # setting the same value again changes nothing
    ]


def test_a_low_stock_threshold_records_an_event_with_its_actor(
    shop: OMS, seen: RecordingSubscriber
) -> None:
    shop.inventory.set_alert_threshold("TEE-M", location="BER", low=2, actor="ops:kim")
    shop.inventory.set_alert_threshold("TEE-M", location="BER", low=None, actor="ops:lea")
    found = [e for e in seen.events if isinstance(e, LowStockThresholdSet)]
    assert [(e.threshold, e.previous, e.actor) for e in found] == [
        (2, None, "ops:kim"),
        (None, 2, "ops:lea"),
    ]


def test_configuring_a_location_records_what_changed_and_who(
    shop: OMS, seen: RecordingSubscriber
) -> None:
    box = Box("S", Dimensions(200, 150, 100), 5_000, 90)
    shop.fulfillment.configure_location("BER", boxes=[box], bins={"TEE-M": "A-01-1-B"},
                                        actor="ops:kim")  # fmt: skip
    shop.fulfillment.configure_location("BER", boxes=[box], actor="ops:kim")
    found = [e for e in seen.events if isinstance(e, LocationConfigured)]
    assert [(e.location, e.changed, e.actor) for e in found] == [
        ("BER", ("bins", "boxes"), "ops:kim")  # the same boxes again: no change, no event
    ]


def test_a_duty_rate_and_an_import_rule_record_events_with_their_actor(
    shop: OMS, seen: RecordingSubscriber
) -> None:
    shop.pricing.add_duty_rate("US", "6109", "16.5", actor="tax:ana")
    shop.pricing.set_import_rule("US", "USD", duty_threshold="800", actor="tax:ana")
    duties = [e for e in seen.events if isinstance(e, DutyRateSet)]
    assert [(e.territory, e.hs_prefix, e.origin, e.rate, e.actor) for e in duties] == [
        ("US", "6109", "", Decimal("16.5"), "tax:ana")
    ]
    rules = [e for e in seen.events if isinstance(e, ImportRuleSet)]
    assert [(e.territory, e.currency, e.origins, e.actor) for e in rules] == [
        ("US", "USD", (), "tax:ana")
    ]


def test_available_of_an_unknown_sku_raises_unknown_sku_like_level_and_promise(
    shop: OMS,
) -> None:
    for read in (
        lambda: shop.inventory.available("NOPE-1"),
        lambda: shop.inventory.available("NOPE-1", country="DE"),
        lambda: shop.inventory.available("NOPE-1", "BER"),
        lambda: shop.inventory.level("NOPE-1", "BER"),
        lambda: shop.inventory.promise("NOPE-1", 1),
    ):
        with pytest.raises(UnknownSku) as info:
            read()
        assert info.value.sku == "NOPE-1"
    assert shop.inventory.available("TEE-M") == 10


def test_a_location_without_coordinates_names_both_missing_fields(shop: OMS) -> None:
    with pytest.raises(ValidationError) as info:
        shop.inventory.add_location("HAM", name="Hamburg", country="DE")
    assert [p.field for p in info.value.problems] == ["lat", "lon"]
    with pytest.raises(ValidationError) as info:
        shop.inventory.add_location("HAM", name="Hamburg", country="DE", lat=53.55)
    assert [p.field for p in info.value.problems] == ["lon"]
    assert [loc.id for loc in shop.inventory.locations()] == ["BER"]
