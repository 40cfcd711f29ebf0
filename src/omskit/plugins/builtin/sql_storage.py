"""Built-in plugin: the durable SQL backends, chosen by the storage URL.

``sqlite:///shop.db`` opens a [`SqliteStore`][omskit.storage.sqlite.SqliteStore]
(standard library); ``postgresql://host/db`` a
``PostgresStore`` (the ``postgres`` extra:
``pip install 'omskit[postgres]'``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from omskit.clock import SystemClock
from omskit.errors import PluginError
from omskit.ids import RandomIds
from omskit.plugins.spec import hookimpl
from omskit.storage.errors import StorageError

if TYPE_CHECKING:
    from omskit.clock import Clock
    from omskit.config import OMSConfig
    from omskit.ids import IdGenerator
    from omskit.storage.ports import StorageBackend
    from omskit.storage.sql import SqlStore

#: URL scheme -> the module and class of its store.
SCHEMES: dict[str, tuple[str, str]] = {
    "sqlite": ("omskit.storage.sqlite", "SqliteStore"),
    "postgresql": ("omskit.storage.postgres", "PostgresStore"),
    "postgres": ("omskit.storage.postgres", "PostgresStore"),
}


def open_sql_store(url: str, *, check_schema: bool = True) -> SqlStore:
    """The SQL store at ``url`` (``sqlite:///...``, ``postgresql://...``), for tools.

    With ``check_schema=False`` an outdated schema is not refused (``db upgrade``).

    Raises:
        StorageError: ``url`` names no SQL store, or its driver is not installed.
    """
    scheme = url.partition(":")[0]
    if scheme not in SCHEMES or "://" not in url:
        raise StorageError(f"{url!r} is not a SQL store URL (sqlite:///..., postgresql://...)")
    module_name, class_name = SCHEMES[scheme]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise StorageError(
            f"{url}: PostgreSQL needs the postgres extra (pip install 'omskit[postgres]')"
        ) from exc
    store: SqlStore = getattr(module, class_name)(
        url, SystemClock(), RandomIds(), check_schema=check_schema
    )
    return store


@hookimpl(trylast=True)
def omskit_storage(config: OMSConfig, clock: Clock, ids: IdGenerator) -> StorageBackend | None:
    """Open the SQL store the configured URL names (``None`` for any other storage)."""
    scheme = config.storage.partition(":")[0]
    if scheme not in SCHEMES or "://" not in config.storage:
        return None
    module_name, class_name = SCHEMES[scheme]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PluginError(
            f"storage {config.storage!r} needs the postgres extra "
            f"(pip install 'omskit[postgres]'): {exc}"
        ) from exc
    store: StorageBackend = getattr(module, class_name)(config.storage, clock, ids)
    return store
