"""Time series and custom reports over the history of ``reporting_helpers``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from omskit import OMS, ValidationError
from omskit.money import Money
from omskit.reporting import Query, Ratio

from .reporting_helpers import history

NOV = ("2026-11-01", "2026-11-30")


@pytest.fixture(scope="module")
def oms() -> OMS:
    return history()[0]


def eur(text: str) -> Money:
    return Money(Decimal(text), "EUR")


def test_a_daily_series_compares_each_day_with_the_one_before(oms: OMS) -> None:
    """Nov 2: W-1 42.01 + A-1 25.00 = 67.01 net; Nov 3: W-3 16.81. The two days before
    (Oct 31, Nov 1) had nothing."""
    s = oms.reports.series("net_sales", "2026-11-02", "2026-11-03")
    assert [(p.period.day, p.value) for p in s.points] == [(2, eur("67.01")), (3, eur("16.81"))]
    assert s.points[0].previous == eur("0.00")
    assert s.points[0].change is None  # nothing to compare with
    assert s.points[1].change == Ratio(Decimal("16.81") - Decimal("67.01"), Decimal("67.01"))
    assert s.total == eur("83.82")
    assert s.previous_total == eur("0.00")
    assert "2026-11-03" in s.describe()


def test_weeks_start_on_monday_and_months_on_the_first(oms: OMS) -> None:
    week = oms.reports.series("orders", "2026-11-04", "2026-11-04", every="week")
    assert [p.period for p in week.points] == [dt.date(2026, 11, 2)]
    assert week.points[0].value == 4
    month = oms.reports.series("orders", "2026-11-15", "2026-12-02", every="month")
    assert [(p.period, p.value) for p in month.points] == [
        (dt.date(2026, 11, 1), 4), (dt.date(2026, 12, 1), 0)]  # fmt: skip
    assert month.points[1].change == Ratio(-4, 4)


def test_a_series_of_a_stock_kpi_replays_each_period(oms: OMS) -> None:
    s = oms.reports.series("units_sold", "2026-11-01", "2026-11-03")
    assert [p.value for p in s.points] == [0, 6, 0]


def test_series_arguments_are_checked(oms: OMS) -> None:
    with pytest.raises(ValidationError, match=r"measure: .*expected one of"):
        oms.reports.series("happiness", *NOV)
    with pytest.raises(ValidationError, match=r"every: .*day, week, month"):
        oms.reports.series("orders", *NOV, every="year")


def test_a_custom_report_groups_filters_sorts_and_limits(oms: OMS) -> None:
    rows = oms.reports.query(
        {
            "table": "lines",
            "dimensions": ["channel", "sku"],
            "measures": ["units", "net_sales"],
            "filters": [["category", "in", ["apparel", "home"]], ["channel", "=", "web"]],
            "sort": ["-net_sales"],
            "limit": 1,
        },
        *NOV,
    )
    assert rows == [{"channel": "web", "sku": "TEE", "units": 3, "net_sales": eur("50.42")}]


def test_a_custom_report_by_day_over_shipments(oms: OMS) -> None:
    rows = oms.reports.query(
        {"table": "shipments", "dimensions": ["day", "location"],
         "measures": ["shipments", "on_time_ship_rate"]}, *NOV)  # fmt: skip
    assert rows == [{"day": dt.date(2026, 11, 2), "location": "BER", "shipments": 2,
                     "on_time_ship_rate": Ratio(2, 2)}]  # fmt: skip


def test_a_bad_query_reports_every_mistake_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Query.from_mapping(
            {
                "table": "lines",
                "measures": ["units", "orders"],
                "dimensions": ["sku", "colour"],
                "filters": [["sku", "~", "T"], ["carrier", "=", "x"], "nonsense"],
                "sort": ["-happiness"],
                "limit": 0,
                "group": "x",
            }
        )
    fields = [p.field for p in info.value.problems]
    assert fields == [
        "query.group", "query.measures[1]", "query.dimensions[1]", "query.filters[0].op",
        "query.filters[1].field", "query.filters[2]", "query.sort[0]", "query.limit",
    ]  # fmt: skip
    assert "not a measure of table 'lines'" in str(info.value)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"table": "carts", "measures": ["units"]}, "query.table"),
        ({"table": "lines"}, "query.measures"),
        ({"table": "lines", "measures": "units"}, "query.measures"),
        ({"table": "lines", "measures": ["units"], "filters": [["sku", "in", "TEE"]]},
         "query.filters[0].value"),
        ({"table": "lines", "measures": ["units"], "filters": [["day", ">", "monday"]]},
         "query.filters[0].value"),
        ({"table": "lines", "measures": ["units"], "dimensions": ["sku", "sku"]},
         "query.dimensions"),
    ],
)  # fmt: skip
def test_each_kind_of_bad_query_names_its_field(spec: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Query.from_mapping(spec)
    assert info.value.problems[0].field == field


def test_a_query_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ValidationError, match="query: "):
        Query.from_mapping(["lines"])  # type: ignore[arg-type]
