"""The dashboard in a real browser: Debian's Chromium, headless, reads the file itself.

It must show the fixture history's figures (see ``reporting_helpers``): 4 orders, net
sales 83.82 EUR, average order value 27.94 EUR, 7 units, unit fill rate 6/7 = 85.71 %,
cancellation rate 1/4 = 25.00 %; and every chart's title, drawn in its SVG (or, without
matplotlib, over its table). Without Chromium the test skips and says how to install
it; in CI (OMSKIT_REQUIRE_SERVICES=1) it fails instead.
"""

from __future__ import annotations

import html
import importlib
import re
import subprocess
from pathlib import Path

from omskit.reporting import CHARTS
from omskit.reporting.charts import matplotlib_available

from ...services import tool_path  # noqa: TID252 - the shared test helpers
from .reporting_helpers import history

EXPECTED = {
    "orders": "4",
    "net_sales": "83.82 EUR",
    "average_order_value": "27.94 EUR",
    "units": "7",
    "unit_fill_rate": "85.71%",
    "cancellation_rate": "25.00%",
    "on_time_ship_rate": "100.00%",
}


def _chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_chromium_shows_the_figures_and_charts_of_the_dashboard(tmp_path: Path) -> None:
    binary = tool_path("chromium")
    drawn = matplotlib_available()  # without it the charts are tables: checked too
    oms = history()[0]
    page = oms.reports.dashboard(tmp_path / "dashboard.html", "2026-11-02", "2026-11-03")
    done = _chromium(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert ("<svg" in dom) is drawn  # the browser parsed the inline SVG, if any
    assert ('id="charts-missing"' in dom) is not drawn
    for name, value in EXPECTED.items():
        tile = re.search(rf'id="kpi-{name}".*?class="value">([^<]+)<', dom, re.DOTALL)
        assert tile is not None, name
        assert html.unescape(tile.group(1)) == value, name
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", dom)]
    captions = [html.unescape(t) for t in re.findall(r"<figcaption>([^<]*)<", dom)]
    for name in CHARTS:
        title = oms.reports.chart(name, "2026-11-02", "2026-11-03").title
        assert title in captions, title
        assert (title in texts) is drawn, title  # drawn into the SVG as text
    shot = tmp_path / "dashboard.png"
    done = _chromium(binary, tmp_path / "profile", f"--screenshot={shot}",
                     "--window-size=1200,1600", page.as_uri())  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if not drawn:
        return
    image = importlib.import_module("matplotlib.image").imread(shot)
    assert image.shape[:2] == (1600, 1200)
    # a rendered page, not a blank one: several distinct colours (tiles, lines, bars)
    colours = {tuple(px) for px in image.reshape(-1, image.shape[2])[::97].round(2)}
    assert len(colours) > 20
