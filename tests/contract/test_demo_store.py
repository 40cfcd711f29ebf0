"""``python -m omskit demo --store URL``: a real store, and a second run that finds it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..stores import BACKENDS, store_url  # noqa: TID252 - shared test helpers

ROOT = Path(__file__).resolve().parents[2]
ORDER_ID = re.compile(r"ord_[0-9a-f]+")


def demo(url: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMSKIT_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "omskit", "demo", "--store", url],
        check=False, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


@pytest.mark.parametrize("kind", [k for k in BACKENDS if k != "memory"])
def test_a_second_demo_run_finds_the_first_runs_orders_and_replays_them(
    kind: str, tmp_path: Path
) -> None:
    url = store_url(kind, tmp_path)
    first = demo(url)
    assert "== Fulfillment" in first or "delivered" in first  # the whole walk-through ran
    written = re.search(r"(\d+) orders written", first)
    assert written is not None
    if kind == "sqlite":
        assert Path(url.removeprefix("sqlite:///")).stat().st_size > 0  # a real file
    second = demo(url)
    listed = re.search(r"already holds (\d+) orders", second)
    assert listed is not None
    assert listed[1] == written[1]
    header, replay = second.split("== Replaying", 1)
    stored = set(ORDER_ID.findall(header))
    assert len(stored) == int(written[1])
    assert set(ORDER_ID.findall(first)) <= stored  # the orders the first run printed
    replayed = ORDER_ID.findall(replay)
    assert replayed, "no capture was replayed"
    assert set(replayed) <= stored  # a replay returns the first run's order
    assert "NEW" not in replay
    assert f"orders stored before: {written[1]}, after: {written[1]}" in second
    assert "W-1001" in replay
