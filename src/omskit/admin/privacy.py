"""Data subject requests in one place: export everything about a person, or erase them.

Every capability that keeps personal data answers through its own
[`PersonalData`][omskit.customers.privacy.PersonalData] port (``PORTS``), inside one
unit of work: the ports first widen the [`Person`][omskit.customers.privacy.Person]
(the customer's id and e-mail lead to their orders, the orders to the addresses and
e-mails they were placed with, to returns and support cases), then list or anonymise
their records.

The audit log is append-only, so personal values never enter it: when a record is
written, every field that holds personal data (by name: ``email``, ``name``, ``phone``,
``ship_to``... or any text that looks like an e-mail address) is replaced by
``"[personal]"`` and the value is kept in a separate, changeable collection
(``AUDIT_PERSONAL``) under the record's id. Reading the log puts the values back;
erasing a person empties their entries, so their audit records read ``"[erased]"``
where a value was, and still say who changed what and when.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from omskit.admin.audit import plain
from omskit.admin.model import AUDIT, AUDIT_PERSONAL, AuditRecord, PersonalValues
from omskit.carriers.privacy import LABEL_DATA
from omskit.customers.privacy import CUSTOMER_DATA, ERASED, Person, PersonalData
from omskit.fulfillment.privacy import SHIPMENT_DATA
from omskit.notifications.privacy import MESSAGE_DATA, PREFERENCE_DATA, SUPPORT_DATA
from omskit.orders.privacy import ORDER_DATA
from omskit.returns.privacy import RETURN_DATA
from omskit.storage.ports import UnitOfWork

__all__ = [
    "PERSONAL",
    "PERSONAL_FIELDS",
    "PORTS",
    "audit_about_in",
    "blocking_in",
    "erase_in",
    "export_in",
    "personal_entry",
    "resolve_in",
    "restore",
    "split_personal",
]

#: Every capability's port, in the order an export lists them.
PORTS: tuple[PersonalData, ...] = (
    CUSTOMER_DATA,
    ORDER_DATA,
    RETURN_DATA,
    SHIPMENT_DATA,
    LABEL_DATA,
    MESSAGE_DATA,
    PREFERENCE_DATA,
    SUPPORT_DATA,
)

#: Field names whose values are personal data wherever they appear in an audit record.
PERSONAL_FIELDS = frozenset(
    {
        "email", "customer_email", "name", "customer_name", "display_name", "phone",
        "ship_to", "bill_to", "address", "addresses", "line1", "line2", "city",
        "postal_code", "company", "recipient", "customer", "notes", "note", "body", "message",
        "subject", "text", "html", "quote", "pricing_customer", "messages", "photos",
    }
)  # fmt: skip
#: What an audit record holds in place of a personal value.
PERSONAL = "[personal]"
_EMAIL = re.compile(r"[^\s@|<>\"']+@[^\s@|<>\"']+\.[A-Za-z]{2,}")
_ROUNDS = 4
#: Arguments that name a record a person owns: an entry is about the person then too.
_LINKS = {"order_id": "order", "rma_id": "return", "case_id": "case", "customer_id": "customer"}


def resolve_in(uow: UnitOfWork, key: str) -> Person:
    """The person ``key`` (a customer id or an e-mail address) names, as the ports know them."""
    person = Person(key=key, emails=frozenset({key.lower()}) if "@" in key else frozenset())
    for _ in range(_ROUNDS):  # each round may find more (orders -> e-mails -> messages)
        wider = person
        for port in PORTS:
            wider = port.find(uow, wider)
        if wider == person:
            break
        person = wider
    return person


def blocking_in(uow: UnitOfWork, person: Person) -> list[str]:
    """Why ``person`` cannot be erased now (empty: they can)."""
    return [reason for port in PORTS for reason in port.blocking(uow, person)]


def export_in(uow: UnitOfWork, person: Person) -> dict[str, Any]:
    """Everything the ports hold about ``person``, as JSON-ready data, by section."""
    return {port.name: [plain(r) for r in port.export(uow, person)] for port in PORTS}


def erase_in(uow: UnitOfWork, person: Person, at: dt.datetime) -> dict[str, int]:
    """Anonymise ``person`` everywhere; the count of records changed, by section."""
    counts = {port.name: port.erase(uow, person) for port in PORTS}
    counts["audit"] = _erase_audit(uow, person, at)
    return counts


def _about(entry: PersonalValues, person: Person) -> bool:
    return entry.target in person.targets or bool(entry.keys & (person.keys | person.targets))


def _erase_audit(uow: UnitOfWork, person: Person, at: dt.datetime) -> int:
    repo = uow.repo(AUDIT_PERSONAL)
    changed = 0
    for entry in repo.scan():
        if entry.erased_at is None and _about(entry, person):
            entry.values, entry.keys, entry.erased_at = {}, frozenset(), at
            repo.save(entry)
            changed += 1
    return changed


def audit_about_in(uow: UnitOfWork, person: Person) -> list[AuditRecord]:
    """The audit records about ``person`` (their records' targets, or naming them)."""
    ids = {e.id for e in uow.repo(AUDIT_PERSONAL).scan_view() if _about(e, person)}
    found = [r for r in uow.repo(AUDIT).scan_view() if r.id in ids or r.target in person.targets]
    return restore(uow, sorted(found, key=lambda r: (r.at, r.id)))


# -- the audit log's personal values ------------------------------------------------------


def _split(value: Any, path: str, found: dict[str, Any]) -> Any:
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            where = f"{path}/{k}"
            if str(k) in PERSONAL_FIELDS and v not in (None, "", [], {}, ()):
                found[where] = v
                out[str(k)] = PERSONAL
            else:
                out[str(k)] = _split(v, where, found)
        return out
    if isinstance(value, list):
        return [_split(v, f"{path}/{i}", found) for i, v in enumerate(value)]
    if isinstance(value, str) and "@" in value and _EMAIL.search(value):
        found[path] = value
        return PERSONAL
    return value


def split_personal(
    parts: Mapping[str, Mapping[str, Any]],
) -> tuple[dict[str, dict[str, Any]], dict[str, Any], frozenset[str]]:
    """``parts`` (``before``, ``after``, ``arguments``) without their personal values.

    Returns the cleaned parts, the personal values by path (``"after/ship_to"``) and
    the keys they name (e-mail addresses in lower case, customer ids).
    """
    found: dict[str, Any] = {}
    clean = {name: _split(dict(data), name, found) for name, data in parts.items()}
    return clean, found, frozenset(_keys(found.items()))


def _keys(items: Iterable[tuple[str, Any]]) -> Iterable[str]:
    for path, value in items:
        for text in _texts(value):
            yield from (m.lower() for m in _EMAIL.findall(text))
            if path.rsplit("/", 1)[-1] == "customer" and "@" not in text:
                yield text


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _texts(v)


def _put(data: Any, steps: list[str], value: Any) -> None:
    for step in steps[:-1]:
        data = data[int(step)] if isinstance(data, list) else data.get(step)
        if data is None:
            return
    last = steps[-1]
    if isinstance(data, list):
        data[int(last)] = value
    elif isinstance(data, dict):
        data[last] = value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(v) for v in value]
    return value


