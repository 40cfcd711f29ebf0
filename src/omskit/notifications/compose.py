"""From an event and a trigger to messages: the template context and the recipients.

Reads go through the capability services' public API (the [`Sources`][] port the OMS
facade fills in), never into their stores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from omskit.errors import NotFound
from omskit.events import Event
from omskit.money import Money
from omskit.notifications.preferences import Preferences
from omskit.notifications.settings import NotificationSettings
from omskit.notifications.subscriptions import StockSubscription
from omskit.notifications.triggers import Trigger

__all__ = [
    "Recipient",
    "Sources",
    "event_context",
    "order_of",
    "recipients",
    "sample_context",
    "subscriber_recipients",
]


class Sources(Protocol):
    """What composing a message reads: orders, customers, shipments, products."""

    def order(self, order_id: str) -> Any:
        """The order ``order_id``; raises ``NotFound``."""
        ...

    def customer(self, customer_id: str) -> Any:
        """The customer ``customer_id``; raises ``NotFound``."""
        ...

    def shipment(self, shipment_id: str) -> Any:
        """The shipment ``shipment_id``; raises ``NotFound``."""
        ...

    def product(self, sku: str) -> Any:
        """The product ``sku``; raises ``NotFound``."""
        ...

    def shipments(self, order_id: str) -> list[Any]:
        """The shipments of order ``order_id``, oldest first."""
        ...

    def timeline(self, order_id: str) -> Any:
        """The order's merged timeline (``oms.orders.timeline``)."""
        ...

    def available(self, sku: str, location: str | None = None) -> int:
        """Units of ``sku`` available: salable everywhere, or free at ``location``."""
        ...

    def location(self, code: str) -> Any:
        """The stock location ``code``; raises ``NotFound``."""
        ...

    def channel(self, code: str) -> Any:
        """The sales channel ``code``; raises ``NotFound``."""
        ...


@attrs.frozen
class Recipient:
    """Where one message goes: channel, address, whose preferences, locale, time zone."""

    channel: str
    address: str
    customer: str
    locale: str
    time_zone: str


def _find(fn: Any, key: str) -> Any:
    if not key:
        return None
    try:
        return fn(key)
    except NotFound:
        return None


def order_of(event: Event, sources: Sources) -> Any:
    """The order an event is about (``order_id``, or a payment's ``reference``), or None."""
    order_id = getattr(event, "order_id", "") or ""
    if not order_id and event.event_type.startswith("Payment"):
        order_id = getattr(event, "reference", "") or ""
    return _find(sources.order, str(order_id))


def _tracking(shipment: Any, settings: NotificationSettings) -> list[dict[str, str]]:
    pattern = settings.tracking_urls.get(shipment.carrier, "")
    return [
        {"number": n, "url": pattern.format(tracking_number=n) if pattern else ""}
        for n in shipment.tracking_numbers
    ]


def _units(lines: object) -> int:
    total = 0
    for line in lines if isinstance(lines, tuple | list) else ():
        if isinstance(line, tuple) and line and isinstance(line[-1], int):
            total += line[-1]
    return total


_COPIED = ("amount", "reason", "actor", "refunded", "voided", "status", "description",
           "pickup_code", "location", "expires_at", "sku", "available", "threshold",
           "promised_date")  # fmt: skip


def event_context(
    event: Event, order: Any, sources: Sources, settings: NotificationSettings
) -> dict[str, Any]:
    """The variables a template sees for ``event`` (see docs/notifications.md)."""
    currency = order.currency if order is not None else "EUR"
    ctx: dict[str, Any] = {
        "shop": settings.shop_name,
        "event": event.to_dict(),
        "customer_name": "",
        "order_number": "",
        "order_id": "",
        "total": Money.zero(currency),
        "amount": Money.zero(currency),
        "refunded": Money.zero(currency),
        "voided": Money.zero(currency),
        "units": _units(getattr(event, "lines", ())),
        "carrier": "",
        "tracking": [],
        "promised_date": None,
        "reason": "",
        "actor": "",
        "status": "",
        "description": "",
        "pickup_code": "",
        "location": "",
        "expires_at": None,
        "sku": "",
        "product": "",
        "available": 0,
        "threshold": 0,
        "rma": "",
        "unsubscribe_url": "",
    }
    if order is not None:
        ctx.update(
            order_id=order.id,
            order_number=order.external_id or order.id,
            customer_name=order.customer_name or order.customer_email,
            total=order.total.gross,
        )
    for name in _COPIED:
        value = getattr(event, name, None)
        if value is not None:
            ctx[name] = value
    for name in ("rma_id", "rma_number", "rma", "return_id"):
        if getattr(event, name, ""):
            ctx["rma"] = getattr(event, name)
            break
    shipment = _find(sources.shipment, str(getattr(event, "shipment_id", "") or ""))
    if shipment is not None:
        ctx["carrier"] = shipment.carrier
        ctx["tracking"] = _tracking(shipment, settings)
        if shipment.promised_date is not None and not getattr(event, "promised_date", None):
            ctx["promised_date"] = shipment.promised_date
    numbers = getattr(event, "tracking_numbers", None) or (
        (str(getattr(event, "tracking_number", "")),)
        if getattr(event, "tracking_number", "")
        else ()
    )
    if numbers and not ctx["tracking"]:
        carrier = str(getattr(event, "carrier", ""))
        pattern = settings.tracking_urls.get(carrier, "")
        ctx["tracking"] = [
            {"number": n, "url": pattern.format(tracking_number=n) if pattern else ""}
            for n in numbers
        ]
    if event.event_type == "SupportMessageAdded":
        ctx.update(
            case_number=getattr(event, "case_id", ""),
            case_subject=getattr(event, "subject", ""),
            message=getattr(event, "body", ""),
            author=getattr(event, "author", ""),
        )
        if order is None:
            ctx["customer_name"] = getattr(event, "customer", "")
    if ctx["sku"]:
        product = _find(sources.product, str(ctx["sku"]))
        ctx["product"] = product.name if product is not None else ctx["sku"]
    return ctx


