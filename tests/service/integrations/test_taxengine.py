"""The external tax engine: TaxJar's documented answers, and the rules when it fails."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import ValidationError
from omskit.integrations.taxengine import ExternalTaxPlugin, ExternalTaxProvider, read_rates
from omskit.integrations.transport import HttpRequest, HttpResponse
from omskit.money import Money
from omskit.testing import FakeClock

from ...unit.integrations.fixtures import raw  # noqa: TID252 - the shared fixture reader

LA = {"country": "US", "region": "CA", "line1": "1335 E 103rd St", "city": "Los Angeles",
      "postal_code": "90002"}  # fmt: skip
TORONTO = {"country": "CA", "region": "ON", "line1": "1 Yonge St", "city": "Toronto",
           "postal_code": "M5E 1E5"}  # fmt: skip


class Engine:
    """Answers every request with one recorded body (or a status), and keeps the requests."""

    def __init__(self, body: bytes = b"", status: int = 200, fail: Exception | None = None):
        self.body, self.status, self.fail = body, status, fail
        self.requests: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        if self.fail is not None:
            raise self.fail
        return HttpResponse(self.status, self.body)

    def sent(self) -> dict[str, Any]:
        return json.loads(self.requests[-1].body)


def make(clock: FakeClock, engine: Engine, currency: str = "USD", origin: str = "US") -> OMS:
    provider = ExternalTaxProvider(
        transport=engine,
        api_key="tj_test",
        tax_codes={"reduced": "81100"},
        origin={"country": "US", "zip": "92101", "state": "CA"},
    )
    oms = OMS.in_memory(clock=clock, autoload=False, plugins=[ExternalTaxPlugin(provider)])
    oms.catalog.add_product("TEE", name="Tee", price="15.00", currency=currency)
    oms.catalog.add_product("BOOK", name="Book", price="10.00", currency=currency,
                            tax_class="reduced")  # fmt: skip
    oms.channels.add("us", name="US", currencies=[currency], price_list="us",
                     prices_include_tax=False, options={"origin_country": origin})  # fmt: skip
    oms.pricing.add_price_list("us", currency, includes_tax=False)
    oms.pricing.set_prices("us", [{"sku": "TEE", "amount": "15.00"},
                                  {"sku": "BOOK", "amount": "10.00"}])  # fmt: skip
    return oms


def test_the_recorded_us_answer_gives_state_county_and_district_rates() -> None:
    tax = json.loads(raw("taxjar", "taxes_us.json"), parse_float=Decimal)["tax"]
    comps = read_rates(tax["breakdown"]["line_items"][0], "US-CA", "line")
    assert [(c.name, c.rate) for c in comps] == [
        ("State sales tax", Decimal("6.25")), ("County tax", Decimal("0.25")),
        ("Special district tax", Decimal("2.5"))]  # fmt: skip


def test_a_quote_is_taxed_at_the_engines_rates_and_omskit_does_the_arithmetic(
    clock: FakeClock,
) -> None:
    engine = Engine(raw("taxjar", "taxes_us.json"))
    oms = make(clock, engine)
    quote = oms.pricing.quote(channel="us", lines=[{"sku": "TEE", "quantity": 1}], ship_to=LA,
                              shipping="1.50")  # fmt: skip
    assert quote.tax_provider == "taxjar"
    assert quote.total.tax == Money("1.35", "USD")  # 9 % of 15.00; shipping not taxed
    assert [t.rate for t in quote.lines[0].taxes] == [Decimal("6.25"), Decimal("0.25"),
                                                      Decimal("2.5")]  # fmt: skip
    sent = engine.sent()
    assert (sent["to_state"], sent["to_zip"], sent["from_zip"]) == ("CA", "90002", "92101")
    assert sent["amount"] == 15
    assert sent["shipping"] == 1.5
    assert sent["line_items"] == [{"id": "1", "quantity": 1, "unit_price": 15}]
    assert engine.requests[-1].header("Authorization") == "Bearer tj_test"


def test_canadian_shipping_is_taxed_at_gst_and_pst(clock: FakeClock) -> None:
    oms = make(clock, Engine(raw("taxjar", "taxes_canada.json")), currency="CAD", origin="CA")
    quote = oms.pricing.quote(channel="us", lines=[{"sku": "TEE", "quantity": 1}],
                              ship_to=TORONTO, shipping="1.50")  # fmt: skip
    assert quote.total.tax == Money("2.15", "CAD")  # 13 % of 16.50, as the engine says
    assert [t.name for t in quote.shipping_taxes] == ["GST", "PST"]


def test_the_engines_product_tax_codes_follow_omskits_tax_classes(clock: FakeClock) -> None:
    engine = Engine(raw("taxjar", "taxes_us.json").replace(b'"id": "1"', b'"id": "2"'))
    oms = make(clock, engine)
    oms.pricing.quote(channel="us", lines=[{"sku": "BOOK", "quantity": 2}], ship_to=LA)
    (line,) = engine.sent()["line_items"]
    assert line["product_tax_code"] == "81100"
    assert line["unit_price"] == 10


@pytest.mark.parametrize(
    "engine",
    [Engine(fail=TimeoutError("read timed out")), Engine(b'{"error": "Unauthorized"}', 401),
     Engine(b"<html>bad gateway</html>", 502), Engine(b'{"tax": {"breakdown": 7}}'),
     Engine(b'{"tax": {"breakdown": {"line_items": [{"id": "1", "state_tax_rate": 0.5e1}]}}}')],
    ids=["timeout", "unauthorized", "bad-gateway", "malformed", "rate-out-of-range"],
)  # fmt: skip
def test_when_the_engine_fails_the_rules_decide_and_the_quote_says_so(
    clock: FakeClock, engine: Engine
) -> None:
    oms = make(clock, engine)
    oms.pricing.add_tax_rates([{"jurisdiction": "US-CA", "rate": "7.25", "name": "CA tax"}])
    quote = oms.pricing.quote(channel="us", lines=[{"sku": "TEE", "quantity": 1}], ship_to=LA)
    assert quote.tax_provider == "rules (fallback from taxjar)"
    assert any(n.startswith("taxjar not used") for n in quote.notes)
    assert quote.total.tax == Money("1.09", "USD")  # 7.25 % of 15.00 from the rules


def test_a_repeated_quote_does_not_call_the_engine_again(clock: FakeClock) -> None:
    engine = Engine(raw("taxjar", "taxes_us.json"))
    oms = make(clock, engine)
    for _ in range(3):
        oms.pricing.quote(channel="us", lines=[{"sku": "TEE", "quantity": 1}], ship_to=LA)
    assert len(engine.requests) == 1


def test_no_nexus_means_no_tax(clock: FakeClock) -> None:
    body = raw("taxjar", "taxes_us.json").replace(b'"has_nexus": true', b'"has_nexus": false')
    oms = make(clock, Engine(body))
    quote = oms.pricing.quote(channel="us", lines=[{"sku": "TEE", "quantity": 1}], ship_to=LA)
    assert quote.total.tax == Money("0.00", "USD")
    assert any("no nexus" in n for n in quote.notes)


def test_an_export_is_left_to_the_rules(clock: FakeClock) -> None:
    engine = Engine(raw("taxjar", "taxes_canada.json"))
    oms = make(clock, engine, currency="CAD")
    quote = oms.pricing.quote(channel="us", lines=[{"sku": "TEE", "quantity": 1}], ship_to=TORONTO)
    assert quote.treatment == "export"
    assert engine.requests == []
    assert quote.tax_provider == "rules (fallback from taxjar)"


def test_a_provider_needs_a_key_and_an_origin_country() -> None:
    with pytest.raises(ValidationError, match="api_key"):
        ExternalTaxProvider(transport=Engine(), api_key="", origin={"country": "US"})
    with pytest.raises(ValidationError, match=r"origin\.country"):
        ExternalTaxProvider(transport=Engine(), api_key="k", origin={"zip": "1"})
