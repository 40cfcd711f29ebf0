"""Cross-border: de-minimis thresholds, duty and import-tax estimates, customs lines.

When the seller's country (``pricing.origin_country``) and the destination lie in
different customs territories (the EU counts as one), goods are exported. Then either:

* the destination lets the seller collect its VAT / GST at checkout for low-value
  consignments (EU IOSS up to 150 EUR, UK up to 135 GBP, Australia and New Zealand up to
  1000 AUD / NZD, Norway's VOEC under 3000 NOK): the quote charges the destination's tax
  on its lines, and duty is estimated only above the duty threshold; or
* import taxes are due at the border: the lines carry no tax (export), and duty and
  import tax are *estimated* here. Under DDP the seller pays them and the quote charges
  them (``Quote.duties``); under DAP the customer pays on delivery and the estimate is
  only shown.

Thresholds are public rules as of the dates below; hosts override them with
``oms.pricing.set_import_rule`` and add duty rates per HS-code prefix with
``oms.pricing.add_duty_rate`` (omskit ships no duty tariff: rates depend on the product,
its origin and trade agreements).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs

from omskit.money import Money
from omskit.pricing.validity import within

__all__ = [
    "DEMINIMIS_AS_OF",
    "CustomsLine",
    "DutyEstimate",
    "DutyRate",
    "ImportRule",
    "builtin_import_rules",
    "duty_rate_for",
    "import_rule_for",
]

#: The day the built-in thresholds were last checked.
DEMINIMIS_AS_OF = dt.date(2025, 9, 1)


@attrs.frozen
class ImportRule:
    """Import thresholds of one customs territory (``"US"``, ``"EU"``...), in its currency.

    Attributes:
        duty_threshold: no duty on consignments worth this much or less (``None``: none).
        tax_threshold: no import tax at the border at or below this value.
        tax_waiver: import tax of this amount or less is not collected (Switzerland).
        checkout_up_to: the seller collects the destination's VAT / GST at checkout for
            consignments worth this much or less (IOSS, UK, AU, NZ, NO).
        origins: the rule only applies to goods shipped from these countries (empty: any).
    """

    territory: str
    currency: str
    duty_threshold: Decimal | None = None
    tax_threshold: Decimal | None = None
    tax_waiver: Decimal | None = None
    checkout_up_to: Decimal | None = None
    origins: frozenset[str] = frozenset()
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: str = ""

    def valid_on(self, day: dt.date) -> bool:
        """Whether the rule applies on ``day``."""
        return within(day, self.valid_from, self.valid_to)


@attrs.frozen
class DutyRate:
    """A duty percentage for goods whose HS code starts with ``hs_prefix`` (``""``: any)."""

    territory: str
    hs_prefix: str
    rate: Decimal
    origin: str = ""
    note: str = ""


@attrs.frozen
class DutyEstimate:
    """Duty and import tax expected for a cross-border quote, in the quote's currency."""

    destination: str
    territory: str
    incoterm: str
    goods_value: Money
    duty: Money
    import_tax: Money
    collected_at_checkout: bool
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> Money:
        """Duty plus import tax."""
        return self.duty + self.import_tax


@attrs.frozen
class CustomsLine:
    """What a commercial invoice declares for one line."""

    index: int
    sku: str
    description: str
    hs_code: str | None
    country_of_origin: str | None
    quantity: int
    unit_value: Money
    customs_value: Money
    weight_grams: int


def _d(text: str) -> Decimal:
    return Decimal(text)


_BUILTIN = (
    ImportRule("US", "USD", _d("800"), _d("800"), valid_to=dt.date(2025, 8, 28),
               source="19 U.S.C. 1321 (Section 321), 800 USD"),
    ImportRule("US", "USD", _d("0"), _d("0"), valid_from=dt.date(2025, 8, 29),
               source="Executive Order 14324: duty-free de minimis suspended for all "
                      "countries from 2025-08-29"),
    ImportRule("CA", "CAD", _d("150"), _d("40"), origins=frozenset({"US", "MX"}),
               source="CBSA, CUSMA courier low-value shipments: duty 150 CAD, taxes 40 CAD"),
    ImportRule("CA", "CAD", _d("20"), _d("20"),
               source="CBSA, Courier Low Value Shipment Program: 20 CAD"),
    ImportRule("EU", "EUR", _d("150"), _d("0"), checkout_up_to=_d("150"),
               valid_from=dt.date(2021, 7, 1),
               source="Council Regulation (EC) 1186/2009 (duty relief up to 150 EUR); "
                      "EU VAT e-commerce package, IOSS, from 2021-07-01"),
    ImportRule("GB", "GBP", _d("135"), _d("0"), checkout_up_to=_d("135"),
               valid_from=dt.date(2021, 1, 1),
               source="HMRC, VAT and overseas goods sold to customers in the UK (135 GBP)"),
    ImportRule("AU", "AUD", _d("1000"), _d("1000"), checkout_up_to=_d("1000"),
               valid_from=dt.date(2018, 7, 1),
               source="ATO, GST on low value imported goods (1000 AUD)"),
    ImportRule("NZ", "NZD", _d("1000"), _d("1000"), checkout_up_to=_d("1000"),
               valid_from=dt.date(2019, 12, 1),
               source="Inland Revenue, GST on low-value imported goods (1000 NZD)"),
    ImportRule("NO", "NOK", None, _d("3000"), checkout_up_to=_d("2999.99"),
               valid_from=dt.date(2020, 4, 1),
               source="Skatteetaten, VOEC scheme: goods under 3000 NOK"),
    ImportRule("CH", "CHF", None, None, tax_waiver=_d("5"),
               source="FOCBS: import VAT of 5 CHF or less is not collected; industrial "
                      "tariffs abolished from 2024-01-01"),
    ImportRule("JP", "JPY", _d("10000"), _d("10000"),
               source="Japan Customs, small-value imports: 10,000 JPY"),
)  # fmt: skip


def builtin_import_rules() -> tuple[ImportRule, ...]:
    """The built-in thresholds (see ``docs/taxes.md`` for sources and dates)."""
    return _BUILTIN


def import_rule_for(
    rules: Sequence[ImportRule], territory: str, origin: str | None, day: dt.date
) -> ImportRule | None:
    """The rule for goods from ``origin`` into ``territory`` on ``day``; specific origins first.

    ``rules`` are searched in order, so a host's rules placed first win.
    """
    fallback: ImportRule | None = None
    for rule in rules:
        if rule.territory != territory or not rule.valid_on(day):
            continue
        if rule.origins:
            if origin in rule.origins:
                return rule
        elif fallback is None:
            fallback = rule
    return fallback


def duty_rate_for(
    rates: Sequence[DutyRate], territory: str, hs_code: str | None, origin: str | None
) -> DutyRate | None:
    """The most specific duty rate: longest HS prefix, origin-specific before general."""
    best: DutyRate | None = None
    code = hs_code or ""
    for rate in rates:
        if rate.territory != territory or not code.startswith(rate.hs_prefix):
            continue
        if rate.origin and rate.origin != origin:
            continue
        if best is None or (len(rate.hs_prefix), bool(rate.origin)) > (
            len(best.hs_prefix),
            bool(best.origin),
        ):
            best = rate
    return best
