"""The carriers' share of a data subject request (see ``omskit.customers.privacy``).

A label record keeps the addresses printed on the parcel: the customer's as ``ship_to``
(as ``ship_from`` on a return label) and the label document itself. Erasure leaves the
country and region of the customer's address, drops the document, and keeps carrier,
service, tracking number, price, weight and tracking events (what label costs and
delivery reports need).
"""

from __future__ import annotations

from typing import Any

import attrs

from omskit.carriers.records import LABELS, LabelRecord
from omskit.customers.privacy import ERASED, Person, PersonalData, anonymous_address
from omskit.storage.ports import UnitOfWork

__all__ = ["LABEL_DATA"]


def _references(person: Person) -> list[str]:
    return sorted(person.order_ids | person.shipment_ids | person.rma_ids)


def _labels(uow: UnitOfWork, person: Person) -> list[LabelRecord]:
    repo = uow.repo(LABELS)
    found = {r.id: r for ref in _references(person) for r in repo.list_by("reference", ref)}
    return sorted(found.values(), key=lambda r: (r.label.created_at, r.id))


def _export(uow: UnitOfWork, person: Person) -> list[Any]:
    return list(_labels(uow, person))


def _blocking(uow: UnitOfWork, person: Person) -> list[str]:
    return []


def _erase(uow: UnitOfWork, person: Person) -> int:
    repo = uow.repo(LABELS)
    changed = 0
    for record in _labels(uow, person):
        label = record.label
        if label.document == ERASED:
            continue
        if label.is_return:
            label = attrs.evolve(label, ship_from=anonymous_address(label.ship_from))
        else:
            label = attrs.evolve(label, ship_to=anonymous_address(label.ship_to))
        record.label = attrs.evolve(label, document=ERASED)
        repo.save(record)
        changed += 1
    return changed


#: The label records' port.
LABEL_DATA = PersonalData("labels", lambda uow, person: person, _export, _blocking, _erase)
