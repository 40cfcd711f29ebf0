"""The ``python -m omskit demo`` walk-through, one section per capability.

Each section module has ``run(oms, say)``; `SECTIONS` runs them in order on one
in-memory OMS with a fixed clock and readable ids, so the output is the same every run.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any, TextIO

from omskit.oms import OMS
from omskit.testing import FakeClock

__all__ = ["SECTIONS", "run_demo", "run_sections"]

#: Section modules under ``omskit.demo``, run in this order.
SECTIONS: tuple[str, ...] = (
    "foundation",
    "pricing",
    "routing",
    "orders",
    "fulfillment",
    "returns",
    "notifications",
)


_CONFIG: dict[str, Any] = {
    "exchange_rates": {"EUR": {"USD": "1.08", "JPY": "162", "GBP": "0.86"}},
    # fixed keys, so the demo prints the same tracking numbers on every run
    "carriers": {
        "sandbox": {
            "numbering_key": "demo-numbering-key-not-secret",
            "webhook_secret": "demo-webhook-secret-not-secret",
        }
    },
}
_T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def run_demo(out: TextIO) -> OMS:
    """Run every section, printing to ``out``; returns the OMS for inspection.

    ``omskit.demo.store.run_on_store`` runs it on a durable store instead.
    """
    oms = OMS.in_memory(config=_CONFIG, clock=FakeClock(_T0), autoload=False)
    run_sections(oms, out)
    return oms


def run_sections(oms: OMS, out: TextIO) -> None:
    """Run every section of `SECTIONS` on ``oms``, printing to ``out``."""

    def say(text: str = "") -> None:
        out.write(text + "\n")

    for name in SECTIONS:
        module = importlib.import_module(f"omskit.demo.{name}")
        module.run(oms, say)
