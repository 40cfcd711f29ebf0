"""The one-pass reading of a well-formed capture payload (the path nearly every order takes).

`parse_well_formed` reads a plain ``dict`` payload with inline checks and returns
exactly the fields [`parse_capture`][omskit.orders.commands.parse_capture] would, or ``None`` as
soon as anything is unusual (a check fails, an unknown key, a type it does not handle).
The caller then runs the full, reporting parser, which names every problem with its
field path and error class: errors are never reported from here, so both paths agree on
every bad input by construction, and on every good one by test.
"""

from __future__ import annotations

from typing import Any

from omskit.customers.address import fast_address
from omskit.errors import ValidationError
from omskit.money import check_currency
from omskit.orders.fields import (
    CAPTURE_KEYS,
    CAPTURE_TEXT,
    COUPON_LENGTH,
    CUSTOMER_KEYS,
    CUSTOMER_TEXT,
    INCOTERMS,
    LINE_KEYS,
    MAX_LINES,
    NOTES_LENGTH,
    PAYMENT_TEXT,
    VAT_ID,
    CaptureLine,
    CustomerInfo,
    PaymentInfo,
    amount,
)
from omskit.validation import (
    MAX_QUANTITY,
    SKU_PATTERN,
    check_email,
    is_text,
    looks_like_card_number,
)

__all__ = ["parse_well_formed"]

_CAPTURE = frozenset(CAPTURE_KEYS)
_CUSTOMER = frozenset(CUSTOMER_KEYS)
_LINE = frozenset(LINE_KEYS)
_PAYMENT = frozenset(spec.key for spec in PAYMENT_TEXT)  # store credit: the full parser
_CHANNEL, _EXTERNAL_ID = CAPTURE_TEXT
_NAME, _CUSTOMER_ID, _GROUP = CUSTOMER_TEXT
_METHOD, _FINGERPRINT = PAYMENT_TEXT
_sku = SKU_PATTERN.fullmatch


def _no_card(text: str) -> bool:
    """False where ``text`` may be a card number (the full parser then refuses it)."""
    return len(text) < 13 or not looks_like_card_number(text)


def _text(value: Any, max_length: int, required: bool) -> str | None:
    """``check_text``'s result, or ``None`` where it would raise."""
    if value is None:
        return None if required else ""
    if type(value) is not str:
        return None
    text = value.strip()
    if (required and not text) or len(text) > max_length or not is_text(text):
        return None
    return text


def parse_well_formed(data: Any) -> dict[str, Any] | None:
    """The command fields of a valid ``dict`` payload, or ``None`` (then parse with reports)."""
    if type(data) is not dict or not data.keys() <= _CAPTURE:
        return None
    try:
        return _parse(data)
    except ValidationError:  # a check used as is (email, currency, amount) refused a value
        return None


def _parse(data: dict[str, Any]) -> dict[str, Any] | None:
    """The three steps of the reading; each gives up (``None``/``False``) at the first doubt."""
    get = data.get
    channel = _text(get("channel"), _CHANNEL.max_length, _CHANNEL.required)
    external_id = _text(get("external_id"), _EXTERNAL_ID.max_length, _EXTERNAL_ID.required)
    if channel is None or external_id is None:
        return None
    out: dict[str, Any] = {"channel": channel, "external_id": external_id}
    if not _parties(data, out):
        return None
    lines = _lines(get("lines"))
    if lines is None:
        return None
    out["lines"] = lines
    out["positions"] = list(range(len(lines)))
    return out if _terms(data, out) else None


def _parties(data: dict[str, Any], out: dict[str, Any]) -> bool:
    """Currency, customer and addresses into ``out``; ``False`` at anything unusual."""
    get = data.get
    if get("currency") is not None:
        out["currency"] = check_currency(data["currency"])
    customer = _customer(get("customer"))
    ship_to = fast_address(get("ship_to"))
    if customer is None or ship_to is None:
        return False
    out["customer"] = customer
    out["ship_to"] = ship_to
    if get("bill_to") is not None:
        bill_to = fast_address(data["bill_to"])
        if bill_to is None:
            return False
        out["bill_to"] = bill_to
    return True


def _lines(raw_lines: Any) -> tuple[CaptureLine, ...] | None:
    """Every line, or ``None`` at the first one that is not plainly valid."""
    if type(raw_lines) is not list and type(raw_lines) is not tuple:
        return None
    count = len(raw_lines)
    if not count or count > MAX_LINES:
        return None
    line = CaptureLine
    lines = []
    for raw in raw_lines:
        if type(raw) is not dict or not raw.keys() <= _LINE:
            return None
        sku = raw.get("sku")
        qty = raw.get("quantity")
        if type(sku) is not str or not _sku(sku):
            return None
        if type(qty) is not int or qty < 1 or qty > MAX_QUANTITY:
            return None
        price = raw.get("unit_price")
        lines.append(line(sku, qty, None if price is None else amount(price, "")))
    return tuple(lines)


def _terms(data: dict[str, Any], out: dict[str, Any]) -> bool:
    """Coupons, shipping, incoterm, payment and notes into ``out``; ``False`` when unusual."""
    get = data.get
    coupons = get("coupons", ())
    if type(coupons) is not list and type(coupons) is not tuple:
        return False
    for code in coupons:
        if _text(code, COUPON_LENGTH, True) is None:
            return False
    out["coupons"] = tuple(coupons)
    if get("shipping") is not None:
        out["shipping"] = amount(data["shipping"], "shipping")
    incoterm = get("incoterm", "DAP")
    if incoterm not in INCOTERMS:
        return False
    out["incoterm"] = incoterm
    if get("payment") is not None:
        payment = _payment(data["payment"])
        if payment is None:
            return False
        out["payment"] = payment
    notes = _text(get("notes"), NOTES_LENGTH, False)
    if notes is None:
        return False
    out["notes"] = notes
    return True


def _customer(value: Any) -> CustomerInfo | None:
    if type(value) is not dict or not value.keys() <= _CUSTOMER:
        return None
    get = value.get
    email = check_email(get("email"))
    name = _text(get("name"), _NAME.max_length, _NAME.required)
    customer_id = _text(get("customer_id"), _CUSTOMER_ID.max_length, _CUSTOMER_ID.required)
    group = _text(get("group"), _GROUP.max_length, _GROUP.required)
    if name is None or customer_id is None or group is None:
        return None
    exempt = get("tax_exempt")
    if exempt is not None and type(exempt) is not bool:
        return None
    vat = get("vat_id")
    if vat is not None and (vat := _text(vat, VAT_ID.max_length, True)) is None:
        return None
    return CustomerInfo(email, name, customer_id, group, exempt, vat)


def _payment(value: Any) -> PaymentInfo | None:
    if type(value) is not dict or not value.keys() <= _PAYMENT:
        return None
    method = _text(value.get("method"), _METHOD.max_length, _METHOD.required)
    fingerprint = _text(value.get("fingerprint"), _FINGERPRINT.max_length, _FINGERPRINT.required)
    if method is None or fingerprint is None or not _no_card(method) or not _no_card(fingerprint):
        return None
    return PaymentInfo(method, fingerprint)
