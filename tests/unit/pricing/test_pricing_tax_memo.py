"""The engine remembers only decisions a provider says rest on facts, never on amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from omskit.customers.address import Address
from omskit.money import RoundingPolicy
from omskit.pricing import engine
from omskit.pricing.engine import PricingContext
from omskit.pricing.lines import WorkLine
from omskit.pricing.request import CustomerRef
from omskit.pricing.tax.model import TaxDecision, TaxRequest
from omskit.pricing.tax.provider import RuleTaxProvider
from omskit.pricing.tax.rules import TaxRules

NOW = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
BERLIN = Address(country="DE", city="Berlin", postal_code="10115")


class Counting(RuleTaxProvider):
    """The rule-based provider, counting how often it is asked."""

    def __init__(self) -> None:
        self.asked = 0

    def decide(self, request: TaxRequest) -> TaxDecision:
        self.asked += 1
        return super().decide(request)


class AmountsMatter(Counting):
    """A provider that does not promise its decision ignores the amounts."""

    decides_from_facts = False


def _ctx(
    provider: RuleTaxProvider, rules: TaxRules, customer: CustomerRef | None = None
) -> PricingContext:
    return PricingContext(channel="web", currency="EUR", policy=RoundingPolicy(),
                          price_list="default", includes_tax=True, now=NOW,
                          provider=provider, rules=rules, customer=customer,
                          origin_country="DE")  # fmt: skip


def _decide(ctx: PricingContext, amount: str) -> TaxDecision:
    line = WorkLine(0, "TEE", 1, Decimal(amount), Decimal(amount), tax_class="standard")
    return engine._decide(ctx, [line], [Decimal(amount)], BERLIN, False)


def test_the_same_facts_give_the_remembered_decision_whatever_the_amounts() -> None:
    provider, rules = Counting(), TaxRules()
    first = _decide(_ctx(provider, rules), "10.00")
    again = _decide(_ctx(provider, rules), "99.00")
    assert again is first
    assert provider.asked == 1
    assert first.treatment == "taxed"


def test_different_facts_are_decided_afresh() -> None:
    provider, rules = Counting(), TaxRules()
    plain = _decide(_ctx(provider, rules), "10.00")
    exempt = _decide(_ctx(provider, rules, CustomerRef(tax_exempt=True)), "10.00")
    assert (plain.treatment, exempt.treatment) == ("taxed", "exempt")
    assert provider.asked == 2


def test_a_provider_that_does_not_declare_it_is_asked_every_time() -> None:
    provider, rules = AmountsMatter(), TaxRules()
    _decide(_ctx(provider, rules), "10.00")
    _decide(_ctx(provider, rules), "10.00")
    assert provider.asked == 2
    assert rules.decisions == {}


def test_two_provider_classes_do_not_share_a_remembered_decision() -> None:
    class Flat(RuleTaxProvider):
        def decide(self, request: TaxRequest) -> TaxDecision:
            return TaxDecision("exempt", tuple(() for _ in request.items), (), "flat")

    rules = TaxRules()
    assert _decide(_ctx(RuleTaxProvider(), rules), "10.00").treatment == "taxed"
    assert _decide(_ctx(Flat(), rules), "10.00").treatment == "exempt"
