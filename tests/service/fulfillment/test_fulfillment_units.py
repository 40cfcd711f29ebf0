"""Property: every unit ordered ends up shipped, cancelled, backordered or still open.

Random sequences of fulfillment actions (release, accept, reject, full and short picks,
cancelling work before picking, packing, labels, hand-over, delivery) and order-side
cancellations run against a small world; after every step no unit is lost (what an
order line counts as allocated and unshipped is really held in stock), none is shipped
twice (the line's shipped count is what its dispatched shipments carried), and no
fulfillment order holds units its order does not count as allocated or its location
does not hold in stock (nothing is stuck). A failed step changes nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omskit import OMS
from omskit.carriers import SandboxCarrier
from omskit.errors import OmskitError
from omskit.testing import FakeClock

from ...webhooks import deliver  # noqa: TID252 - the shared test helpers live in tests/

Capture = Callable[..., Any]
ACTIONS = (
    "release",
    "accept",
    "reject",
    "cancel",
    "cancel_lines",
    "pick",
    "short",
    "pack",
    "ship",
    "hand_over",
    "deliver",
)
LIVE = ("released", "accepted", "picked", "packed", "partially_shipped", "sent_to_supplier")

orders_st = st.lists(
    st.dictionaries(
        st.sampled_from(("TEE-M", "MUG-01", "TV-55")), st.integers(1, 4), min_size=1, max_size=3
    ),
    min_size=1,
    max_size=3,
)
steps_st = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 7)), max_size=30)


def check_units(oms: OMS, order_ids: list[str]) -> None:
    for order_id in order_ids:
        order = oms.orders.get(order_id)
        shipments = [s for s in oms.fulfillment.shipments(order_id) if s.dispatched]
        held: dict[str, int] = {}
        for r in oms.inventory.reservations(order_id):
            held[r.line_ref] = held.get(r.line_ref, 0) + r.quantity
        for line in order.lines:
            carried = sum(s.lines.get(line.id, 0) for s in shipments)
            assert line.shipped == carried, "a unit was shipped twice or lost on the way"
            assert 0 <= line.shipped <= line.allocated <= line.active
            assert line.backordered <= line.active - line.allocated
            assert held.get(line.id, 0) == line.allocated - line.shipped, "held stock drifted"
            open_units = line.active - line.shipped - line.backordered
            assert line.shipped + line.cancelled + line.backordered + open_units == line.quantity
        in_work: dict[str, int] = {}
        for fo in oms.fulfillment.for_order(order_id):
            for x in fo.lines:
                assert x.picked + x.short <= x.quantity
                assert x.shipped <= x.packed <= x.picked
            if fo.status not in LIVE:
                continue
            for ref, qty in fo.open_units.items():
                in_work[ref] = in_work.get(ref, 0) + qty
                at = sum(
                    r.quantity
                    for r in oms.inventory.reservations(order_id)
                    if r.location == fo.location and r.line_ref == ref
                )
                assert qty <= at, "a fulfillment order holds units its location does not"
        for line in order.lines:
            held_here = in_work.get(line.id, 0)
            assert held_here <= line.allocated - line.shipped, "work stuck on cancelled units"


def snapshot(oms: OMS, order_ids: list[str]) -> Any:
    return [
        (
            repr(oms.orders.get(i).lines),
            [(f.status, repr(f.lines), len(f.boxes)) for f in oms.fulfillment.for_order(i)],
            [(s.status, s.dispatched, s.delivered) for s in oms.fulfillment.shipments(i)],
            [(r.location, r.quantity, r.consumed) for r in oms.inventory.reservations(i)],
        )
        for i in order_ids
    ]


def act(oms: OMS, order_ids: list[str], action: str, n: int) -> None:
    fos = [f for i in order_ids for f in oms.fulfillment.for_order(i)]
    shipments = [s for i in order_ids for s in oms.fulfillment.shipments(i)]

    def pick(items: list[Any]) -> Any:
        return items[n % len(items)] if items else None

    f = s = None
    if action == "release":
        oms.fulfillment.release(order_ids[n % len(order_ids)])
    elif action == "accept" and (f := pick([x for x in fos if x.status == "released"])):
        oms.fulfillment.accept(f.id)
    elif action == "reject" and (
        f := pick([x for x in fos if x.status in ("released", "accepted")])
    ):
        oms.fulfillment.reject(f.id, reason="random rejection")
    elif action == "cancel" and (
        f := pick(
            [
                x
                for x in fos
                if x.status in ("released", "accepted", "sent_to_supplier")
                and not any(y.picked for y in x.lines)
            ]
        )
    ):
        oms.fulfillment.cancel(f.id, reason="random cancellation")
    elif action == "cancel_lines":
        order = oms.orders.get(order_ids[n % len(order_ids)])
        line = order.lines[n % len(order.lines)]
        oms.orders.cancel_lines(order.id, {line.id: 1 + n % 2}, reason="random cancellation")
    elif action in ("pick", "short") and (f := pick([x for x in fos if x.status == "accepted"])):
        if action == "pick":
            oms.fulfillment.confirm_pick(f.id)
        else:
            line = f.lines[n % len(f.lines)]
            oms.fulfillment.confirm_pick(f.id, {line.line_ref: max(0, line.to_pick - 1 - n % 2)})
    elif action == "pack" and (
        f := pick([x for x in fos if x.status in ("picked", "packed", "partially_shipped")])
    ):
        oms.fulfillment.pack(f.id)
    elif action == "ship" and (
        f := pick([x for x in fos if any(not b.shipment_id for b in x.boxes)])
    ):
        oms.fulfillment.ship(f.id, carrier="sandbox", service="standard")
    elif action == "hand_over" and (s := pick([x for x in shipments if not x.dispatched])):
        oms.fulfillment.hand_over(s.id)
    elif action == "deliver" and (s := pick([x for x in shipments if not x.delivered])):
        sandbox = oms.carriers.get("sandbox")
        assert isinstance(sandbox, SandboxCarrier)
        for number in s.tracking_numbers:
            for payload in sandbox.webhook_payloads(oms.carriers.label(number).label):
                deliver(oms, "sandbox", payload)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders_st, steps_st)
def test_every_unit_ordered_ends_up_shipped_cancelled_backordered_or_open(
    make_world: Callable[[], tuple[OMS, FakeClock, Capture]],
    orders: list[dict[str, int]],
    steps: list[tuple[str, int]],
) -> None:
    oms, _clock, capture = make_world()
    for product in oms.catalog.list():  # short orders wait for stock instead of failing
        oms.inventory.set_backorder_policy(product.sku, "backorder")
    order_ids = [capture(lines).id for lines in orders]
    check_units(oms, order_ids)
    for action, n in steps:
        before = snapshot(oms, order_ids)
        try:
            act(oms, order_ids, action, n)
        except OmskitError:
            assert snapshot(oms, order_ids) == before, f"{action} failed half-way"
        check_units(oms, order_ids)
