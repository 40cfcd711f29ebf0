"""Groups of countries that trade and tax as one: the EU's VAT area and customs union.

One source for every capability: pricing decides reverse charge and exports with these
sets, fulfillment decides which parcels need a commercial invoice. The sets change only
by treaty; hosts with special territories (Canary Islands, Åland...) refine them through
their own tax and customs rules.
"""

from __future__ import annotations

__all__ = ["EU_CUSTOMS_UNION", "EU_MEMBER_STATES", "customs_territory"]

#: The 27 EU member states (the VAT area for reverse charge), as of 2026.
EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})  # fmt: skip

#: The EU customs territory: the member states plus Monaco, which shares it with France.
#: Goods moving inside it are not exports and need no customs declaration.
EU_CUSTOMS_UNION = EU_MEMBER_STATES | {"MC"}


def customs_territory(country: str) -> str:
    """``"EU"`` for a country in the EU customs union, otherwise the country itself."""
    return "EU" if country in EU_CUSTOMS_UNION else country
