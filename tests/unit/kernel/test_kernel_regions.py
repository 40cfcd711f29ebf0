"""EU regions: one source for the VAT area and the customs union."""

from __future__ import annotations

from omskit.customers import EU_CUSTOMS_UNION, EU_MEMBER_STATES, customs_territory
from omskit.fulfillment.documents import crosses_customs
from omskit.pricing.tax.rules import EU_COUNTRIES


def test_the_eu_has_27_member_states_and_monaco_shares_its_customs_union() -> None:
    assert len(EU_MEMBER_STATES) == 27
    monaco_only = EU_CUSTOMS_UNION - EU_MEMBER_STATES
    assert monaco_only == {"MC"}
    assert "GB" not in EU_CUSTOMS_UNION
    assert "CH" not in EU_CUSTOMS_UNION


def test_pricing_and_fulfillment_agree_on_what_crosses_a_customs_border() -> None:
    assert EU_COUNTRIES is EU_MEMBER_STATES
    for origin, destination in [("FR", "MC"), ("DE", "AT"), ("DE", "CH"), ("GB", "FR")]:
        crosses = customs_territory(origin) != customs_territory(destination)
        assert crosses_customs(origin, destination) is crosses
