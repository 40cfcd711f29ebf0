"""Pick lists: bin codes, merging by SKU, the serpentine order and the path metric."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.fulfillment.errors import InvalidBinCode
from omskit.fulfillment.picking import (
    BinLocation,
    Layout,
    PickDemand,
    build_pick_list,
    path_length,
    serpentine,
)


@pytest.mark.parametrize(
    ("code", "parsed"),
    [
        ("A-03-2-B", BinLocation("A", 3, 2, "B")),
        (" b-12-10-04 ", BinLocation("B", 12, 10, "04")),
        ("ZZ-1-1-A1", BinLocation("ZZ", 1, 1, "A1")),
    ],
)
def test_bin_codes_are_read_into_zone_aisle_shelf_and_bin(code: str, parsed: BinLocation) -> None:
    assert BinLocation.parse(code) == parsed
    assert BinLocation.parse(parsed.code) == parsed


@pytest.mark.parametrize("code", ["A-03-2", "A03-2-B", "", "1-2-3-4", None, "A-1000-1-B"])
def test_unreadable_bin_codes_are_refused(code: object) -> None:
    with pytest.raises(InvalidBinCode) as info:
        BinLocation.parse(code, "bins.TEE")
    assert info.value.field == "bins.TEE"


def test_serpentine_walks_up_one_aisle_and_down_the_next() -> None:
    bins = [BinLocation.parse(c) for c in ("A-02-1-A", "A-01-5-A", "A-01-2-A", "A-02-7-A")]
    assert [b.code for b in serpentine(bins)] == ["A-01-2-A", "A-01-5-A", "A-02-7-A", "A-02-1-A"]


def test_the_path_metric_leaves_an_aisle_by_the_nearer_end() -> None:
    lay = Layout(aisle_spacing_m=3.0, shelf_length_m=1.0, shelves_per_aisle=9)  # aisles 10 m
    one = [BinLocation("A", 1, 2, "A")]
    # depot (0,0) -> aisle 1 at y=2 (3 m across + 2 m up) -> back to the depot (5 m)
    assert path_length(one, lay) == 10.0
    far = [BinLocation("A", 1, 9, "A"), BinLocation("A", 2, 9, "A")]
    # 3 + 9 up; over the back: 3 + (1 + 1); then 6 + 9 home
    assert path_length(far, lay) == 3 + 9 + 3 + 2 + 6 + 9
    assert path_length([], lay) == 0.0


def test_a_wave_merges_lines_by_sku_and_keeps_who_needs_them() -> None:
    bins = {"TEE": BinLocation.parse("A-02-3-A"), "MUG": BinLocation.parse("A-01-1-C")}
    demands = [
        PickDemand("fo_1", "l1", "TEE", 2),
        PickDemand("fo_1", "l2", "MUG", 1),
        PickDemand("fo_2", "l1", "TEE", 3),
        PickDemand("fo_2", "l2", "CAP", 1),  # no bin assigned
    ]
    pick = build_pick_list("BER", demands, bins)
    assert [(t.sku, t.quantity) for t in pick.tasks] == [("MUG", 1), ("TEE", 5), ("CAP", 1)]
    assert [s.reference for s in pick.tasks[1].sources] == ["fo_1", "fo_2"]
    assert pick.references == ("fo_1", "fo_2")
    assert [t.sku for t in pick.unlocated] == ["CAP"]
    assert pick.units == 7


bins_st = st.builds(
    BinLocation,
    zone=st.sampled_from("AB"),
    aisle=st.integers(1, 12),
    shelf=st.integers(1, 20),
    bin=st.sampled_from("ABC"),
)


@given(st.lists(bins_st, min_size=1, max_size=40))
def test_the_serpentine_order_is_a_permutation_that_never_revisits_an_aisle(
    bins: list[BinLocation],
) -> None:
    route = serpentine(bins)
    assert sorted(route) == sorted(bins)
    visits = [(b.zone, b.aisle) for b in route]
    entered = [v for i, v in enumerate(visits) if i == 0 or visits[i - 1] != v]
    assert len(entered) == len(set(entered))


@given(st.lists(bins_st, min_size=1, max_size=40, unique=True))
def test_the_sorted_walk_stays_within_the_s_shape_bound(bins: list[BinLocation]) -> None:
    # Entering every visited aisle at one end and leaving by the other costs at most one
    # aisle length each, plus walking across and back, plus one aisle to get home.
    lay = Layout()
    one_zone = [BinLocation("A", b.aisle, b.shelf, b.bin) for b in bins]
    aisles = {b.aisle for b in one_zone}
    length = lay.aisle_length(one_zone)
    bound = (len(aisles) + 1) * length + 2 * max(aisles) * lay.aisle_spacing_m
    assert path_length(serpentine(one_zone), lay) <= bound + 1e-6


def test_the_sorted_walk_beats_line_order_on_a_scattered_wave() -> None:
    codes = ["A-05-18-A", "A-01-2-A", "A-04-3-A", "A-01-17-B", "A-05-1-C", "A-02-10-A"]
    bins = {f"S{i}": BinLocation.parse(c) for i, c in enumerate(codes)}
    demands = [PickDemand("fo_1", f"l{i}", sku, 1) for i, sku in enumerate(bins)]
    pick = build_pick_list("BER", demands, bins)
    assert pick.path_length_m < pick.line_order_length_m
