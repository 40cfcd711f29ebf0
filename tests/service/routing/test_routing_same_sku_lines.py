"""Two lines of one SKU share that SKU's stock: no strategy may count it twice."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from omskit import OMS
from omskit.customers import Address
from omskit.routing import SourcingLine, SourcingRequest

STRATEGIES = ("priority", "nearest", "fewest_shipments", "lowest_cost", "dropship",
              "highest_stock")  # fmt: skip
BERLIN = Address(country="DE", line1="Invalidenstr. 1", city="Berlin", postal_code="10115")


def _shop(stock: list[int]) -> OMS:
    oms = OMS.in_memory(autoload=False)
    oms.catalog.add_product("DUP-1", name="Duplicated", price="5.00", currency="EUR")
    for i, units in enumerate(stock):
        code = f"W{i}"
        oms.inventory.add_location(code, name=code, country="DE", lat=48 + i, lon=11 + i)
        if units:
            oms.inventory.receive("DUP-1", location=code, quantity=units)
    return oms


@settings(max_examples=40)
@given(
    stock=st.lists(st.integers(0, 9), min_size=1, max_size=4),
    quantities=st.lists(st.integers(1, 9), min_size=2, max_size=4),
    strategy=st.sampled_from(STRATEGIES),
    allow_split=st.booleans(),
)
def test_lines_of_one_sku_never_take_more_than_a_location_holds(
    stock: list[int], quantities: list[int], strategy: str, allow_split: bool
) -> None:
    oms = _shop(stock)
    lines = tuple(SourcingLine(f"l{i}", "DUP-1", q) for i, q in enumerate(quantities))
    request = SourcingRequest(
        reference="ord-1", lines=lines, ship_to=BERLIN, allow_split=allow_split
    )
    plan = oms.routing.plan(request, strategy)
    taken: dict[str, int] = {}
    per_line: dict[str, int] = {}
    for a in plan.allocations:
        taken[a.location] = taken.get(a.location, 0) + a.quantity
        per_line[a.line_ref] = per_line.get(a.line_ref, 0) + a.quantity
    for i, units in enumerate(stock):
        assert taken.get(f"W{i}", 0) <= units
    for line in lines:
        short = sum(u.quantity for u in plan.unfulfilled if u.line_ref == line.line_ref)
        assert per_line.get(line.line_ref, 0) + short == line.quantity
    # the plan is reservable as a whole: check-and-reserve accepts it
    if plan.allocations:
        oms.inventory.reserve(reference="ord-1", allocations=plan.allocations)
        assert sum(r.quantity for r in oms.inventory.reservations("ord-1")) == sum(taken.values())
