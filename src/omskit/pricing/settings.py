"""The ``pricing`` configuration section, validated into [`PricingSettings`][]."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from omskit.catalog.model import TAX_CLASSES
from omskit.validation import Problems, check_bool, check_country

__all__ = ["PricingSettings"]


@attrs.frozen
class PricingSettings:
    """Settings read from ``config.section("pricing")``.

    Attributes:
        origin_country: the seller's country: decides reverse charge, exports and
            duties; quotes without a ship-to address are taxed here.
        shipping_tax_class: the tax class shipping charges are taxed at.
        builtin_rates: fall back to the built-in VAT / GST table for countries the host's
            table does not cover.
        builtin_import_rules: use the built-in de-minimis thresholds.
    """

    origin_country: str | None = None
    shipping_tax_class: str = "standard"
    builtin_rates: bool = True
    builtin_import_rules: bool = True

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> PricingSettings:
        """Validate the section, reporting every problem at once."""
        problems = Problems()
        known = {f.name for f in attrs.fields(cls)}
        for key in sorted(set(section) - known):
            problems.add(f"pricing.{key}", f"unknown setting; known: {', '.join(sorted(known))}")
        out: dict[str, Any] = {}
        if section.get("origin_country") is not None:
            out["origin_country"] = problems.check(
                "pricing.origin_country", check_country, section["origin_country"]
            )
        if "shipping_tax_class" in section:
            value = section["shipping_tax_class"]
            if value not in TAX_CLASSES:
                problems.add("pricing.shipping_tax_class",
                             f"expected one of {', '.join(TAX_CLASSES)}", value)  # fmt: skip
            else:
                out["shipping_tax_class"] = value
        for key in ("builtin_rates", "builtin_import_rules"):
            if key in section:
                out[key] = problems.check(f"pricing.{key}", check_bool, section[key])
        problems.raise_if_any()
        return cls(**out)
