"""The audit log's pure part: plain snapshots of records, redaction, field diffs, JSON lines.

A snapshot turns an attrs record into plain data (text, numbers, lists, mappings), one
level of fields deep; [`changed_fields`][omskit.admin.audit.changed_fields] keeps only the
fields whose values differ. Secrets never reach the log: a field whose name says it holds
a secret (``password``, ``token``, ``secret``, ``api_key``, ``card``, ``cvv``, ``pan``,
``iban``...) and any text that looks like a payment card number are replaced by
``"[redacted]"`` before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from omskit.admin.model import AuditRecord
from omskit.money import Money
from omskit.validation import looks_like_card_number

__all__ = [
    "REDACTED",
    "changed_fields",
    "is_secret_field",
    "plain",
    "redact",
    "snapshot",
    "to_json_lines",
]

#: What a secret is replaced with.
REDACTED = "[redacted]"

_SECRET = re.compile(
    r"(pass(word|phrase)?|secret|token|api[_-]?key|credential|card|cvv|cvc|\bpan\b|iban|"
    r"signature|private|auth[_-]?code)",
    re.IGNORECASE,
)
#: Fields that are secrets only inside a parent (by key or class name): a payment's
#: ``method`` is the token a gateway charges.
_SECRET_INSIDE: dict[str, frozenset[str]] = {
    "payment": frozenset({"method"}),
    "Payment": frozenset({"method"}),
}
#: Fields left out of snapshots: bookkeeping, not business state.
_SKIP = frozenset({"version", "_events", "history"})
_DIGITS = re.compile(r"\d[\d -]{11,22}\d")
_MAX_DEPTH = 6


def is_secret_field(name: str) -> bool:
    """Whether a field named ``name`` holds a secret (and is never recorded)."""
    return bool(_SECRET.search(name))


def _scrub_text(text: str) -> str:
    if looks_like_card_number(text):
        return REDACTED
    return _DIGITS.sub(lambda m: REDACTED if looks_like_card_number(m.group()) else m.group(), text)


def _secret(name: str, parent: str) -> bool:
    return is_secret_field(name) or name in _SECRET_INSIDE.get(parent, ())


def plain(value: Any, depth: int = 0, parent: str = "") -> Any:  # noqa: PLR0911 - one per kind
    """``value`` as JSON-ready plain data, secrets redacted."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, Decimal | Money | float):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, enum.Enum):
        return plain(value.value, depth)
    if depth >= _MAX_DEPTH:
        return _scrub_text(repr(value))
    if attrs.has(type(value)):
        kind = type(value).__name__
        return {
            name: REDACTED if _secret(name, kind) else plain(item, depth + 1, name)
            for name, item in _fields(value).items()
        }
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if _secret(str(k), parent) else plain(v, depth + 1, str(k))
            for k, v in value.items()
        }
    if isinstance(value, set | frozenset):
        return sorted((plain(v, depth + 1) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [plain(v, depth + 1) for v in value]
    return _scrub_text(str(value))


def _fields(record: Any) -> dict[str, Any]:
    return {
        f.name: getattr(record, f.name)
        for f in attrs.fields(type(record))
        if f.name not in _SKIP and not f.name.startswith("_")
    }


def redact(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with secret fields and card numbers redacted."""
    return {
        str(k): REDACTED if is_secret_field(str(k)) else plain(v, 0, str(k))
        for k, v in data.items()
    }


def snapshot(record: object | None) -> dict[str, Any]:
    """The fields of an attrs record (or a list of them) as plain, redacted data."""
    if record is None:
        return {}
    if attrs.has(type(record)):
        kind = type(record).__name__
        return {
            name: REDACTED if _secret(name, kind) else plain(value, 1, name)
            for name, value in _fields(record).items()
        }
    if isinstance(record, list | tuple):
        return {"items": plain(list(record), 1)}
    return {"value": plain(record, 1)}


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ: ``(before, after)``; a missing side is ``None``."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    old = {k: before.get(k) for k in keys} if before else {}
    new = {k: after.get(k) for k in keys} if after else {}
    return old, new


def to_json_lines(records: Iterable[AuditRecord]) -> str:
    """One JSON object per line, oldest first as given."""
    return "".join(
        json.dumps(r.as_dict(), sort_keys=True, ensure_ascii=False) + "\n" for r in records
    )
