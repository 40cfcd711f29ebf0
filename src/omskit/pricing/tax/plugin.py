"""Built-in plugin: the rule-based tax provider (destination-based rates from the tax table)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from omskit.plugins.spec import hookimpl
from omskit.pricing.tax.provider import RuleTaxProvider

if TYPE_CHECKING:
    from omskit.config import OMSConfig


@hookimpl(trylast=True)
def omskit_tax_provider(config: OMSConfig) -> RuleTaxProvider:
    """The [`RuleTaxProvider`][]; any host provider wins."""
    return RuleTaxProvider()
