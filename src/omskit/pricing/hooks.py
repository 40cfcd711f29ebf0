"""The pricing hook: who decides which taxes apply.

Typed with the [`TaxProvider`][omskit.pricing.tax.model.TaxProvider] protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from omskit.plugins.spec import hookspec

if TYPE_CHECKING:
    from omskit.config import OMSConfig
    from omskit.pricing.tax.model import TaxProvider

__all__ = ["TaxProviderPlugin"]


class TaxProviderPlugin(Protocol):
    """What a plugin that provides the tax provider looks like to a type checker."""

    def omskit_tax_provider(self, config: OMSConfig) -> TaxProvider | None:
        """The tax provider, or ``None`` to pass."""
        ...


@hookspec(firstresult=True)
def omskit_tax_provider(config: OMSConfig) -> TaxProvider | None:
    """Provide the tax provider that computes tax lines for quotes.

    Stops at the first non-None result; the built-in rule-based provider answers last.

    :param config: the OMS configuration.
    :returns: a [`TaxProvider`][omskit.pricing.tax.model.TaxProvider], or ``None`` to pass.
    """
