"""Charts, the HTML dashboard and ``python -m omskit report``, over the fixture history.

The figures are those of ``reporting_helpers`` (worked out in its docstring and in
test_reporting_kpis): 4 orders (web 3, one of them cancelled; app 1), net sales 83.82 EUR
(67.01 on 2026-11-02, 16.81 on 2026-11-03), 7 active units, 6 shipped.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from omskit import OMS, ValidationError
from omskit.__main__ import main
from omskit.reporting import CHARTS, Chart, ChartSeries, MissingExtra
from omskit.testing import FakeClock

from .reporting_helpers import START, capture, history, ship

NOV = ("2026-11-02", "2026-11-03")


@pytest.fixture(scope="module")
def oms() -> OMS:
    return history()[0]


def test_chart_figures_are_the_report_figures(oms: OMS) -> None:
    sales = oms.reports.chart("sales", *NOV)
    assert sales.labels == ("2026-11-02", "2026-11-03")
    assert sales.series[0].values == (67.01, 16.81)
    assert sales.unit == "EUR"
    channels = oms.reports.chart("orders_by_channel", *NOV)
    assert channels.labels == ("app", "web")
    assert channels.series[0].values == (1.0, 3.0)
    assert channels.series[1].values == (0.0, 1.0)  # W-2 was cancelled
    fill = oms.reports.chart("fulfillment", *NOV)
    # day 1: W-1 3 + A-1 3 of 6 active units shipped; day 2: W-3 0 of 1
    assert fill.series[0].values == (100.0, 0.0)
    assert fill.series[1].values == (100.0, None)  # nothing left on day 2
    cover = oms.reports.chart("stock_cover", *NOV)
    # BER: TEE 20 - 2 = 18 on hand, 2 sold in 2 days -> 18 days; MUG 20 - 4 = 16, 4 sold
    assert dict(zip(cover.labels, cover.series[0].values, strict=True)) == {
        "MUG": 8.0,
        "TEE": 18.0,
    }
    assert cover.labels == ("MUG", "TEE")  # least cover first


def test_the_forecast_chart_has_history_forecast_and_interval(oms: OMS) -> None:
    chart = oms.reports.chart("forecast", *NOV, sku="MUG", location="BER")
    history, forecast = chart.series
    assert len(chart.labels) == 56 + 14
    assert history.values[55] == 0.0
    assert history.values[54] == 4.0
    assert forecast.values[:55] == (None,) * 55
    assert len(forecast.low) == len(forecast.high) == 70
    for lo, value, hi in zip(forecast.low[56:], forecast.values[56:], forecast.high[56:],
                             strict=True):  # fmt: skip
        assert lo is not None
        assert value is not None
        assert hi is not None
        assert 0 <= lo <= value <= hi
    busiest = oms.reports.chart("forecast", *NOV)
    assert busiest.title == "Demand forecast: MUG at BER"  # MUG sold 4, TEE 2


def test_svg_is_deterministic_and_keeps_its_text() -> None:
    pytest.importorskip("matplotlib")
    chart = Chart("sales", "Net sales per day", "line", ("a", "b", "c"),
                  (ChartSeries("net", (1.0, None, 3.5)),), "EUR")  # fmt: skip
    first, second = chart.svg(), chart.svg()
    assert first == second
    assert first.lstrip().startswith("<?xml")
    assert ">Net sales per day<" in first
    assert "<dc:date>" not in first
    assert "Matplotlib v" not in first
    png = chart.png(dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png == chart.png(dpi=50)


def test_every_chart_draws(oms: OMS, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    for name in CHARTS:
        chart = oms.reports.chart(name, *NOV)
        svg = chart.save(tmp_path / f"{name}.svg").read_text()
        assert f">{chart.title}<" in svg
        assert chart.save(tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_without_matplotlib_drawing_names_the_extra(
    oms: OMS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    chart = oms.reports.chart("sales", *NOV)
    assert chart.series[0].values == (67.01, 16.81)  # the figures need no matplotlib
    with pytest.raises(MissingExtra, match=r"pip install 'omskit\[reports\]'"):
        chart.svg()
    path = oms.reports.dashboard(tmp_path / "tables.html", *NOV)
    page = path.read_text()
    assert 'id="charts-missing"' in page
    assert "omskit[reports]" in page
    assert "<svg" not in page
    assert "<td>2026-11-02</td><td>67.01</td>" in page  # the sales chart as a table


def test_the_dashboard_is_one_self_contained_file(oms: OMS, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    page = oms.reports.dashboard(tmp_path / "d.html", *NOV).read_text()
    assert page.count("<svg") == len(CHARTS)
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "url(http" not in page
    assert "@import" not in page
    tile = re.search(r'id="kpi-net_sales".*?class="value">([^<]+)<', page)
    assert tile is not None
    assert tile.group(1) == "83.82 EUR"
    assert oms.reports.dashboard(tmp_path / "e.html", *NOV).read_text() == page


def test_bad_chart_and_dashboard_arguments_name_the_field(oms: OMS, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="name"):
        oms.reports.chart("pie", *NOV)
    with pytest.raises(ValidationError, match="limit"):
        oms.reports.chart("stock_cover", *NOV, limit=0)
    with pytest.raises(ValidationError, match="every"):
        oms.reports.dashboard(tmp_path / "x.html", *NOV, every="hour")
    with pytest.raises(ValidationError, match="path"):
        oms.reports.dashboard(tmp_path / "missing" / "x.html", *NOV)
    with pytest.raises(ValidationError, match="path"):
        oms.reports.chart("sales", *NOV).save(tmp_path / "x.gif")
    with pytest.raises(ValidationError, match="location"):
        oms.reports.chart("forecast", *NOV, sku="MUG", location="")
    with pytest.raises(ValidationError, match="dpi"):
        oms.reports.chart("sales", *NOV).png(dpi=5)
    with pytest.raises(ValidationError, match="series"):
        Chart("x", "X", "line", ("a",), (ChartSeries("s", (1.0, 2.0)),), "")
    assert not list(tmp_path.iterdir())


def test_the_report_command_writes_the_dashboard_of_a_sqlite_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    oms = OMS.open(url, clock=FakeClock(START), autoload=False)
    try:
        oms.catalog.add_product("TEE", name="Tee", price="20.00", currency="EUR",
                                weight_grams=180, dimensions=[300, 200, 20])  # fmt: skip
        oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
        oms.inventory.receive("TEE", location="BER", quantity=5)
        order = capture(oms, "web", "W-1", {"TEE": 2})
        ship(oms, order, deliver=False)
    finally:
        oms.close()
    out = tmp_path / "report.html"
    code = main(["report", "--store", url, "--out", str(out), "--from", "2026-11-01",
                 "--to", "2026-11-30", "--currency", "EUR", "--every", "week"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert f"wrote {out}" in capsys.readouterr().out
    page = out.read_text()
    assert re.search(r'id="kpi-orders".*?class="value">1<', page)
    assert "2026-11-01 to 2026-11-30 in EUR" in page
    assert main(["report", "--store", f"sqlite:///{tmp_path / 'no.db'}", "--out",
                 str(out)]) == 1  # fmt: skip
    assert "no SQLite store" in capsys.readouterr().err
    assert main(["report", "--store", url, "--out", str(out), "--from", "2026-13-01"]) == 1
    assert "start" in capsys.readouterr().err


def test_a_failed_dashboard_leaves_the_previous_file(
    oms: OMS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "d.html"
    target.write_text("yesterday's report")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("rename refused")

    monkeypatch.setattr(os, "replace", broken)  # the page is written, the rename fails
    with pytest.raises(OSError, match="rename refused"):
        oms.reports.dashboard(target, *NOV)
    monkeypatch.undo()
    assert target.read_text() == "yesterday's report"
    assert [p.name for p in tmp_path.iterdir()] == ["d.html"]
