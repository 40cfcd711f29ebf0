"""Custom reports: a small declarative query over one fact table, and rows out.

```text
{"table": "lines", "dimensions": ["channel", "month"], "measures": ["net_sales", "units"],
 "filters": [["sku", "in", ["TEE", "MUG"]]], "sort": ["-net_sales"], "limit": 10}
```

``dimensions`` are the table's dimensions (`DIMENSIONS`) or ``day``, ``week``
(starting Monday) and ``month`` of the row's date in the store's time zone;
``measures`` are [`Measure`][] names of that table; a filter is ``[field, op,
value]`` with ``op`` one of `OPERATORS` on a dimension; ``sort`` names dimensions or
measures, ``-`` first for descending. Every mistake is reported at once in one
[`ValidationError`][].
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.money import Money
from omskit.reporting.measures import DIMENSIONS, MEASURES, Value
from omskit.reporting.values import Ratio, Spread
from omskit.validation import Problems

__all__ = ["OPERATORS", "PERIODS", "Filter", "Query", "period_of", "run_query"]

#: Filter operators.
OPERATORS = ("=", "!=", "in", "not in", "<", "<=", ">", ">=")
#: Time buckets a query can group by.
PERIODS = ("day", "week", "month")


def period_of(every: str, day: dt.date) -> dt.date:
    """The first day of the ``every`` bucket (``day``/``week``/``month``) holding ``day``."""
    if every == "day":
        return day
    if every == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


@attrs.frozen
class Filter:
    """Keep rows whose ``field`` compares to ``value`` by ``op``."""

    field: str
    op: str
    value: Any

    def test(self, actual: Any) -> bool:
        """Whether ``actual`` passes."""
        return bool(_OPS[self.op](actual, self.value))


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _names(value: Any, field: str, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        problems.add(field, "expected a list of names", value)
        return ()
    bad = [v for v in value if not isinstance(v, str)]
    if bad:
        problems.add(field, "every entry must be a name (text)", value)
        return ()
    return tuple(value)


@attrs.frozen
class Query:
    """A validated custom report; build one with [`Query.from_mapping`][]."""

    table: str
    measures: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    sort: tuple[str, ...] = ()
    limit: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Query:
        """Check a query given as plain data; every problem is reported at once.

        Raises:
            ValidationError: naming each bad field, the value and what is allowed.
        """
        if isinstance(data, Query):
            return data
        if not isinstance(data, Mapping):
            raise ValidationError("query", data, "expected a mapping with table and measures")
        problems = Problems()
        known = ("table", "measures", "dimensions", "filters", "sort", "limit")
        for key in sorted(set(data) - set(known), key=str):
            problems.add(f"query.{key}", f"unknown key; allowed: {', '.join(known)}", key)
        tables = sorted(DIMENSIONS)
        table = data.get("table")
        if table not in DIMENSIONS:
            problems.add("query.table", f"expected one of {', '.join(tables)}", table)
            problems.raise_if_any()
        assert isinstance(table, str)
        measures = _names(data.get("measures"), "query.measures", problems)
        if not measures and "query.measures" not in {p.field for p in problems.items}:
            problems.add("query.measures", "name at least one measure", data.get("measures"))
        own = sorted(m.name for m in MEASURES.values() if m.table == table)
        for i, name in enumerate(measures):
            if name not in own:
                problems.add(f"query.measures[{i}]",
                             f"not a measure of table {table!r}; allowed: {', '.join(own)}",
                             name)  # fmt: skip
        dims_allowed = (*DIMENSIONS[table], *(PERIODS if table != "stock" else ()))
        dimensions = _names(data.get("dimensions"), "query.dimensions", problems)
        for i, name in enumerate(dimensions):
            if name not in dims_allowed:
                problems.add(f"query.dimensions[{i}]",
                             f"not a dimension of table {table!r}; allowed: "
                             f"{', '.join(dims_allowed)}", name)  # fmt: skip
        if len(set(dimensions)) != len(dimensions):
            problems.add("query.dimensions", "a dimension may appear only once", dimensions)
        filters = _filters(data.get("filters"), table, dims_allowed, problems)
        sort = _names(data.get("sort"), "query.sort", problems)
        for i, name in enumerate(sort):
            bare = name[1:] if name.startswith("-") else name
            if bare not in measures and bare not in dimensions:
                problems.add(f"query.sort[{i}]",
                             "sort by a measure or dimension of this query: "
                             f"{', '.join((*dimensions, *measures)) or 'none'}", name)  # fmt: skip
        limit = data.get("limit")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or limit < 1):  # fmt: skip
            problems.add("query.limit", "expected a whole number of rows, at least 1", limit)
        problems.raise_if_any()
        return cls(table, measures, dimensions, filters, sort, limit)


def _filters(raw: Any, table: str, allowed: Sequence[str],
             problems: Problems) -> tuple[Filter, ...]:  # fmt: skip
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        problems.add("query.filters", "expected a list of [field, op, value]", raw)
        return ()
    found: list[Filter] = []
    for i, item in enumerate(raw):
        where = f"query.filters[{i}]"
        f = (item.get("field"), item.get("op"), item.get("value")) if isinstance(
            item, Mapping) else item  # fmt: skip
        if not isinstance(f, Sequence) or isinstance(f, str) or len(f) != 3:
            problems.add(where, "expected [field, op, value]", item)
            continue
        field, op, value = f
        if field not in allowed:
            problems.add(f"{where}.field", f"not a dimension of table {table!r}; "
                         f"allowed: {', '.join(allowed)}", field)  # fmt: skip
        elif op not in OPERATORS:
            problems.add(f"{where}.op", f"expected one of {', '.join(OPERATORS)}", op)
        elif op in ("in", "not in") and (isinstance(value, str)
                                         or not isinstance(value, Sequence)):  # fmt: skip
            problems.add(f"{where}.value", f"{op!r} needs a list of values", value)
        elif field in PERIODS and not all(
            isinstance(v, dt.date) for v in (value if op in ("in", "not in") else [value])
        ):
            problems.add(f"{where}.value", "a period compares with dates", value)
        else:
            found.append(Filter(field, op, tuple(value) if op in ("in", "not in") else value))
    return tuple(found)


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (1, 0)
    if isinstance(value, Money):
        return (0, value.amount)
    if isinstance(value, Ratio):
        v = value.value
        return (1, 0) if v is None else (0, v)
    if isinstance(value, Spread):
        return (1, 0) if value.p50 is None else (0, value.p50)
    return (0, value)


def _row_value(row: Any, name: str, tz: dt.tzinfo) -> Any:
    if name in PERIODS:
        at: dt.datetime = getattr(row, row.ANCHOR)
        return period_of(name, at.astimezone(tz).date())
    return getattr(row, name)


def run_query(rows: Sequence[Any], query: Query, currency: str,
              tz: dt.tzinfo) -> list[dict[str, Value | str | dt.date]]:  # fmt: skip
    """Group ``rows`` (all in ``currency``) by the query's dimensions into result rows.

    Each result row maps every dimension and measure name to its value; with no
    dimensions there is one row over everything.
    """
    for f in query.filters:
        rows = [r for r in rows if f.test(_row_value(r, f.field, tz))]
    groups: dict[tuple[Any, ...], list[Any]] = {}
    if query.dimensions:
        dims = query.dimensions
        key: Callable[[Any], tuple[Any, ...]] = lambda r: tuple(  # noqa: E731
            _row_value(r, d, tz) for d in dims
        )
        for r in rows:
            groups.setdefault(key(r), []).append(r)
    else:
        groups[()] = list(rows)
    out: list[dict[str, Value | str | dt.date]] = []
    for values, members in groups.items():
        result: dict[str, Value | str | dt.date] = dict(zip(query.dimensions, values, strict=True))
        for name in query.measures:
            result[name] = MEASURES[name].compute(members, currency)
        out.append(result)
    out.sort(key=lambda r: tuple(str(r[d]) for d in query.dimensions))
    for name in reversed(query.sort):
        bare = name.lstrip("-")
        present = [r for r in out if _sort_value(r[bare])[0] == 0]
        absent = [r for r in out if _sort_value(r[bare])[0] == 1]
        present.sort(key=lambda r: _sort_value(r[bare]), reverse=name.startswith("-"))
        out = present + absent  # rows without a value go last either way
    if query.limit is not None:
        out = out[: query.limit]
    return out
