"""What the hot path remembers between quotes never changes an answer."""

from __future__ import annotations

from decimal import Decimal

import attrs

from omskit import Money
from omskit.pricing.lines import frozen_builder
from omskit.pricing.quote import QuoteLine

from .pricing_helpers import BERLIN, make_oms


def test_the_frozen_builder_makes_the_same_object_as_the_attrs_constructor() -> None:
    values = (0, "TEE-M", 2, Money("19.90", "EUR"), Money("39.80", "EUR"),
              Money("0.00", "EUR"), None, "standard", "catalogue price", "Tee", "L1",
              Decimal("21.90"), None, (), None, True, None)  # fmt: skip
    built = frozen_builder(QuoteLine)(*values)
    assert built == QuoteLine(*values)
    assert attrs.astuple(built, recurse=False) == values


def test_a_remembered_tax_decision_still_tells_customers_apart() -> None:
    oms = make_oms()
    lines = [{"sku": "TEE-M", "quantity": 1}]
    plain = oms.pricing.quote(channel="web", lines=lines, ship_to=BERLIN)
    exempt = oms.pricing.quote(channel="web", lines=lines, ship_to=BERLIN,
                               customer={"email": "a@example.com", "tax_exempt": True})  # fmt: skip
    again = oms.pricing.quote(channel="web", lines=lines, ship_to=BERLIN)
    assert plain.treatment == again.treatment == "taxed"
    assert exempt.treatment == "exempt"
    assert exempt.tax_total == Money("0.00", "EUR")
    assert again.explain() == plain.explain()
    assert again.tax_total == plain.tax_total != exempt.tax_total


def test_a_new_tax_rate_reaches_the_next_quote_despite_remembered_decisions() -> None:
    oms = make_oms()
    lines = [{"sku": "TEE-M", "quantity": 1}]
    before = oms.pricing.quote(channel="web", lines=lines, ship_to=BERLIN)
    oms.pricing.add_tax_rate("DE", "standard", "25")
    after = oms.pricing.quote(channel="web", lines=lines, ship_to=BERLIN)
    assert before.lines[0].taxes[0].rate == Decimal(19)
    assert after.lines[0].taxes[0].rate == Decimal(25)
    assert "host table" in after.explain()
    assert "built-in table" in before.explain()
