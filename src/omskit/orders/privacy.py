"""The orders' share of a data subject request (see ``omskit.customers.privacy``).

Erasure anonymises the buyer on every order (e-mail, name, shipping and billing
address, the quote's copy of the address, notes, the card fingerprint) and leaves the
money alone: lines, totals, shipping, duties, payment status and the timeline are
unchanged, so every order still balances against its payments and refunds.

An order still on its way (not yet shipped, delivered, completed or cancelled) blocks
erasure: the warehouse and the carrier still need the address.
"""

from __future__ import annotations

from typing import Any

import attrs

from omskit.customers.privacy import (
    ERASED,
    Person,
    PersonalData,
    anonymous_address,
    is_erased_email,
)
from omskit.orders.model import Order
from omskit.orders.storage import ORDERS, email_key
from omskit.storage.ports import UnitOfWork

__all__ = ["ORDER_DATA", "SETTLED_STATUSES"]

#: Order statuses that no longer need the buyer's address.
SETTLED_STATUSES = frozenset({"shipped", "delivered", "completed", "cancelled"})


def _orders(uow: UnitOfWork, person: Person) -> list[Order]:
    repo = uow.repo(ORDERS)
    found: dict[str, Order] = {}
    if person.customer_id:
        found.update((o.id, o) for o in repo.list_by("customer_id", person.customer_id))
    for email in sorted(person.emails):
        found.update((o.id, o) for o in repo.list_by("customer", email_key(email)))
    for order_id in sorted(person.order_ids - set(found)):
        order = repo.find(order_id)
        if order is not None:
            found[order.id] = order
    return sorted(found.values(), key=lambda o: (o.created_at, o.id))


def _find(uow: UnitOfWork, person: Person) -> Person:
    orders = _orders(uow, person)
    addresses = [a for o in orders for a in (o.ship_to, o.bill_to) if a is not None]
    return person.widen(
        order_ids=frozenset(o.id for o in orders),
        emails=frozenset(o.customer_email.lower() for o in orders)
        | frozenset(a.email.lower() for a in addresses),
        names=frozenset(o.customer_name for o in orders) | frozenset(a.name for a in addresses),
        phones=frozenset(a.phone for a in addresses),
    )


def _blocking(uow: UnitOfWork, person: Person) -> list[str]:
    return [
        f"order {o.id} is {o.status} (erase once it has shipped or been cancelled)"
        for o in _orders(uow, person)
        if o.status not in SETTLED_STATUSES
    ]


def _anonymous_quote(quote: Any, replacement: str) -> Any:
    if not attrs.has(type(quote)):
        return quote
    changes: dict[str, Any] = {}
    names = {f.name for f in attrs.fields(type(quote))}
    if "ship_to" in names and quote.ship_to is not None:
        changes["ship_to"] = anonymous_address(quote.ship_to)
    if "customer_key" in names and "@" in str(quote.customer_key):
        changes["customer_key"] = replacement
    return attrs.evolve(quote, **changes) if changes else quote


def _erase(uow: UnitOfWork, person: Person) -> int:
    repo = uow.repo(ORDERS)
    replacement = person.replacement_email
    changed = 0
    for order in _orders(uow, person):
        if is_erased_email(order.customer_email):
            continue
        order.customer_email, order.customer_name = replacement, ""
        order.ship_to = anonymous_address(order.ship_to)
        if order.bill_to is not None:
            order.bill_to = anonymous_address(order.bill_to)
        order.notes = ERASED if order.notes else ""
        order.card_fingerprint = ""
        order.quote = _anonymous_quote(order.quote, replacement)
        ref = order.pricing_customer
        email: object = getattr(ref, "email", "") if attrs.has(type(ref)) else ""
        if email:
            order.pricing_customer = attrs.evolve(ref, email=replacement)
        repo.save(order)
        changed += 1
    return changed


#: The orders' port.
ORDER_DATA = PersonalData("orders", _find, _orders, _blocking, _erase)
