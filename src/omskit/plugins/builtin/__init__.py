"""Deprecated home of the kernel's built-in plugins; they now live beside what they provide.

``omskit.plugins.builtin.memory_storage`` and ``sql_storage`` moved to
`omskit.storage.plugin`, ``fixed_rates`` to `omskit.money_plugin`. The old modules still
import, with a `DeprecationWarning`, and will be removed in a later release.
"""

from __future__ import annotations

import warnings

__all__: list[str] = []


def _moved(old: str, new: str) -> None:
    """Warn that module ``old`` is a deprecated alias of ``new``."""
    warnings.warn(
        f"{old} is deprecated; import {new} instead (the built-in plugins live beside "
        f"what they provide)",
        DeprecationWarning,
        stacklevel=3,
    )
