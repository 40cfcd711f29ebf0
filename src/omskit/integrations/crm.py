"""CRM and BI exports: a customer-360 document per customer, and event feeds as JSON Lines.

[`customer_360`][omskit.integrations.crm.customer_360] builds one JSON-ready document
(schema ``omskit.customer360/1``, described by ``CUSTOMER_360_SCHEMA``) from a
customer's orders as omskit stores them::

    {
      "schema": "omskit.customer360/1",
      "customer": {"id": "cus_000001" | null, "email": ..., "name": ..., "group": ...},
      "as_of": "2026-11-24T09:00:00+00:00",
      "orders": [{"id", "channel", "external_id", "placed_at", "status", "currency",
                  "total", "refunded", "units", "returned_units"}, ...],
      "totals": [{"currency", "orders", "units", "returned_units", "gross", "refunded",
                  "lifetime_value"}, ...],
      "first_order_at": ..., "last_order_at": ..., "return_rate": "0.1250"
    }

Money is ``{"amount": "19.90", "currency": "EUR"}`` with a decimal string, as in the
event envelope. Totals are kept per currency (nothing is converted). ``gross`` is the
orders' current totals (cancelled units are already out of them); ``refunded`` is what
was given back *without* cancelling units (returns, goodwill), and ``lifetime_value``
= ``gross - refunded``, to the minor unit.
[`refunds_from_events`][omskit.integrations.crm.refunds_from_events] computes those
refunds from the payment and order events.

[`event_feed`][omskit.integrations.crm.event_feed] writes committed events as JSON
Lines of the broker's envelope (``omskit.event/1``, see the message broker section), so
a warehouse loads the same documents a queue consumer reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from omskit.customers.model import Customer
from omskit.errors import CurrencyMismatch, ValidationError
from omskit.events import Event
from omskit.integrations.broker.envelope import envelope, envelope_bytes
from omskit.money import Money
from omskit.orders.events import OrderCancelled, OrderLinesCancelled
from omskit.orders.model import Order
from omskit.payments.events import PaymentRefunded
from omskit.validation import check_email

__all__ = [
    "CUSTOMER_360_SCHEMA",
    "SCHEMA_VERSION",
    "customer_360",
    "event_feed",
    "refunds_from_events",
]

#: The value of every customer-360 document's ``schema`` field.
SCHEMA_VERSION = "omskit.customer360/1"

_MONEY: Mapping[str, Any] = {
    "type": "object",
    "required": ["amount", "currency"],
    "additionalProperties": False,
    "properties": {
        "amount": {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
}
_WHEN = {"type": ["string", "null"], "format": "date-time"}

#: The customer-360 document as a JSON Schema (draft 2020-12).
CUSTOMER_360_SCHEMA: Mapping[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://omskit.dev/schemas/customer360-1.json",
    "title": "omskit customer 360, version 1",
    "type": "object",
    "required": [
        "schema",
        "customer",
        "as_of",
        "orders",
        "totals",
        "first_order_at",
        "last_order_at",
        "return_rate",
    ],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": SCHEMA_VERSION},
        "customer": {
            "type": "object",
            "required": ["id", "email", "name", "group"],
            "properties": {
                "id": {"type": ["string", "null"]},
                "email": {"type": "string"},
                "name": {"type": "string"},
                "group": {"type": "string"},
            },
        },
        "as_of": {"type": "string", "format": "date-time"},
        "orders": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "channel",
                    "external_id",
                    "placed_at",
                    "status",
                    "currency",
                    "total",
                    "refunded",
                    "units",
                    "returned_units",
                ],
                "properties": {
                    "total": _MONEY,
                    "refunded": _MONEY,
                    "placed_at": _WHEN,
                    "units": {"type": "integer", "minimum": 0},
                    "returned_units": {"type": "integer", "minimum": 0},
                },
            },
        },
        "totals": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "currency",
                    "orders",
                    "units",
                    "returned_units",
                    "gross",
                    "refunded",
                    "lifetime_value",
                ],
                "properties": {"gross": _MONEY, "refunded": _MONEY, "lifetime_value": _MONEY},
            },
        },
        "first_order_at": _WHEN,
        "last_order_at": _WHEN,
        "return_rate": {"type": "string", "description": "returned / ordered units, 4 dp"},
    },
}


def _money(value: Money) -> dict[str, str]:
    return {"amount": str(value.quantize().amount), "currency": value.currency}


def _when(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def customer_360(
    customer: Customer | str, orders: Iterable[Order], *, as_of: dt.datetime,
    refunds: Mapping[str, Money] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The customer-360 document for ``customer`` (a ``Customer`` or an email).

    ``orders`` are the customer's orders (``oms.orders.list(customer=email).items``, page by page);
    ``refunds`` maps an order id to what was refunded without cancelling units
    ([`refunds_from_events`][omskit.integrations.crm.refunds_from_events]).

    Raises:
        ValidationError: an order that is not this customer's (by email or id), a
            refund for an order not given, or an email that is not deliverable.
        CurrencyMismatch: a refund in another currency than its order.
    """
    if isinstance(customer, Customer):
        email, key = customer.email, customer.id
        who: dict[str, str | None] = {"id": customer.id, "email": customer.email,
               "name": customer.name,
               "group": customer.group}  # fmt: skip
    else:
        email, key = check_email(customer, "customer"), ""
        who = {"id": None, "email": email, "name": "", "group": ""}
    refunds = dict(refunds or {})
    rows: list[dict[str, Any]] = []
    per_currency: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for order in sorted(orders, key=lambda o: (o.created_at, o.id)):
        if order.customer_email != email and not (key and order.customer_id == key):
            raise ValidationError(f"orders.{order.id}", order.customer_email,
                                  f"an order of {email}")  # fmt: skip
        seen.add(order.id)
        refunded = refunds.get(order.id, Money.zero(order.currency))
        if refunded.currency != order.currency:
            raise CurrencyMismatch(order.currency, refunded.currency, "refund")
        units = sum(x.active for x in order.lines)
        returned = sum(x.returned for x in order.lines)
        rows.append({
            "id": order.id, "channel": order.channel, "external_id": order.external_id,
            "placed_at": _when(order.created_at), "status": order.status,
            "currency": order.currency, "total": _money(order.total.gross),
            "refunded": _money(refunded), "units": units, "returned_units": returned,
        })  # fmt: skip
        t = per_currency.setdefault(order.currency, {
            "orders": 0, "units": 0, "returned_units": 0,
            "gross": Money.zero(order.currency), "refunded": Money.zero(order.currency),
        })  # fmt: skip
        t["orders"] += 1
        t["units"] += units
        t["returned_units"] += returned
        t["gross"] += order.total.gross.quantize()
        t["refunded"] += refunded.quantize()
    unknown = sorted(set(refunds) - seen)
    if unknown:
        raise ValidationError("refunds", unknown, "refunds only for the orders given")
    totals = [
        {"currency": code, "orders": t["orders"], "units": t["units"],
         "returned_units": t["returned_units"], "gross": _money(t["gross"]),
         "refunded": _money(t["refunded"]),
         "lifetime_value": _money(t["gross"] - t["refunded"])}
        for code, t in sorted(per_currency.items())
    ]  # fmt: skip
    units = sum(t["units"] for t in per_currency.values())
    returned = sum(t["returned_units"] for t in per_currency.values())
    rate = Decimal(returned) / units if units else Decimal(0)
    return {
        "schema": SCHEMA_VERSION, "customer": who, "as_of": as_of.isoformat(),
        "orders": rows, "totals": totals,
        "first_order_at": rows[0]["placed_at"] if rows else None,
        "last_order_at": rows[-1]["placed_at"] if rows else None,
        "return_rate": str(rate.quantize(Decimal("0.0001"), ROUND_HALF_UP)),
    }  # fmt: skip


