"""Built-in plugin: exchange rates from the fixed table in ``config.exchange_rates``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from omskit.money import FixedRates
from omskit.plugins.spec import hookimpl

if TYPE_CHECKING:
    from omskit.config import OMSConfig


@hookimpl(trylast=True)
def omskit_exchange_rates(config: OMSConfig) -> FixedRates:
    """A [`FixedRates`][] table from the configuration."""
    return FixedRates(
        config.exchange_rates, as_of=config.exchange_rates_as_of, source="configuration"
    )
