"""Amazon SP-API (Orders API v0): ``getOrders`` + ``getOrderItems`` in, shipments out.

Amazon pushes no signed order webhook: a host polls ``getOrders`` (``MarketplaceIds``
plus ``LastUpdatedAfter``, the cursor being the last ``LastUpdateDate`` seen, paging
with ``NextToken``), fetches each order's items, and passes both here. The buyer's
email and the shipping address are restricted data (a restricted data token); pass
the ``getOrderAddress`` / ``getOrderBuyerInfo`` responses when the order itself does
not carry ``ShippingAddress`` / ``BuyerInfo.BuyerEmail``.

Fields read: ``AmazonOrderId``, ``SellerOrderId``, ``PurchaseDate``,
``LastUpdateDate``, ``OrderStatus``, ``OrderTotal``, ``ShippingAddress`` (``Name``,
``AddressLine1``-``3``, ``City``, ``StateOrRegion``, ``PostalCode``, ``CountryCode``,
``Phone``), ``BuyerInfo.BuyerEmail`` / ``BuyerName``, and per item ``OrderItemId``,
``SellerSKU``, ``ASIN``, ``QuantityOrdered``, ``ItemPrice`` (the line total, not a unit
price), ``ItemTax``, ``ShippingPrice``, ``ShippingTax``, ``ShippingDiscount``,
``PromotionDiscount``. Money is ``{CurrencyCode, Amount}`` with ``Amount`` a decimal
string. Ignored: points, gift wrap, COD fees, ``PromotionDiscountTax``,
``ShippingDiscountTax``, serial numbers, the buyer's cancel request (read it yourself).

Whether prices include tax is read from the totals: ``OrderTotal`` equals the items and
shipping (tax included, as in EU marketplaces) or those plus tax (as in the US); a total
that is neither is refused.

Outbound: ``confirmShipment`` (``POST orders/v0/orders/{id}/shipmentConfirmation``) and
a Listings Items patch of ``fulfillment_availability`` for stock.
"""

from __future__ import annotations

import datetime as dt
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

__all__ = ["ORDER_STATUSES", "inventory_request", "parse_order", "shipment_confirmation"]

#: ``OrderStatus`` values of Orders API v0.
ORDER_STATUSES = ("PendingAvailability", "Pending", "Unshipped", "PartiallyShipped",
                  "Shipped", "InvoiceUnconfirmed", "Canceled", "Unfulfillable")  # fmt: skip


def _payload(value: Any, field: str) -> Mapping[str, Any]:
    data = obj(value, field)
    inner = data.get("payload")
    return obj(inner, f"{field}.payload") if inner is not None else data


def _money(data: Mapping[str, Any], key: str, field: str, currency: str) -> Money:
    value = data.get(key)
    if value is None:
        return Money.zero(currency)
    node = obj(value, field)
    if node.get("CurrencyCode") != currency:
        raise ValidationError(f"{field}.CurrencyCode", node.get("CurrencyCode"),
                              f"the order is in {currency}")  # fmt: skip
    return amount(node, "Amount", f"{field}.Amount", currency)