def sample_context(
    order: Any, now: dt.datetime, settings: NotificationSettings, shipment: Any = None
) -> dict[str, Any]:
    """A context with every variable filled, for previews (real order data where given)."""
    currency = order.currency if order is not None else "EUR"
    total = order.total.gross if order is not None else Money.of("49.90", currency)
    sku = order.lines[0].sku if order is not None and order.lines else "TEE-M"
    ctx: dict[str, Any] = {
        "shop": settings.shop_name,
        "event": {},
        "customer_name": order.customer_name or order.customer_email if order else "Dana",
        "order_number": (order.external_id or order.id) if order else "W-1001",
        "order_id": order.id if order else "ord-1",
        "total": total,
        "amount": total,
        "refunded": total,
        "voided": Money.zero(currency),
        "units": sum(x.quantity for x in order.lines) if order else 2,
        "carrier": "sandbox",
        "tracking": [{"number": "1Z999AA10123456784", "url": "https://track.example/1Z999"}],
        "promised_date": now.date() + dt.timedelta(days=2),
        "reason": "sample reason",
        "actor": "agent@example.com",
        "status": "in_transit",
        "description": "delayed at the hub",
        "pickup_code": "482913",
        "location": "Hamburg store",
        "expires_at": now + dt.timedelta(days=3),
        "sku": sku,
        "product": sku,
        "available": 3,
        "threshold": 5,
        "rma": "RMA-1001",
        "unsubscribe_url": "https://shop.example/unsubscribe?token=sample",
        "case_number": "case-1",
        "case_subject": "Where is my order?",
        "message": "Your parcel is on its way.",
        "author": "Agent",
    }
    if shipment is not None:
        ctx["carrier"] = shipment.carrier
        ctx["tracking"] = _tracking(shipment, settings)
    return ctx


def recipients(
    trigger: Trigger,
    order: Any,
    customer: Any,
    prefs: Preferences | None,
    settings: NotificationSettings,
    *,
    fallback_email: str = "",
) -> list[Recipient]:
    """Who gets ``trigger``'s message, on which channels, in which locale and time zone.

    ``fallback_email`` reaches a customer when the event is about no order (a support
    case opened without one).
    """
    if trigger.kind == "staff":
        return [
            Recipient(channel, address, "", settings.default_locale, settings.default_time_zone)
            for channel in trigger.channels
            for address in settings.staff.get(channel, ())
        ]
    if order is None:
        if "@" not in fallback_email:
            return []
        locale = (prefs.locale if prefs else "") or settings.default_locale
        tz = (prefs.time_zone if prefs else "") or settings.default_time_zone
        return [Recipient(c, fallback_email if c == "email" else "", fallback_email, locale, tz)
                for c in trigger.channels]  # fmt: skip
    locale = (prefs.locale if prefs else "") or (customer.locale if customer else "")
    return _to_customer(trigger, prefs, settings, key=order.customer_id or
                        order.customer_email.lower(), email=order.customer_email,
                        customer=customer, customer_id=order.customer_id,
                        locale=locale)  # fmt: skip


def _to_customer(
    trigger: Trigger,
    prefs: Preferences | None,
    settings: NotificationSettings,
    *,
    key: str,
    email: str,
    customer: Any,
    customer_id: str,
    locale: str,
) -> list[Recipient]:
    """One recipient per channel of ``trigger`` (or the preferred one among them)."""
    tz = (prefs.time_zone if prefs else "") or settings.default_time_zone
    channels = trigger.channels
    if prefs is not None and prefs.channel in channels:
        channels = (prefs.channel,)
    addresses: Mapping[str, str] = {
        "email": email,
        "sms": customer.phone if customer is not None else "",
        "push": customer_id,
    }
    return [
        Recipient(c, addresses.get(c, ""), key, locale or settings.default_locale, tz)
        for c in channels
    ]


def subscriber_recipients(
    trigger: Trigger,
    subscription: StockSubscription,
    customer: Any,
    prefs: Preferences | None,
    *,
    settings: NotificationSettings,
    channel_locale: str = "",
) -> list[Recipient]:
    """Who hears about a back-in-stock subscription, on which of ``trigger``'s channels.

    The locale is the subscription's, else the customer's preference, else the
    customer's own, else the sales channel's, else the default.
    """
    locale = (subscription.locale or (prefs.locale if prefs else "")
              or (customer.locale if customer is not None else "") or channel_locale)  # fmt: skip
    return _to_customer(trigger, prefs, settings, key=subscription.preference_key,
                        email=subscription.email, customer=customer,
                        customer_id=subscription.customer, locale=locale)  # fmt: skip
