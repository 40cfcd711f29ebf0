"""Charts of report figures, drawn to SVG or PNG with matplotlib (the ``reports`` extra).

A [`Chart`][] is plain data (a title, the categories along the x axis, one or more
named series of numbers and, for a forecast, its prediction interval), built by
``oms.reports.chart()`` without matplotlib; only [`Chart.svg`][] and [`Chart.png`][]
need it. Drawing never touches matplotlib's global state: each chart is its own
``Figure`` on the Agg canvas, drawn inside an ``rc_context`` that fixes the SVG hash
salt and leaves the date and the matplotlib version out of the file, so the same chart
gives the same bytes every time (with one matplotlib release).

`CHARTS` names the charts ``oms.reports.chart()`` builds.
"""

from __future__ import annotations

import importlib
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.reporting.errors import MissingExtra

__all__ = ["CHARTS", "Chart", "ChartSeries", "matplotlib_available"]

#: The charts ``oms.reports.chart(name)`` builds, with what each shows.
CHARTS: dict[str, str] = {
    "sales": "net sales per period",
    "orders_by_channel": "orders per sales channel",
    "fulfillment": "unit fill rate and on-time ship rate per period, in percent",
    "stock_cover": "days of supply per SKU at the end of the range",
    "forecast": "a SKU's daily demand at a location and its forecast with the interval",
}

_KINDS = ("line", "bar", "barh")
_COLOURS = ("#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030")
#: rc settings that make a file depend only on the chart: a fixed hash salt for SVG ids
#: and text kept as text (so a browser, a test or a screen reader can read it)
_RC = {"svg.hashsalt": "omskit", "svg.fonttype": "none", "font.size": 9.0}


@attrs.frozen
class ChartSeries:
    """One named line or set of bars; ``None`` is a gap.

    ``low`` and ``high``, when given, bound a shaded band around the values (a
    prediction interval), one pair per category.
    """

    label: str
    values: tuple[float | None, ...]
    low: tuple[float | None, ...] = ()
    high: tuple[float | None, ...] = ()


