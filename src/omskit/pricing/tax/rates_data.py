"""The built-in, dated table of standard and reduced VAT / GST rates.

As of `AS_OF`, compiled from public sources (see `SOURCES` and
``docs/taxes.md``). Rates change: hosts must keep them current, either by adding rates
through ``oms.pricing.add_tax_rate`` (which override this table for a country as soon as
that country has any rate of its own) or by plugging in a tax service through the
``omskit_tax_provider`` hook.

Conventions: ``reduced`` is the country's lowest reduced rate of 5 % or more;
``super_reduced`` is a rate below 5 % where EU law allows one; ``valid_from`` and
``valid_to`` are inclusive; ``-`` is an open end. Rates are percentages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from omskit.pricing.tax.model import Jurisdiction, JurisdictionRule, TaxRate

__all__ = ["AS_OF", "SOURCES", "builtin_jurisdictions", "builtin_rates", "countries"]

#: The day this table was last checked against its sources.
AS_OF = dt.date(2025, 9, 1)

#: Where the rates come from.
SOURCES = (
    "European Commission, 'VAT rates applied in the Member States of the European Union' "
    "(taxation-customs.ec.europa.eu, Taxes in Europe Database)",
    "national tax authorities: HMRC (GB), FTA/ESTV (CH), Skatteetaten (NO), Skatturinn (IS), "
    "ATO (AU), Inland Revenue (NZ), CRA and Revenu Quebec (CA), National Tax Agency (JP), "
    "IRAS (SG), NTS (KR), SARS (ZA), SAT (MX), GIB (TR), Israel Tax Authority (IL), "
    "FTA (AE), ZATCA (SA)",
)

# jurisdiction  class  rate  name  valid_from  valid_to
_TABLE = """
AT standard 20 VAT - -
AT reduced 10 VAT - -
BE standard 21 VAT - -
BE reduced 6 VAT - -
BG standard 20 VAT - -
BG reduced 9 VAT - -
CY standard 19 VAT - -
CY reduced 5 VAT - -
CZ standard 21 VAT - -
CZ reduced 12 VAT 2024-01-01 -
DE standard 19 VAT - 2020-06-30
DE standard 16 VAT 2020-07-01 2020-12-31
DE standard 19 VAT 2021-01-01 -
DE reduced 7 VAT - 2020-06-30
DE reduced 5 VAT 2020-07-01 2020-12-31
DE reduced 7 VAT 2021-01-01 -
DK standard 25 VAT - -
EE standard 22 VAT 2024-01-01 2025-06-30
EE standard 24 VAT 2025-07-01 -
EE reduced 9 VAT - -
ES standard 21 VAT - -
ES reduced 10 VAT - -
ES super_reduced 4 VAT - -
FI standard 24 VAT - 2024-08-31
FI standard 25.5 VAT 2024-09-01 -
FI reduced 10 VAT - -
FR standard 20 VAT - -
FR reduced 5.5 VAT - -
FR super_reduced 2.1 VAT - -
GR standard 24 VAT - -
GR reduced 6 VAT - -
HR standard 25 VAT - -
HR reduced 5 VAT - -
HU standard 27 VAT - -
HU reduced 5 VAT - -
IE standard 23 VAT - -
IE reduced 9 VAT - -
IE super_reduced 4.8 VAT - -
IT standard 22 VAT - -
IT reduced 5 VAT - -
IT super_reduced 4 VAT - -
LT standard 21 VAT - -
LT reduced 5 VAT - -
LU standard 17 VAT 2024-01-01 -
LU reduced 8 VAT 2024-01-01 -
LU super_reduced 3 VAT 2024-01-01 -
LV standard 21 VAT - -
LV reduced 5 VAT - -
MT standard 18 VAT - -
MT reduced 5 VAT - -
NL standard 21 VAT - -
NL reduced 9 VAT - -
PL standard 23 VAT - -
PL reduced 5 VAT - -
PT standard 23 VAT - -
PT reduced 6 VAT - -
RO standard 19 VAT - 2025-07-31
RO standard 21 VAT 2025-08-01 -
RO reduced 5 VAT - 2025-07-31
RO reduced 11 VAT 2025-08-01 -
SE standard 25 VAT - -
SE reduced 6 VAT - -
SI standard 22 VAT - -
SI reduced 5 VAT - -
SK standard 20 VAT - 2024-12-31
SK standard 23 VAT 2025-01-01 -
SK reduced 10 VAT - 2024-12-31
SK reduced 5 VAT 2025-01-01 -
GB standard 20 VAT - -
GB reduced 5 VAT - -
CH standard 7.7 VAT 2018-01-01 2023-12-31
CH standard 8.1 VAT 2024-01-01 -
CH reduced 2.5 VAT 2018-01-01 2023-12-31
CH reduced 2.6 VAT 2024-01-01 -
NO standard 25 VAT - -
NO reduced 12 VAT - -
IS standard 24 VAT - -
IS reduced 11 VAT - -
TR standard 20 VAT 2023-07-10 -
TR reduced 10 VAT 2023-07-10 -
IL standard 17 VAT - 2024-12-31
IL standard 18 VAT 2025-01-01 -
AE standard 5 VAT - -
SA standard 15 VAT - -
ZA standard 15 VAT - -
MX standard 16 IVA - -
KR standard 10 VAT - -
JP standard 10 Consumption-tax 2019-10-01 -
JP reduced 8 Consumption-tax 2019-10-01 -
SG standard 9 GST 2024-01-01 -
AU standard 10 GST - -
NZ standard 15 GST - -
CA standard 5 GST - -
CA-ON standard 13 HST - -
CA-NB standard 15 HST - -
CA-NL standard 15 HST - -
CA-PE standard 15 HST - -
CA-NS standard 15 HST - 2025-03-31
CA-NS standard 14 HST 2025-04-01 -
CA-QC standard 9.975 QST 2013-01-01 -
CA-BC standard 7 PST - -
CA-MB standard 7 RST - -
CA-SK standard 6 PST - -
"""

#: Jurisdictions whose rates replace the broader ones (HST replaces federal GST).
_OVERRIDES = ("CA-ON", "CA-NB", "CA-NL", "CA-PE", "CA-NS")


def _day(text: str) -> dt.date | None:
    return None if text == "-" else dt.date.fromisoformat(text)


def parse_jurisdiction(code: str) -> Jurisdiction:
    """``"US-NY:100"`` -> ``Jurisdiction("US", "NY", "100")``."""
    place, _, postal = code.partition(":")
    country, _, region = place.partition("-")
    return Jurisdiction(country, region, postal)


@lru_cache(maxsize=1)
def builtin_rates() -> tuple[TaxRate, ...]:
    """Every rate in the built-in table."""
    source = f"omskit built-in table as of {AS_OF.isoformat()}"
    rates = []
    for row in _TABLE.strip().splitlines():
        code, tax_class, rate, name, start, end = row.split()
        rates.append(
            TaxRate(
                jurisdiction=parse_jurisdiction(code),
                tax_class=tax_class,
                rate=Decimal(rate),
                name=name.replace("-", " "),
                valid_from=_day(start),
                valid_to=_day(end),
                source=source,
            )
        )
    return tuple(rates)


@lru_cache(maxsize=1)
def builtin_jurisdictions() -> tuple[JurisdictionRule, ...]:
    """Jurisdiction settings that come with the built-in table."""
    return tuple(JurisdictionRule(parse_jurisdiction(c), override=True) for c in _OVERRIDES)


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Countries the built-in table covers."""
    return frozenset(r.jurisdiction.country for r in builtin_rates())
