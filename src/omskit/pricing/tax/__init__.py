"""Taxes: jurisdictions, effective-dated rates, the built-in table and the tax provider."""

from omskit.pricing.tax.model import (
    TREATMENTS,
    Jurisdiction,
    JurisdictionRule,
    TaxComponent,
    TaxDecision,
    TaxItem,
    TaxProvider,
    TaxRate,
    TaxRateTable,
    TaxRequest,
)
from omskit.pricing.tax.provider import RuleTaxProvider, vat_id_country
from omskit.pricing.tax.rates_data import AS_OF as RATES_AS_OF
from omskit.pricing.tax.rules import EU_COUNTRIES, TaxRules, TaxTable, customs_territory

__all__ = [
    "EU_COUNTRIES",
    "RATES_AS_OF",
    "TREATMENTS",
    "Jurisdiction",
    "JurisdictionRule",
    "RuleTaxProvider",
    "TaxComponent",
    "TaxDecision",
    "TaxItem",
    "TaxProvider",
    "TaxRate",
    "TaxRateTable",
    "TaxRequest",
    "TaxRules",
    "TaxTable",
    "customs_territory",
    "vat_id_country",
]