def refunds_from_events(events: Iterable[Event]) -> dict[str, Money]:
    """Per order id, the money refunded without cancelling units.

    Payments refunded (``PaymentRefunded``, whose ``reference`` is the order id) less
    what cancellations refunded (``OrderCancelled`` / ``OrderLinesCancelled``): what is
    left is returns and goodwill. Orders with nothing left are not listed.
    """
    out: dict[str, Money] = {}
    for event in events:
        if isinstance(event, PaymentRefunded):
            key, amount = event.reference, event.amount
        elif isinstance(event, OrderCancelled | OrderLinesCancelled):
            key, amount = event.order_id, -event.refunded
        else:
            continue
        out[key] = out[key] + amount if key in out else amount
    return {k: v for k, v in out.items() if not v.is_zero}


def event_feed(events: Iterable[Event], *, types: Collection[str] | None = None) -> Iterator[str]:
    """Committed ``events`` as JSON Lines of the ``omskit.event/1`` envelope.

    ``types`` keeps only those event types (``{"OrderCaptured", "ShipmentDelivered"}``).

    Raises:
        ValueError: an event was never committed (it has no id).
    """
    for event in events:
        if types is not None and event.event_type not in types:
            continue
        yield envelope_bytes(envelope(event)).decode() + "\n"
