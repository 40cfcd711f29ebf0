"""Commands: what a caller asks the orders capability to do, built from plain data.

``CaptureOrder.from_mapping(payload)`` turns a JSON-ready payload, as a channel connector
sends it, into a typed command, checking every field and reporting every problem at once
with its field path (``lines[2].quantity``). When exactly one thing is wrong, the error
raised is that check's own specific error (``InvalidQuantity``, ``UnknownCurrency``...).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from omskit.customers.address import Address
from omskit.errors import OmskitError, Problem, ValidationError
from omskit.money import check_currency, to_decimal
from omskit.orders.fastparse import parse_well_formed
from omskit.validation import (
    MAX_QUANTITY,
    Problems,
    check_bool,
    check_email,
    check_mapping,
    check_payment_method,
    check_quantity,
    check_sku,
    check_text,
    unknown_keys,
)

__all__ = [
    "CaptureLine",
    "CaptureOrder",
    "CustomerInfo",
    "EditOrder",
    "PaymentInfo",
    "ProblemReport",
]

T = TypeVar("T")

_CAPTURE_KEYS = ("channel", "external_id", "currency", "customer", "ship_to", "bill_to",
                 "lines", "coupons", "shipping", "incoterm", "payment", "notes")  # fmt: skip
_CUSTOMER_KEYS = ("email", "name", "customer_id", "group", "tax_exempt", "vat_id")
_LINE_KEYS = ("sku", "quantity", "unit_price")
_PAYMENT_KEYS = ("method", "fingerprint", "store_credit")
_MAX_LINES = 500
_MAX_PRICE = Decimal(10) ** 9


class ProblemReport(Problems):
    """[`Problems`][] that remembers each check's specific error.

    [`raise_if_any`][] re-raises the one specific error when only one check failed
    (``UnknownSku``, ``InvalidQuantity``); otherwise one
    [`ValidationError`][] listing every problem.
    """

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[OmskitError] = []

    def add_error(self, error: ValidationError) -> None:
        """Record ``error``'s problems and keep the error itself for [`raise_if_any`][]."""
        self.errors.append(error)
        super().add_error(error)

    def error(self, field: str, error: OmskitError, message: str, value: Any = None) -> None:
        """Record ``error`` (e.g. an ``UnknownSku``) as the problem at ``field``."""
        self.errors.append(error)
        self.items.append(Problem(field, message, value))

    def merge(self, exc: ValidationError) -> None:
        """Record every problem of an error raised elsewhere (pricing, a hook)."""
        self.add_error(exc)

    def raise_if_any(self) -> None:
        """Raise the one specific error, or one error listing every problem."""
        if not self.items:
            return
        if len(self.errors) == 1:
            only = self.errors[0]
            count = len(only.problems) if isinstance(only, ValidationError) else 1
            if count == len(self.items):
                raise only
        super().raise_if_any()


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


@attrs.frozen
class CaptureLine:
    """``quantity`` of ``sku``; ``unit_price`` when the channel sent its own price."""

    sku: str
    quantity: int
    unit_price: Decimal | None = None


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


@attrs.frozen(kw_only=True)
class CaptureOrder:
    """Capture an order from a channel. Idempotent by ``(channel, external_id)``."""

    channel: str
    external_id: str
    customer: CustomerInfo
    ship_to: Address
    lines: tuple[CaptureLine, ...]
    currency: str | None = None
    bill_to: Address | None = None
    coupons: tuple[str, ...] = ()
    shipping: Decimal | None = None
    incoterm: str = "DAP"
    payment: PaymentInfo | None = None
    notes: str = ""

    @property
    def fingerprint(self) -> str:
        """A digest of everything the order says; a replay must match it exactly."""
        return hashlib.blake2b(repr(self.identity()).encode(), digest_size=12).hexdigest()

    def identity(self) -> tuple[Any, ...]:
        """Every field, nested values included, as plain tuples (what the fingerprint digests).

        Written out rather than ``repr(self)`` or ``attrs.astuple`` (both several times
        slower on the capture path); a test checks that it covers every field.
        """
        c, p = self.customer, self.payment
        return (
            self.channel, self.external_id,
            (c.email, c.name, c.customer_id, c.group, c.tax_exempt, c.vat_id),
            _address_identity(self.ship_to),
            tuple((x.sku, x.quantity, x.unit_price) for x in self.lines),
            self.currency, _address_identity(self.bill_to), self.coupons, self.shipping,
            self.incoterm, None if p is None else (p.method, p.fingerprint, p.store_credit),
            self.notes,
        )  # fmt: skip

    @classmethod
    def from_mapping(cls, data: Any, problems: ProblemReport | None = None) -> CaptureOrder:
        """Build the command from a payload, reporting every problem at once.

        Raises:
            ValidationError: (or the one specific subclass) naming every bad field.
        """
        report = problems if problems is not None else ProblemReport()
        fields = parse_capture(data, report)
        report.raise_if_any()
        fields.pop("positions", None)
        return cls(**fields)


