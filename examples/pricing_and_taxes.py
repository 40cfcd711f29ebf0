"""Pricing and taxes walk-through: VAT included, sales tax on top, yen, duties paid.

EUR with VAT included, USD sales tax on top, JPY without a minor unit, and a cross-border
order shipped delivered duty paid (DDP).

Run with ``python examples/pricing_and_taxes.py``.
"""

from __future__ import annotations

import datetime as dt

from omskit import OMS
from omskit.testing import FakeClock

oms = OMS.in_memory(
    config={
        "exchange_rates": {"EUR": {"USD": "1.08", "JPY": "162", "CHF": "0.94"}},
        "pricing": {"origin_country": "DE"},  # the seller ships from Germany
    },
    clock=FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
    autoload=False,
)
for sku, name, price, tax_class in (
    ("TEE-M", "T-shirt, medium", "19.90", "standard"),
    ("BOOK-1", "Cookbook", "24.00", "reduced"),
    ("MUG-01", "Enamel mug", "12.50", "standard"),
):
    oms.catalog.add_product(sku, name=name, price=price, currency="EUR", tax_class=tax_class,
                            hs_code="6109.10" if sku == "TEE-M" else None,
                            country_of_origin="PT", weight_grams=300)  # fmt: skip


def show(title: str, quote: object) -> None:
    print(f"\n=== {title} ===")
    print(quote.explain())  # type: ignore[attr-defined]


# 1. EUR, VAT included: catalogue prices, German VAT 19 % / 7 % from the built-in table.
berlin = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin", "postal_code": "10115"}
oms.pricing.add_promotion("BOOKS5", name="5 EUR off books", kind="amount", amount={"EUR": "5"},
                          target="sku", skus=["BOOK-1"])  # fmt: skip
eur = oms.pricing.quote(channel="web", lines=[{"sku": "TEE-M", "quantity": 2},
                                              {"sku": "BOOK-1", "quantity": 1}],
                        ship_to=berlin, shipping="4.90")  # fmt: skip
show("EUR, VAT included (Berlin)", eur)
assert eur.total.gross == eur.total.net + eur.tax_total

# 2. USD, sales tax on top: a US channel with a tax-exclusive price list and New York rates.
#    The channel ships from a US warehouse: its ``origin_country`` option overrides the
#    configured one, so this is a domestic US sale.
oms.channels.add("us-shop", name="US shop", currencies=["USD"], price_list="us",
                 prices_include_tax=False, options={"origin_country": "US"})  # fmt: skip
oms.pricing.add_price_list("us", "USD", includes_tax=False)
oms.pricing.set_prices("us", [{"sku": "TEE-M", "amount": "19.99"},
                              {"sku": "MUG-01", "amount": "12.00"},
                              {"sku": "MUG-01", "amount": "10.00", "min_quantity": 6}])  # fmt: skip
oms.pricing.add_tax_rates([
    {"jurisdiction": "US-NY", "rate": "4", "name": "NY state sales tax"},
    {"jurisdiction": "US-NY:100", "rate": "4.875", "name": "NYC local sales tax"},
])  # fmt: skip
oms.pricing.set_jurisdiction("US-NY", shipping_taxable=True)
new_york = {"country": "US", "region": "NY", "line1": "20 W 34th St", "city": "New York",
            "postal_code": "10001"}  # fmt: skip
usd = oms.pricing.quote(channel="us-shop", lines=[{"sku": "TEE-M", "quantity": 3},
                                                  {"sku": "MUG-01", "quantity": 6}],
                        ship_to=new_york, shipping="7.50")  # fmt: skip
show("USD, sales tax on top (New York City, 8.875 %)", usd)

# 3. JPY has no minor unit: a Japanese shop selling in yen, tax included; catalogue prices
#    are converted at 162 (the quote records the rate), consumption tax 10 %.
oms.channels.add("jp-shop", name="Japan shop", currencies=["JPY"], prices_include_tax=True,
                 options={"origin_country": "JP"})  # fmt: skip
tokyo = {"country": "JP", "line1": "1-1 Marunouchi", "city": "Tokyo", "postal_code": "100-0005"}
jpy = oms.pricing.quote(channel="jp-shop", lines=[{"sku": "MUG-01", "quantity": 3}],
                        ship_to=tokyo, shipping="1200")  # fmt: skip
show("JPY, whole yen (Tokyo)", jpy)
assert all(line.total.gross.amount == line.total.gross.amount.to_integral() for line in jpy.lines)

# 4. Cross-border, delivered duty paid: Germany to Switzerland. Import VAT (8.1 %) is
#    estimated and charged now; customs data per line is ready for the commercial invoice.
oms.pricing.add_duty_rate("CH", "", "0", note="industrial goods: tariffs abolished 2024")
zurich = {"country": "CH", "line1": "Bahnhofstrasse 1", "city": "Zurich", "postal_code": "8001"}
ddp = oms.pricing.quote(channel="web", currency="EUR", lines=[{"sku": "TEE-M", "quantity": 10}],
                        ship_to=zurich, incoterm="DDP")  # fmt: skip
show("Cross-border DDP (Berlin to Zurich)", ddp)
for c in ddp.customs:
    print(f"  customs line: {c.sku} HS {c.hs_code} origin {c.country_of_origin} qty {c.quantity} "
          f"value {c.customs_value} weight {c.weight_grams} g")  # fmt: skip
assert ddp.total.gross == ddp.line_total.gross + ddp.shipping.gross + ddp.duties
