"""Receipts worked from published tax rules, as a table.

Each case names its source. Amounts are what the rules give with per-line rounding,
half-up (the default policy) unless the case says otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from omskit import OMS, Money
from omskit.testing import FakeClock

CASES: list[dict[str, Any]] = [
    {
        # Germany, UStG s.12: 19 % standard, 7 % reduced (bread). Tax contained in a gross
        # price = gross * rate / (100 + rate) (BMF "Herausrechnen der Umsatzsteuer").
        "id": "eu-vat-inclusive-receipt-de",
        "currency": "EUR", "includes_tax": True, "day": dt.date(2025, 3, 1),
        "ship_to": {"country": "DE", "postal_code": "10115"},
        "products": [("BREAD", "2.49", "reduced", 2), ("WINE", "5.99", "standard", 1)],
        "rates": [],
        "line_tax": ["0.33", "0.96"], "tax": "1.29", "gross": "10.97", "net": "9.68",
    },
    {
        # Germany's temporary 2020 cut (Second Corona Tax Assistance Act): 16 % from
        # 2020-07-01 to 2020-12-31. The built-in table is effective-dated.
        "id": "eu-vat-effective-dated-de-2020",
        "currency": "EUR", "includes_tax": True, "day": dt.date(2020, 9, 1),
        "ship_to": {"country": "DE", "postal_code": "10115"},
        "products": [("WINE", "11.60", "standard", 1)],
        "rates": [],
        "line_tax": ["1.60"], "tax": "1.60", "gross": "11.60", "net": "10.00",
    },
    {
        # New York City sales tax 8.875 % = 4 % state + 4.5 % city + 0.375 % MCTD
        # (NY DTF Publication 718). Exclusive; tax on the combined rate per line.
        "id": "us-sales-tax-exclusive-nyc",
        "currency": "USD", "includes_tax": False, "day": dt.date(2025, 3, 1),
        "ship_to": {"country": "US", "region": "NY", "postal_code": "10001"},
        "products": [("SHIRT", "19.99", "standard", 3), ("SOCKS", "5.49", "standard", 1)],
        "rates": [("US-NY", "4", "NY state sales tax", False, None, None),
                  ("US-NY:100", "4.875", "NYC local sales tax", False, None, None)],
        "line_tax": ["5.32", "0.49"], "tax": "5.81", "gross": "71.27", "net": "65.46",
    },
    {
        # Quebec before 2013: QST 9.5 % charged on the price plus GST 5 % (compound).
        # Revenu Quebec: from 2013-01-01 the QST is no longer charged on the GST and the
        # rate became 9.975 % (= 9.5 % x 1.05), so both give 114.98 on 100.00.
        "id": "compound-gst-qst-quebec-2012",
        "currency": "CAD", "includes_tax": False, "day": dt.date(2012, 6, 1),
        "ship_to": {"country": "CA", "region": "QC", "postal_code": "H2X 1Y4"},
        "products": [("CHAIR", "100.00", "standard", 1)],
        "rates": [("CA", "5", "GST", False, None, None),
                  ("CA-QC", "9.5", "QST", True, "2012-01-01", "2012-12-31"),
                  ("CA-QC", "9.975", "QST", False, "2013-01-01", None)],
        "line_tax": ["14.98"], "tax": "14.98", "gross": "114.98", "net": "100.00",
        "components": ["5.00", "9.98"],
    },
    {
        "id": "quebec-2013-no-longer-compound",
        "currency": "CAD", "includes_tax": False, "day": dt.date(2013, 6, 1),
        "ship_to": {"country": "CA", "region": "QC", "postal_code": "H2X 1Y4"},
        "products": [("CHAIR", "100.00", "standard", 1)],
        "rates": [("CA", "5", "GST", False, None, None),
                  ("CA-QC", "9.5", "QST", True, "2012-01-01", "2012-12-31"),
                  ("CA-QC", "9.975", "QST", False, "2013-01-01", None)],
        "line_tax": ["14.98"], "tax": "14.98", "gross": "114.98", "net": "100.00",
        "components": ["5.00", "9.98"],
    },
    {
        # Japan consumption tax (NTA): 10 %, 8 % reduced for food, since 2019-10-01.
        # JPY has no minor unit: amounts are whole yen.
        "id": "jpy-consumption-tax-no-minor-unit",
        "currency": "JPY", "includes_tax": True, "day": dt.date(2025, 3, 1),
        "ship_to": {"country": "JP", "postal_code": "100-0001"},
        "products": [("BENTO", "1080", "reduced", 1), ("MUG", "2178", "standard", 1)],
        "rates": [],
        "line_tax": ["80", "198"], "tax": "278", "gross": "3258", "net": "2980",
    },
    {
        # KWD has three decimals. Kuwait levies no VAT; a 5 % rate (the GCC VAT framework
        # rate) is configured here to exercise three-decimal rounding: 2.450 * 5 % = 0.1225.
        "id": "kwd-three-decimals-half-up",
        "currency": "KWD", "includes_tax": False, "day": dt.date(2025, 3, 1),
        "ship_to": {"country": "KW"},
        "products": [("LAMP", "2.450", "standard", 1)],
        "rates": [("KW", "5", "VAT", False, None, None)],
        "line_tax": ["0.123"], "tax": "0.123", "gross": "2.573", "net": "2.450",
    },
    {
        "id": "kwd-three-decimals-half-even",
        "currency": "KWD", "includes_tax": False, "day": dt.date(2025, 3, 1),
        "ship_to": {"country": "KW"}, "rounding": {"mode": "half_even"},
        "products": [("LAMP", "2.450", "standard", 1)],
        "rates": [("KW", "5", "VAT", False, None, None)],
        "line_tax": ["0.122"], "tax": "0.122", "gross": "2.572", "net": "2.450",
    },
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_worked_receipt(case):
    cur = case["currency"]
    config: dict[str, Any] = {"default_currency": cur}
    if "rounding" in case:
        config["rounding"] = {cur: case["rounding"]}
    clock = FakeClock(dt.datetime.combine(case["day"], dt.time(12), tzinfo=dt.UTC))
    oms = OMS.in_memory(config=config, clock=clock, autoload=False)
    oms.pricing.add_price_list("default", cur, includes_tax=case["includes_tax"])
    lines = []
    for sku, price, tax_class, qty in case["products"]:
        oms.catalog.add_product(sku, name=sku, tax_class=tax_class)
        oms.pricing.set_price("default", sku, price)
        lines.append({"sku": sku, "quantity": qty})
    if case["rates"]:
        oms.pricing.add_tax_rates([
            {"jurisdiction": j, "tax_class": "standard", "rate": r, "name": n, "compound": c,
             "valid_from": f, "valid_to": t}
            for j, r, n, c, f, t in case["rates"]
        ])  # fmt: skip
    quote = oms.pricing.quote(channel="web", lines=lines, ship_to=case["ship_to"])
    assert [str(line.total.tax.amount) for line in quote.lines] == case["line_tax"]
    assert quote.tax_total == Money(case["tax"], cur)
    assert quote.total.gross == Money(case["gross"], cur)
    assert quote.total.net == Money(case["net"], cur)
    if "components" in case:
        assert [str(t.amount.amount) for t in quote.lines[0].taxes] == case["components"]
    for line in quote.lines:
        assert line.total.gross.amount == line.total.net.amount + sum(
            t.amount.amount for t in line.taxes
        )
