"""Demo section: a multi-currency, taxed, discounted quote."""

from __future__ import annotations

from collections.abc import Callable

from omskit.errors import OmskitError
from omskit.oms import OMS

TOKYO = {"country": "JP", "line1": "1-1 Marunouchi", "city": "Tokyo", "postal_code": "100-0005"}
PARIS = {"country": "FR", "line1": "1 rue de Rivoli", "city": "Paris", "postal_code": "75001"}


def run(oms: OMS, say: Callable[[str], None]) -> None:
    """Quote the same basket in EUR, USD and JPY, with a coupon, VAT and free shipping."""
    say("== Pricing, promotions and taxes ==")
    web = oms.channels.get("web")
    currencies = list(dict.fromkeys([*web.currencies, "USD", "JPY"]))
    oms.channels.update("web", currencies=currencies)
    oms.pricing.add_promotion("AUTUMN10", name="Autumn coupon", kind="percent", percent="10",
                              coupon_only=True)  # fmt: skip
    oms.pricing.add_coupon("AUTUMN10", "AUTUMN10", max_uses=100, max_uses_per_customer=1)
    oms.pricing.add_promotion("SHIP50", name="Free shipping from 50 EUR", kind="free_shipping",
                              min_subtotal={"EUR": "50", "USD": "55"})  # fmt: skip
    dana = oms.customers.get_by_email("dana@example.com")
    basket = [{"sku": "TEE-M", "quantity": 2}, {"sku": "MUG-01", "quantity": 1},
              {"sku": "CAP-RED", "quantity": 1}]  # fmt: skip
    quote = oms.pricing.quote(channel="web", lines=basket, customer=dana.id,
                              coupons=["autumn10"], shipping="4.90")  # fmt: skip
    say("Dana's basket in EUR, shipped to Berlin, coupon AUTUMN10, shipping 4.90:")
    for text in quote.explain().splitlines():
        say(f"  {text}")
    say("")
    for currency, ship_to, shipping in (("USD", PARIS, "5.50"), ("JPY", TOKYO, "800")):
        q = oms.pricing.quote(channel="web", currency=currency, lines=basket, ship_to=ship_to,
                              shipping=shipping)  # fmt: skip
        rate = q.fx_rate
        via = f" (catalogue EUR prices at 1 EUR = {rate.rate} {currency})" if rate else ""
        say(f"The same basket in {currency}{via}, shipped to {ship_to['city']}:")
        for line in q.lines:
            taxes = ", ".join(t.label for t in line.taxes)
            say(f"  {line.sku:8} x {line.quantity} at {line.unit_price.amount:>8} = "
                f"{line.total.gross.amount:>8}  {taxes}")  # fmt: skip
        say(f"  shipping {q.shipping.gross.amount}, tax {q.tax_total.amount}, "
            f"total {q.total.gross.amount} {currency}")  # fmt: skip
    try:
        oms.pricing.quote(channel="web", currency="GBP", lines=basket)
    except OmskitError as exc:
        say(f"  a currency the channel does not sell is refused: {exc}")
    say("")
