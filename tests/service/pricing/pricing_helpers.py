"""Shared setup for pricing service tests (imported by path-unique test modules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from omskit import OMS
from omskit.testing import FakeClock

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
BERLIN = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin", "postal_code": "10115"}
PARIS = {"country": "FR", "line1": "1 rue de Rivoli", "city": "Paris", "postal_code": "75001"}
NEW_YORK = {"country": "US", "line1": "350 5th Ave", "city": "New York", "postal_code": "10118",
            "region": "NY"}  # fmt: skip
RATES = {"EUR": {"USD": "1.08", "JPY": "162", "GBP": "0.86", "CHF": "0.94"}}


def make_oms(config: dict[str, Any] | None = None, plugins: tuple[object, ...] = ()) -> OMS:
    cfg: dict[str, Any] = {"exchange_rates": RATES}
    cfg.update(config or {})
    oms = OMS.in_memory(config=cfg, plugins=plugins, clock=FakeClock(START), autoload=False)
    for sku, price, extra in (
        ("TEE-M", "19.90", {"attributes": {"category": "apparel"}, "hs_code": "6109.10",
                            "country_of_origin": "PT", "weight_grams": 180}),
        ("MUG-01", "12.50", {"attributes": {"category": "home"}, "hs_code": "6912.00",
                             "country_of_origin": "CN", "weight_grams": 320}),
        ("CAP-RED", "15.00", {"attributes": {"category": "apparel"}, "weight_grams": 90}),
        ("BOOK-1", "24.00", {"tax_class": "reduced", "weight_grams": 400}),
    ):  # fmt: skip
        oms.catalog.add_product(sku, name=sku.title(), price=price, currency="EUR", **extra)
    return oms
