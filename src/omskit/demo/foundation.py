"""Demo section: money, the catalog and customers."""

from __future__ import annotations

from collections.abc import Callable

from omskit.errors import OmskitError
from omskit.money import Money, format_money
from omskit.oms import OMS


def run(oms: OMS, say: Callable[[str], None]) -> None:
    """Show exact money, a small catalog and a customer."""
    say("== Money is exact ==")
    ten = Money("10.00", "EUR")
    parts = ten.allocate([1, 1, 1])
    say(f"10.00 EUR split three ways: {', '.join(str(p) for p in parts)} (sum {sum(parts)})")
    for code, locale in (("EUR", "de_DE"), ("JPY", "ja_JP"), ("KWD", "en_US"), ("ILS", "he_IL")):
        say(f"  {code} in {locale}: {format_money(Money('1234.5', code).quantize(), locale)}")
    try:
        Money(0.1, "EUR")
    except OmskitError as exc:
        say(f"  a float is refused: {exc}")

    say("")
    say("== Catalog ==")
    for sku, name, price, grams in (
        ("TEE-M", "T-shirt, medium", "19.90", 180),
        ("MUG-01", "Enamel mug", "12.50", 320),
        ("CAP-RED", "Cap, red", "15.00", 90),
    ):
        oms.catalog.add_product(
            sku, name=name, price=price, currency="EUR", weight_grams=grams,
            hs_code="6109.10" if sku.startswith("TEE") else None, country_of_origin="PT",
        )  # fmt: skip
        say(f"  added {sku:8} {name:18} {price} EUR, {grams} g")

    say("")
    say("== Customers ==")
    dana = oms.customers.register(
        "dana@example.com", name="Dana Levi", locale="de_DE",
        addresses=[{"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                    "postal_code": "10115", "lat": 52.53, "lon": 13.38}],
    )  # fmt: skip
    say(f"  registered {dana.id}: {dana.name} <{dana.email}>, {dana.addresses[0].one_line()}")
    try:
        oms.customers.register("not-an-email", addresses=[{"country": "XX"}])
    except OmskitError as exc:
        say(f"  bad input is reported field by field:\n    {exc}".replace("\n  -", "\n    -"))
    say("")
