"""KPIs over the hand-computed history of ``reporting_helpers`` (see its docstring)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from omskit import OMS, NotFound, ValidationError
from omskit.money import Money
from omskit.reporting import DIMENSIONS, MEASURES, Ratio

from .reporting_helpers import capture, history, world

NOV = ("2026-11-01", "2026-11-30")


@pytest.fixture(scope="module")
def oms() -> OMS:
    return history()[0]


def eur(text: str) -> Money:
    return Money(Decimal(text), "EUR")


def test_sales_kpis_match_the_hand_computed_history(oms: OMS) -> None:
    """Web prices include German VAT (19 %), the FR order French VAT (20 %).

    W-1: TEE 2 x 20.00 = 40.00 gross -> 33.61 net; MUG 10.00 -> 8.40 net.
    W-2: cancelled, nothing left.  A-1: MUG 3 x 10.00 = 30.00 -> 25.00 net.
    W-3: TEE 20.00 -> 16.81 net.   Net sales 33.61 + 8.40 + 25.00 + 16.81 = 83.82.
    Gross sales 40 + 10 + 30 + 20 = 100.00; tax 100.00 - 83.82 = 16.18.
    AOV = 83.82 / 3 orders not cancelled = 27.94. Units 2 + 1 + 3 + 1 = 7 active units.
    Cost 7 units: TEE 3 x 8 + MUG 4 x 4 = 40.00; line margin (83.82 - 40) / 83.82.
    """
    r = oms.reports.kpis(*NOV)
    assert r["orders"] == 4
    assert r["cancelled_orders"] == 1
    assert r["cancellation_rate"] == Ratio(1, 4)
    assert r["gross_sales"] == eur("100.00")
    assert r["net_sales"] == eur("83.82")
    assert r["tax"] == eur("16.18")
    assert r["discounts"] == eur("0.00")
    assert r["average_order_value"] == eur("27.94")
    assert r["units"] == 7
    assert r["units_per_order"] == Decimal("2.33")
    assert r["cancelled_units"] == 1
    assert r["cost"] == eur("40.00")
    assert r["line_margin"] == Ratio(Decimal("43.82"), Decimal("83.82"))
    assert r["gross_margin"] == Ratio(Decimal("43.82"), Decimal("83.82"))
    assert r["refunds"] == eur("0.00")


def test_fulfillment_kpis_match_the_hand_computed_history(oms: OMS) -> None:
    """W-1 shipped complete (3 units) and was delivered; A-1 shipped complete (3 units)
    but is not delivered; W-3 waits. Units shipped 6 of 7 active -> unit fill rate 6/7.
    Line rows: W-1 L1, W-1 L2, A-1 L1 shipped complete, W-3 L1 not -> 3/4 (W-2's line has
    no active units). Order fill rate: W-1, A-1 of the 3 not cancelled -> 2/3.
    Perfect orders: finished orders are W-1 (delivered, perfect) and W-2 (cancelled,
    not in full) -> 1/2. Both shipments left within 48 h -> on-time ship 2/2; W-1's was
    delivered on its promised day -> on-time delivery 1/1.
    """
    r = oms.reports.kpis(*NOV)
    assert r["unit_fill_rate"] == Ratio(6, 7)
    assert r["line_fill_rate"] == Ratio(3, 4)
    assert r["order_fill_rate"] == Ratio(2, 3)
    assert r["perfect_order_rate"] == Ratio(1, 2)
    assert r["split_shipment_rate"] == Ratio(0, 2)
    assert r["shipments"] == 2
    assert r["units_shipped"] == 6
    assert r["on_time_ship_rate"] == Ratio(2, 2)
    assert r["on_time_delivery_rate"] == Ratio(1, 1)
    assert r["backorder_rate"] == Ratio(0, 4)
    released = r["placed_to_released"]
    assert released is not None
    assert released.count == 2
    assert released.p90 == dt.timedelta(hours=1)  # type: ignore[union-attr]


def test_stock_kpis_replay_the_ledger(oms: OMS) -> None:
    """40 units received (20 TEE, 20 MUG at BER) before any sale; 6 shipped (TEE 2, MUG 4).

    Sell-through = 6 / (0 on hand at the start + 40 received) = 15 %. Nothing ran out.
    Days of supply over Nov 1..30 (the levels exist from Nov 2: 29 days) =
    34 on hand x 29 days / 6 sold = 164.3.
    """
    r = oms.reports.kpis(*NOV)
    assert r["units_received"] == 40
    assert r["units_sold"] == 6
    assert r["sell_through"] == Ratio(6, 40)
    assert r["stockout_rate"] == Ratio(0, 58)
    assert r["days_of_supply"] == Decimal("164.3")
    assert r["dead_stock"] == 0


def test_every_kpi_has_a_formula_and_a_value(oms: OMS) -> None:
    r = oms.reports.kpis(*NOV)
    assert set(r.totals) == set(MEASURES)
    for name in r.totals:
        assert r.formula(name)
    assert "net_sales" in r.describe()


def test_breakdowns_by_channel_add_up_to_the_totals(oms: OMS) -> None:
    r = oms.reports.kpis(*NOV, by="channel")
    assert set(r.groups) == {"web", "app"}
    assert r.groups["web"]["orders"] == 3
    assert r.groups["app"]["net_sales"] == eur("25.00")
    for name, m in MEASURES.items():
        if not m.additive or "channel" not in DIMENSIONS[m.table]:
            continue
        parts = [g[name] for g in r.groups.values() if name in g]
        total = r.totals[name]
        if isinstance(total, Money):
            assert sum((p.amount for p in parts), Decimal(0)) == total.amount  # type: ignore[union-attr]
        elif isinstance(total, Ratio):
            assert sum(p.numerator for p in parts) == total.numerator  # type: ignore[union-attr]
            assert sum(p.denominator for p in parts) == total.denominator  # type: ignore[union-attr]
        elif isinstance(total, int):
            assert sum(parts) == total  # type: ignore[arg-type]


def test_where_keeps_only_the_rows_asked_for(oms: OMS) -> None:
    r = oms.reports.kpis(*NOV, where={"channel": "app"})
    assert r["orders"] == 1
    assert r["net_sales"] == eur("25.00")
    with pytest.raises(ValidationError, match=r"where.colour"):
        oms.reports.kpis(*NOV, where={"colour": "red"})


def test_a_range_leaves_out_what_falls_outside_it(oms: OMS) -> None:
    r = oms.reports.kpis("2026-11-03", "2026-11-03")
    assert r["orders"] == 1
    assert r["net_sales"] == eur("16.81")


def test_bad_ranges_and_dimensions_are_refused_with_the_field_named(oms: OMS) -> None:
    with pytest.raises(ValidationError, match=r"end: .*on or after start"):
        oms.reports.kpis("2026-11-30", "2026-11-01")
    with pytest.raises(ValidationError, match=r"start: .*ISO day"):
        oms.reports.kpis("yesterday", "2026-11-01")
    with pytest.raises(ValidationError, match=r"by: .*expected one of"):
        oms.reports.kpis(*NOV, by="colour")
    with pytest.raises(ValidationError, match="currency"):
        oms.reports.kpis(*NOV, currency="XXY")


def test_another_currency_uses_the_recorded_rate_of_each_day() -> None:
    """1 EUR = 1.10 USD recorded for Nov 1, 1.20 for Nov 3: W-1 and A-1 (Nov 2) convert at
    1.10, W-3 (Nov 3) at 1.20, each order's net rounded on its own:
    33.61 x 1.1 = 36.971 -> 36.97; 8.40 x 1.1 = 9.24; 25.00 x 1.1 = 27.50;
    16.81 x 1.2 = 20.172 -> 20.17. Total 93.88 USD.
    """
    oms, _clock, _ids = history()
    oms.reports.record_rate("EUR", "USD", "1.10", on="2026-11-01", actor="finance")
    oms.reports.record_rate("EUR", "USD", "1.20", on=dt.date(2026, 11, 3), actor="finance")
    r = oms.reports.kpis(*NOV, currency="USD")
    assert r["net_sales"] == Money(Decimal("93.88"), "USD")
    assert r.currency == "USD"
    rates = oms.reports.recorded_rates()
    assert [(x.on.day, x.rate, x.actor) for x in rates] == [
        (1, Decimal("1.10"), "finance"), (3, Decimal("1.20"), "finance")]  # fmt: skip


def test_a_missing_rate_is_an_error_naming_the_pair() -> None:
    oms, _clock, _ids = history()
    with pytest.raises(NotFound, match="EUR->JPY"):
        oms.reports.kpis(*NOV, currency="JPY")


def test_bad_rates_are_refused() -> None:
    oms, _clock = world()
    with pytest.raises(ValidationError, match=r"rate: .*positive"):
        oms.reports.record_rate("EUR", "USD", "-1")
    with pytest.raises(ValidationError, match=r"quote: .*differ"):
        oms.reports.record_rate("EUR", "EUR", "1")
    with pytest.raises(ValidationError, match="on: "):
        oms.reports.record_rate("EUR", "USD", "1.1", on="soon")
    assert oms.reports.recorded_rates() == []


def test_track_rates_records_the_providers_rate_on_the_first_order_of_a_day() -> None:
    oms, _clock = world({"exchange_rates": {"EUR": {"USD": "1.08"}}})
    oms.reports.track_rates("USD")
    capture(oms, "web", "T-1", {"TEE": 1})
    capture(oms, "web", "T-2", {"TEE": 1})
    rates = oms.reports.recorded_rates()
    assert [(r.base, r.quote, r.rate, r.actor) for r in rates] == [
        ("EUR", "USD", Decimal("1.08"), "reporting")]  # fmt: skip


def test_the_store_time_zone_decides_the_day() -> None:
    """W-3 is placed at 2026-11-03 09:00 UTC = 11-03 04:00 in New York; an order placed
    at 2026-11-03 03:00 UTC is still Nov 2 there."""
    oms, clock = world({"reporting": {"timezone": "America/New_York"}})
    clock.set(dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC))
    capture(oms, "web", "NY-1", {"TEE": 1})
    assert oms.reports.kpis("2026-11-02", "2026-11-02")["orders"] == 1
    assert oms.reports.kpis("2026-11-03", "2026-11-03")["orders"] == 0


def test_bad_settings_are_reported_together() -> None:
    with pytest.raises(ValidationError) as info:
        world({"reporting": {"timezone": "Mars/Olympus", "currency": "EURO", "colour": 1}})
    text = str(info.value)
    assert "reporting.timezone" in text
    assert "reporting.currency" in text
    assert "reporting.colour" in text


def test_the_reporting_page_documents_every_kpi_with_its_formula() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[3] / "docs" / "reporting.md").read_text("utf-8")
    for m in MEASURES.values():
        assert f"| `{m.name}` | {m.table} | {m.formula} |" in page, m.name
