"""WooCommerce: the REST API v3 order (and its order webhooks) in; status, stock, refunds out.

[`receive_order`][omskit.integrations.woocommerce.receive_order] checks
``X-WC-Webhook-Signature`` (the base64 HMAC-SHA256 of the raw body under the webhook's
secret) before parsing, then captures the order. WooCommerce's first delivery of a new
webhook is a ping (``webhook_id=...`` form data, no signature); answer it with 200 and do
not pass it here.

Fields read: ``id``, ``number``, ``status``, ``currency``, ``prices_include_tax``,
``date_created_gmt``, ``date_modified_gmt``, ``total``, ``total_tax``,
``billing`` (``email``, and the address when no ``shipping`` address is set),
``shipping`` (``first_name``, ``last_name``, ``company``, ``address_1``,
``address_2``, ``city``, ``state``, ``postcode``, ``country``, ``phone``),
``line_items[]`` (``id``, ``sku``, ``product_id``, ``variation_id``, ``quantity``,
``subtotal``, ``total``, ``total_tax``), ``shipping_lines[].total``,
``coupon_lines[].code``, ``fee_lines[].total``. A non-zero fee line is refused
(omskit's capture has no fee line); ``line_items[].price`` is ignored (it is a float
and rounded; the unit price comes from ``total / quantity``), as are ``meta_data``,
``tax_lines`` and ``refunds``.

Outbound: order status updates (``PUT orders/{id}``, e.g. ``completed`` when shipped or
``cancelled``), stock quantities (``PUT products/{id}`` or
``products/{id}/variations/{vid}``) and refunds (``POST orders/{id}/refunds`` with
``api_refund`` false by default: setting an order ``refunded`` only relabels it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from omskit.errors import ValidationError
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
    "SIGNATURE_HEADER",
    "STATUSES",
    "parse_order",
    "receive_order",
    "refund_request",
    "status_request",
    "stock_request",
    "verify_webhook",
]

T = TypeVar("T")

#: The header carrying the webhook's base64 HMAC-SHA256.
SIGNATURE_HEADER = "X-WC-Webhook-Signature"
#: Order statuses WooCommerce knows.
STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded",
            "failed", "trash", "checkout-draft")  # fmt: skip


def verify_webhook(body: Any, headers: Any, secrets: Iterable[bytes]) -> Mapping[str, Any]:
    """The webhook's JSON object, once ``X-WC-Webhook-Signature`` holds.

    Raises:
        ChannelSignatureInvalid: no header, or the digest does not match the raw body.
    """
    raw = verify_hmac_base64("woocommerce", body, headers, header_name=SIGNATURE_HEADER,
                             secrets=secrets)  # fmt: skip
    return decode_json(raw, "body")


def receive_order(
    body: Any, headers: Any, *, secrets: Iterable[bytes], orders: OrderCapture[T],
    channel: str, sku_map: Mapping[str, str] | None = None, actor: str = "woocommerce",
) -> T:  # fmt: skip
    """Verify an ``order.created`` webhook, read the order and capture it on ``channel``."""
    payload = verify_webhook(body, headers, secrets)
    order = parse_order(payload, sku_map=sku_map)
    return orders.capture(order.capture_payload(channel), actor=actor)


def parse_order(payload: Any, *, sku_map: Mapping[str, str] | None = None) -> ChannelOrder:
    """Read a WooCommerce v3 order into a checked [`ChannelOrder`][].

    ``sku_map`` maps ``"<product_id>"``, ``"<product_id>:<variation_id>"`` or a SKU to
    an omskit SKU (WooCommerce products need not have a SKU).

    Raises:
        ValidationError: a field is missing or malformed, a fee line is present, or the
            totals do not add up (naming the field, e.g. ``total``).
    """
    data = obj(payload, "order")
    currency = currency_of(data, "currency", "currency")
    lines = tuple(
        _line(obj(raw, f"line_items[{i}]"), f"line_items[{i}]", currency, sku_map)
        for i, raw in enumerate(items(data.get("line_items"), "line_items"))
    )
    for i, raw in enumerate(items(data.get("fee_lines"), "fee_lines", required=False)):
        fee = amount(obj(raw, f"fee_lines[{i}]"), "total", f"fee_lines[{i}].total", currency)
        if not fee.is_zero:
            raise ValidationError(f"fee_lines[{i}].total", str(fee.amount),
                                  "fee lines are not mapped: omskit's capture has no fee "
                                  "line; only 0 is accepted")  # fmt: skip
    shipping = Money.zero(currency)
    for i, raw in enumerate(items(data.get("shipping_lines"), "shipping_lines", required=False)):
        line = obj(raw, f"shipping_lines[{i}]")
        shipping = shipping + amount(line, "total", f"shipping_lines[{i}].total", currency)
    billing = obj(data.get("billing"), "billing")
    shipping_address = data.get("shipping")
    ship = obj(shipping_address, "shipping") if shipping_address else billing
    ship_field = "shipping" if shipping_address and ship.get("country") else "billing"
    if ship_field == "billing":
        ship = billing
    dropped: list[tuple[str, str, str]] = []
    includes = data.get("prices_include_tax")
    if not isinstance(includes, bool):
        raise ValidationError("prices_include_tax", includes, "expected true or false")
    status = text(data, "status", "status")
    if status not in STATUSES:
        raise ValidationError("status", status, f"one of {', '.join(STATUSES)}")
    number = text(data, "number", "number", required=False)
    external_id = text(data, "id", "id")
    order = ChannelOrder(
        platform="woocommerce",
        external_id=external_id,
        number="" if number == external_id else number,
        placed_at=parse_timestamp(data.get("date_created_gmt"), "date_created_gmt"),
        updated_at=parse_timestamp(data.get("date_modified_gmt"), "date_modified_gmt"),
        currency=currency,
        taxes_included=includes,
        customer_email=buyer_email(billing.get("email"), "billing.email"),
        customer_name=_name(billing) or _name(ship),
        ship_to=_address(ship, dropped, ship_field),
        bill_to=_address(billing, dropped, "billing") if billing.get("country") else None,
        lines=lines,
        shipping=shipping,
        tax=amount(data, "total_tax", "total_tax", currency, default="0"),
        total=amount(data, "total", "total", currency),
        payment_status="paid" if data.get("date_paid_gmt") else "pending",
        status=status,
        cancelled=status == "cancelled",
        discount_codes=tuple(
            text(obj(c, f"coupon_lines[{i}]"), "code", f"coupon_lines[{i}].code")
            for i, c in enumerate(items(data.get("coupon_lines"), "coupon_lines", required=False))
        ),
        dropped=tuple(dropped),
    )
    return check_adds_up(order, "total")


def _line(raw: Mapping[str, Any], where: str, currency: str,
          sku_map: Mapping[str, str] | None) -> ChannelLine:  # fmt: skip
    qty = quantity(raw, "quantity", f"{where}.quantity")
    total = amount(raw, "total", f"{where}.total", currency)
    subtotal = amount(raw, "subtotal", f"{where}.subtotal", currency, default=str(total.amount))
    product = text(raw, "product_id", f"{where}.product_id", required=False)
    variation = text(raw, "variation_id", f"{where}.variation_id", required=False)
    keys = (f"{product}:{variation}",) if variation not in ("", "0") else ()
    return ChannelLine(
        external_line_id=text(raw, "id", f"{where}.id"),
        sku=resolve_sku(
            text(raw, "sku", f"{where}.sku", required=False),
            (*keys, product),
            sku_map,
            f"{where}.sku",
        ),
        quantity=qty,
        gross=subtotal,
        discount=subtotal - total,
        tax=amount(raw, "total_tax", f"{where}.total_tax", currency, default="0"),
    )


def _name(a: Mapping[str, Any]) -> str:
    return " ".join(str(a[k]).strip() for k in ("first_name", "last_name") if a.get(k))


def _address(a: Mapping[str, Any], dropped: list[tuple[str, str, str]],
             field: str) -> dict[str, str]:  # fmt: skip
    return address(
        {
            "country": a.get("country"), "line1": a.get("address_1"),
            "line2": a.get("address_2"), "city": a.get("city"), "region": a.get("state"),
            "postal_code": a.get("postcode"), "name": _name(a), "company": a.get("company"),
            "phone": a.get("phone"),
        },
        dropped, field,
    )  # fmt: skip


# -- outbound ------------------------------------------------------------------------


def status_request(external_id: str, status: str, *, note: str = "") -> HttpRequest:
    """Move the WooCommerce order to ``status`` (``completed`` once omskit shipped it all).

    Raises:
        ValidationError: ``status`` is not a WooCommerce status.
    """
    if status not in STATUSES:
        raise ValidationError("status", status, f"one of {', '.join(STATUSES)}")
    body: dict[str, Any] = {"status": status}
    if note:
        body["customer_note"] = note
    return json_request(
        "PUT",
        f"orders/{external_id}",
        body,
        schema="woocommerce.order_update",
        idempotency_key=f"woocommerce:status:{external_id}={status}",
    )


def stock_request(product_id: str, stock_quantity: int, *,
                  variation_id: str = "") -> HttpRequest:  # fmt: skip
    """Set a product's (or variation's) managed stock to ``stock_quantity`` units.

    Raises:
        ValidationError: ``stock_quantity`` is not a whole number.
    """
    if isinstance(stock_quantity, bool) or not isinstance(stock_quantity, int):
        raise ValidationError("stock_quantity", stock_quantity, "expected a whole number")
    path = f"products/{product_id}"
    if variation_id:
        path += f"/variations/{variation_id}"
    body = {"manage_stock": True, "stock_quantity": stock_quantity}
    return json_request(
        "PUT",
        path,
        body,
        schema="woocommerce.product_stock",
        idempotency_key=f"woocommerce:stock:{path}={stock_quantity}",
    )


def refund_request(
    event: OrderLinesCancelled | OrderCancelled, *, external_id: str,
    line_map: Mapping[str, str], api_refund: bool = False,
) -> HttpRequest:  # fmt: skip
    """Record omskit's refund on the WooCommerce order.

    ``api_refund`` asks WooCommerce to refund through its payment gateway too; leave it
    false when omskit's own gateway already moved the money.
    """
    refunded: Money = event.refunded
    body: dict[str, Any] = {"amount": str(refunded.amount), "reason": event.reason,
                            "api_refund": api_refund}  # fmt: skip
    if isinstance(event, OrderLinesCancelled):
        per_line = platform_quantities(event.lines, line_map, "event.lines")
        body["line_items"] = [{"id": int(ref), "quantity": qty} for ref, qty in
                              per_line.items()]  # fmt: skip
    return json_request(
        "POST",
        f"orders/{external_id}/refunds",
        body,
        schema="woocommerce.order_refund",
        idempotency_key=f"woocommerce:refund:{event.order_id}:{event.event_id}",
    )
