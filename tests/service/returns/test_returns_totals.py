"""Order totals after returns: per line, per tax rate, where the money went, net sales."""

from __future__ import annotations

import pytest

from omskit import OMS, NotFound
from omskit.money import Money
from omskit.testing import FakeClock

from .returns_helpers import build_world, make_seller


def eur(value: str) -> Money:
    return Money(value, "EUR")


def test_totals_split_by_tax_rate_and_destination(clock: FakeClock) -> None:
    oms = OMS.in_memory({"returns": {"restocking_fee_percent": "10"}}, clock=clock,
                        autoload=False)  # fmt: skip
    build_world(oms)
    order = make_seller(oms)({"TEE": 2, "BOOK": 2}, shipping="4.90")
    before = oms.returns.totals(order.id)
    assert [(r.rate, str(r.sold.gross)) for r in before.rates] == [
        ("VAT 19% (DE)", "39.98 EUR"),
        ("VAT 7% (DE)", "48.00 EUR"),
    ]
    assert before.net_sales == order.total.gross == eur("92.88")

    rma = oms.returns.request(order.id, {"L2": 1}, authorize=True)  # one book, to credit
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id)
    oms.returns.refund(rma.id, to="store_credit")
    tee = oms.returns.request(order.id, {"L1": 1}, authorize=True)  # one tee, exchanged
    oms.returns.receive(tee.id)
    oms.returns.inspect(tee.id)
    oms.returns.exchange(tee.id, {"TEE-L": 1})

    totals = oms.returns.totals(order.id)
    book, shirt = totals.lines[1], totals.lines[0]
    assert (book.returned_units, str(book.returned.gross), str(book.fees)) == (
        1,
        "24.00 EUR",
        "2.40 EUR",
    )
    assert str(book.returned.tax) == "1.57 EUR"  # 7 % of the book, as charged
    assert shirt.returned_units == 1
    reduced = next(r for r in totals.rates if r.rate == "VAT 7% (DE)")
    assert reduced.returned == book.returned
    assert str(reduced.kept.gross) == "24.00 EUR"
    assert totals.to_store_credit == eur("21.60")  # 24.00 less the 10 % fee
    assert totals.to_exchanges == eur("17.99")  # the tee's value, fee kept, paid the swap
    assert totals.to_card.is_zero
    assert totals.refunded == eur("39.59")
    assert totals.net_sales == eur("53.29")
    assert "refunded 39.59 EUR, net sales 53.29 EUR" in totals.explain()
    assert "  L2 BOOK x1/2 back: 24.00 EUR of 48.00 EUR, fees 2.40 EUR [VAT 7% (DE)]" in (
        totals.explain()
    )
    with pytest.raises(NotFound):
        oms.returns.totals("ord_nope")
