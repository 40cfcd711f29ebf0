"""Built-in plugin: the embedded in-memory storage backend (``storage="memory"``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from omskit.plugins.spec import hookimpl
from omskit.storage.memory import MemoryStore

if TYPE_CHECKING:
    from omskit.clock import Clock
    from omskit.config import OMSConfig
    from omskit.ids import IdGenerator


@hookimpl(trylast=True)
def omskit_storage(config: OMSConfig, clock: Clock, ids: IdGenerator) -> MemoryStore | None:
    """Answer with a fresh [`MemoryStore`][] when the configuration asks for ``memory``."""
    if config.storage != "memory":
        return None
    return MemoryStore(clock, ids)
