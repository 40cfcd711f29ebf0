"""Exports of the fact tables for BI tools.

CSV always; Parquet and Arrow with pyarrow; ad-hoc SQL with DuckDB.

Files are written atomically (a temporary file in the same directory, then a rename)
next to a ``manifest.json`` that names the schema version, each table's file, columns
and row count, the range, the currency and the time the facts are as of, so an import
can tell a complete export from a half-written one and load only what is new.

Parquet, Arrow and SQL need the optional extra: ``pip install 'omskit[reports]'``.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.reporting.errors import MissingExtra
from omskit.reporting.facts import TABLES
from omskit.reporting.stock import StockFact

__all__ = [
    "EXPORT_FORMATS",
    "SCHEMA_VERSION",
    "ExportManifest",
    "columns_of",
    "duckdb_connection",
    "export_tables",
    "to_arrow",
    "write_atomically",
]

#: Bumped whenever a fact table gains, loses or changes a column.
SCHEMA_VERSION = 1
#: What [`export_tables`][] can write.
EXPORT_FORMATS = ("csv", "parquet")
#: Every table an export can hold.
EXPORT_TABLES = {**TABLES, "stock": StockFact}
#: Decimal columns in Arrow and Parquet: 38 digits, 10 after the point.
DECIMAL_SCALE = 10


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(module, "reports") from exc


def columns_of(row_type: type[Any]) -> tuple[str, ...]:
    """The column names of a fact type, in declaration order."""
    return tuple(f.name for f in attrs.fields(row_type))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    A reader never sees a half-written file; on error the temporary file is removed.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[Any]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(columns)
        for r in rows:
            out.writerow([_text(getattr(r, c)) for c in columns])


def _csv_file(path: Path, columns: Sequence[str], rows: Sequence[Any]) -> None:
    def write(p: Path) -> None:
        _write_csv(p, columns, rows)

    write_atomically(path, write)


def _parquet_file(pq: Any, path: Path, table: Any) -> None:
    def write(p: Path) -> None:
        pq.write_table(table, str(p))

    write_atomically(path, write)


def _arrow_type(pa: Any, row_type: type[Any], name: str) -> Any:
    hint = str(attrs.fields_dict(row_type)[name].type)
    base = hint.replace(" | None", "")
    kinds = {
        "str": pa.string(), "int": pa.int64(), "bool": pa.bool_(),
        "Decimal": pa.decimal128(38, DECIMAL_SCALE),
        "dt.datetime": pa.timestamp("us", tz="UTC"), "dt.date": pa.date32(),
    }  # fmt: skip
    return kinds[base]


def to_arrow(rows: Sequence[Any], row_type: type[Any]) -> Any:
    """A ``pyarrow.Table`` of fact ``rows`` of ``row_type`` (money as exact decimals)."""
    pa = _optional("pyarrow")
    columns = columns_of(row_type)
    schema = pa.schema([(c, _arrow_type(pa, row_type, c)) for c in columns])
    data = {c: [getattr(r, c) for r in rows] for c in columns}
    return pa.table(data, schema=schema)


@attrs.frozen
class ExportManifest:
    """What an export wrote: per table its file, columns and rows; where and as of when."""

    directory: Path
    format: str
    tables: dict[str, dict[str, Any]]
    currency: str
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The manifest as JSON-ready data (what ``manifest.json`` holds)."""
        return {
            "schema_version": self.schema_version, "format": self.format,
            "currency": self.currency, "start": self.start.isoformat(),
            "end": self.end.isoformat(), "as_of": self.as_of.isoformat(),
            "tables": self.tables,
        }  # fmt: skip


def export_tables(
    tables: dict[str, Sequence[Any]],
    directory: str | os.PathLike[str],
    *,
    fmt: str = "csv",
    currency: str,
    start: dt.date,
    end: dt.date,
    as_of: dt.datetime,
) -> ExportManifest:
    """Write each table to ``directory/<name>.<fmt>`` and then ``manifest.json``.

    Raises:
        ValidationError: an unknown format or table name.
        MissingExtra: Parquet without pyarrow installed.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValidationError("format", fmt, f"expected one of {', '.join(EXPORT_FORMATS)}")
    unknown = sorted(set(tables) - set(EXPORT_TABLES))
    if unknown:
        raise ValidationError("tables", unknown,
                              f"expected some of {', '.join(EXPORT_TABLES)}")  # fmt: skip
    pq = _optional("pyarrow.parquet") if fmt == "parquet" else None
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict[str, Any]] = {}
    for name, rows in tables.items():
        row_type = EXPORT_TABLES[name]
        columns = columns_of(row_type)
        path = target / f"{name}.{fmt}"
        if pq is None:
            _csv_file(path, columns, rows)
        else:
            _parquet_file(pq, path, to_arrow(rows, row_type))
        written[name] = {"file": path.name, "rows": len(rows), "columns": list(columns)}
    manifest = ExportManifest(target, fmt, written, currency, start, end, as_of)
    text = json.dumps(manifest.to_dict(), indent=2, sort_keys=True)

    def manifest_file(p: Path) -> None:
        p.write_text(text, "utf-8")

    write_atomically(target / "manifest.json", manifest_file)
    return manifest


def duckdb_connection(tables: dict[str, Sequence[Any]]) -> Any:
    """An in-memory DuckDB connection with each fact table registered under its name."""
    duckdb = _optional("duckdb")
    con = duckdb.connect(":memory:")
    for name, rows in tables.items():
        con.register(name, to_arrow(rows, EXPORT_TABLES[name]))
    return con