def parse_order(
    order: Any, order_items: Any, *, address_info: Any = None, buyer_info: Any = None,
    sku_map: Mapping[str, str] | None = None,
) -> ChannelOrder:  # fmt: skip
    """Read an SP-API order and its items into a checked [`ChannelOrder`][].

    ``order`` is one ``Order`` (or a ``getOrder`` response); ``order_items`` the
    ``getOrderItems`` response (or its ``OrderItems`` list). ``sku_map`` maps a
    ``SellerSKU`` or an ``ASIN`` to an omskit SKU.

    Raises:
        ValidationError: a field is missing or malformed, the items belong to another
            order, a currency differs, or the totals do not add up (naming the field).
    """
    data = _payload(order, "order")
    order_id = text(data, "AmazonOrderId", "AmazonOrderId")
    raw_items: Any = order_items
    if isinstance(order_items, Mapping):
        inner = _payload(order_items, "order_items")
        if inner.get("AmazonOrderId") not in (None, order_id):
            raise ValidationError("order_items.AmazonOrderId", inner.get("AmazonOrderId"),
                                  f"the items must be order {order_id}'s")  # fmt: skip
        raw_items = inner.get("OrderItems")
    total_node = obj(data.get("OrderTotal"), "OrderTotal")
    currency = currency_of(total_node, "CurrencyCode", "OrderTotal.CurrencyCode")
    lines, shipping, tax = [], Money.zero(currency), Money.zero(currency)
    for i, raw in enumerate(items(raw_items, "OrderItems")):
        where = f"OrderItems[{i}]"
        item = obj(raw, where)
        sku = text(item, "SellerSKU", f"{where}.SellerSKU", required=False)
        asin = text(item, "ASIN", f"{where}.ASIN", required=False)
        line_tax = _money(item, "ItemTax", f"{where}.ItemTax", currency)
        lines.append(ChannelLine(
            external_line_id=text(item, "OrderItemId", f"{where}.OrderItemId"),
            sku=resolve_sku(sku, (asin,), sku_map, f"{where}.SellerSKU"),
            quantity=quantity(item, "QuantityOrdered", f"{where}.QuantityOrdered"),
            gross=_money(item, "ItemPrice", f"{where}.ItemPrice", currency),
            discount=_money(item, "PromotionDiscount", f"{where}.PromotionDiscount",
                            currency),
            tax=line_tax,
        ))  # fmt: skip
        shipping = (
            shipping
            + _money(item, "ShippingPrice", f"{where}.ShippingPrice", currency)
            - _money(item, "ShippingDiscount", f"{where}.ShippingDiscount", currency)
        )
        tax = tax + line_tax + _money(item, "ShippingTax", f"{where}.ShippingTax", currency)
    dropped: list[tuple[str, str, str]] = []
    ship_node = data.get("ShippingAddress")
    ship_field = "ShippingAddress"
    if ship_node is None and address_info is not None:
        ship_node = _payload(address_info, "address_info").get("ShippingAddress")
        ship_field = "address_info.ShippingAddress"
    ship = obj(ship_node, ship_field)
    buyer = data.get("BuyerInfo") if isinstance(data.get("BuyerInfo"), Mapping) else None
    email_field = "BuyerInfo.BuyerEmail"
    if (buyer is None or not buyer.get("BuyerEmail")) and buyer_info is not None:
        buyer = _payload(buyer_info, "buyer_info")
        email_field = "buyer_info.BuyerEmail"
    buyer = buyer or {}
    status = text(data, "OrderStatus", "OrderStatus")
    if status not in ORDER_STATUSES:
        raise ValidationError("OrderStatus", status, f"one of {', '.join(ORDER_STATUSES)}")
    total = amount(total_node, "Amount", "OrderTotal.Amount", currency)
    subtotal = shipping + sum((x.charged for x in lines), Money.zero(currency))
    order_ = ChannelOrder(
        platform="amazon",
        external_id=order_id,
        number=text(data, "SellerOrderId", "SellerOrderId", required=False),
        placed_at=parse_timestamp(data.get("PurchaseDate"), "PurchaseDate"),
        updated_at=parse_timestamp(data.get("LastUpdateDate"), "LastUpdateDate"),
        currency=currency,
        taxes_included=total.amount == subtotal.amount,
        customer_email=buyer_email(buyer.get("BuyerEmail"), email_field),
        customer_name=str(buyer.get("BuyerName") or ship.get("Name") or "").strip(),
        ship_to=address(
            {
                "country": ship.get("CountryCode"),
                "line1": ship.get("AddressLine1"),
                "line2": " ".join(
                    str(ship[k]) for k in ("AddressLine2", "AddressLine3") if ship.get(k)
                ),
                "city": ship.get("City"),
                "region": ship.get("StateOrRegion"),
                "postal_code": ship.get("PostalCode"),
                "name": ship.get("Name"),
                "phone": ship.get("Phone"),
            },
            dropped,
            ship_field,
        ),
        lines=tuple(lines),
        shipping=shipping,
        tax=tax,
        total=total,
        payment_status="pending" if status in ("Pending", "PendingAvailability") else "paid",
        status=status,
        cancelled=status == "Canceled",
        dropped=tuple(dropped),
    )
    return check_adds_up(order_, "OrderTotal.Amount")


def shipment_confirmation(
    shipment: Shipment, *, external_id: str, marketplace_id: str,
    line_map: Mapping[str, str], carrier_code: str, package_reference: str = "1",
    shipping_method: str = "", shipped_at: dt.datetime | None = None,
) -> HttpRequest:  # fmt: skip
    """``confirmShipment`` for ``shipment``: its tracking number and order items.

    ``carrier_code`` is Amazon's carrier code (``"UPS"``, ``"FedEx"``, ``"Other"``...).

    Raises:
        ValidationError: a shipped line is not in ``line_map``, or the shipment has no
            tracking number.
    """
    per_item = platform_quantities(shipment.lines, line_map, "shipment.lines")
    if not shipment.tracking_numbers:
        raise ValidationError("shipment.tracking_numbers", (), "Amazon needs a tracking number")
    when = shipped_at or shipment.created_at
    detail: dict[str, Any] = {
        "packageReferenceId": package_reference,
        "carrierCode": carrier_code,
        "trackingNumber": shipment.tracking_numbers[0],
        "shipDate": when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "orderItems": [{"orderItemId": k, "quantity": v} for k, v in per_item.items()],
    }
    if shipping_method:
        detail["shippingMethod"] = shipping_method
    body = {"marketplaceId": marketplace_id, "packageDetail": detail}
    return json_request(
        "POST",
        f"orders/v0/orders/{external_id}/shipmentConfirmation",
        body,
        schema="amazon.confirm_shipment",
        idempotency_key=f"amazon:confirm:{shipment.id}",
    )


def inventory_request(*, seller_id: str, sku: str, marketplace_id: str,
                      quantity: int) -> HttpRequest:  # fmt: skip
    """Set a merchant-fulfilled listing's quantity (Listings Items API ``patchListingsItem``).

    Raises:
        ValidationError: ``quantity`` is not a whole number of at least 0.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise ValidationError("quantity", quantity, "expected a whole number, at least 0")
    body = {"productType": "PRODUCT", "patches": [{
        "op": "replace", "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }]}  # fmt: skip
    path = f"listings/2021-08-01/items/{seller_id}/{sku}?marketplaceIds={marketplace_id}"
    return json_request(
        "PATCH",
        path,
        body,
        schema="amazon.listings_patch",
        idempotency_key=f"amazon:stock:{sku}@{marketplace_id}={quantity}",
    )
