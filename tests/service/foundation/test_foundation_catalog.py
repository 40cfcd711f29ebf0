"""The catalog service: products added, changed, deactivated, found; bad input refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from omskit import OMS
from omskit.catalog import PRODUCTS, Dimensions, KitComponent, Product
from omskit.errors import (
    AlreadyExists,
    FloatNotAllowed,
    InvalidAmount,
    InvalidQuantity,
    InvalidSku,
    UnknownCountry,
    UnknownCurrency,
    UnknownSku,
    ValidationError,
)
from omskit.money import Money
from omskit.testing import products

TEE = {
    "name": "T-shirt, medium",
    "price": "19.90",
    "currency": "EUR",
    "weight_grams": 180,
    "dimensions": {"length_mm": 300, "width_mm": 200, "height_mm": 20},
    "hs_code": "6109.10",
    "country_of_origin": "pt",
    "tax_class": "standard",
    "attributes": {"size": "M", "colour": "black"},
}


def snapshot(oms: OMS) -> list[dict[str, Any]]:
    """Every stored product, field by field, with its version."""
    with oms.runtime.storage.unit_of_work() as uow:
        return [attrs.asdict(p) for p in uow.repo(PRODUCTS).scan()]


def test_a_product_is_added_with_every_field_validated_and_normalised(oms: OMS) -> None:
    product = oms.catalog.add_product("TEE-M", **TEE)
    assert product.sku == product.id == "TEE-M"
    assert product.price == Money("19.90", "EUR")
    assert product.dimensions == Dimensions(300, 200, 20)
    assert product.dimensions.volume_mm3 == 1_200_000
    assert product.hs_code == "610910"
    assert product.country_of_origin == "PT"
    assert product.attributes == {"size": "M", "colour": "black"}
    assert (product.active, product.returnable, product.is_kit, product.version) == (
        True,
        True,
        False,
        1,
    )
    stored = oms.catalog.get("TEE-M")
    assert attrs.asdict(stored) == attrs.asdict(product)


def test_dimensions_may_be_given_as_three_numbers(oms: OMS) -> None:
    product = oms.catalog.add_product("BOX", name="Box", dimensions=[100, 50, 25])
    assert product.dimensions == Dimensions(100, 50, 25)


def test_update_changes_only_the_given_fields(oms: OMS) -> None:
    oms.catalog.add_product("TEE-M", **TEE)
    updated = oms.catalog.update_product("TEE-M", price="21.00", hazmat=False)
    assert updated.price == Money("21.00", "EUR")  # the currency stays
    assert updated.name == TEE["name"]
    assert updated.version == 2
    assert oms.catalog.get("TEE-M").price == Money("21.00", "EUR")


def test_an_update_that_changes_nothing_keeps_the_version(oms: OMS) -> None:
    oms.catalog.add_product("TEE-M", **TEE)
    same = oms.catalog.update_product("TEE-M", name=TEE["name"])
    assert same.version == 1


def test_deactivate_and_reactivate_toggle_what_list_shows(oms: OMS) -> None:
    oms.catalog.add_product("TEE-M", **TEE)
    oms.catalog.add_product("MUG", name="Mug")
    assert oms.catalog.deactivate("TEE-M", reason="end of season").active is False
    assert oms.catalog.deactivate("TEE-M").version == 2  # already inactive: no change
    assert [p.sku for p in oms.catalog.list()] == ["MUG"]
    assert [p.sku for p in oms.catalog.list(active=False)] == ["TEE-M"]
    assert sorted(p.sku for p in oms.catalog.list(active=None)) == ["MUG", "TEE-M"]
    assert oms.catalog.reactivate("TEE-M").active is True
    assert oms.catalog.reactivate("TEE-M").version == 3
    assert sorted(p.sku for p in oms.catalog.list()) == ["MUG", "TEE-M"]


def test_products_are_found_by_sku_and_listed_by_attribute(oms: OMS) -> None:
    oms.catalog.add_product("TEE-M", **TEE)
    oms.catalog.add_product("TEE-L", **{**TEE, "attributes": {"size": "L"}})
    assert oms.catalog.find("TEE-M") is not None
    assert oms.catalog.find("NOPE") is None
    assert [p.sku for p in oms.catalog.list(attribute=("size", "L"))] == ["TEE-L"]
    with pytest.raises(UnknownSku, match="'NOPE'"):
        oms.catalog.get("NOPE")


def test_a_kit_lists_its_components(oms: OMS) -> None:
    oms.catalog.add_product("TEE-M", **TEE)
    oms.catalog.add_product("MUG", name="Mug")
    kit = oms.catalog.add_product(
        "GIFT-SET",
        name="Gift set",
        kit_components=[{"sku": "TEE-M", "quantity": 2}, KitComponent("MUG", 1)],
    )
    assert kit.is_kit
    assert kit.kit_components == (KitComponent("TEE-M", 2), KitComponent("MUG", 1))
    cleared = oms.catalog.update_product("GIFT-SET", kit_components=[])
    assert not cleared.is_kit


def test_the_catalog_records_events_for_every_change(oms: OMS) -> None:
    seen: list[str] = []
    oms.events.subscribe("seen", lambda e: seen.append(e.event_type))
    oms.catalog.add_product("TEE-M", **TEE)
    oms.catalog.update_product("TEE-M", name="Tee")
    oms.catalog.deactivate("TEE-M")
    oms.catalog.reactivate("TEE-M")
    assert seen == ["ProductAdded", "ProductUpdated", "ProductDeactivated", "ProductReactivated"]


def test_mutating_a_returned_product_does_not_change_the_catalog(oms: OMS) -> None:
    oms.catalog.add_product("TEE-M", **TEE)
    product = oms.catalog.get("TEE-M")
    product.attributes["size"] = "XXL"
    product.name = "hacked"
    again = oms.catalog.get("TEE-M")
    assert (again.name, again.attributes["size"]) == (TEE["name"], "M")


BAD_FIELDS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"price": 19.9}, FloatNotAllowed, "price"),
    ({"price": "1,2.3"}, InvalidAmount, "price"),
    ({"price": "abc"}, InvalidAmount, "price"),
    ({"price": "-1.00"}, InvalidAmount, "price"),
    ({"currency": "EURO"}, UnknownCurrency, "price.currency"),
    ({"currency": None}, ValidationError, "price.currency"),
    ({"weight_grams": -5}, InvalidQuantity, "weight_grams"),
    ({"weight_grams": 10**9}, InvalidQuantity, "weight_grams"),
    ({"weight_grams": 1.5}, FloatNotAllowed, "weight_grams"),
    (
        {"dimensions": {"length_mm": 0, "width_mm": 1, "height_mm": 1}},
        InvalidQuantity,
        "dimensions.length_mm",
    ),
    ({"dimensions": "big"}, ValidationError, "dimensions"),
    ({"hs_code": "61"}, ValidationError, "hs_code"),
    ({"hs_code": "ABCDEF"}, ValidationError, "hs_code"),
    ({"country_of_origin": "XX"}, UnknownCountry, "country_of_origin"),
    ({"tax_class": "luxury"}, ValidationError, "tax_class"),
    ({"returnable": "yes"}, ValidationError, "returnable"),
    ({"attributes": {"size": 5}}, ValidationError, "attributes.size"),
    ({"attributes": ["size"]}, ValidationError, "attributes"),
    ({"colour": "red"}, ValidationError, "colour"),
    ({"name": ""}, ValidationError, "name"),
    (
        {"kit_components": [{"sku": "bad sku!", "quantity": 1}]},
        InvalidSku,
        "kit_components[0].sku",
    ),
    (
        {"kit_components": [{"sku": "MUG", "quantity": 0}]},
        InvalidQuantity,
        "kit_components[0].quantity",
    ),
    ({"kit_components": 5}, ValidationError, "kit_components"),
    ({"kit_components": ["MUG"]}, ValidationError, "kit_components[0]"),
]


@pytest.mark.parametrize(("change", "error", "field"), BAD_FIELDS)
def test_bad_product_fields_raise_the_specific_error_and_store_nothing(
    oms: OMS, change: dict[str, Any], error: type[Exception], field: str
) -> None:
    oms.catalog.add_product("MUG", name="Mug")
    before = snapshot(oms)
    with pytest.raises(error) as info:
        oms.catalog.add_product("NEW-1", **{**TEE, **change})
    assert info.value.field == field  # type: ignore[attr-defined]
    assert field in str(info.value)
    assert snapshot(oms) == before


@pytest.mark.parametrize(("change", "error", "field"), BAD_FIELDS)
def test_bad_updates_raise_the_specific_error_and_change_nothing(
    oms: OMS, change: dict[str, Any], error: type[Exception], field: str
) -> None:
    oms.catalog.add_product("MUG", name="Mug")
    oms.catalog.add_product("TEE-M", **TEE)
    before = snapshot(oms)
    if "currency" in change and "price" not in change:
        change = {**change, "price": "1.00"}
    with pytest.raises(error) as info:
        oms.catalog.update_product("TEE-M", **change)
    assert info.value.field == field  # type: ignore[attr-defined]
    assert snapshot(oms) == before


@pytest.mark.parametrize("sku", ["", "bad sku", "-lead", "x" * 65, None, 7])
def test_a_bad_sku_raises_invalid_sku_and_stores_nothing(oms: OMS, sku: object) -> None:
    before = snapshot(oms)
    with pytest.raises(InvalidSku) as info:
        oms.catalog.add_product(sku, name="x")  # type: ignore[arg-type]
    assert info.value.field == "sku"
    assert snapshot(oms) == before


def test_several_bad_fields_are_reported_together(oms: OMS) -> None:
    with pytest.raises(ValidationError) as info:
        oms.catalog.add_product("X-1", name="", price=1.5, currency="EUR", hs_code="1")
    assert sorted(p.field for p in info.value.problems) == ["hs_code", "name", "price"]


def test_a_duplicate_sku_raises_already_exists_and_keeps_the_first(oms: OMS) -> None:
    oms.catalog.add_product("TEE-M", **TEE)
    before = snapshot(oms)
    with pytest.raises(AlreadyExists, match="'TEE-M'"):
        oms.catalog.add_product("TEE-M", name="Another")
    assert snapshot(oms) == before


def test_a_kit_with_an_unknown_component_or_itself_is_refused(oms: OMS) -> None:
    oms.catalog.add_product("MUG", name="Mug")
    before = snapshot(oms)
    with pytest.raises(UnknownSku) as info:
        oms.catalog.add_product("SET", name="Set", kit_components=[{"sku": "GHOST", "quantity": 1}])
    assert info.value.sku == "GHOST"
    with pytest.raises(ValidationError, match="cannot contain itself") as itself:
        oms.catalog.add_product("SET", name="Set", kit_components=[{"sku": "SET", "quantity": 1}])
    assert itself.value.field == "kit_components[0].sku"
    assert snapshot(oms) == before
    with pytest.raises(ValidationError, match="cannot contain itself"):
        oms.catalog.update_product("MUG", kit_components=[{"sku": "MUG"}])
    assert snapshot(oms) == before


def test_updating_or_toggling_an_unknown_sku_raises_unknown_sku(oms: OMS) -> None:
    for call in (
        lambda: oms.catalog.update_product("NOPE", name="x"),
        lambda: oms.catalog.deactivate("NOPE"),
        lambda: oms.catalog.reactivate("NOPE"),
    ):
        with pytest.raises(UnknownSku):
            call()


def test_an_update_with_nothing_to_change_is_refused(oms: OMS) -> None:
    oms.catalog.add_product("TEE-M", **TEE)
    with pytest.raises(ValidationError, match="at least one field"):
        oms.catalog.update_product("TEE-M")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25)
@given(data=products())
def test_generated_products_are_stored_as_given(oms: OMS, data: dict[str, Any]) -> None:
    fields = dict(data)
    sku = fields.pop("sku")
    if oms.catalog.find(sku) is not None:
        return
    product: Product = oms.catalog.add_product(sku, **fields)
    assert product.price == Money(Decimal(fields["price"]), "EUR")
    assert oms.catalog.get(sku).weight_grams == fields["weight_grams"]
