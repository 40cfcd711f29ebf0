"""The returns' share of a data subject request (see ``omskit.customers.privacy``).

Erasure replaces the customer's e-mail on every return and claim of their orders and
drops their notes and photo references; lines, refunds, dispositions and the history
stay, so what was refunded still adds up. A return that is still open blocks erasure.
"""

from __future__ import annotations

from typing import Any

from omskit.customers.privacy import ERASED, Person, PersonalData, is_erased_email
from omskit.returns.lifecycle import TERMINAL
from omskit.returns.model import RMAS, Rma
from omskit.storage.ports import UnitOfWork

__all__ = ["RETURN_DATA"]


def _returns(uow: UnitOfWork, person: Person) -> list[Rma]:
    repo = uow.repo(RMAS)
    found = [r for order_id in sorted(person.order_ids) for r in repo.list_by("order", order_id)]
    return sorted(found, key=lambda r: (r.created_at, r.id))


def _find(uow: UnitOfWork, person: Person) -> Person:
    return person.widen(rma_ids=frozenset(r.id for r in _returns(uow, person)))


def _export(uow: UnitOfWork, person: Person) -> list[Any]:
    return list(_returns(uow, person))


def _blocking(uow: UnitOfWork, person: Person) -> list[str]:
    return [
        f"return {r.id} is {r.status} (erase once it is closed)"
        for r in _returns(uow, person)
        if r.status not in TERMINAL
    ]


def _erase(uow: UnitOfWork, person: Person) -> int:
    repo = uow.repo(RMAS)
    changed = 0
    for rma in _returns(uow, person):
        if is_erased_email(rma.customer):
            continue
        rma.customer = person.replacement_email
        rma.notes = (ERASED,) if rma.notes else ()
        rma.photos = ()
        repo.save(rma)
        changed += 1
    return changed


#: The returns' port.
RETURN_DATA = PersonalData("returns", _find, _export, _blocking, _erase)