def restore(uow: UnitOfWork, records: list[AuditRecord]) -> list[AuditRecord]:
    """``records`` with their personal values put back (``"[erased]"`` once erased)."""
    repo = uow.repo(AUDIT_PERSONAL)
    out = []
    for record in records:
        entry = repo.view(record.id)
        if entry is None:
            out.append(record)
            continue
        parts = {
            "before": _thaw(record.before),
            "after": _thaw(record.after),
            "arguments": _thaw(record.arguments),
        }
        for path in entry.paths:
            part, *steps = path.split("/")
            value = entry.values.get(path, ERASED) if entry.erased_at is None else ERASED
            if steps:
                _put(parts[part], steps, value)
        out.append(attrs.evolve(record, **parts))
    return out


def personal_entry(record: AuditRecord) -> tuple[AuditRecord, PersonalValues | None]:
    """``record`` without personal values, and the entry that keeps them (if any)."""
    clean, found, keys = split_personal(
        {"before": record.before, "after": record.after, "arguments": record.arguments}
    )
    if not found:
        return record, None
    links = {
        f"{kind}:{record.arguments[name]}"
        for name, kind in _LINKS.items()
        if isinstance(record.arguments.get(name), str)
    }
    entry = PersonalValues(
        id=record.id, target=record.target, keys=keys | links, values=found,
        paths=tuple(sorted(found)),
    )  # fmt: skip
    cleaned = attrs.evolve(
        record, before=clean["before"], after=clean["after"], arguments=clean["arguments"]
    )
    return cleaned, entry
