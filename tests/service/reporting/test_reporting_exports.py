"""Exports: CSV with the standard library; Parquet, Arrow and DuckDB with the extra."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from omskit import OMS, ValidationError
from omskit.reporting import MissingExtra
from omskit.reporting.export import columns_of
from omskit.reporting.facts import LineFact

from .reporting_helpers import history

NOV = ("2026-11-01", "2026-11-30")


@pytest.fixture(scope="module")
def oms() -> OMS:
    return history()[0]


def test_a_csv_export_writes_every_table_and_a_manifest(oms: OMS, tmp_path: Path) -> None:
    manifest = oms.reports.export(tmp_path, *NOV)
    data = json.loads((tmp_path / "manifest.json").read_text())
    assert data == manifest.to_dict()
    assert data["schema_version"] == 1
    assert data["currency"] == "EUR"
    assert data["tables"]["orders"]["rows"] == 4
    assert set(data["tables"]) == {"orders", "lines", "shipments", "returns", "ledger", "stock"}
    with (tmp_path / "lines.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(columns_of(LineFact))
    assert len(rows) == data["tables"]["lines"]["rows"]
    assert sum(Decimal(r["net_sales"]) for r in rows) == Decimal("83.82")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files


def test_an_export_refuses_unknown_formats_and_tables(oms: OMS, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"format: .*csv, parquet"):
        oms.reports.export(tmp_path, *NOV, fmt="xlsx")
    with pytest.raises(ValidationError, match="tables: "):
        oms.reports.export(tmp_path, *NOV, tables=["carts"])
    assert list(tmp_path.iterdir()) == []


def test_a_parquet_export_keeps_money_exact(oms: OMS, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    oms.reports.export(tmp_path, *NOV, fmt="parquet", tables=["lines", "orders"])
    table = pq.read_table(tmp_path / "lines.parquet")
    assert table.num_rows == 5  # W-2's cancelled line keeps a row with no units
    assert sum(table.column("net_sales").to_pylist()) == Decimal("83.82")
    assert json.loads((tmp_path / "manifest.json").read_text())["format"] == "parquet"


def test_sql_runs_over_the_fact_tables_with_duckdb(oms: OMS) -> None:
    pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    rows = oms.reports.sql(
        "select channel, sum(net_sales) as net, count(*) from orders "
        "group by channel order by channel",
        *NOV,
    )
    assert rows == [("app", Decimal("25.00"), 1), ("web", Decimal("58.82"), 3)]


def test_without_the_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from omskit.reporting import export

    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> object:
        if name.startswith(("pyarrow", "duckdb")):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(export.importlib, "import_module", fake)
    with pytest.raises(MissingExtra, match=r"omskit\[reports\]"):
        export.to_arrow([], LineFact)
