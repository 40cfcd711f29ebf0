"""The PostgreSQL store's own URL options: ``synchronous_commit`` and ``outbox``."""

from __future__ import annotations

from pathlib import Path

import pytest

from omskit.errors import ValidationError
from omskit.ids import SequentialIds
from omskit.testing import FakeClock

from ..stores import store_url  # noqa: TID252 - shared test helpers


def test_synchronous_commit_is_set_per_session_and_checked(tmp_path: Path) -> None:
    url = store_url("postgres", tmp_path)  # skips without PostgreSQL
    from omskit.storage.postgres import PostgresStore, postgres_dsn

    assert "synchronous_commit" not in postgres_dsn(f"{url}&synchronous_commit=off")[0]
    with PostgresStore(f"{url}&synchronous_commit=off", FakeClock(), SequentialIds()) as store:
        conn = store.acquire()
        try:
            assert conn.execute("SHOW synchronous_commit").fetchone() == ("off",)
            assert conn.execute("SHOW search_path").fetchone()[0] == store.schema
        finally:
            store.release(conn)
    with pytest.raises(ValidationError, match=r"storage\.synchronous_commit") as info:
        PostgresStore(f"{url}&synchronous_commit=sometimes", FakeClock(), SequentialIds())
    assert "sometimes" in str(info.value)
    assert "remote_apply" in str(info.value)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_an_unknown_outbox_mode_is_refused(kind: str, tmp_path: Path) -> None:
    url = store_url(kind, tmp_path)
    from omskit import OMS

    separator = "&" if "?" in url else "?"
    with pytest.raises(ValidationError, match=r"storage\.outbox") as info:
        OMS.open(f"{url}{separator}outbox=later", autoload=False)
    assert "later" in str(info.value)
    assert "dispatch, relay" in str(info.value)
