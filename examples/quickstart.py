"""Quickstart: money, channels, the catalog and customers through the OMS facade.

Run it with ``python examples/quickstart.py``. Everything happens in memory, with a fixed
clock and readable ids, so the output is the same on every run.
"""

from __future__ import annotations

import datetime as dt

from omskit import OMS, Money, OmskitError, allocate, convert, format_money
from omskit.money import ROUND_HALF_EVEN
from omskit.testing import FakeClock


def main() -> None:
    oms = OMS.in_memory(
        config={
            "default_currency": "EUR",
            "exchange_rates": {"EUR": {"USD": "1.08", "JPY": "162"}},
            "exchange_rates_as_of": dt.date(2026, 11, 2),
            "rounding": {"CHF": {"mode": "half_even", "scope": "total"}},
        },
        clock=FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)),
        autoload=False,
    )

    print("== 1. Money ==")
    price = Money("19.90", "EUR")
    print(f"a price:             {price!r}")
    print(f"three of them:       {price * 3}")
    print(
        f"2.665 EUR rounded:   {Money('2.665', 'EUR').quantize()} half-up, "
        f"{Money('2.665', 'EUR').quantize(ROUND_HALF_EVEN)} half-even"
    )
    print(f"CHF policy:          {oms.config.rounding_for('CHF')}")
    shares = allocate(Money("100.00", "EUR"), [1, 1, 1])
    print(f"100 EUR in 3 parts:  {', '.join(map(str, shares))} (sum {sum(shares)})")
    usd = convert(Money("59.70", "EUR"), "USD", oms.exchange_rates)
    print(
        f"converted:           {usd.original} -> {usd.converted} "
        f"at {usd.rate.rate} ({usd.rate.source}, {usd.rate.as_of})"
    )
    for locale, amount in (
        ("en_US", usd.converted),
        ("de_DE", price),
        ("ja_JP", Money("3224", "JPY")),
    ):
        print(f"  {locale}: {format_money(amount, locale)}")
    try:
        Money(19.9, "EUR")
    except OmskitError as exc:
        print(f"a float is refused:  {exc}")

    print()
    print("== 2. Channels ==")
    oms.channels.add(
        "amazon-de",
        name="Amazon DE",
        kind="marketplace",
        currencies=["EUR"],
        channel_prices="accept",
        allow_partial=True,
    )
    for channel in oms.channels.list():
        print(
            f"  {channel.code:10} {channel.kind:12} sells in {', '.join(channel.currencies)}; "
            f"channel prices: {channel.channel_prices}"
        )

    print()
    print("== 3. Catalog ==")
    oms.catalog.add_product(
        "TEE-M",
        name="T-shirt, medium",
        price="19.90",
        currency="EUR",
        weight_grams=180,
        dimensions=[300, 250, 20],
        hs_code="6109.10",
        country_of_origin="PT",
        attributes={"colour": "navy", "size": "M"},
    )
    oms.catalog.add_product(
        "MUG-01",
        name="Enamel mug",
        price="12.50",
        currency="EUR",
        weight_grams=320,
        tax_class="standard",
    )
    oms.catalog.add_product(
        "GIFT-SET",
        name="Gift set",
        price="29.00",
        currency="EUR",
        kit_components=[{"sku": "TEE-M", "quantity": 1}, {"sku": "MUG-01", "quantity": 1}],
    )
    oms.catalog.update_product("MUG-01", price="11.90", currency="EUR")
    oms.catalog.deactivate("GIFT-SET", reason="seasonal")
    for product in oms.catalog.list(active=None):
        state = "active" if product.active else "inactive"
        kit = f", kit of {len(product.kit_components)}" if product.is_kit else ""
        print(f"  {product.sku:9} {product.name:16} {product.price} ({state}{kit})")
    try:
        oms.catalog.add_product("BAG-01", name=" ", price="9.90", currency="EURO", weight_grams=-1)
    except OmskitError as exc:
        print(f"  rejected: {type(exc).__name__}: {exc}")

    print()
    print("== 4. Customers ==")
    dana = oms.customers.register(
        "Dana@Example.com",
        name="Dana Levi",
        phone="+49 30 1234567",
        locale="de_DE",
        addresses=[
            {
                "country": "de",
                "line1": "Invalidenstr. 117",
                "city": "Berlin",
                "postal_code": "10115",
                "lat": 52.53,
                "lon": 13.38,
            }
        ],
    )
    print(f"  {dana.id}: {dana.name} <{dana.email}>, phone {dana.phone}, locale {dana.locale}")
    print(f"  ships to: {dana.addresses[0].one_line()}")
    oms.customers.add_address(
        dana.id,
        {
            "country": "IL",
            "line1": "Rothschild Blvd 1",
            "city": "Tel Aviv",
            "postal_code": "6688101",
        },
    )
    found = oms.customers.get_by_email("dana@example.com")
    print(f"  found again by email: {found.id}, {len(found.addresses)} addresses")
    try:
        oms.customers.register(
            "erin@example", tax_exempt=True, addresses=[{"country": "US", "postal_code": "ABC"}]
        )
    except OmskitError as exc:
        print(f"  rejected: {exc}")


if __name__ == "__main__":
    main()