def _address_identity(a: Address | None) -> tuple[Any, ...] | None:
    if a is None:
        return None
    return (a.country, a.line1, a.line2, a.city, a.region, a.postal_code, a.name, a.company,
            a.phone, a.email, a.point)  # fmt: skip


def _text(report: ProblemReport, data: Mapping[str, Any], key: str, field: str,
          **kw: Any) -> str:  # fmt: skip
    return report.check(field, check_text, data.get(key), **kw) or ""


def parse_capture(data: Any, report: ProblemReport) -> dict[str, Any]:
    """Check a capture payload into command fields; problems go to ``report``.

    Returns what could be read even when some fields are bad, so later checks (SKUs in the
    catalog, the channel's currencies) can still run and be reported together.
    """
    fast = parse_well_formed(data)  # one pass, no reports: what nearly every order takes
    if fast is not None:
        return fast
    if isinstance(data, CaptureOrder):
        return attrs.asdict(data, recurse=False)
    if not isinstance(data, Mapping):
        report.check("order", _fail_mapping, data)
        return {}
    for name, key in unknown_keys(data, _CAPTURE_KEYS):
        report.add(name, f"unknown field; allowed: {', '.join(_CAPTURE_KEYS)}", data[key])
    out: dict[str, Any] = {
        "channel": _text(report, data, "channel", "channel", max_length=64),
        "external_id": _text(report, data, "external_id", "external_id", max_length=128),
    }
    if data.get("currency") is not None:
        out["currency"] = report.check("currency", check_currency, data["currency"])
    out["customer"] = _customer(data.get("customer"), report)
    out["ship_to"] = report.check("ship_to", Address.from_mapping, data.get("ship_to"))
    if data.get("bill_to") is not None:
        out["bill_to"] = report.check("bill_to", Address.from_mapping, data["bill_to"])
    positions: list[int] = []
    out["lines"] = _lines(data.get("lines"), report, "lines", positions=positions)
    out["positions"] = positions
    coupons = data.get("coupons", ())
    if isinstance(coupons, str) or not isinstance(coupons, Sequence):
        report.add("coupons", "expected a list of coupon codes", coupons)
    else:
        out["coupons"] = tuple(
            c for i, c in enumerate(coupons)
            if report.check(f"coupons[{i}]", check_text, c, max_length=64)
        )  # fmt: skip
    if data.get("shipping") is not None:
        out["shipping"] = report.check("shipping", amount, data["shipping"])
    incoterm = data.get("incoterm", "DAP")
    if incoterm not in ("DAP", "DDP"):
        report.add("incoterm", "expected 'DAP' or 'DDP'", incoterm)
    else:
        out["incoterm"] = incoterm
    if data.get("payment") is not None:
        out["payment"] = _payment(data["payment"], report)
    out["notes"] = report.check("notes", check_text, data.get("notes"), max_length=2000,
                                required=False) or ""  # fmt: skip
    return out


def _fail_mapping(value: Any, field: str) -> None:
    raise ValidationError(field, value, "expected an object (a mapping of fields)")


def amount(value: Any, field: str) -> Decimal:
    """A non-negative price of at most a billion, from a decimal string, int or Decimal."""
    number = to_decimal(value, field)
    if number < 0:
        raise ValidationError(field, value, "must not be negative")
    if number > _MAX_PRICE:
        raise ValidationError(field, value, f"must be at most {_MAX_PRICE:,}")
    return number


def _customer(value: Any, report: ProblemReport) -> CustomerInfo | None:
    if isinstance(value, CustomerInfo):
        return value
    if not isinstance(value, Mapping):
        report.check("customer", _fail_mapping, value)
        return None
    for key, _ in unknown_keys(value, _CUSTOMER_KEYS):
        report.add(f"customer.{key}", f"unknown field; allowed: {', '.join(_CUSTOMER_KEYS)}")
    email = report.check("customer.email", check_email, value.get("email"))
    name = _text(report, value, "name", "customer.name", required=False)
    customer_id = _text(report, value, "customer_id", "customer.customer_id", max_length=64,
                        required=False)  # fmt: skip
    group = _text(report, value, "group", "customer.group", max_length=64, required=False)
    exempt = None
    if value.get("tax_exempt") is not None:
        exempt = report.check("customer.tax_exempt", check_bool, value["tax_exempt"])
    vat = None
    if value.get("vat_id") is not None:
        vat = _text(report, value, "vat_id", "customer.vat_id", max_length=64)
    if email is None:
        return None
    return CustomerInfo(email, name, customer_id, group, exempt, vat)


