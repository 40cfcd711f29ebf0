"""``inventory.check_basket``: a whole basket's availability in one read, nothing held."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS, UnknownSku, ValidationError
from omskit.testing import FakeClock


@pytest.fixture
def shop(clock: FakeClock) -> OMS:
    oms = OMS.in_memory(clock=clock, autoload=False)
    for sku in ("TEE-M", "MUG-1", "LAMP"):
        oms.catalog.add_product(sku, name=sku, weight_grams=300)
    inv = oms.inventory
    inv.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4, priority=10)
    inv.add_location("MUC", name="Munich", country="DE", lat=48.1, lon=11.6, priority=20)
    inv.add_location("SHOP", name="Shop", country="DE", lat=52.5, lon=13.4, kind="store")
    inv.receive("TEE-M", location="BER", quantity=5)
    inv.receive("TEE-M", location="MUC", quantity=2)
    inv.receive("MUG-1", location="MUC", quantity=3)
    inv.receive("LAMP", location="SHOP", quantity=4)  # store stock: not for online orders
    return oms


def holds(oms: OMS) -> list[tuple[str, int, int]]:
    return sorted((lv.id, lv.on_hand, lv.reserved) for lv in oms.inventory.levels())


def test_a_basket_one_location_can_ship_names_it_and_reserves_nothing(shop: OMS) -> None:
    before = holds(shop)
    check = shop.inventory.check_basket({"TEE-M": 2, "MUG-1": 1})
    assert check.ok
    assert check.single == ("MUC",)
    assert check.split == (("MUC", (("TEE-M", 2), ("MUG-1", 1))),)
    tee, mug = check.lines
    assert (tee.sku, tee.quantity, tee.available, tee.ok) == ("TEE-M", 2, 7, True)
    assert tee.locations == (("BER", 5), ("MUC", 2))
    assert mug.locations == (("MUC", 3),)
    assert holds(shop) == before
    assert shop.inventory.reservations("anything") == []


def test_a_basket_no_single_location_holds_is_split_over_the_fewest_locations(
    shop: OMS,
) -> None:
    check = shop.inventory.check_basket([{"sku": "TEE-M", "quantity": 4},
                                         {"sku": "MUG-1", "quantity": 2}])  # fmt: skip
    assert check.ok
    assert check.single == ()
    assert check.split == (("BER", (("TEE-M", 4),)), ("MUC", (("MUG-1", 2),)))
    assert "ships in 2 parts" in check.explain()


def test_a_basket_that_cannot_be_covered_says_per_line_what_is_short(shop: OMS) -> None:
    check = shop.inventory.check_basket({"TEE-M": 9, "LAMP": 1})
    assert not check.ok
    assert [(x.sku, x.ok, x.missing) for x in check.lines] == [("TEE-M", False, 2),
                                                                ("LAMP", False, 1)]  # fmt: skip
    assert check.short == (("TEE-M", 2), ("LAMP", 1))
    assert check.split == (("BER", (("TEE-M", 5),)), ("MUC", (("TEE-M", 2),)))
    assert check.lines[1].locations == ()  # the shop keeps its lamps for walk-in customers


def test_the_basket_follows_available_for_a_destination(shop: OMS) -> None:
    shop.inventory.update_location("MUC", ships_to=["DE"])
    check = shop.inventory.check_basket({"TEE-M": 6}, country="FR")
    assert check.lines[0].available == shop.inventory.available("TEE-M", country="FR") == 5
    assert check.lines[0].locations == (("BER", 5),)
    assert (check.country, check.ok, check.short) == ("FR", False, (("TEE-M", 1),))
    assert shop.inventory.check_basket({"TEE-M": 6}, country="DE").ok


@pytest.mark.parametrize(
    ("lines", "fields"),
    [
        ({}, ["lines"]),
        ("TEE-M", ["lines"]),
        (None, ["lines"]),
        ({"TEE-M": 0}, ["lines.TEE-M"]),
        ({"TEE-M": 1.5}, ["lines.TEE-M"]),
        ([{"sku": "", "quantity": 1}, {"sku": "MUG-1", "quantity": -1}],
         ["lines[0].sku", "lines[1].quantity"]),
        ([{"sku": "TEE-M", "quantity": 1}, {"sku": "TEE-M", "quantity": 2}], ["lines[1].sku"]),
        (["TEE-M"], ["lines[0]"]),
    ],
)  # fmt: skip
def test_malformed_basket_lines_are_refused_naming_every_field(
    shop: OMS, lines: Any, fields: list[str]
) -> None:
    with pytest.raises(ValidationError) as info:
        shop.inventory.check_basket(lines)
    assert [p.field for p in info.value.problems] == fields


def test_an_unknown_sku_or_country_in_a_basket_is_an_error(shop: OMS) -> None:
    with pytest.raises(UnknownSku) as info:
        shop.inventory.check_basket({"TEE-M": 1, "NOPE-1": 1})
    assert info.value.sku == "NOPE-1"
    with pytest.raises(ValidationError) as bad:
        shop.inventory.check_basket({"TEE-M": 1}, country="XX")
    assert bad.value.field == "country"
