"""The customer service: register, update, look up customers and their addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omskit.customers.address import Address
from omskit.customers.events import CustomerRegistered, CustomerUpdated
from omskit.customers.model import CUSTOMERS, Customer, clean_customer_fields
from omskit.errors import AlreadyExists, NotFound, ValidationError
from omskit.paging import Page, check_page
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_email, check_text

__all__ = ["CustomerService"]


class CustomerService:
    """Customers. Reached as ``oms.customers``."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def register(self, email: str, *, actor: str = "system", **fields: Any) -> Customer:
        """Register a customer; every field is validated, all problems reported together.

        Args:
            email: unique across customers.
            **fields: ``name``, ``phone``, ``locale``, ``tax_exempt`` with
                ``tax_exempt_certificate``, ``vat_id``, ``group``, ``addresses``
                (mappings or [`Address`][] objects).
            actor: who makes the change (recorded on its events; default ``"system"``).

        Raises:
            ValidationError: listing every invalid field.
            AlreadyExists: a customer with this email exists.
        """
        clean = clean_customer_fields({"email": email, **fields})

        def use_case(uow: UnitOfWork) -> Customer:
            customers = uow.repo(CUSTOMERS)
            if customers.find_by("email", clean["email"].lower()) is not None:
                raise AlreadyExists("customer with email", clean["email"])
            customer = Customer(id=self._rt.ids.new_id("cus"), **clean)
            customer.record(CustomerRegistered(customer_id=customer.id, email=customer.email))
            customers.add(customer)
            return customer

        return self._rt.run(use_case, actor=actor)

    def update(self, customer_id: str, *, actor: str = "system", **changes: Any) -> Customer:
        """Change some fields of a customer; raises [`NotFound`][] for an unknown id."""
        if not changes:
            raise ValidationError("changes", {}, "give at least one field to change")

        def use_case(uow: UnitOfWork) -> Customer:
            customers = uow.repo(CUSTOMERS)
            customer = customers.get(customer_id)
            clean = clean_customer_fields(changes, partial=True, current=customer)
            if "email" in clean:
                other = customers.find_by("email", clean["email"].lower())
                if other is not None and other.id != customer.id:
                    raise AlreadyExists("customer with email", clean["email"])
            changed = tuple(k for k, v in clean.items() if getattr(customer, k) != v)
            for key, value in clean.items():
                setattr(customer, key, value)
            if changed:
                customer.record(CustomerUpdated(customer_id=customer.id, changed=changed))
                customers.save(customer)
            return customer

        return self._rt.run(use_case, actor=actor)

    def add_address(
        self, customer_id: str, address: Address | dict[str, Any], *, actor: str = "system"
    ) -> Customer:
        """Add an address to the customer's address book."""
        clean = Address.from_mapping(address)

        def use_case(uow: UnitOfWork) -> Customer:
            customers = uow.repo(CUSTOMERS)
            customer = customers.get(customer_id)
            customer.addresses = (*customer.addresses, clean)
            customer.record(CustomerUpdated(customer_id=customer.id, changed=("addresses",)))
            customers.save(customer)
            return customer

        return self._rt.run(use_case, actor=actor)

    def get(self, customer_id: str) -> Customer:
        """The customer with ``customer_id``; raises [`NotFound`][]."""
        with self._rt.storage.unit_of_work() as uow:
            return uow.repo(CUSTOMERS).get(customer_id)

    def find_by_email(self, email: str) -> Customer | None:
        """The customer with ``email`` (case-insensitive), or ``None`` when nobody has it.

        Raises:
            InvalidEmail: ``email`` is not an email address (a look-up cannot match
                what registration would refuse, so a typo is reported, not hidden).
        """
        clean = check_email(email)
        with self._rt.storage.unit_of_work() as uow:
            return uow.repo(CUSTOMERS).find_by("email", clean.lower())

    def list(self, *, group: str | None = None, offset: int = 0, limit: int = 50) -> Page[Customer]:
        """A page of customers in the order they registered; ``group`` narrows to one group.

        Raises:
            ValidationError: a bad ``offset`` (whole, >= 0) or ``limit`` (1 to 1000).
        """
        offset, limit = check_page(offset, limit)
        if group is not None:
            group = check_text(group, "group", max_length=64, required=False)
        with self._rt.storage.unit_of_work() as uow:
            repo = uow.repo(CUSTOMERS)
            matched = [c for c in repo.scan_view() if group is None or c.group == group]
            return _page(repo.get, matched, offset, limit)

    def search(self, text: str, *, offset: int = 0, limit: int = 50) -> Page[Customer]:
        """Customers whose email, name or phone contains ``text`` (case-insensitive).

        For phones, digits are compared without spaces or punctuation, so ``"30 9018"``
        finds ``+4930901820``.

        Raises:
            ValidationError: ``text`` is empty or longer than 200 characters; a bad page.
        """
        needle = check_text(text, "text", max_length=200).casefold()
        digits = "".join(ch for ch in needle if ch.isdigit())
        offset, limit = check_page(offset, limit)

        def hit(c: Customer) -> bool:
            return (
                needle in c.email.casefold()
                or needle in c.name.casefold()
                or needle in c.phone
                or (len(digits) >= 3 and digits in c.phone)
            )

        with self._rt.storage.unit_of_work() as uow:
            repo = uow.repo(CUSTOMERS)
            return _page(repo.get, [c for c in repo.scan_view() if hit(c)], offset, limit)

    def get_by_email(self, email: str) -> Customer:
        """The customer with ``email``; raises [`NotFound`][]."""
        found = self.find_by_email(email)
        if found is None:
            raise NotFound("customer with email", email)
        return found


def _page(
    get: Callable[[str], Customer], matched: list[Customer], offset: int, limit: int
) -> Page[Customer]:
    """The page of ``matched`` (read-only views, registration order) as private copies."""
    matched.sort(key=lambda c: (len(c.id), c.id))
    items = tuple(get(c.id) for c in matched[offset : offset + limit])
    return Page(items, len(matched), offset, limit)
