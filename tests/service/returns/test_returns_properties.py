"""Properties over random orders and random sequences of partial returns.

Currencies with 0, 2 and 3 decimals (JPY, EUR, KWD), tax included and on top, an
order-level discount or none, shipping or none; partial returns with some units refused
at inspection. After every step: refunds never exceed what was captured, the RMAs'
refunds add up to the payment's, returned units never exceed delivered ones, stock and
ledger agree. At the end, returning everything refunds exactly what was captured.
"""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from omskit import OMS
from omskit.money import Money
from omskit.returns import ReturnNotEligible
from omskit.testing import FakeClock

from .returns_helpers import build_world, make_seller

STEP = st.tuples(st.sampled_from(["L1", "L2"]), st.integers(1, 4), st.integers(0, 2),
                 st.sampled_from(["changed_mind", "defective", "too_small"]))  # fmt: skip


def check_invariants(oms: OMS, order_id: str) -> None:
    payment = oms.payments.get(order_id)
    assert payment.refunded <= payment.captured
    paid = sum(
        (r.breakdown.total for rma in oms.returns.for_order(order_id) for r in rma.refunds),
        Money.zero(payment.currency),
    )
    assert paid == payment.refunded
    order = oms.orders.get(order_id)
    for line in order.lines:
        assert 0 <= line.returned <= line.delivered
    assert oms.inventory.reconcile() == []


def give_back(oms: OMS, order_id: str, lines: dict[str, int], rejected: int, reason: str) -> None:
    rma = oms.returns.request(
        order_id, [{"line": k, "quantity": v, "reason": reason} for k, v in lines.items()],
        authorize=True,
    )  # fmt: skip
    oms.returns.receive(rma.id)
    plan: dict[str, dict[str, int]] = {}
    for k, v in lines.items():
        refused = min(rejected, v)
        rejected -= refused
        plan[k] = {"restock": v - refused, "rejected": refused}
    oms.returns.inspect(rma.id, plan)
    oms.returns.refund(rma.id)


@given(
    channel=st.sampled_from(["web", "jp-shop", "kw-shop"]),
    tees=st.integers(1, 5),
    mugs=st.integers(1, 5),
    shipping=st.integers(0, 9),
    discount=st.booleans(),
    steps=st.lists(STEP, max_size=4),
)
def test_partial_returns_never_refund_more_than_captured_and_all_of_it_at_the_end(  # noqa: PLR0917
    channel: str, tees: int, mugs: int, shipping: int, discount: bool,
    steps: list[tuple[str, int, int, str]],
) -> None:  # fmt: skip
    oms = OMS.in_memory(clock=FakeClock(), autoload=False)
    build_world(oms)
    if discount:
        oms.pricing.add_promotion("OFF", name="7% off", kind="percent", percent="7")
    extra = {"shipping": str(shipping)} if shipping else {}
    order = make_seller(oms)({"TEE": tees, "MUG": mugs}, channel=channel, **extra)
    check_invariants(oms, order.id)
    for line_id, qty, rejected, reason in steps:
        with contextlib.suppress(ReturnNotEligible):  # more than is still out: refused whole
            give_back(oms, order.id, {line_id: qty}, rejected, reason)
        check_invariants(oms, order.id)
    order = oms.orders.get(order.id)
    out = {x.id: x.delivered - x.returned for x in order.lines if x.delivered > x.returned}
    if out:
        give_back(oms, order.id, out, 0, "changed_mind")
    check_invariants(oms, order.id)
    payment = oms.payments.get(order.id)
    assert payment.refunded == payment.captured == order.total.gross
