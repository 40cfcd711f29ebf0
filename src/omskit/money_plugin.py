"""The built-in exchange-rate plugin: the fixed table in ``config.exchange_rates``.

It sits beside [`omskit.money`][omskit.money], whose [`FixedRates`][] it builds, as each
capability keeps its built-in providers beside it (``omskit.money`` is one module, so
its plugin is the module next to it). Listed in ``omskit.plugins.DEFAULT_PLUGINS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from omskit.money import FixedRates
from omskit.plugins.spec import hookimpl

if TYPE_CHECKING:
    from omskit.config import OMSConfig

__all__ = ["omskit_exchange_rates"]


@hookimpl(trylast=True)
def omskit_exchange_rates(config: OMSConfig) -> FixedRates:
    """A [`FixedRates`][] table from the configuration."""
    return FixedRates(
        config.exchange_rates, as_of=config.exchange_rates_as_of, source="configuration"
    )
