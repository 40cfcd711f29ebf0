"""Properties: breakdowns add up to totals; conversion uses the recorded rate exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from omskit.money import Money, quantize
from omskit.reporting import FactSet, LineFact, Query, RateBook, RecordedRate, run_query

UTC = dt.UTC
DAY0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
CURRENCIES = ("EUR", "USD", "JPY", "KWD")


def _amount(cur: str) -> st.SearchStrategy[Decimal]:
    places = {"JPY": 0, "KWD": 3}.get(cur, 2)
    return st.integers(0, 10**7).map(lambda n: Decimal(n).scaleb(-places))


@st.composite
def line_facts(draw: st.DrawFn) -> LineFact:
    cur = draw(st.sampled_from(CURRENCIES))
    units = draw(st.integers(0, 50))
    return LineFact(
        order_id=f"o{draw(st.integers(0, 30))}", line_id="L1",
        sku=draw(st.sampled_from(["TEE", "MUG", "CAP"])),
        category=draw(st.sampled_from(["apparel", "home", ""])),
        channel=draw(st.sampled_from(["web", "app", "pos"])),
        region=draw(st.sampled_from(["DE", "FR", "US-NY"])),
        location=draw(st.sampled_from(["BER", "MUC", ""])), currency=cur,
        placed_at=DAY0 + dt.timedelta(hours=draw(st.integers(0, 24 * 60))),
        units=units, shipped_units=draw(st.integers(0, units)), cancelled_units=0,
        backordered_units=0, returned_units=0, gross_sales=draw(_amount(cur)),
        discount=draw(_amount(cur)), net_sales=draw(_amount(cur)), tax=draw(_amount(cur)),
        cost=draw(st.none() | _amount(cur)),
    )  # fmt: skip


rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("500"), places=4)


def book(eur_usd: Decimal, eur_jpy: Decimal, kwd_eur: Decimal) -> RateBook:
    def rec(base: str, quote: str, rate: Decimal) -> RecordedRate:
        return RecordedRate(id=f"{base}{quote}", base=base, quote=quote, rate=rate,
                            on=dt.date(2026, 1, 1))  # fmt: skip

    return RateBook([rec("EUR", "USD", eur_usd), rec("EUR", "JPY", eur_jpy),
                     rec("KWD", "EUR", kwd_eur)])  # fmt: skip


def facts_of(rows: list[LineFact]) -> FactSet:
    return FactSet(orders=(), lines=tuple(rows), shipments=(), returns=(), ledger=(),
                   as_of=DAY0)  # fmt: skip


@given(
    st.lists(line_facts(), max_size=40),
    rates,
    rates,
    rates,
    st.sampled_from(["channel", "region", "location", "sku", "category", "week"]),
)
def test_sums_by_any_dimension_equal_the_total_in_any_currency(
    rows: list[LineFact], a: Decimal, b: Decimal, c: Decimal, dim: str
) -> None:  # fmt: skip
    rb = book(a, b, c)
    converted = facts_of(rows).converted(
        "EUR", lambda cur, at: rb.rate(cur, "EUR", at.date()).rate, quantize
    )
    measures = ("units", "net_sales", "gross_sales", "cost", "unit_fill_rate")
    total = run_query(converted.lines, Query("lines", measures), "EUR", UTC)[0]
    parts = run_query(converted.lines, Query("lines", measures, (dim,)), "EUR", UTC)
    assert sum(p["units"] for p in parts) == total["units"]  # type: ignore[misc]
    for name in ("net_sales", "gross_sales", "cost"):
        assert sum((p[name].amount for p in parts), Decimal(0)) == total[name].amount  # type: ignore[union-attr]
    assert sum(p["unit_fill_rate"].numerator for p in parts) == total["unit_fill_rate"].numerator  # type: ignore[union-attr]
    assert (
        sum(p["unit_fill_rate"].denominator for p in parts) == total["unit_fill_rate"].denominator
    )  # type: ignore[union-attr]


@given(st.lists(line_facts(), max_size=40), rates, rates, rates, st.sampled_from(CURRENCIES))
def test_a_converted_total_is_the_sum_of_each_row_at_its_recorded_rate(
    rows: list[LineFact], a: Decimal, b: Decimal, c: Decimal, to: str
) -> None:  # fmt: skip
    rb = book(a, b, c)
    converted = facts_of(rows).converted(
        to, lambda cur, at: rb.rate(cur, to, at.date()).rate, quantize
    )
    expected = sum(
        (r.net_sales if r.currency == to
         else quantize(r.net_sales * rb.rate(r.currency, to, r.placed_at.date()).rate, to)
         for r in rows),
        Decimal(0),
    )  # fmt: skip
    (row,) = run_query(converted.lines, Query("lines", ("net_sales",)), to, UTC)
    assert row["net_sales"] == Money(quantize(expected, to), to)
    assert all(r.currency == to for r in converted.lines)
    for r in converted.lines:  # every converted amount is in the currency's minor unit
        assert r.net_sales == quantize(r.net_sales, to)


def test_a_recorded_rate_applies_from_its_day_on_and_the_inverse_is_used() -> None:
    rb = RateBook([
        RecordedRate(id="a", base="EUR", quote="USD", rate=Decimal("1.10"),
                     on=dt.date(2026, 11, 1)),
        RecordedRate(id="b", base="EUR", quote="USD", rate=Decimal("1.25"),
                     on=dt.date(2026, 11, 5)),
    ])  # fmt: skip
    assert rb.rate("EUR", "USD", dt.date(2026, 11, 4)).rate == Decimal("1.10")
    assert rb.rate("EUR", "USD", dt.date(2026, 11, 5)).rate == Decimal("1.25")
    assert rb.rate("USD", "EUR", dt.date(2026, 11, 6)).rate == Decimal(1) / Decimal("1.25")
    assert "inverse" in rb.rate("USD", "EUR", dt.date(2026, 11, 6)).source
