"""The built-in storage plugin, beside the stores it opens: which name gets which store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from omskit.config import OMSConfig
from omskit.errors import PluginError
from omskit.storage import MemoryStore
from omskit.storage.errors import StorageError
from omskit.storage.plugin import omskit_storage, open_sql_store
from omskit.storage.sqlite import SqliteStore
from omskit.testing import FakeClock, SequentialIds


def answer(storage: str) -> object:
    return omskit_storage(OMSConfig(storage=storage), FakeClock(), SequentialIds())


def test_memory_gets_a_fresh_memory_store_each_time() -> None:
    first, second = answer("memory"), answer("memory")
    assert isinstance(first, MemoryStore)
    assert isinstance(second, MemoryStore)
    assert first is not second


def test_a_sqlite_url_opens_that_file(tmp_path: Path) -> None:
    store = answer(f"sqlite:///{tmp_path / 'shop.db'}")
    assert isinstance(store, SqliteStore)
    try:
        assert store.path == str(tmp_path / "shop.db")
    finally:
        store.close()


@pytest.mark.parametrize("storage", ["redis://127.0.0.1/0", "sqlite", "counting"])
def test_any_other_name_is_left_to_the_hosts_plugins(storage: str) -> None:
    assert answer(storage) is None


def test_a_missing_postgres_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "omskit.storage.postgres", None)  # import fails
    with pytest.raises(PluginError, match=r"pip install 'omskit\[postgres\]'"):
        answer("postgresql://127.0.0.1/shop")
    with pytest.raises(StorageError, match=r"postgres extra"):
        open_sql_store("postgresql://127.0.0.1/shop")


@pytest.mark.parametrize("url", ["memory", "sqlite:relative.db", "mysql://host/db"])
def test_open_sql_store_refuses_what_is_no_sql_url(url: str) -> None:
    with pytest.raises(StorageError, match=rf"{url!r} is not a SQL store URL"):
        open_sql_store(url)
