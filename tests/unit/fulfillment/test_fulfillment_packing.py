"""Packing: box choice, limits, ship-alone items, the lower bound, oversize items."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.catalog.model import Dimensions
from omskit.fulfillment.errors import ItemTooLarge
from omskit.fulfillment.packing import DEFAULT_BOXES, Box, PackItem, lower_bound, pack

BOXES = (
    Box("S", Dimensions(200, 150, 100), 3_000, 100),
    Box("M", Dimensions(400, 300, 200), 10_000, 300),
)


def test_a_long_item_fits_when_turned() -> None:
    rod = PackItem("ROD", 500, Dimensions(100, 380, 50))  # longer than the box is wide
    result = pack([rod], BOXES)
    assert [p.box.code for p in result.parcels] == ["M"]


def test_small_items_share_the_smallest_box_that_holds_them() -> None:
    items = [PackItem("TEE", 200, Dimensions(100, 100, 30)) for _ in range(4)]
    result = pack(items, BOXES)
    assert [p.box.code for p in result.parcels] == ["S"]
    assert result.parcels[0].weight_grams == 100 + 4 * 200
    assert result.boxes_used == result.lower_bound == 1


def test_weight_limits_open_a_new_box_even_with_room_left() -> None:
    items = [PackItem("IRON", 4_000, Dimensions(100, 100, 100)) for _ in range(3)]
    result = pack(items, BOXES)
    assert result.boxes_used == 2  # 9.7 kg payload per M box: two irons each at most
    assert all(p.weight_grams <= p.box.max_weight_grams for p in result.parcels)
    assert result.lower_bound == 2


def test_ship_alone_items_get_a_parcel_each() -> None:
    items = [
        PackItem("TV", 2_000, Dimensions(380, 280, 50), ship_alone=True),
        PackItem("TV", 2_000, Dimensions(380, 280, 50), ship_alone=True),
        PackItem("TEE", 200, Dimensions(100, 100, 30)),
    ]
    result = pack(items, BOXES)
    assert sorted(p.quantities().get("TV", 0) for p in result.parcels) == [0, 1, 1]
    assert result.lower_bound == 2
    assert result.boxes_used == 3


def test_an_item_larger_than_every_box_is_refused_naming_it() -> None:
    items = [PackItem("TEE", 200, Dimensions(100, 100, 30)), PackItem("SOFA", 40_000)]
    with pytest.raises(ItemTooLarge) as info:
        pack(items, BOXES)
    assert info.value.sku == "SOFA"
    assert info.value.field == "items[1]"
    with pytest.raises(ItemTooLarge, match="largest box M is 400x300x200"):
        pack([PackItem("POLE", 100, Dimensions(1000, 20, 20))], BOXES)


def test_the_explanation_lists_every_parcel() -> None:
    items = [PackItem("TEE", 200, Dimensions(100, 100, 30)), PackItem("MUG", 350)]
    text = pack(items).explain()
    assert text.splitlines()[0] == "1 parcel(s) (lower bound 1)"
    assert "1 x MUG, 1 x TEE" in text


items_st = st.builds(
    PackItem,
    sku=st.sampled_from(("A", "B", "C", "D")),
    weight_grams=st.integers(1, 9_000),
    dimensions=st.one_of(
        st.none(),
        st.builds(Dimensions, st.integers(1, 390), st.integers(1, 290), st.integers(1, 190)),
    ),
    ship_alone=st.sampled_from((False, False, False, True)),
)


@given(st.lists(items_st, max_size=30))
def test_a_parcels_items_never_exceed_its_boxs_weight_limit_or_volume(
    items: list[PackItem],
) -> None:
    result = pack(items, BOXES)
    packed = [i for p in result.parcels for i in p.items]
    assert sorted(packed, key=repr) == sorted(items, key=repr)  # each unit exactly once
    for parcel in result.parcels:
        assert parcel.weight_grams <= parcel.box.max_weight_grams
        assert sum(i.volume_mm3 for i in parcel.items) <= parcel.box.volume_mm3
        assert all(parcel.box.takes(i) for i in parcel.items)
        if any(i.ship_alone for i in parcel.items):
            assert len(parcel.items) == 1
    assert result.boxes_used >= lower_bound(items, BOXES)
    assert result.lower_bound == lower_bound(items, BOXES)


def test_the_default_catalogue_runs_from_small_to_extra_large() -> None:
    volumes = [b.volume_mm3 for b in DEFAULT_BOXES]
    assert volumes == sorted(volumes)
    assert lower_bound([], DEFAULT_BOXES) == 0
