"""The rule-based tax provider remembers its decisions itself, and only where it may."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from omskit.customers.address import Address
from omskit.pricing.request import CustomerRef
from omskit.pricing.tax.model import TaxDecision, TaxItem, TaxRequest
from omskit.pricing.tax.provider import RuleTaxProvider
from omskit.pricing.tax.rules import TaxRules

DAY = dt.date(2026, 11, 24)
BERLIN = Address(country="DE", city="Berlin", postal_code="10115")


def _request(
    rules: object, *, amount: str = "10.00", customer: CustomerRef | None = None
) -> TaxRequest:
    items = [TaxItem(0, "TEE", "standard", 1, Decimal(amount)),
             TaxItem(-1, "", "standard", 1, Decimal("4.90"))]  # fmt: skip
    return TaxRequest("EUR", DAY, BERLIN, "DE", True, items, customer, False, rules)  # type: ignore[arg-type]


def test_the_same_facts_give_the_remembered_decision_whatever_the_amounts() -> None:
    rules = TaxRules()
    provider = RuleTaxProvider()
    first = provider.decide(_request(rules))
    again = provider.decide(_request(rules, amount="99.00"))
    assert again is first
    assert len(rules.decisions) == 1
    assert first.treatment == "taxed"


def test_different_facts_are_decided_afresh() -> None:
    rules = TaxRules()
    provider = RuleTaxProvider()
    plain = provider.decide(_request(rules))
    exempt = provider.decide(_request(rules, customer=CustomerRef(tax_exempt=True)))
    assert (plain.treatment, exempt.treatment) == ("taxed", "exempt")
    assert len(rules.decisions) == 2


def test_a_subclass_does_not_share_the_base_class_memo() -> None:
    class Flat(RuleTaxProvider):
        def _decide(self, request: TaxRequest) -> TaxDecision:
            return TaxDecision("exempt", tuple(() for _ in request.items), (), "flat")

    rules = TaxRules()
    assert RuleTaxProvider().decide(_request(rules)).treatment == "taxed"
    assert Flat().decide(_request(rules)).treatment == "exempt"


def test_a_rate_table_without_a_memo_is_decided_every_time() -> None:
    class Plain:
        """A rate table with no ``decisions`` dict: it only answers lookups."""

        def __init__(self) -> None:
            self.inner = TaxRules()

        def __getattr__(self, name: str) -> object:
            if name == "decisions":
                raise AttributeError(name)
            return getattr(self.inner, name)

    table = Plain()
    provider = RuleTaxProvider()
    first = provider.decide(_request(table))
    again = provider.decide(_request(table))
    assert first == again
    assert first is not again
