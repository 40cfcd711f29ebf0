"""Built-in plugin: the table-rate carrier (demo table) and the sandbox carrier.

Configuration section ``carriers`` can replace the table-rate carrier's table
(``{"tablerate": {"table": {...}}}``) and add more table-rate carriers (``"tables"``);
see [`CarrierService`][omskit.carriers.service.CarrierService].
"""

from __future__ import annotations

from omskit.carriers.port import Carrier
from omskit.carriers.sandbox import SandboxCarrier
from omskit.carriers.tablerate import TableRateCarrier
from omskit.plugins.spec import hookimpl


@hookimpl(trylast=True)
def omskit_register_carriers() -> list[Carrier]:
    """The ``tablerate`` and ``sandbox`` carriers."""
    return [TableRateCarrier.from_mapping(None), SandboxCarrier.create()]
