"""Magento 2 (Adobe Commerce) REST: the sales order in; shipments, stock, cancels out.

A host polls ``GET /V1/orders?searchCriteria[filter_groups][0][filters][0][field]=
updated_at&...[condition_type]=gt`` (the cursor being the last ``updated_at`` seen)
and passes each order here.

Fields read: ``entity_id`` (the external id used in every call back), ``increment_id``,
``state``, ``status``, ``created_at``, ``updated_at``, ``order_currency_code``,
``customer_email``, ``customer_firstname`` / ``customer_lastname``, ``subtotal``,
``discount_amount`` (negative, as Magento stores it), ``shipping_amount``,
``shipping_discount_amount``, ``tax_amount``, ``grand_total``, ``items[]``
(``item_id``, ``sku``, ``product_id``, ``qty_ordered``, ``row_total``,
``discount_amount``, ``tax_amount``, ``parent_item_id``), ``billing_address`` and
``extension_attributes.shipping_assignments[0].shipping.address`` (``firstname``,
``lastname``, ``company``, ``street[]``, ``city``, ``region_code``, ``postcode``,
``country_id``, ``telephone``). Child items of configurable and bundle products (those
with ``parent_item_id``) are skipped: the parent line carries the price. Amounts are
read in the order currency (``base_*`` amounts are ignored), as are gift cards, reward
points and ``payment``.

Outbound: ``POST V1/order/{id}/ship`` with tracks, ``POST V1/orders/{id}/cancel``,
``POST V1/order/{id}/refund`` (an offline credit memo) and MSI source items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omskit.errors import ValidationError
from omskit.fulfillment.model import Shipment
from omskit.integrations.channel import (
    ChannelLine,
    ChannelOrder,
    address,
    amount,
    buyer_email,
    check_adds_up,
    currency_of,
    items,
    obj,
    parse_timestamp,
    platform_quantities,
    quantity,
    resolve_sku,
    text,
)
from omskit.integrations.transport import HttpRequest, json_request
from omskit.money import Money
from omskit.orders.events import OrderLinesCancelled

__all__ = [
    "cancel_request",
    "parse_order",
    "refund_request",
    "ship_request",
    "source_items_request",
]


def _timestamp(value: Any, field: str) -> Any:
    # Magento writes "2024-05-01 10:00:00" in UTC
    return parse_timestamp(value.replace(" ", "T") if isinstance(value, str) else value, field)


def parse_order(payload: Any, *, sku_map: Mapping[str, str] | None = None) -> ChannelOrder:
    """Read a Magento 2 sales order into a checked [`ChannelOrder`][].

    ``sku_map`` maps a ``sku`` or ``product_id`` to an omskit SKU.

    Raises:
        ValidationError: a field is missing or malformed, or the totals do not add up
            (naming the field, e.g. ``grand_total``).
    """
    data = obj(payload, "order")
    currency = currency_of(data, "order_currency_code", "order_currency_code")
    lines = []
    for i, raw in enumerate(items(data.get("items"), "items")):
        where = f"items[{i}]"
        item = obj(raw, where)
        if item.get("parent_item_id"):
            continue
        lines.append(ChannelLine(
            external_line_id=text(item, "item_id", f"{where}.item_id"),
            sku=resolve_sku(text(item, "sku", f"{where}.sku", required=False),
                            (text(item, "product_id", f"{where}.product_id",
                                  required=False),), sku_map, f"{where}.sku"),
            quantity=quantity(item, "qty_ordered", f"{where}.qty_ordered"),
            gross=amount(item, "row_total", f"{where}.row_total", currency),
            discount=abs(amount(item, "discount_amount", f"{where}.discount_amount",
                                currency, default="0")),
            tax=amount(item, "tax_amount", f"{where}.tax_amount", currency, default="0"),
        ))  # fmt: skip
    if not lines:
        raise ValidationError("items", [], "expected at least one item without parent_item_id")
    subtotal = amount(data, "subtotal", "subtotal", currency)
    gross = sum((x.gross for x in lines), Money.zero(currency))
    if gross.amount != subtotal.amount:
        raise ValidationError("subtotal", str(subtotal.amount),
                              f"the items' row_total make {gross.amount}")  # fmt: skip
    shipping = amount(data, "shipping_amount", "shipping_amount", currency, default="0") - abs(
        amount(data, "shipping_discount_amount", "shipping_discount_amount", currency,
               default="0")
    )  # fmt: skip
    order_discount = abs(amount(data, "discount_amount", "discount_amount", currency,
                                default="0"))  # fmt: skip
    line_discount = sum((x.discount for x in lines), Money.zero(currency))
    item_discount = order_discount - abs(
        amount(data, "shipping_discount_amount", "shipping_discount_amount", currency,
               default="0")
    )  # fmt: skip
    if item_discount.amount != line_discount.amount:
        raise ValidationError("discount_amount", str(order_discount.amount),
                              f"the items' discounts ({line_discount.amount}) and the "
                              "shipping discount must make it")  # fmt: skip
    bill = obj(data.get("billing_address"), "billing_address")
    ship_field = "extension_attributes.shipping_assignments[0].shipping.address"
    ship = bill
    extension = data.get("extension_attributes")
    if isinstance(extension, Mapping):
        assignments = extension.get("shipping_assignments")
        if isinstance(assignments, list) and assignments:
            shipping_node = obj(assignments[0], "shipping_assignments[0]").get("shipping")
            if isinstance(shipping_node, Mapping) and shipping_node.get("address"):
                ship = obj(shipping_node["address"], ship_field)
    if ship is bill:
        ship_field = "billing_address"
    dropped: list[tuple[str, str, str]] = []
    state = text(data, "state", "state", required=False)
    name = " ".join(str(data[k]) for k in ("customer_firstname", "customer_lastname")
                    if data.get(k))  # fmt: skip
    order = ChannelOrder(
        platform="magento",
        external_id=text(data, "entity_id", "entity_id"),
        number=text(data, "increment_id", "increment_id", required=False),
        placed_at=_timestamp(data.get("created_at"), "created_at"),
        updated_at=_timestamp(data.get("updated_at"), "updated_at"),
        currency=currency,
        taxes_included=False,
        customer_email=buyer_email(data.get("customer_email"), "customer_email"),
        customer_name=name or _name(ship),
        ship_to=_address(ship, dropped, ship_field),
        bill_to=_address(bill, dropped, "billing_address"),
        lines=tuple(lines),
        shipping=shipping,
        tax=amount(data, "tax_amount", "tax_amount", currency, default="0"),
        total=amount(data, "grand_total", "grand_total", currency),
        payment_status="paid" if data.get("total_paid") else "pending",
        status=text(data, "status", "status", required=False) or state,
        cancelled=state == "canceled",
        dropped=tuple(dropped),
    )
    return check_adds_up(order, "grand_total")


def _name(a: Mapping[str, Any]) -> str:
    return " ".join(str(a[k]).strip() for k in ("firstname", "lastname") if a.get(k))


def _address(a: Mapping[str, Any], dropped: list[tuple[str, str, str]],
             field: str) -> dict[str, str]:  # fmt: skip
    street = a.get("street")
    lines = [str(s) for s in street] if isinstance(street, list) else [str(street or "")]
    return address({
        "country": a.get("country_id"), "line1": lines[0] if lines else "",
        "line2": " ".join(lines[1:]), "city": a.get("city"), "region": a.get("region_code"),
        "postal_code": a.get("postcode"), "name": _name(a), "company": a.get("company"),
        "phone": a.get("telephone"),
    }, dropped, field)  # fmt: skip


# -- outbound ------------------------------------------------------------------------


def _per_item(lines: Mapping[str, int], line_map: Mapping[str, str],
              field: str) -> list[dict[str, Any]]:  # fmt: skip
    per = platform_quantities(lines, line_map, field)
    return [{"order_item_id": int(k), "qty": v} for k, v in per.items()]


def ship_request(shipment: Shipment, *, external_id: str, line_map: Mapping[str, str],
                 carrier_code: str = "custom", title: str = "",
                 notify: bool = False) -> HttpRequest:  # fmt: skip
    """Create a Magento shipment with one track per parcel (``POST V1/order/{id}/ship``)."""
    body = {
        "items": _per_item(shipment.lines, line_map, "shipment.lines"),
        "notify": notify,
        "tracks": [{"track_number": n, "carrier_code": carrier_code,
                    "title": title or shipment.carrier} for n in shipment.tracking_numbers],
    }  # fmt: skip
    return json_request(
        "POST",
        f"V1/order/{external_id}/ship",
        body,
        schema="magento.order_ship",
        idempotency_key=f"magento:ship:{shipment.id}",
    )


def cancel_request(external_id: str) -> HttpRequest:
    """Cancel the Magento order (``POST V1/orders/{id}/cancel``, no body)."""
    return HttpRequest(
        "POST", f"V1/orders/{external_id}/cancel", idempotency_key=f"magento:cancel:{external_id}"
    )


def refund_request(
    event: OrderLinesCancelled, *, external_id: str, line_map: Mapping[str, str],
    notify: bool = False,
) -> HttpRequest:  # fmt: skip
    """An offline credit memo for the cancelled lines (``POST V1/order/{id}/refund``)."""
    body = {"items": _per_item(dict(event.lines), line_map, "event.lines"), "notify": notify,
            "arguments": {"shipping_amount": 0, "adjustment_positive": 0,
                          "adjustment_negative": 0}}  # fmt: skip
    return json_request(
        "POST",
        f"V1/order/{external_id}/refund",
        body,
        schema="magento.order_refund",
        idempotency_key=f"magento:refund:{event.order_id}:{event.event_id}",
    )


def source_items_request(levels: Mapping[tuple[str, str], int]) -> HttpRequest:
    """Set MSI source quantities, ``{(sku, source_code): quantity}``.

    Raises:
        ValidationError: no levels, or a quantity that is not a whole number >= 0.
    """
    if not levels:
        raise ValidationError("levels", {}, "give at least one (sku, source_code) level")
    source_items = []
    for (sku, source), qty in levels.items():
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise ValidationError(f"levels[{sku!r}, {source!r}]", qty, "a whole number >= 0")
        source_items.append({"sku": sku, "source_code": source, "quantity": qty,
                             "status": 1 if qty else 0})  # fmt: skip
    key = "magento:stock:" + ",".join(f"{s}@{c}={q}" for (s, c), q in sorted(levels.items()))
    return json_request(
        "POST",
        "V1/inventory/source-items",
        {"sourceItems": source_items},
        schema="magento.source_items",
        idempotency_key=key,
    )
