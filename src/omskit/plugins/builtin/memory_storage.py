"""Deprecated: the built-in in-memory storage plugin moved to `omskit.storage.plugin`.

Importing this module warns; it re-exports the names it had. ``DEFAULT_PLUGINS`` now
registers `omskit.storage.plugin` instead (see docs/plugins.md, "Where the built-ins live").
"""

from __future__ import annotations

from omskit.plugins.builtin import _moved

_moved(__name__, "omskit.storage.plugin")

from omskit.storage.plugin import omskit_storage  # noqa: E402

__all__ = ["omskit_storage"]
