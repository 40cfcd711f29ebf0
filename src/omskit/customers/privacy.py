"""Personal data: who a person is across capabilities, and the customer record's share.

A data subject's request (GDPR article 15 export, article 17 erasure) is answered by
every capability for the records it keeps, each through one
[`PersonalData`][omskit.customers.privacy.PersonalData] port working inside the caller's
unit of work: it widens the [`Person`][omskit.customers.privacy.Person] (orders add
the order ids and the e-mail addresses they were placed with), lists what it holds,
names what blocks an erasure now, and anonymises its records. The administration
service calls every port from one place (``omskit.admin.privacy``).

Anonymising keeps what money and tax need (an address keeps its country and region)
and replaces what identifies the person: names, e-mail addresses, phone numbers,
street, city, postal code, free text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from omskit.customers.address import Address
from omskit.customers.model import CUSTOMERS, Customer
from omskit.storage.ports import UnitOfWork

__all__ = [
    "CUSTOMER_DATA",
    "ERASED",
    "Person",
    "PersonalData",
    "anonymous_address",
    "erased_email",
    "is_erased_email",
]

#: What replaces erased free text.
ERASED = "[erased]"
_ERASED_DOMAIN = "erased.invalid"


def erased_email(customer_key: str) -> str:
    """The address an erased person's e-mail becomes: unique, and never deliverable."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in customer_key.lower())
    return f"erased-{safe}@{_ERASED_DOMAIN}"


def is_erased_email(email: str) -> bool:
    """Whether ``email`` is one ``erased_email`` made."""
    return email.endswith("@" + _ERASED_DOMAIN)


def anonymous_address(address: Address) -> Address:
    """``address`` with only its country and region left (what tax needs)."""
    return Address(country=address.country, region=address.region)


@attrs.frozen
class Person:
    """Everything that names one data subject, as the ports have found it.

    Attributes:
        key: what the request named: a customer id, or an e-mail for a guest.
        customer_id: the customer record's id (empty for a guest).
        emails: every e-mail address (lower case) the person used.
        order_ids: their orders.
        rma_ids: their returns and claims.
        case_ids: their support cases.
        shipment_ids: the shipments of their orders.
        names: the names they gave (matched in free text of the audit log).
        phones: their phone numbers.
    """

    key: str
    customer_id: str = ""
    emails: frozenset[str] = frozenset()
    order_ids: frozenset[str] = frozenset()
    rma_ids: frozenset[str] = frozenset()
    case_ids: frozenset[str] = frozenset()
    shipment_ids: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    @property
    def keys(self) -> frozenset[str]:
        """The ids and e-mail addresses other records use to point at the person."""
        return frozenset({self.customer_id, *self.emails} - {""})

    @property
    def replacement_email(self) -> str:
        """The one address every erased e-mail of this person becomes."""
        return erased_email(self.customer_id or self.key)

    @property
    def targets(self) -> frozenset[str]:
        """The audit log's labels of the person's records (``"order:O-7"``)."""
        return (
            frozenset({f"customer:{self.customer_id}"} if self.customer_id else set())
            | {f"order:{o}" for o in self.order_ids}
            | {f"return:{r}" for r in self.rma_ids}
            | {f"case:{c}" for c in self.case_ids}
        )

    def widen(self, **more: frozenset[str]) -> Person:
        """A copy with more ids (each field named in ``more`` gains its values)."""
        changes = {k: getattr(self, k) | {v for v in vals if v} for k, vals in more.items()}
        return attrs.evolve(self, **changes)


@attrs.frozen
class PersonalData:
    """One capability's answer to data subject requests, over the caller's unit of work.

    Attributes:
        name: the section of the export (``"orders"``).
        find: ``(uow, person) -> person``, widened with the ids this capability knows.
        export: ``(uow, person) -> records`` this capability holds about the person.
        blocking: ``(uow, person) -> reasons`` an erasure must wait (an order in flight).
        erase: ``(uow, person) -> count`` of records anonymised (0 when already done).
    """

    name: str
    find: Callable[[UnitOfWork, Person], Person]
    export: Callable[[UnitOfWork, Person], list[Any]]
    blocking: Callable[[UnitOfWork, Person], list[str]]
    erase: Callable[[UnitOfWork, Person], int]


def _customer(uow: UnitOfWork, person: Person) -> Customer | None:
    repo = uow.repo(CUSTOMERS)
    if person.customer_id:
        return repo.find(person.customer_id)
    found = repo.find(person.key)
    return found if found is not None else repo.find_by("email", person.key.lower())


def _find(uow: UnitOfWork, person: Person) -> Person:
    customer = _customer(uow, person)
    if customer is None:
        return person
    person = attrs.evolve(person, customer_id=customer.id)
    addresses = customer.addresses
    return person.widen(
        emails=frozenset({customer.email.lower(), *(a.email.lower() for a in addresses)}),
        names=frozenset({customer.name, *(a.name for a in addresses)}),
        phones=frozenset({customer.phone, *(a.phone for a in addresses)}),
    )


def _export(uow: UnitOfWork, person: Person) -> list[Any]:
    customer = _customer(uow, person)
    return [] if customer is None else [customer]


def _erase(uow: UnitOfWork, person: Person) -> int:
    customer = _customer(uow, person)
    if customer is None or is_erased_email(customer.email):
        return 0
    customer.email = person.replacement_email
    customer.name = customer.phone = ""  # a VAT id and a tax certificate stay: tax law
    customer.addresses = tuple(anonymous_address(a) for a in customer.addresses)
    uow.repo(CUSTOMERS).save(customer)
    return 1


#: The customer record's port.
CUSTOMER_DATA = PersonalData("customer", _find, _export, lambda uow, person: [], _erase)
