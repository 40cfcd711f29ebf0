"""A host module that passes py-moneyed money and babel locales to omskit, type-checked.

Not a test module: CI runs ``mypy --strict`` over it (see ``.ci/run``), so an entry
point whose annotation forgets ``MoneyLike`` or ``LocaleLike`` fails the type check
that a host's own CI would run. ``run`` is also called by ``test_interop.py``.
"""

from __future__ import annotations

import babel
import moneyed

from omskit import OMS, Money, allocate, convert, format_money
from omskit.money import FixedRates, sum_money


def run(oms: OMS, order_id: str) -> list[str]:
    """Call each entry point with foreign types; returns what a host would print."""
    price = moneyed.Money("19.90", "EUR")
    swiss = babel.Locale.parse("de_CH")
    rates = FixedRates({"EUR": {"CHF": "0.94"}})
    out = [
        format_money(price, swiss),
        format_money(Money("1", "EUR"), locale=swiss),
        str(convert(price, "CHF", rates).converted),
        str(sum_money(allocate(price, [1, 2]), "EUR")),
        str(Money.of(price)),
    ]
    quote = oms.pricing.quote(
        channel="web",
        lines=[{"sku": "TEE-M", "quantity": 1}],
        shipping=moneyed.Money("4.90", "EUR"),
    )
    out.append(str(quote.total.gross))
    out.append(str(oms.orders.refund(order_id, moneyed.Money("1.00", "EUR"), reason="x").amount))
    out.append(str(oms.payments.refund(order_id, moneyed.Money("1.00", "EUR"), reason="x").amount))
    oms.inventory.add_supplier("ACME", name="Acme")
    oms.inventory.set_supply_terms("ACME", "TEE-M", unit_cost=moneyed.Money("6.10", "EUR"))
    oms.pricing.add_promotion(
        "FIVE", name="Five off", kind="amount", amount=moneyed.Money("5.00", "EUR")
    )
    out.append(oms.customers.register("urs@example.ch", locale=swiss).locale)
    pick = oms.fulfillment.pick_list("BER")
    out.append(oms.fulfillment.pick_list_document(pick, swiss).title)
    out.append(oms.fulfillment.documents.pick_list(pick, locale=swiss).title)
    return out
