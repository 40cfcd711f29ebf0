"""The field table of the capture command, and the plain parts a command is made of.

Both readers of a capture payload take their rules from here: the one-pass reader
(`omskit.orders.fastparse`) and the reporting parser behind the commands' validation
(`omskit.orders.commands`). A command built directly in code goes through the same
reporting parser when it is constructed, so the three agree on every field by
construction: the allowed keys, each text field's length and whether it is required, the
line and price limits.

The parts (`CustomerInfo`, `CaptureLine`, `PaymentInfo`) are plain values: they are
checked, with their field paths, as part of the command that holds them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.money import to_decimal

__all__ = [
    "CAPTURE_KEYS",
    "CAPTURE_TEXT",
    "COUPON_LENGTH",
    "CUSTOMER_KEYS",
    "CUSTOMER_TEXT",
    "INCOTERMS",
    "LINE_KEYS",
    "MAX_LINES",
    "MAX_PRICE",
    "NOTES_LENGTH",
    "PAYMENT_KEYS",
    "PAYMENT_TEXT",
    "CaptureLine",
    "CustomerInfo",
    "PaymentInfo",
    "TextField",
    "amount",
]


@attrs.frozen
class TextField:
    """One text field of the table: its payload key, longest length, and whether required."""

    key: str
    max_length: int
    required: bool


#: Keys a capture payload may have, in the order problems are reported.
CAPTURE_KEYS = ("channel", "external_id", "currency", "customer", "ship_to", "bill_to",
                "lines", "coupons", "shipping", "incoterm", "payment", "notes")  # fmt: skip
#: The capture's own text fields.
CAPTURE_TEXT = (TextField("channel", 64, True), TextField("external_id", 128, True))
CUSTOMER_KEYS = ("email", "name", "customer_id", "group", "tax_exempt", "vat_id")
#: The customer's text fields besides the email (``vat_id``, when given, is required text).
CUSTOMER_TEXT = (TextField("name", 200, False), TextField("customer_id", 64, False),
                 TextField("group", 64, False))  # fmt: skip
VAT_ID = TextField("vat_id", 64, True)
LINE_KEYS = ("sku", "quantity", "unit_price")
PAYMENT_KEYS = ("method", "fingerprint", "store_credit")
#: The payment's token fields (refused when they look like a card number).
PAYMENT_TEXT = (TextField("method", 200, True), TextField("fingerprint", 200, False))
INCOTERMS = ("DAP", "DDP")
COUPON_LENGTH = 64
NOTES_LENGTH = 2000
MAX_LINES = 500
MAX_PRICE = Decimal(10) ** 9


def amount(value: Any, field: str) -> Decimal:
    """A non-negative price of at most a billion, from a decimal string, int or Decimal."""
    number = to_decimal(value, field)
    if number < 0:
        raise ValidationError(field, value, "must not be negative")
    if number > MAX_PRICE:
        raise ValidationError(field, value, f"must be at most {MAX_PRICE:,}")
    return number


@attrs.frozen
class CustomerInfo:
    """Who placed the order."""

    email: str
    name: str = ""
    customer_id: str = ""
    group: str = ""
    tax_exempt: bool | None = None
    vat_id: str | None = None

    def for_pricing(self) -> dict[str, Any]:
        """The customer as the pricing engine takes it."""
        out: dict[str, Any] = {"email": self.email}
        if self.customer_id:
            out["customer_id"] = self.customer_id
        if self.group:
            out["group"] = self.group
        if self.tax_exempt is not None:
            out["tax_exempt"] = self.tax_exempt
        if self.vat_id is not None:
            out["vat_id"] = self.vat_id
        return out

    def as_payload(self) -> dict[str, Any]:
        """The customer as a payload would give it (what the command's checks read)."""
        return {"email": self.email, "name": self.name, "customer_id": self.customer_id,
                "group": self.group, "tax_exempt": self.tax_exempt,
                "vat_id": self.vat_id}  # fmt: skip


@attrs.frozen
class CaptureLine:
    """``quantity`` of ``sku``; ``unit_price`` when the channel sent its own price."""

    sku: str
    quantity: int
    unit_price: Decimal | None = None

    def as_payload(self) -> dict[str, Any]:
        """The line as a payload would give it (what the command's checks read)."""
        return {"sku": self.sku, "quantity": self.quantity, "unit_price": self.unit_price}


@attrs.frozen
class PaymentInfo:
    """How the customer pays: a gateway token, and optionally the card's fingerprint.

    ``fingerprint`` is the card fingerprint the gateway gave the checkout (the same card
    gives the same fingerprint); risk counts card velocity by it alone. A token is not
    a card, so without a fingerprint no card is counted.

    ``store_credit`` is how much of the customer's store credit pays for the order
    (debited at capture, atomically with it); ``method`` is charged the rest.
    """

    method: str
    fingerprint: str = ""
    store_credit: Decimal | None = None

    def as_payload(self) -> dict[str, Any]:
        """The payment as a payload would give it (what the command's checks read)."""
        return {"method": self.method, "fingerprint": self.fingerprint,
                "store_credit": self.store_credit}  # fmt: skip
