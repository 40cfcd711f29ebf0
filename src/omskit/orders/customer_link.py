"""Who placed an order: the registered customer a capture belongs to, and what it may claim.

A capture is linked to a registered customer by its email (normalised as registration
normalises it) or by ``customer_id``. A link is a fact for queries and history, not
proof of identity: the registered customer's privileges (tax exemption, VAT id) apply
only when the capture is *authenticated* as that customer, which takes a
``customer_id`` from a channel whose ``trusts_customer_claims`` is on. The rules:

* a ``customer_id`` that names no registered customer is refused (``NotFound``);
* a ``customer_id`` registered with another email is refused (``ValidationError`` on
  ``customer.customer_id``): one cannot borrow another customer's identity;
* ``tax_exempt: true`` in a payload is refused unless the capture is authenticated as a
  customer registered as exempt (with the certificate registration requires);
  ``tax_exempt: false`` always opts out;
* a payload's ``vat_id`` is the buyer's declaration (its check digits decide the
  reverse charge); the registered VAT id applies only to an authenticated capture.
"""

from __future__ import annotations

import attrs

from omskit.channels.model import Channel
from omskit.customers.model import CUSTOMERS
from omskit.errors import NotFound
from omskit.orders.commands import CustomerInfo, ProblemReport
from omskit.pricing.request import CustomerRef
from omskit.storage.ports import UnitOfWork

__all__ = ["Buyer", "resolve_buyer"]

_NO_EXEMPTION = (
    "a payload cannot claim a tax exemption; it applies when a channel with "
    "trusts_customer_claims captures with the customer_id of a customer registered as "
    "tax-exempt (with the certificate)"
)


@attrs.frozen
class Buyer:
    """The outcome of linking a capture to a customer.

    Attributes:
        customer_id: the registered customer the order belongs to (``""``: none).
        authenticated: whether the capture proved it is that customer.
        pricing: who pricing sees, with the exemption and VAT id decided here.
    """

    customer_id: str
    authenticated: bool
    pricing: CustomerRef


def resolve_buyer(
    uow: UnitOfWork, info: CustomerInfo, channel: Channel | None, report: ProblemReport
) -> Buyer | None:
    """Link ``info`` to a registered customer; refusals go to ``report`` (then ``None``).

    Messages name the customer id, never the email.
    """
    customers = uow.repo(CUSTOMERS)  # views: linking only reads the customer
    key = info.email.lower()
    if info.customer_id:
        stored = customers.view(info.customer_id)
        if stored is None:
            report.error(
                "customer.customer_id",
                NotFound("customer", info.customer_id, "customer.customer_id is unknown"),
                "no registered customer has this id",
                info.customer_id,
            )
            return None
        if stored.email.lower() != key:
            report.add(
                "customer.customer_id",
                f"customer {stored.id} is registered with another email; give the email "
                "the customer registered with, or leave customer_id out",
                info.customer_id,
            )
            return None
    else:
        stored = customers.view_by("email", key)
    trusted = channel is not None and channel.trusts_customer_claims
    authenticated = stored is not None and bool(info.customer_id) and trusted
    exempt = authenticated and stored is not None and stored.tax_exempt
    if info.tax_exempt and not exempt:
        why = _NO_EXEMPTION
        if authenticated and stored is not None:
            why = f"customer {stored.id} is not registered as tax-exempt (no certificate)"
        report.add("customer.tax_exempt", why, True)
        return None
    if info.tax_exempt is False:
        exempt = False
    vat_id = info.vat_id
    if vat_id is None:
        vat_id = stored.vat_id if authenticated and stored is not None else ""
    customer_id = stored.id if stored is not None else ""
    pricing = CustomerRef(
        customer_id=customer_id,
        email=info.email,
        group=info.group,
        tax_exempt=exempt,
        vat_id=vat_id,
    )
    return Buyer(customer_id, authenticated, pricing)
