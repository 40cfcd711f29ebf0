"""Deprecated: the built-in exchange-rate plugin moved to `omskit.money_plugin`.

Importing this module warns; it re-exports the names it had. ``DEFAULT_PLUGINS`` now
registers `omskit.money_plugin` instead (see docs/plugins.md, "Where the built-ins live").
"""

from __future__ import annotations

from omskit.plugins.builtin import _moved

_moved(__name__, "omskit.money_plugin")

from omskit.money_plugin import omskit_exchange_rates  # noqa: E402

__all__ = ["omskit_exchange_rates"]
