"""Packing checks every item's shape and leaves room: volume alone does not make a fit."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit import ValidationError
from omskit.catalog.model import Dimensions
from omskit.fulfillment.packing import DEFAULT_FILL_FACTOR, Box, PackItem, lower_bound, pack
from omskit.fulfillment.settings import FulfillmentSettings

FLAT = Box("FLAT", Dimensions(300, 300, 50), 10_000, 100)
DEEP = Box("DEEP", Dimensions(300, 300, 200), 10_000, 200)


def tile() -> PackItem:
    return PackItem("TILE", 500, Dimensions(200, 200, 50))


def test_two_200mm_tiles_do_not_fit_a_300mm_flat_box_although_their_volume_would() -> None:
    assert 2 * tile().volume_mm3 <= FLAT.volume_mm3  # what the volume-only check saw
    result = pack([tile(), tile()], [FLAT])
    assert result.boxes_used == 2
    assert [len(p.items) for p in result.parcels] == [1, 1]
    assert result.lower_bound == 1  # reported against the same lower bound as before


def test_stacked_tiles_share_a_box_deep_enough() -> None:
    result = pack([tile(), tile()], [FLAT, DEEP])
    assert [(p.box.code, len(p.items)) for p in result.parcels] == [("DEEP", 2)]


def test_one_item_that_exactly_fits_needs_no_room_to_spare() -> None:
    snug = PackItem("SNUG", 500, Dimensions(50, 300, 300))  # FLAT turned on its side
    result = pack([snug], [FLAT])
    assert result.parcels[0].fill_ratio == 1.0


def test_the_fill_factor_is_an_argument_and_a_setting() -> None:
    items = [PackItem("CUBE", 100, Dimensions(100, 100, 100)) for _ in range(9)]
    box = Box("C", Dimensions(300, 300, 100), 10_000, 0)  # exactly nine cubes in one layer
    assert pack(items, [box], fill_factor=1).boxes_used == 1
    assert pack(items, [box]).boxes_used == 2
    assert FulfillmentSettings().packing_fill_factor == DEFAULT_FILL_FACTOR
    assert FulfillmentSettings.from_mapping({"packing_fill_factor": "0.7"}).packing_fill_factor == (
        0.7
    )


@pytest.mark.parametrize("value", [0, -0.5, 1.01, "lots", True, None])
def test_a_fill_factor_outside_zero_to_one_is_refused(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        FulfillmentSettings.from_mapping({"packing_fill_factor": value})
    assert info.value.field == "fulfillment.packing_fill_factor"
    with pytest.raises(ValidationError):
        pack([tile()], [FLAT], fill_factor=value)  # type: ignore[arg-type]


def fits_some_rotation(item: Dimensions, box: Dimensions) -> bool:
    inner = (box.length_mm, box.width_mm, box.height_mm)
    sides = (item.length_mm, item.width_mm, item.height_mm)
    return any(
        all(s <= b for s, b in zip(turned, inner, strict=True))
        for turned in itertools.permutations(sides)
    )


BOXES = (
    Box("S", Dimensions(250, 175, 100), 5_000, 120),
    Box("M", Dimensions(350, 250, 150), 10_000, 250),
    Box("FLAT", Dimensions(600, 400, 30), 8_000, 200),
)
items_st = st.builds(
    PackItem,
    sku=st.sampled_from(("A", "B", "C")),
    weight_grams=st.integers(1, 4_000),
    dimensions=st.one_of(
        st.none(),
        st.builds(Dimensions, st.integers(1, 600), st.integers(1, 250), st.integers(1, 30)),
        st.builds(Dimensions, st.integers(1, 150), st.integers(1, 250), st.integers(1, 350)),
    ),
)


@given(st.lists(items_st, max_size=25), st.sampled_from([0.6, 0.85, 1.0]))
def test_no_packed_item_is_larger_than_its_box_in_every_rotation(
    items: list[PackItem], fill: float
) -> None:
    result = pack(items, BOXES, fill_factor=fill)
    for parcel in result.parcels:
        for item in parcel.items:
            assert item.dimensions is None or fits_some_rotation(item.dimensions, parcel.box.inner)
        if len(parcel.items) > 1:
            assert sum(i.volume_mm3 for i in parcel.items) <= parcel.box.volume_mm3 * fill
        assert parcel.weight_grams <= parcel.box.max_weight_grams
    assert sorted(map(repr, (i for p in result.parcels for i in p.items))) == sorted(
        map(repr, items)
    )
    assert result.lower_bound == lower_bound(items, BOXES)
    assert result.boxes_used >= result.lower_bound