@attrs.frozen
class Chart:
    """A chart as data, to draw or to read its figures.

    Draw it with [`svg`][omskit.reporting.charts.Chart.svg] or
    [`png`][omskit.reporting.charts.Chart.png].

    Attributes:
        name: which chart (a key of `CHARTS`).
        title: the heading drawn above it.
        kind: ``line``, ``bar`` or ``barh`` (horizontal bars).
        labels: the categories along the x axis (periods, channels, SKUs).
        series: the values, one [`ChartSeries`][] per line or set of bars.
        unit: what the values are in (``"EUR"``, ``"%"``, ``"days"``, ``"units"``).
        note: a sentence under the chart (how it was computed), may be empty.
    """

    name: str
    title: str
    kind: str
    labels: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    unit: str
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValidationError("kind", self.kind, f"expected one of {', '.join(_KINDS)}")
        for s in self.series:
            for part in ("values", "low", "high"):
                got = len(getattr(s, part))
                if part != "values" and not got:
                    continue
                if got != len(self.labels):
                    raise ValidationError(
                        f"series[{s.label}].{part}", got,
                        f"expected one value per label ({len(self.labels)})",
                    )  # fmt: skip

    @property
    def empty(self) -> bool:
        """Nothing to draw: no categories, or no value anywhere."""
        return not self.labels or all(v is None for s in self.series for v in s.values)

    def rows(self) -> list[tuple[str, ...]]:
        """The figures as table rows: a header, then one row per label."""
        head = ("", *(f"{s.label} ({self.unit})" for s in self.series))
        out = [head]
        for i, label in enumerate(self.labels):
            out.append((label, *(_shown(s.values[i]) for s in self.series)))
        return out

    def svg(self) -> str:
        """The chart as an SVG document (text); needs matplotlib."""
        return self._draw("svg").decode("utf-8")

    def png(self, dpi: int = 100) -> bytes:
        """The chart as PNG bytes at ``dpi``; needs matplotlib."""
        if isinstance(dpi, bool) or not isinstance(dpi, int) or not 20 <= dpi <= 600:
            raise ValidationError("dpi", dpi, "expected a whole number from 20 to 600")
        return self._draw("png", dpi)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the chart to ``path``; its suffix (``.svg`` or ``.png``) picks the format."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in (".svg", ".png"):
            raise ValidationError("path", str(path), "expected a file name ending .svg or .png")
        data = self.svg().encode("utf-8") if suffix == ".svg" else self.png()
        target.write_bytes(data)
        return target

    def _draw(self, fmt: str, dpi: int = 100) -> bytes:
        mpl = _matplotlib()
        canvas = importlib.import_module("matplotlib.backends.backend_agg").FigureCanvasAgg
        figure = importlib.import_module("matplotlib.figure").Figure

        with mpl.rc_context(_RC):
            fig = figure(figsize=(7.2, 3.4), dpi=dpi, layout="constrained")
            canvas(fig)
            ax = fig.add_subplot()
            ax.set_title(self.title, loc="left", fontsize=11, fontweight="bold")
            self._plot(ax)
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="x" if self.kind == "barh" else "y", color="#e2e8f0", linewidth=0.8)
            ax.set_axisbelow(True)
            if self.unit:
                (ax.set_xlabel if self.kind == "barh" else ax.set_ylabel)(self.unit)
            if len(self.series) > 1 or any(s.low for s in self.series):
                ax.legend(frameon=False, loc="best", fontsize=8)
            if self.empty:
                ax.text(0.5, 0.5, "no data in this range", ha="center", va="center",
                        transform=ax.transAxes, color="#718096")  # fmt: skip
            buffer = io.BytesIO()
            metadata: dict[str, Any] = (
                {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
            )
            fig.savefig(buffer, format=fmt, metadata=metadata)
        return buffer.getvalue()

    def _plot(self, ax: Any) -> None:
        n = len(self.labels)
        xs = list(range(n))
        if self.kind == "line":
            for i, s in enumerate(self.series):
                colour = _COLOURS[i % len(_COLOURS)]
                if s.low:
                    lo = [float("nan") if v is None else v for v in s.low]
                    hi = [float("nan") if v is None else v for v in s.high]
                    ax.fill_between(xs, lo, hi, color=colour, alpha=0.18, linewidth=0,
                                    label=f"{s.label} interval")  # fmt: skip
                ys = [float("nan") if v is None else v for v in s.values]
                ax.plot(xs, ys, color=colour, linewidth=1.6, label=s.label,
                        marker="o" if n <= 16 else None, markersize=3)  # fmt: skip
            _ticks(ax, self.labels, "x")
            ax.set_ylim(bottom=0)
            return
        width = 0.8 / max(1, len(self.series))
        for i, s in enumerate(self.series):
            offset = (i - (len(self.series) - 1) / 2) * width
            pos = [x + offset for x in xs]
            ys = [0.0 if v is None else v for v in s.values]
            colour = _COLOURS[i % len(_COLOURS)]
            if self.kind == "bar":
                ax.bar(pos, ys, width=width, color=colour, label=s.label)
            else:
                ax.barh(pos, ys, height=width, color=colour, label=s.label)
        _ticks(ax, self.labels, "x" if self.kind == "bar" else "y")
        if self.kind == "barh":
            ax.invert_yaxis()


def _ticks(ax: Any, labels: Sequence[str], axis: str) -> None:
    n = len(labels)
    step = max(1, -(-n // 12))  # at most about 12 labels
    where = list(range(0, n, step))
    if axis == "x":
        ax.set_xticks(where, [labels[i] for i in where], rotation=30 if n > 6 else 0,
                      ha="right" if n > 6 else "center")  # fmt: skip
    else:
        ax.set_yticks(where, [labels[i] for i in where])


def _shown(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"


def _matplotlib() -> Any:
    try:
        return importlib.import_module("matplotlib")
    except ImportError as exc:
        raise MissingExtra("matplotlib") from exc


def matplotlib_available() -> bool:
    """Whether charts can be drawn (matplotlib, from the ``reports`` extra, imports)."""
    try:
        _matplotlib()
    except MissingExtra:
        return False
    return True


_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def inline_svg(document: str) -> str:
    """An SVG document without its XML declaration and doctype, to embed in HTML."""
    return _PROLOGUE.sub("", document, count=1)
