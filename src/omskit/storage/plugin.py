"""The built-in storage plugin: the backend the configuration names.

``storage="memory"`` (the default) answers with a fresh [`MemoryStore`][]; a URL opens
a durable SQL store: ``sqlite:///shop.db`` a
[`SqliteStore`][omskit.storage.sqlite.SqliteStore] (standard library),
``postgresql://host/db`` a ``PostgresStore`` (the ``postgres`` extra:
``pip install 'omskit[postgres]'``). Any other name is left to the host's plugins.

It sits beside the stores it opens, as each capability keeps its built-in providers
beside it, and is listed in ``omskit.plugins.DEFAULT_PLUGINS``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from omskit.clock import SystemClock
from omskit.errors import PluginError
from omskit.ids import RandomIds
from omskit.plugins.spec import hookimpl
from omskit.storage.errors import StorageError
from omskit.storage.memory import MemoryStore

if TYPE_CHECKING:
    from types import ModuleType

    from omskit.clock import Clock
    from omskit.config import OMSConfig
    from omskit.ids import IdGenerator
    from omskit.storage.ports import StorageBackend
    from omskit.storage.sql import SqlStore

__all__ = ["SCHEMES", "omskit_storage", "open_sql_store"]

#: URL scheme -> the module and class of its store.
SCHEMES: dict[str, tuple[str, str]] = {
    "sqlite": ("omskit.storage.sqlite", "SqliteStore"),
    "postgresql": ("omskit.storage.postgres", "PostgresStore"),
    "postgres": ("omskit.storage.postgres", "PostgresStore"),
}


def _sql_store_class(url: str) -> tuple[str, ModuleType] | None:
    """The class name and imported module of the SQL store ``url`` names, else ``None``.

    Raises:
        ImportError: the store's driver (an optional extra) is not installed.
    """
    scheme = url.partition(":")[0]
    if scheme not in SCHEMES or "://" not in url:
        return None
    module_name, class_name = SCHEMES[scheme]
    return class_name, importlib.import_module(module_name)


def open_sql_store(url: str, *, check_schema: bool = True) -> SqlStore:
    """The SQL store at ``url`` (``sqlite:///...``, ``postgresql://...``), for tools.

    With ``check_schema=False`` an outdated schema is not refused (``db upgrade``).

    Raises:
        StorageError: ``url`` names no SQL store, or its driver is not installed.
    """
    try:
        found = _sql_store_class(url)
    except ImportError as exc:
        raise StorageError(
            f"{url}: PostgreSQL needs the postgres extra (pip install 'omskit[postgres]')"
        ) from exc
    if found is None:
        raise StorageError(f"{url!r} is not a SQL store URL (sqlite:///..., postgresql://...)")
    class_name, module = found
    store: SqlStore = getattr(module, class_name)(
        url, SystemClock(), RandomIds(), check_schema=check_schema
    )
    return store


@hookimpl(trylast=True)
def omskit_storage(config: OMSConfig, clock: Clock, ids: IdGenerator) -> StorageBackend | None:
    """A fresh [`MemoryStore`][] for ``memory``, the SQL store a URL names, else ``None``."""
    if config.storage == "memory":
        return MemoryStore(clock, ids)
    try:
        found = _sql_store_class(config.storage)
    except ImportError as exc:
        raise PluginError(
            f"storage {config.storage!r} needs the postgres extra "
            f"(pip install 'omskit[postgres]'): {exc}"
        ) from exc
    if found is None:
        return None
    class_name, module = found
    store: StorageBackend = getattr(module, class_name)(config.storage, clock, ids)
    return store