def _lines(value: Any, report: ProblemReport, field: str, required: bool = True,
           positions: list[int] | None = None) -> tuple[CaptureLine, ...]:  # fmt: skip
    if isinstance(value, str) or not isinstance(value, Sequence):
        report.add(field, "expected a list of lines such as [{'sku': 'TEE-M', 'quantity': 1}]",
                   value)  # fmt: skip
        return ()
    if required and not value:
        report.add(field, "an order needs at least one line", [])
        return ()
    if len(value) > _MAX_LINES:
        report.add(field, f"at most {_MAX_LINES} lines per order", len(value))
        return ()
    lines = []
    for i, raw in enumerate(value):
        where = f"{field}[{i}]"
        if isinstance(raw, CaptureLine):
            lines.append(raw)
            if positions is not None:
                positions.append(i)
            continue
        if not isinstance(raw, Mapping):
            report.add(where, "expected {'sku': ..., 'quantity': ...}", raw)
            continue
        for key, _ in unknown_keys(raw, _LINE_KEYS):
            report.add(f"{where}.{key}", f"unknown field; allowed: {', '.join(_LINE_KEYS)}")
        sku = report.check(f"{where}.sku", check_sku, raw.get("sku"))
        qty = report.check(f"{where}.quantity", check_quantity, raw.get("quantity"),
                           maximum=MAX_QUANTITY)  # fmt: skip
        price = None
        if raw.get("unit_price") is not None:
            price = report.check(f"{where}.unit_price", amount, raw["unit_price"])
        if sku is not None and qty is not None:
            lines.append(CaptureLine(sku, qty, price))
            if positions is not None:
                positions.append(i)
    return tuple(lines)


def _payment(value: Any, report: ProblemReport) -> PaymentInfo | None:
    if isinstance(value, PaymentInfo):
        return value
    if not isinstance(value, Mapping):
        report.check("payment", _fail_mapping, value)
        return None
    for key, _ in unknown_keys(value, _PAYMENT_KEYS):
        report.add(f"payment.{key}", f"unknown field; allowed: {', '.join(_PAYMENT_KEYS)}")
    method = report.check("payment.method", check_payment_method, value.get("method")) or ""
    fingerprint = (
        report.check(
            "payment.fingerprint", check_payment_method, value.get("fingerprint"), required=False
        )
        or ""
    )
    credit = None
    if value.get("store_credit") is not None:
        credit = report.check("payment.store_credit", _credit_amount, value.get("store_credit"))
    return PaymentInfo(method, fingerprint, credit) if method else None


def _credit_amount(value: Any, field: str) -> Decimal:
    amount = to_decimal(value, field)
    if amount <= 0:
        raise ValidationError(field, value, "a positive amount of store credit")
    return amount


@attrs.frozen(kw_only=True)
class EditOrder:
    """Change an order before fulfillment.

    Attributes:
        add: new lines.
        remove: ids of lines to take off the order.
        quantities: new ordered quantity per line id.
        ship_to: a new delivery address.
    """

    add: tuple[CaptureLine, ...] = ()
    remove: tuple[str, ...] = ()
    quantities: Mapping[str, int] = attrs.field(factory=dict)
    ship_to: Address | None = None

    @classmethod
    def from_mapping(cls, data: Any) -> EditOrder:
        """Build from ``{"add": [...], "remove": [...], "quantities": {...}, "ship_to": {...}}``.

        Raises:
            ValidationError: naming every bad field; also when nothing would change.
        """
        if isinstance(data, EditOrder):
            return data
        report = ProblemReport()
        if not isinstance(data, Mapping):
            report.check("changes", _fail_mapping, data)
            report.raise_if_any()
            raise AssertionError("unreachable")  # pragma: no cover
        known = ("add", "remove", "quantities", "ship_to")
        for key, _ in unknown_keys(data, known):
            report.add(key, f"unknown change; allowed: {', '.join(known)}")
        add = _lines(data.get("add", ()), report, "add", required=False)
        raw_remove = data.get("remove", ())
        remove: list[str] = []
        if isinstance(raw_remove, str) or not isinstance(raw_remove, Sequence):
            report.add("remove", "expected a list of line ids", raw_remove)
        else:
            for i, raw_id in enumerate(raw_remove):
                line_ref = report.check(f"remove[{i}]", check_text, raw_id, max_length=64)
                if line_ref is not None:
                    remove.append(line_ref)
        quantities: dict[str, int] = {}
        raw_q = data.get("quantities", {})
        if report.check("quantities", check_mapping, raw_q) is not None:
            for line_id, qty in raw_q.items():
                clean = report.check(f"quantities.{line_id}", check_quantity, qty)
                if clean is not None:
                    quantities[line_id] = clean
        ship_to = None
        if data.get("ship_to") is not None:
            ship_to = report.check("ship_to", Address.from_mapping, data["ship_to"])
        if not report and not (add or remove or quantities or ship_to):
            report.add("changes", "nothing to change: give add, remove, quantities or ship_to")
        report.raise_if_any()
        return cls(add=add, remove=tuple(remove), quantities=quantities,
                   ship_to=ship_to)  # fmt: skip
