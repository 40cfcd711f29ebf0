"""Shopify: the Admin API order (and ``orders/create`` webhook) in, fulfillments and more out.

Inbound, [`parse_order`][omskit.integrations.shopify.parse_order] reads an order as the
REST Admin API returns it (``{"order": {...}}``) or as a webhook delivers it (the bare
object), and [`receive_order`][omskit.integrations.shopify.receive_order] verifies the
webhook's ``X-Shopify-Hmac-Sha256`` (the base64 HMAC-SHA256 of the raw body under the
app's secret) *before* parsing anything, then captures the order. A replayed delivery
captures nothing new: capture is idempotent by ``(channel, external_id)``.

Fields read: ``id``, ``name``, ``created_at``, ``updated_at``, ``currency``,
``taxes_included``, ``email`` (or ``customer.email``), ``financial_status``,
``cancelled_at``, ``subtotal_price``, ``total_discounts``, ``total_tax``,
``total_price``, ``discount_codes[].code``, ``line_items[]`` (``id``, ``sku``,
``variant_id``, ``quantity``, ``price``, ``total_discount``,
``discount_allocations[].amount``, ``tax_lines[].price``), ``shipping_lines[]``
(``price``, ``discounted_price``), and ``shipping_address`` / ``billing_address``
(``address1``, ``address2``, ``city``, ``province_code``, ``zip``, ``country_code``,
``phone``, ``name``, ``company``). Everything else is ignored (notably ``tax_lines``
rates: omskit computes tax with its own rules; ``total_tip_received`` and duties are
not mapped).

Outbound requests follow the REST Admin API: a fulfillment from fulfillment orders
(``POST fulfillments.json``), an inventory level (``POST inventory_levels/set.json``),
a cancellation (``POST orders/{id}/cancel.json``) and a refund
(``POST orders/{id}/refunds.json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from omskit.errors import ValidationError
from omskit.fulfillment.model import Shipment
from omskit.integrations.channel import (
    ChannelLine,
    ChannelOrder,
    OrderCapture,
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
    verify_hmac_base64,
)
from omskit.integrations.transport import HttpRequest, decode_json, json_request
from omskit.money import Money
from omskit.orders.events import OrderCancelled, OrderLinesCancelled

__all__ = [
    "HMAC_HEADER",
    "cancel_request",
    "fulfillment_request",
    "inventory_request",
    "parse_order",
    "receive_order",
    "refund_request",
    "verify_webhook",
]

T = TypeVar("T")

#: The header carrying the webhook's base64 HMAC-SHA256.
HMAC_HEADER = "X-Shopify-Hmac-Sha256"
#: The reasons Shopify's cancel endpoint accepts.
CANCEL_REASONS = ("customer", "inventory", "fraud", "declined", "other")


def verify_webhook(body: Any, headers: Any, secrets: Iterable[bytes]) -> Mapping[str, Any]:
    """The webhook's JSON object, once its HMAC holds under one of ``secrets``.

    Raises:
        ChannelSignatureInvalid: no header, or the digest does not match the raw body.
        ValidationError: the (authentic) body is not a JSON object.
    """
    raw = verify_hmac_base64("shopify", body, headers, header_name=HMAC_HEADER, secrets=secrets)
    return decode_json(raw, "body")


def receive_order(
    body: Any, headers: Any, *, secrets: Iterable[bytes], orders: OrderCapture[T],
    channel: str, sku_map: Mapping[str, str] | None = None, actor: str = "shopify",
) -> T:  # fmt: skip
    """Verify an ``orders/create`` webhook, read the order and capture it on ``channel``.

    Nothing is parsed before the signature holds, and nothing is stored when any step
    fails. A replay returns the order captured the first time.
    """
    payload = verify_webhook(body, headers, secrets)
    order = parse_order(payload, sku_map=sku_map)
    return orders.capture(order.capture_payload(channel), actor=actor)


def parse_order(payload: Any, *, sku_map: Mapping[str, str] | None = None) -> ChannelOrder:
    """Read a Shopify order into a checked [`ChannelOrder`][].

    ``sku_map`` maps a line's ``sku`` or ``variant_id`` to an omskit SKU.

    Raises:
        ValidationError: a field is missing or malformed, or the totals do not add up
            (naming the field, e.g. ``line_items[1].price`` or ``subtotal_price``).
    """
    data = obj(payload, "order")
    if "order" in data and isinstance(data["order"], Mapping):
        data = data["order"]
    currency = currency_of(data, "currency", "currency")
    dropped: list[tuple[str, str, str]] = []
    lines = tuple(
        _line(obj(raw, f"line_items[{i}]"), f"line_items[{i}]", currency, sku_map)
        for i, raw in enumerate(items(data.get("line_items"), "line_items"))
    )
    gross = sum((x.gross for x in lines), Money.zero(currency))
    total_discounts = amount(data, "total_discounts", "total_discounts", currency, default="0")
    line_discounts = sum((x.discount for x in lines), Money.zero(currency))
    if line_discounts.is_zero and not total_discounts.is_zero:
        # an order-level discount given without per-line allocations: spread it
        parts = total_discounts.allocate([x.gross.minor_units for x in lines])
        lines = tuple(
            ChannelLine(x.external_line_id, x.sku, x.quantity, x.gross, d, x.tax)
            for x, d in zip(lines, parts, strict=True)
        )
    subtotal = amount(data, "subtotal_price", "subtotal_price", currency)
    if (gross - total_discounts).amount != subtotal.amount:
        raise ValidationError(
            "subtotal_price", str(subtotal.amount),
            f"the line_items' prices ({gross.amount}) less total_discounts "
            f"({total_discounts.amount}) make {(gross - total_discounts).amount}",
        )  # fmt: skip
    shipping = Money.zero(currency)
    for i, raw in enumerate(items(data.get("shipping_lines"), "shipping_lines", required=False)):
        line = obj(raw, f"shipping_lines[{i}]")
        key = "discounted_price" if line.get("discounted_price") is not None else "price"
        shipping = shipping + amount(line, key, f"shipping_lines[{i}].{key}", currency)
    raw_customer = data.get("customer")
    customer = raw_customer if isinstance(raw_customer, Mapping) else {}
    email = data.get("email") or data.get("contact_email") or customer.get("email")
    ship = obj(data.get("shipping_address"), "shipping_address")
    bill = data.get("billing_address")
    taxes_included = data.get("taxes_included")
    if not isinstance(taxes_included, bool):
        raise ValidationError("taxes_included", taxes_included, "expected true or false")
    order = ChannelOrder(
        platform="shopify",
        external_id=text(data, "id", "id"),
        number=text(data, "name", "name", required=False),
        placed_at=parse_timestamp(data.get("created_at"), "created_at"),
        updated_at=parse_timestamp(data.get("updated_at"), "updated_at"),
        currency=currency,
        taxes_included=taxes_included,
        customer_email=buyer_email(email, "email"),
        customer_name=_name(ship),
        ship_to=_address(ship, dropped, "shipping_address"),
        bill_to=None
        if bill is None
        else _address(obj(bill, "billing_address"), dropped, "billing_address"),
        lines=lines,
        shipping=shipping,
        tax=amount(data, "total_tax", "total_tax", currency, default="0"),
        total=amount(data, "total_price", "total_price", currency),
        payment_status=text(data, "financial_status", "financial_status", required=False),
        status=text(data, "fulfillment_status", "fulfillment_status", required=False),
        cancelled=bool(data.get("cancelled_at")),
        discount_codes=tuple(
            text(obj(c, f"discount_codes[{i}]"), "code", f"discount_codes[{i}].code")
            for i, c in enumerate(
                items(data.get("discount_codes"), "discount_codes", required=False)
            )
        ),
        dropped=tuple(dropped),
    )
    return check_adds_up(order, "total_price")


def _line(raw: Mapping[str, Any], where: str, currency: str,
          sku_map: Mapping[str, str] | None) -> ChannelLine:  # fmt: skip
    qty = quantity(raw, "quantity", f"{where}.quantity")
    price = amount(raw, "price", f"{where}.price", currency)
    allocations = items(raw.get("discount_allocations"), f"{where}.discount_allocations",
                        required=False)  # fmt: skip
    if allocations:
        discount = sum(
            (amount(obj(a, f"{where}.discount_allocations[{j}]"), "amount",
                    f"{where}.discount_allocations[{j}].amount", currency)
             for j, a in enumerate(allocations)),
            Money.zero(currency),
        )  # fmt: skip
    else:
        discount = amount(raw, "total_discount", f"{where}.total_discount", currency,
                          default="0")  # fmt: skip
    tax = sum(
        (amount(obj(t, f"{where}.tax_lines[{j}]"), "price", f"{where}.tax_lines[{j}].price",
                currency)
         for j, t in enumerate(items(raw.get("tax_lines"), f"{where}.tax_lines",
                                     required=False))),
        Money.zero(currency),
    )  # fmt: skip
    sku = text(raw, "sku", f"{where}.sku", required=False)
    variant = text(raw, "variant_id", f"{where}.variant_id", required=False)
    return ChannelLine(
        external_line_id=text(raw, "id", f"{where}.id"),
        sku=resolve_sku(sku, (variant,), sku_map, f"{where}.sku"),
        quantity=qty,
        gross=price * qty,
        discount=discount,
        tax=tax,
    )


def _name(a: Mapping[str, Any]) -> str:
    name = a.get("name") or " ".join(str(a[k]) for k in ("first_name", "last_name") if a.get(k))
    return str(name).strip()


def _address(a: Mapping[str, Any], dropped: list[tuple[str, str, str]],
             field: str) -> dict[str, str]:  # fmt: skip
    return address(
        {
            "country": a.get("country_code"), "line1": a.get("address1"),
            "line2": a.get("address2"), "city": a.get("city"),
            "region": a.get("province_code"), "postal_code": a.get("zip"),
            "name": _name(a), "company": a.get("company"), "phone": a.get("phone"),
        },
        dropped, field,
    )  # fmt: skip


# -- outbound ------------------------------------------------------------------------


def fulfillment_request(
    shipment: Shipment, *, line_map: Mapping[str, str], fulfillment_orders: Any,
    carrier_names: Mapping[str, str] | None = None, notify_customer: bool = False,
) -> HttpRequest:  # fmt: skip
    """A fulfillment for ``shipment``, against the order's Shopify fulfillment orders.

    ``fulfillment_orders`` is Shopify's ``GET orders/{id}/fulfillment_orders.json``
    response; each shipped platform line is taken from the open fulfillment order lines
    that hold it. ``carrier_names`` renames omskit carriers to Shopify's tracking
    companies (``{"dhl-express": "DHL Express"}``).

    Raises:
        ValidationError: a shipped line is not in ``line_map``, or the fulfillment
            orders cannot take that many units (naming the line).
    """
    wanted = platform_quantities(shipment.lines, line_map, "shipment.lines")
    data = obj(fulfillment_orders, "fulfillment_orders")
    orders = items(data.get("fulfillment_orders"), "fulfillment_orders.fulfillment_orders")
    groups: list[dict[str, Any]] = []
    for i, raw_fo in enumerate(orders):
        fo = obj(raw_fo, f"fulfillment_orders[{i}]")
        if fo.get("status") not in ("open", "in_progress"):
            continue
        picked = []
        for j, raw_line in enumerate(items(fo.get("line_items"), f"fulfillment_orders[{i}]"
                                           ".line_items")):  # fmt: skip
            where = f"fulfillment_orders[{i}].line_items[{j}]"
            line = obj(raw_line, where)
            ref = text(line, "line_item_id", f"{where}.line_item_id")
            left = wanted.get(ref, 0)
            free = int(line.get("fulfillable_quantity") or 0)
            take = min(left, free)
            if take > 0:
                picked.append({"id": int(text(line, "id", f"{where}.id")), "quantity": take})
                wanted[ref] = left - take
        if picked:
            groups.append(
                {
                    "fulfillment_order_id": int(text(fo, "id", f"fulfillment_orders[{i}].id")),
                    "fulfillment_order_line_items": picked,
                }
            )
    short = {ref: qty for ref, qty in wanted.items() if qty}
    if short:
        raise ValidationError(
            "shipment.lines", short, "the open fulfillment orders cannot take these units "
            "(line_item_id: units left); fetch fresh fulfillment orders",
        )  # fmt: skip
    carrier = (carrier_names or {}).get(shipment.carrier, shipment.carrier)
    numbers = shipment.tracking_numbers
    tracking: dict[str, Any] = {"company": carrier}
    if numbers:
        tracking["number"] = numbers[0]
    body = {"fulfillment": {
        "line_items_by_fulfillment_order": groups,
        "tracking_info": tracking,
        "notify_customer": notify_customer,
    }}  # fmt: skip
    return json_request(
        "POST",
        "fulfillments.json",
        body,
        schema="shopify.fulfillment",
        idempotency_key=f"shopify:fulfillment:{shipment.id}",
    )


def inventory_request(*, inventory_item_id: str, location_id: str, available: int) -> HttpRequest:
    """Set the units available of one inventory item at one Shopify location.

    Raises:
        ValidationError: ``available`` is not a whole number.
    """
    if isinstance(available, bool) or not isinstance(available, int):
        raise ValidationError("available", available, "expected a whole number of units")
    body = {"location_id": int(location_id), "inventory_item_id": int(inventory_item_id),
            "available": available}  # fmt: skip
    key = f"shopify:inventory:{inventory_item_id}@{location_id}={available}"
    return json_request(
        "POST",
        "inventory_levels/set.json",
        body,
        schema="shopify.inventory_level_set",
        idempotency_key=key,
    )


def cancel_request(event: OrderCancelled, *, external_id: str, reason: str = "other",
                   email: bool = False) -> HttpRequest:  # fmt: skip
    """Cancel the Shopify order after omskit cancelled it (``OrderCancelled``).

    Raises:
        ValidationError: ``reason`` is not one Shopify accepts.
    """
    if reason not in CANCEL_REASONS:
        raise ValidationError("reason", reason, f"one of {', '.join(CANCEL_REASONS)}")
    body = {"reason": reason, "email": email}
    return json_request(
        "POST",
        f"orders/{external_id}/cancel.json",
        body,
        schema="shopify.order_cancel",
        idempotency_key=f"shopify:cancel:{event.order_id}",
    )


def refund_request(
    event: OrderLinesCancelled | OrderCancelled, *, external_id: str,
    line_map: Mapping[str, str], parent_transaction_id: str | None = None,
    gateway: str = "", restock: bool = True, note: str = "",
) -> HttpRequest:  # fmt: skip
    """Refund what omskit refunded, line by line (``OrderLinesCancelled``) or whole.

    Without ``parent_transaction_id`` (the Shopify sale the money came from) the refund
    records the lines only and moves no money on Shopify's side.
    """
    refunded: Money = event.refunded
    body: dict[str, Any] = {"currency": refunded.currency, "notify": False}
    if note or event.reason:
        body["note"] = note or event.reason
    if isinstance(event, OrderLinesCancelled):
        quantities = platform_quantities(dict(event.lines), line_map, "event.lines")
        body["refund_line_items"] = [
            {"line_item_id": int(ref), "quantity": qty,
             "restock_type": "cancel" if restock else "no_restock"}
            for ref, qty in quantities.items()
        ]  # fmt: skip
    if parent_transaction_id and not refunded.is_zero:
        body["transactions"] = [{
            "parent_id": int(parent_transaction_id), "amount": str(refunded.amount),
            "kind": "refund", "gateway": gateway,
        }]  # fmt: skip
    key = f"shopify:refund:{event.order_id}:{event.event_id}"
    return json_request(
        "POST",
        f"orders/{external_id}/refunds.json",
        {"refund": body},
        schema="shopify.refund",
        idempotency_key=key,
    )
