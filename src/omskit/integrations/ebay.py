"""eBay Sell Fulfillment API: the ``Order`` in; shipping fulfillments and quantities out.

A host polls ``GET /sell/fulfillment/v1/order?filter=lastmodifieddate:[<cursor>..]``
(the cursor being the last ``lastModifiedDate`` seen) and passes each order here.

Fields read: ``orderId``, ``legacyOrderId``, ``creationDate``, ``lastModifiedDate``,
``orderFulfillmentStatus``, ``orderPaymentStatus``, ``cancelStatus.cancelState``,
``buyer.username``, ``buyer.buyerRegistrationAddress.email`` (or the ship-to
``email``), ``pricingSummary`` (``priceSubtotal``, ``priceDiscount``, ``deliveryCost``,
``deliveryDiscount``, ``tax``, ``total``), ``lineItems[]`` (``lineItemId``, ``sku``,
``legacyItemId``, ``quantity``, ``lineItemCost`` (the line's price for all its units),
``appliedPromotions[].discountAmount``, ``taxes[].amount``) and
``fulfillmentStartInstructions[0].shippingStep.shipTo`` (``fullName``,
``contactAddress`` with ``addressLine1``, ``addressLine2``, ``city``,
``stateOrProvince``, ``postalCode``, ``countryCode``, ``primaryPhone.phoneNumber``).
Amounts are ``{value, currency}``. Ignored: ``ebayCollectAndRemitTaxes`` (eBay collects
and remits them; they are not in the seller's total), fees, payment summaries, the
seller's ``totalFeeBasisAmount``.

Outbound: ``POST order/{orderId}/shipping_fulfillment`` and the Inventory API's
``bulk_update_price_quantity`` for stock.
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
    items,
    obj,
    parse_timestamp,
    platform_quantities,
    quantity,
    resolve_sku,
    text,
)
from omskit.integrations.transport import HttpRequest, json_request
from omskit.money import Money, check_currency

__all__ = ["inventory_request", "parse_order", "shipping_fulfillment"]


def _money(data: Mapping[str, Any], key: str, field: str, currency: str | None,
           *, required: bool = False) -> Money:  # fmt: skip
    value = data.get(key)
    if value is None:
        if required or currency is None:
            raise ValidationError(field, None, "an amount {value, currency} is required")
        return Money.zero(currency)
    node = obj(value, field)
    code = check_currency(node.get("currency"), f"{field}.currency")
    if currency is not None and code != currency:
        raise ValidationError(f"{field}.currency", code, f"the order is in {currency}")
    return amount(node, "value", f"{field}.value", code)


def parse_order(payload: Any, *, sku_map: Mapping[str, str] | None = None) -> ChannelOrder:
    """Read an eBay ``Order`` into a checked [`ChannelOrder`][].

    ``sku_map`` maps a line's ``sku`` or ``legacyItemId`` to an omskit SKU.

    Raises:
        ValidationError: a field is missing or malformed, or the totals do not add up
            (naming the field, e.g. ``pricingSummary.total``).
    """
    data = obj(payload, "order")
    summary = obj(data.get("pricingSummary"), "pricingSummary")
    total = _money(summary, "total", "pricingSummary.total", None, required=True)
    currency = total.currency
    lines = []
    for i, raw in enumerate(items(data.get("lineItems"), "lineItems")):
        where = f"lineItems[{i}]"
        item = obj(raw, where)
        discount = Money.zero(currency)
        for j, promo in enumerate(
            items(item.get("appliedPromotions"), f"{where}.appliedPromotions", required=False)
        ):
            discount = discount + _money(obj(promo, f"{where}.appliedPromotions[{j}]"),
                                         "discountAmount",
                                         f"{where}.appliedPromotions[{j}].discountAmount",
                                         currency)  # fmt: skip
        tax = Money.zero(currency)
        for j, t in enumerate(items(item.get("taxes"), f"{where}.taxes", required=False)):
            tax = tax + _money(obj(t, f"{where}.taxes[{j}]"), "amount",
                               f"{where}.taxes[{j}].amount", currency)  # fmt: skip
        lines.append(ChannelLine(
            external_line_id=text(item, "lineItemId", f"{where}.lineItemId"),
            sku=resolve_sku(text(item, "sku", f"{where}.sku", required=False),
                            (text(item, "legacyItemId", f"{where}.legacyItemId",
                                  required=False),), sku_map, f"{where}.sku"),
            quantity=quantity(item, "quantity", f"{where}.quantity"),
            gross=_money(item, "lineItemCost", f"{where}.lineItemCost", currency,
                         required=True),
            discount=discount, tax=tax,
        ))  # fmt: skip
    subtotal = _money(summary, "priceSubtotal", "pricingSummary.priceSubtotal", currency,
                      required=True)  # fmt: skip
    gross = sum((x.gross for x in lines), Money.zero(currency))
    if gross.amount != subtotal.amount:
        raise ValidationError("pricingSummary.priceSubtotal", str(subtotal.amount),
                              f"the lineItems' lineItemCost make {gross.amount}")  # fmt: skip
    shipping = _money(summary, "deliveryCost", "pricingSummary.deliveryCost", currency) - abs(
        _money(summary, "deliveryDiscount", "pricingSummary.deliveryDiscount", currency)
    )
    instructions = items(data.get("fulfillmentStartInstructions"),
                         "fulfillmentStartInstructions")  # fmt: skip
    first = obj(instructions[0], "fulfillmentStartInstructions[0]")
    step = obj(first.get("shippingStep"), "fulfillmentStartInstructions[0].shippingStep")
    ship_field = "fulfillmentStartInstructions[0].shippingStep.shipTo"
    ship_to = obj(step.get("shipTo"), ship_field)
    contact = obj(ship_to.get("contactAddress"), f"{ship_field}.contactAddress")
    phone = ship_to.get("primaryPhone")
    buyer = data.get("buyer") if isinstance(data.get("buyer"), Mapping) else {}
    registered = buyer.get("buyerRegistrationAddress") if buyer else None
    email, email_field = ship_to.get("email"), f"{ship_field}.email"
    if isinstance(registered, Mapping) and registered.get("email"):
        email, email_field = registered["email"], "buyer.buyerRegistrationAddress.email"
    dropped: list[tuple[str, str, str]] = []
    cancel = data.get("cancelStatus")
    state = cancel.get("cancelState") if isinstance(cancel, Mapping) else None
    order = ChannelOrder(
        platform="ebay",
        external_id=text(data, "orderId", "orderId"),
        number=text(data, "legacyOrderId", "legacyOrderId", required=False),
        placed_at=parse_timestamp(data.get("creationDate"), "creationDate"),
        updated_at=parse_timestamp(data.get("lastModifiedDate"), "lastModifiedDate"),
        currency=currency,
        taxes_included=False,
        customer_email=buyer_email(email, email_field),
        customer_name=str(ship_to.get("fullName") or "").strip(),
        ship_to=address(
            {
                "country": contact.get("countryCode"),
                "line1": contact.get("addressLine1"),
                "line2": contact.get("addressLine2"),
                "city": contact.get("city"),
                "region": contact.get("stateOrProvince"),
                "postal_code": contact.get("postalCode"),
                "name": ship_to.get("fullName"),
                "phone": phone.get("phoneNumber") if isinstance(phone, Mapping) else None,
            },
            dropped,
            ship_field,
        ),
        lines=tuple(lines),
        shipping=shipping,
        tax=_money(summary, "tax", "pricingSummary.tax", currency),
        total=total,
        payment_status=text(data, "orderPaymentStatus", "orderPaymentStatus", required=False),
        status=text(data, "orderFulfillmentStatus", "orderFulfillmentStatus", required=False),
        cancelled=state == "CANCELED",
        dropped=tuple(dropped),
    )
    discount = _money(summary, "priceDiscount", "pricingSummary.priceDiscount", currency)
    line_discounts = sum((x.discount for x in lines), Money.zero(currency))
    if abs(discount).amount != line_discounts.amount:
        raise ValidationError(
            "pricingSummary.priceDiscount",
            str(discount.amount),
            f"the lines' appliedPromotions make {line_discounts.amount}",
        )
    return check_adds_up(order, "pricingSummary.total")


def shipping_fulfillment(
    shipment: Shipment, *, external_id: str, line_map: Mapping[str, str],
    carrier_code: str, shipped_at: dt.datetime | None = None,
) -> HttpRequest:  # fmt: skip
    """``createShippingFulfillment`` for ``shipment`` (one package, one tracking number).

    Raises:
        ValidationError: a shipped line is not in ``line_map``, or there is no tracking
            number.
    """
    per_line = platform_quantities(shipment.lines, line_map, "shipment.lines")
    if not shipment.tracking_numbers:
        raise ValidationError("shipment.tracking_numbers", (), "eBay needs a tracking number")
    when = (shipped_at or shipment.created_at).astimezone(dt.UTC)
    body = {
        "lineItems": [{"lineItemId": k, "quantity": v} for k, v in per_line.items()],
        "shippedDate": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "shippingCarrierCode": carrier_code,
        "trackingNumber": shipment.tracking_numbers[0],
    }
    return json_request(
        "POST",
        f"order/{external_id}/shipping_fulfillment",
        body,
        schema="ebay.shipping_fulfillment",
        idempotency_key=f"ebay:fulfillment:{shipment.id}",
    )


def inventory_request(quantities: Mapping[str, int]) -> HttpRequest:
    """Set the ship-to-home quantity of each SKU (``bulk_update_price_quantity``, 25 max).

    Raises:
        ValidationError: no SKUs, more than 25, or a quantity that is not a whole number
            of at least 0.
    """
    if not quantities or len(quantities) > 25:
        raise ValidationError("quantities", len(quantities), "between 1 and 25 SKUs per call")
    requests = []
    for sku, qty in quantities.items():
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise ValidationError(f"quantities.{sku}", qty, "a whole number, at least 0")
        requests.append({"sku": sku, "shipToLocationAvailability": {"quantity": qty}})
    key = "ebay:stock:" + ",".join(f"{s}={q}" for s, q in sorted(quantities.items()))
    return json_request(
        "POST",
        "bulk_update_price_quantity",
        {"requests": requests},
        schema="ebay.bulk_update_price_quantity",
        idempotency_key=key,
    )
