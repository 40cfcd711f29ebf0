"""The fulfillment's share of a data subject request (see ``omskit.customers.privacy``).

Fulfillment orders and shipments hold no address of their own (the order's is used), so
this port finds the person's shipments (which the carriers' labels refer to) and lists
them in an export; it has nothing to anonymise.
"""

from __future__ import annotations

from typing import Any

from omskit.customers.privacy import Person, PersonalData
from omskit.fulfillment.model import SHIPMENTS
from omskit.storage.ports import UnitOfWork

__all__ = ["SHIPMENT_DATA"]


def _shipments(uow: UnitOfWork, person: Person) -> list[Any]:
    repo = uow.repo(SHIPMENTS)
    return [s for order_id in sorted(person.order_ids) for s in repo.list_by("order", order_id)]


def _find(uow: UnitOfWork, person: Person) -> Person:
    return person.widen(shipment_ids=frozenset(s.id for s in _shipments(uow, person)))


def _none(uow: UnitOfWork, person: Person) -> list[str]:
    return []


def _nothing_to_erase(uow: UnitOfWork, person: Person) -> int:
    return 0


#: The shipments' port (it only finds; the labels hold the addresses).
SHIPMENT_DATA = PersonalData("shipments", _find, _shipments, _none, _nothing_to_erase)
