"""The charts' figures, and the self-contained HTML dashboard that shows them.

[`build_chart`][] turns report figures into a [`Chart`][omskit.reporting.charts.Chart];
[`write_dashboard`][] writes one HTML file: inline CSS, inline SVG charts, KPI tiles
and tables, no scripts and no URL to fetch, so it opens from a disk, a mail attachment
or a headless browser alike. Without matplotlib every chart is a table instead, under
a note naming the extra that draws them.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from omskit.money import Money
from omskit.reporting.charts import Chart, ChartSeries, inline_svg, matplotlib_available
from omskit.reporting.forecast import choose
from omskit.reporting.measures import MEASURES, Value
from omskit.reporting.report import show
from omskit.reporting.values import Ratio

__all__ = ["TILES", "build_chart", "render_dashboard", "write_dashboard"]

#: The KPIs the dashboard shows as tiles, in order.
TILES: tuple[str, ...] = (
    "orders", "net_sales", "average_order_value", "units", "unit_fill_rate",
    "on_time_ship_rate", "on_time_delivery_rate", "perfect_order_rate",
    "cancellation_rate", "return_rate", "gross_margin", "days_of_supply",
)  # fmt: skip

#: The KPIs of the by-channel table.
_BY_CHANNEL = ("orders", "net_sales", "average_order_value", "units", "unit_fill_rate",
               "on_time_ship_rate", "cancellation_rate")  # fmt: skip


def _number(value: Value) -> float | None:
    if isinstance(value, Money):
        return float(value.amount)
    if isinstance(value, Ratio):
        v = value.value
        return None if v is None else float(v * 100)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return float(value)
    return None


def build_chart(reports: Any, name: str, start: Any, end: Any, *, every: str,
                currency: str | None, sku: str | None, location: str | None,
                limit: int) -> Chart:  # fmt: skip
    """The figures of chart ``name`` from ``reports`` (an ``oms.reports``)."""
    if name == "sales":
        series = reports.series("net_sales", start, end, every=every, currency=currency)
        labels = tuple(p.period.isoformat() for p in series.points)
        return Chart("sales", f"Net sales per {every}", "line", labels, (
            ChartSeries("net sales", tuple(_number(p.value) for p in series.points)),
            ChartSeries("period before", tuple(_number(p.previous) for p in series.points)),
        ), series.currency, note=f"total {show(series.total)}, the same number of "
           f"periods before {show(series.previous_total)}")  # fmt: skip
    if name == "orders_by_channel":
        r = reports.kpis(start, end, by="channel", currency=currency)
        labels = tuple(r.groups)
        return Chart("orders_by_channel", "Orders by channel", "bar", labels, (
            ChartSeries("orders", tuple(_number(r.groups[k]["orders"]) for k in labels)),
            ChartSeries("cancelled",
                        tuple(_number(r.groups[k]["cancelled_orders"]) for k in labels)),
        ), "orders", note=f"{show(r['orders'])} orders in all")  # fmt: skip
    if name == "fulfillment":
        fill = reports.series("unit_fill_rate", start, end, every=every, currency=currency)
        ship = reports.series("on_time_ship_rate", start, end, every=every, currency=currency)
        labels = tuple(p.period.isoformat() for p in fill.points)
        return Chart("fulfillment", "Fill rate and on-time shipping", "line", labels, (
            ChartSeries("unit fill rate", tuple(_number(p.value) for p in fill.points)),
            ChartSeries("on-time ship rate", tuple(_number(p.value) for p in ship.points)),
        ), "%", note="units shipped / units ordered; shipments that left within the "
           "ship window / shipments that left")  # fmt: skip
    if name == "stock_cover":
        rf = reports.facts(start, end, currency=currency)
        by_sku: dict[str, list[Any]] = {}
        for row in rf.stock:
            by_sku.setdefault(row.sku, []).append(row)
        cover = [(k, _number(MEASURES["days_of_supply"].compute(rows, rf.currency)))
                 for k, rows in sorted(by_sku.items())]  # fmt: skip
        known = sorted((c for c in cover if c[1] is not None), key=lambda c: (c[1], c[0]))
        unsold = len(cover) - len(known)
        shown = known[:limit]
        return Chart("stock_cover", "Stock cover by SKU", "barh",
                     tuple(k for k, _ in shown), (ChartSeries(
                         "days of supply", tuple(v for _, v in shown)),), "days",
                     note=f"units on hand at {rf.end} / average daily units sold; the "
                     f"{len(shown)} SKUs with the least cover"
                     + (f"; {unsold} SKUs sold nothing" if unsold else ""))  # fmt: skip
    return _forecast_chart(reports, start, end, sku, location)


def _forecast_chart(reports: Any, start: Any, end: Any, sku: str | None,
                    location: str | None) -> Chart:  # fmt: skip
    rf = reports.facts(start, end)
    if sku is None or location is None:
        busiest = sorted(
            (r for r in rf.stock if (sku is None or r.sku == sku)
             and (location is None or r.location == location) and r.sold > 0),
            key=lambda r: (-r.sold, r.sku, r.location),
        )  # fmt: skip
        if not busiest:
            return Chart("forecast", "Demand forecast", "line", (), (
                ChartSeries("demand", ()),), "units/day",
                note="no SKU sold in this range")  # fmt: skip
        sku, location = busiest[0].sku, busiest[0].location
    last = rf.end
    history = reports.demand(sku, location, last - dt.timedelta(days=55), last)
    values = [float(q) for _d, q in history]
    horizon = 14
    forecast, _ranking = choose(values, horizon, holdout=14)
    band = forecast.interval(0.95)
    days = [d for d, _q in history] + [last + dt.timedelta(days=h) for h in range(1, 15)]
    labels = tuple(d.isoformat() for d in days)
    pad: tuple[None, ...] = (None,) * len(values)
    # the forecast line starts at the last actual, so the two lines join
    joined = (*pad[:-1], values[-1], *forecast.values)
    return Chart("forecast", f"Demand forecast: {sku} at {location}", "line", labels, (
        ChartSeries("units shipped", (*values, *(None,) * horizon)),
        ChartSeries(f"forecast ({forecast.method})", joined,
                    (*pad, *(lo for lo, _ in band)), (*pad, *(hi for _, hi in band))),
    ), "units/day", note=f"56 days of ledger demand to {last}; {forecast.method} chosen "
       f"by backtest, mean {forecast.mean:.2f} units/day, shaded: 95% prediction "
       "interval")  # fmt: skip


# -- HTML -------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;
color:#1a202c;background:#f7fafc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.sub{color:#4a5568;margin:0 0 16px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.tile{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:10px 12px}
.tile .name{font-size:12px;color:#4a5568}.tile .value{font-size:20px;font-weight:600}
.tile .formula{font-size:11px;color:#718096;margin-top:4px}
figure{background:#fff;border:1px solid #e2e8f0;border-radius:6px;margin:0 0 14px;
padding:10px}figure svg{max-width:100%;height:auto}
figcaption{font-size:13px;font-weight:600}.note{font-size:12px;color:#4a5568}
table{border-collapse:collapse;background:#fff;font-size:13px}
th,td{border:1px solid #e2e8f0;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
.missing{background:#fffbea;border:1px solid #f6e05e;padding:8px 12px;border-radius:6px}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(rows: Sequence[Sequence[object]], cls: str = "") -> str:
    if not rows:
        return ""
    head, body = rows[0], rows[1:]
    out = [f'<table class="{cls}">' if cls else "<table>", "<thead><tr>"]
    out += [f"<th>{_e(c)}</th>" for c in head]
    out.append("</tr></thead><tbody>")
    for row in body:
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure(chart: Chart, draw: bool) -> str:
    parts = [f'<figure id="chart-{_e(chart.name)}">',
             f"<figcaption>{_e(chart.title)}</figcaption>"]  # fmt: skip
    if draw:
        parts.append(inline_svg(chart.svg()))
    if chart.note:
        parts.append(f'<p class="note">{_e(chart.note)}</p>')
    if draw:
        parts.append(f"<details><summary>figures</summary>{_table(chart.rows())}</details>")
    else:
        parts.append(_table(chart.rows()))
    parts.append("</figure>")
    return "".join(parts)


def render_dashboard(reports: Any, start: dt.date, end: dt.date, *, currency: str,
                     every: str, title: str, made: dt.datetime,
                     draw: bool | None = None) -> str:  # fmt: skip
    """The dashboard's HTML (see [`write_dashboard`][]); ``draw=False`` skips the SVGs."""
    drawing = matplotlib_available() if draw is None else draw
    report = reports.kpis(start, end, currency=currency)
    by_channel = reports.kpis(start, end, currency=currency, by="channel")
    charts = [reports.chart(n, start, end, every=every, currency=currency)
              for n in ("sales", "orders_by_channel", "fulfillment", "stock_cover",
                        "forecast")]  # fmt: skip
    found = reports.anomalies(end)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{start.isoformat()} to {end.isoformat()} in {_e(currency)}, '
        f"{_e(reports.settings.timezone.key)} days; made {made:%Y-%m-%d %H:%M} by omskit</p>",
        '<section class="tiles" id="kpis">',
    ]
    for name in TILES:
        m = MEASURES[name]
        out.append(
            f'<div class="tile" id="kpi-{name}"><div class="name">{_e(name.replace("_", " "))}'
            f'</div><div class="value">{_e(show(report[name]))}</div>'
            f'<div class="formula">{_e(m.formula)}</div></div>'
        )
    out.append("</section><h2>Charts</h2>")
    if not drawing:
        out.append(
            '<p class="missing" id="charts-missing">Charts are shown as tables: matplotlib '
            "is not installed. Install the extra to draw them: "
            "pip install 'omskit[reports]'</p>"
        )
    out += [_figure(c, drawing) for c in charts]
    out.append('<h2>By channel</h2><section id="by-channel">')
    rows: list[list[object]] = [["channel", *(n.replace("_", " ") for n in _BY_CHANNEL)]]
    for key, values in by_channel.groups.items():
        rows.append([key or "-", *(show(values.get(n)) for n in _BY_CHANNEL)])
    out.append(_table(rows) + "</section>")
    out.append(f'<h2>Anomalies on {end.isoformat()}</h2><section id="anomalies">')
    if found:
        out.append(_table([["kind", "what", "measured", "expected", "normal range",
                            "explanation"]] + [[a.kind.replace("_", " "),
                            f"{a.dimension} {a.key}", f"{a.measured:.3g}",
                            f"{a.expected:.3g}", f"{a.low:.3g} to {a.high:.3g}",
                            a.explanation] for a in found]))  # fmt: skip
    else:
        out.append("<p>None found.</p>")
    out.append('</section><h2>Every KPI</h2><section id="all-kpis">')
    out.append(_table([["KPI", "value", "formula"]] + [
        [n, show(v), MEASURES[n].formula] for n, v in report.totals.items()]))  # fmt: skip
    out.append("</section></body></html>")
    return "\n".join(out) + "\n"


def write_dashboard(reports: Any, path: Path, start: dt.date, end: dt.date, *,
                    currency: str, every: str, title: str, made: dt.datetime) -> Path:  # fmt: skip
    """Write the dashboard to ``path`` (its folder must exist); returns the path.

    The page is rendered first and written to a temporary name beside ``path``, then
    renamed into place: a failed call leaves no file, or the previous one, behind.
    """
    text = render_dashboard(reports, start, end, currency=currency, every=every,
                            title=title, made=made)  # fmt: skip
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
