"""Properties over random orders and random sequences of partial returns.

Currencies with 0, 2 and 3 decimals (JPY, EUR, KWD), tax included and on top, an
order-level discount or none, shipping or none; partial returns with some units refused
at inspection, each refunded to the card, to store credit, split, or exchanged for the
same goods. After every step:
refunds never exceed what was captured, the RMAs' refunds add up to the payment's and
to the store credit ledger's, returned units never exceed delivered ones, stock and
ledger agree, and the order's totals (per line, per tax rate, net sales) equal the sum
of their parts. At the end, returning everything refunds exactly what was captured,
and exactly what was charged at every tax rate.
"""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from omskit import OMS
from omskit.money import Money, TaxedMoney, allocate
from omskit.returns import ReturnNotEligible
from omskit.testing import FakeClock

from .returns_helpers import build_world, make_seller

STEP = st.tuples(st.sampled_from(["L1", "L2", "L3"]), st.integers(1, 4), st.integers(0, 2),
                 st.sampled_from(["changed_mind", "defective", "too_small"]),
                 st.sampled_from(["original", "store_credit", "split", "exchange"]))  # fmt: skip


def check_invariants(oms: OMS, order_id: str) -> None:
    payment = oms.payments.get(order_id)
    zero = Money.zero(payment.currency)
    assert payment.refunded <= payment.captured
    records = [r for rma in oms.returns.for_order(order_id) for r in rma.refunds]
    assert sum((r.to_card for r in records), zero) == payment.refunded
    credited = sum((r.credit or zero for r in records), zero)
    assert credited == payment.adjusted("credit_refund")
    assert credited == oms.payments.store_credit("dana@example.com", payment.currency)
    assert payment.refunded + credited <= payment.captured
    order = oms.orders.get(order_id)
    for line in order.lines:
        assert 0 <= line.returned <= line.delivered
    assert oms.inventory.reconcile() == []
    totals = oms.returns.totals(order_id)
    assert totals.refunded == sum((r.breakdown.total for r in records), zero)
    assert totals.to_card + totals.to_store_credit + totals.to_exchanges == totals.refunded
    assert (totals.to_card, totals.to_store_credit) == (payment.refunded, credited)
    assert totals.net_sales == order.total.gross - totals.refunded
    assert totals.net_sales.amount >= 0
    tzero = TaxedMoney(zero, zero)
    by_line = sum((x.returned for x in totals.lines), tzero)
    assert by_line == sum((r.returned for r in totals.rates), tzero)
    assert sum((x.sold for x in totals.lines), tzero) == sum((r.sold for r in totals.rates), tzero)
    parts = by_line.gross - totals.fees + totals.shipping_refunded + totals.duties_refunded
    assert parts - totals.label - totals.capped == totals.refunded
    for x in totals.lines:
        assert x.returned_units == order.line(x.line_id).returned
        assert zero <= x.returned.net <= x.sold.net
        assert zero <= x.returned.gross <= x.sold.gross


def give_back(  # noqa: PLR0917
    oms: OMS, order_id: str, lines: dict[str, int], rejected: int, reason: str,
    to: str = "original",
) -> None:  # fmt: skip
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
    accepted = {x.sku: x.accepted for x in oms.returns.get(rma.id).lines if x.accepted}
    if to == "exchange" and accepted:  # the same goods again: the credit pays for them
        oms.returns.exchange(rma.id, accepted)
    elif to == "split":
        half = allocate(oms.returns.simulate(rma.id).total, [1, 1])[0]
        oms.returns.refund(rma.id, store_credit=half)
    else:
        oms.returns.refund(rma.id, to="original" if to == "exchange" else to)


@given(
    channel=st.sampled_from(["web", "jp-shop", "kw-shop"]),
    tees=st.integers(1, 5),
    mugs=st.integers(1, 5),
    books=st.integers(1, 3),
    shipping=st.integers(0, 9),
    discount=st.booleans(),
    steps=st.lists(STEP, max_size=4),
)
def test_partial_returns_never_refund_more_than_captured_and_all_of_it_at_the_end(  # noqa: PLR0917
    channel: str, tees: int, mugs: int, books: int, shipping: int, discount: bool,
    steps: list[tuple[str, int, int, str, str]],
) -> None:  # fmt: skip
    oms = OMS.in_memory(clock=FakeClock(), autoload=False)
    build_world(oms)
    if discount:
        oms.pricing.add_promotion("OFF", name="7% off", kind="percent", percent="7")
    extra = {"shipping": str(shipping)} if shipping else {}
    lines = {"TEE": tees, "MUG": mugs, "BOOK": books}  # BOOK: the reduced tax rate
    order = make_seller(oms)(lines, channel=channel, **extra)
    check_invariants(oms, order.id)
    for line_id, qty, rejected, reason, to in steps:
        with contextlib.suppress(ReturnNotEligible):  # more than is still out: refused whole
            give_back(oms, order.id, {line_id: qty}, rejected, reason, to)
        check_invariants(oms, order.id)
    order = oms.orders.get(order.id)
    out = {x.id: x.delivered - x.returned for x in order.lines if x.delivered > x.returned}
    if out:
        give_back(oms, order.id, out, 0, "changed_mind")
    check_invariants(oms, order.id)
    payment = oms.payments.get(order.id)
    credited = payment.adjusted("credit_refund")
    totals = oms.returns.totals(order.id)
    assert payment.captured == order.total.gross
    assert payment.refunded + credited + totals.to_exchanges == payment.captured
    assert len(totals.rates) == 2
    for rate in totals.rates:
        assert rate.returned == rate.sold  # every tax rate refunded exactly as charged
    assert totals.net_sales.is_zero
