"""``available`` counts only stock capture could reserve: what routing can allocate.

Ported from Magento MSI's salable-quantity and Saleor's available-quantity cases: stock at
a deactivated location, or one not open to online orders, is not for sale.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit import OMS, UnknownLocation, UnknownSku, ValidationError
from omskit.inventory import Allocation
from omskit.testing import FakeClock

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
BIG = 1_000_000


def shop() -> OMS:
    oms = OMS.in_memory(clock=FakeClock(START), autoload=False)
    oms.catalog.add_product("TEE-M", name="Tee", weight_grams=180)
    oms.catalog.add_product("GAS-1", name="Camping gas", weight_grams=450, hazmat=True)
    return oms


POSTAL_CODES = {"DE": "10115", "AT": "1010", "FR": "75001"}


def ship_to(country: str = "DE") -> dict[str, Any]:
    return {"country": country, "line1": "Main St 1", "city": "Town",
            "postal_code": POSTAL_CODES[country]}  # fmt: skip


def routable(oms: OMS, sku: str, country: str = "DE", strategy: str | None = None) -> int:
    """Units routing allocates for one line asking for far more than there is."""
    plan = oms.routing.plan({"reference": "probe", "ship_to": ship_to(country),
                             "lines": [{"line_ref": "1", "sku": sku, "quantity": BIG}]},
                            strategy)  # fmt: skip
    return sum(a.quantity for a in plan.allocations)


def test_stock_at_a_deactivated_location_is_not_available_for_sale() -> None:
    oms = shop()
    for code in ("ACTIVE", "CLOSED"):
        oms.inventory.add_location(code, name=code, country="DE", lat=52.5, lon=13.4)
        oms.inventory.receive("TEE-M", location=code, quantity=10)
    oms.inventory.reserve(reference="o-1", allocations=[Allocation("ACTIVE", "TEE-M", 2, "1")])
    oms.inventory.deactivate_location("CLOSED")
    assert oms.inventory.available("TEE-M") == 8
    assert routable(oms, "TEE-M") == 8
    # the per-location view still shows what the closed warehouse holds
    assert oms.inventory.available("TEE-M", "CLOSED") == 10
    assert oms.inventory.level("TEE-M", "CLOSED").on_hand == 10


def test_store_stock_kept_for_walk_in_customers_is_not_available_online() -> None:
    oms = shop()
    oms.inventory.add_location("DC", name="DC", country="DE", lat=52.5, lon=13.4)
    oms.inventory.add_location("SHOP", name="Shop", kind="store", country="DE", lat=52.5,
                               lon=13.4)  # fmt: skip
    oms.inventory.receive("TEE-M", location="DC", quantity=3)
    oms.inventory.receive("TEE-M", location="SHOP", quantity=5)
    assert oms.inventory.available("TEE-M") == 3
    assert oms.inventory.available("TEE-M", "SHOP") == 5
    oms.inventory.update_location("SHOP", online_orders=True)  # ship-from-store
    assert oms.inventory.available("TEE-M") == 8


def test_availability_by_country_counts_only_locations_that_ship_there() -> None:
    oms = shop()
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4,
                               capabilities={"international": False})  # fmt: skip
    oms.inventory.add_location("VIE", name="Vienna", country="AT", lat=48.2, lon=16.4,
                               ships_to=["AT", "DE"])  # fmt: skip
    oms.inventory.receive("TEE-M", location="BER", quantity=4)
    oms.inventory.receive("TEE-M", location="VIE", quantity=6)
    assert oms.inventory.available("TEE-M", country="DE") == 10
    assert oms.inventory.available("TEE-M", country="at") == 6
    assert oms.inventory.available("TEE-M", country="FR") == 0
    assert oms.inventory.available("TEE-M") == 10
    assert routable(oms, "TEE-M", "AT") == 6
    assert routable(oms, "TEE-M", "FR") == 0


def test_hazardous_goods_count_only_where_they_may_be_shipped() -> None:
    oms = shop()
    oms.inventory.add_location("HAZ", name="Hazmat DC", country="DE", lat=52.5, lon=13.4,
                               capabilities={"hazmat": True})  # fmt: skip
    oms.inventory.add_location("PLAIN", name="Plain DC", country="DE", lat=52.5, lon=13.4)
    oms.inventory.add_location("SMALL", name="Letters only", country="DE", lat=52.5, lon=13.4,
                               capabilities={"hazmat": True, "max_parcel_grams": 400})  # fmt: skip
    for code in ("HAZ", "PLAIN", "SMALL"):
        oms.inventory.receive("GAS-1", location=code, quantity=5)
    assert oms.inventory.available("GAS-1") == 5
    assert routable(oms, "GAS-1") == 5


def test_bad_availability_arguments_are_refused() -> None:
    oms = shop()
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
    with pytest.raises(ValidationError, match="country"):
        oms.inventory.available("TEE-M", country="XX")
    with pytest.raises(ValidationError, match="country"):
        oms.inventory.available("TEE-M", "BER", country="DE")
    with pytest.raises(ValidationError, match="sku"):
        oms.inventory.available({"sku": 1})  # type: ignore[arg-type]
    with pytest.raises(UnknownLocation):
        oms.inventory.available("TEE-M", "NOWHERE")
    with pytest.raises(UnknownSku):  # as level() and promise() say for an unknown SKU
        oms.inventory.available("NO-SUCH-SKU")


COUNTRIES = ("DE", "AT", "FR")

location_specs = st.fixed_dictionaries({
    "country": st.sampled_from(COUNTRIES),
    "kind": st.sampled_from(["warehouse", "store", "supplier"]),
    "online": st.none() | st.booleans(),
    "active": st.booleans(),
    "international": st.booleans(),
    "ships_to": st.lists(st.sampled_from(COUNTRIES), max_size=2, unique=True),
    "hazmat": st.booleans(),
    "max_parcel": st.none() | st.sampled_from([100, 500, 5000]),
    "on_hand": st.integers(0, 20),
    "reserved": st.integers(0, 25),
    "safety": st.integers(0, 5),
    "quarantined": st.integers(0, 5),
})  # fmt: skip


def build(specs: list[dict[str, Any]], hazmat: bool, grams: int) -> OMS:
    oms = OMS.in_memory(clock=FakeClock(START), autoload=False)
    oms.catalog.add_product("P-1", name="P", weight_grams=grams, hazmat=hazmat)
    oms.inventory.set_backorder_policy("P-1", "backorder")  # reserved may exceed on hand
    for i, spec in enumerate(specs):
        code = f"L{i}"
        oms.inventory.add_location(
            code, name=code, kind=spec["kind"], country=spec["country"], lat=50.0 + i,
            lon=10.0, online_orders=spec["online"], ships_to=spec["ships_to"],
            capabilities={"international": spec["international"], "hazmat": spec["hazmat"],
                          "max_parcel_grams": spec["max_parcel"]},
        )  # fmt: skip
        if spec["on_hand"]:
            oms.inventory.receive("P-1", location=code, quantity=spec["on_hand"])
        if spec["quarantined"] and spec["quarantined"] <= spec["on_hand"]:
            oms.inventory.quarantine("P-1", location=code, quantity=spec["quarantined"],
                                     reason="damaged")  # fmt: skip
        if spec["reserved"]:
            oms.inventory.reserve(reference=f"hold-{i}", allocations=[
                Allocation(code, "P-1", spec["reserved"], "1")])  # fmt: skip
        if spec["safety"]:
            oms.inventory.set_safety_stock("P-1", location=code, quantity=spec["safety"])
        if not spec["active"]:
            oms.inventory.deactivate_location(code)
    return oms


@given(
    specs=st.lists(location_specs, min_size=1, max_size=6),
    hazmat=st.booleans(),
    grams=st.sampled_from([50, 300, 2000]),
    dest=st.sampled_from(COUNTRIES),
    strategy=st.sampled_from(["priority", "nearest", "fewest_shipments", "lowest_cost"]),
)
def test_available_equals_what_routing_can_allocate_for_one_big_line(
    specs: list[dict[str, Any]], hazmat: bool, grams: int, dest: str, strategy: str
) -> None:
    oms = build(specs, hazmat, grams)
    assert oms.inventory.available("P-1", country=dest) == routable(oms, "P-1", dest, strategy)


@given(specs=st.lists(location_specs, min_size=1, max_size=6), dest=st.sampled_from(COUNTRIES))
def test_without_a_country_available_counts_every_location_that_sells_anywhere(
    specs: list[dict[str, Any]], dest: str
) -> None:
    for spec in specs:  # every location ships everywhere: the destination does not matter
        spec["international"], spec["ships_to"] = True, []
    oms = build(specs, hazmat=False, grams=300)
    assert oms.inventory.available("P-1") == routable(oms, "P-1", dest)
    assert oms.inventory.available("P-1") == oms.inventory.available("P-1", country=dest)
