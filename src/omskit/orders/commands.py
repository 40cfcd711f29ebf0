"""Commands: what a caller asks the orders capability to do, built from plain data.

``CaptureOrder.from_mapping(payload)`` turns a JSON-ready payload, as a channel connector
sends it, into a typed command, checking every field and reporting every problem at once
with its field path (``lines[2].quantity``). When exactly one thing is wrong, the error
raised is that check's own specific error (``InvalidQuantity``, ``UnknownCurrency``...).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from omskit.customers.address import Address
from omskit.errors import OmskitError, Problem, ValidationError
from omskit.money import check_currency, to_decimal
from omskit.orders.fastparse import parse_well_formed
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
    PAYMENT_KEYS,
    VAT_ID,
    CaptureLine,
    CustomerInfo,
    PaymentInfo,
    TextField,
    amount,
)
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


#: Set while the payload reader builds a command from fields it has just checked.
_CHECKED: ContextVar[bool] = ContextVar("omskit_orders_checked", default=False)


@attrs.frozen(kw_only=True)
class CaptureOrder:
    """Capture an order from a channel. Idempotent by ``(channel, external_id)``.

    Checked on construction exactly like a payload read by [`from_mapping`][]: built
    directly in code, every field is read back through the same rules (and normalised
    the same way); a bad one raises the same error, naming every problem with its path.
    """

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

    def __attrs_post_init__(self) -> None:
        if _CHECKED.get():  # built by from_mapping from the fields it checked just now
            return
        report = ProblemReport()
        fields = parse_capture(self.as_payload(), report)
        report.raise_if_any()
        fields.pop("positions", None)
        for name, value in fields.items():  # normalised values, as a payload gives them
            if getattr(self, name) != value:
                object.__setattr__(self, name, value)

    def as_payload(self) -> dict[str, Any]:
        """The command as a channel's payload would say it (what its checks read)."""
        out: dict[str, Any] = {
            "channel": self.channel, "external_id": self.external_id,
            "customer": _payload_of(self.customer), "ship_to": self.ship_to,
            "lines": [_payload_of(x) for x in self.lines] if _is_list(self.lines)
            else self.lines,
            "coupons": self.coupons, "incoterm": self.incoterm, "notes": self.notes,
        }  # fmt: skip
        for key in ("currency", "bill_to", "shipping"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.payment is not None:
            out["payment"] = _payload_of(self.payment)
        return out

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
        if isinstance(data, CaptureOrder):
            return data
        report = problems if problems is not None else ProblemReport()
        fields = parse_capture(data, report)
        report.raise_if_any()
        fields.pop("positions", None)
        return checked_command(fields)


def checked_command(fields: dict[str, Any]) -> CaptureOrder:
    """The command of ``fields`` the payload reader has just checked (no second check).

    The one speed trick of capture's reading: the checks that construction runs are
    skipped for fields that passed them a moment ago. A property test holds this equal
    to plain construction, ``CaptureOrder(**fields)``, on every payload the reader takes.
    """
    token = _CHECKED.set(True)
    try:
        return CaptureOrder(**fields)
    finally:
        _CHECKED.reset(token)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _payload_of(part: Any) -> Any:
    """A part as payload data (``as_payload``); anything else as it is, to be refused."""
    return part.as_payload() if isinstance(part, (CustomerInfo, CaptureLine, PaymentInfo)) else part


def _address_identity(a: Address | None) -> tuple[Any, ...] | None:
    if a is None:
        return None
    return (a.country, a.line1, a.line2, a.city, a.region, a.postal_code, a.name, a.company,
            a.phone, a.email, a.point)  # fmt: skip


def _text(report: ProblemReport, data: Mapping[str, Any], spec: TextField,
          where: str = "") -> str:  # fmt: skip
    return report.check(f"{where}{spec.key}", check_text, data.get(spec.key),
                        max_length=spec.max_length, required=spec.required) or ""  # fmt: skip


def parse_capture(data: Any, report: ProblemReport) -> dict[str, Any]:
    """Check a capture payload into command fields; problems go to ``report``.

    Returns what could be read even when some fields are bad, so later checks (SKUs in the
    catalog, the channel's currencies) can still run and be reported together. A
    [`CaptureOrder`][] was checked when it was built: its own fields come back.
    """
    fast = parse_well_formed(data)  # one pass, no reports: what nearly every order takes
    if fast is not None:
        return fast
    if isinstance(data, CaptureOrder):
        fields = attrs.asdict(data, recurse=False)
        fields["positions"] = list(range(len(data.lines)))
        return fields
    if not isinstance(data, Mapping):
        report.check("order", _fail_mapping, data)
        return {}
    for name, key in unknown_keys(data, CAPTURE_KEYS):
        report.add(name, f"unknown field; allowed: {', '.join(CAPTURE_KEYS)}", data[key])
    out: dict[str, Any] = {spec.key: _text(report, data, spec) for spec in CAPTURE_TEXT}
    _parties(data, report, out)
    positions: list[int] = []
    out["lines"] = _lines(data.get("lines"), report, "lines", positions=positions)
    out["positions"] = positions
    _terms(data, report, out)
    out["notes"] = report.check("notes", check_text, data.get("notes"),
                                max_length=NOTES_LENGTH, required=False) or ""  # fmt: skip
    return out


def _parties(data: Mapping[str, Any], report: ProblemReport, out: dict[str, Any]) -> None:
    """Currency, customer and addresses into ``out``."""
    if data.get("currency") is not None:
        out["currency"] = report.check("currency", check_currency, data["currency"])
    out["customer"] = _customer(data.get("customer"), report)
    out["ship_to"] = report.check("ship_to", Address.from_mapping, data.get("ship_to"))
    if data.get("bill_to") is not None:
        out["bill_to"] = report.check("bill_to", Address.from_mapping, data["bill_to"])


def _terms(data: Mapping[str, Any], report: ProblemReport, out: dict[str, Any]) -> None:
    """Coupons, shipping charge, incoterm and payment into ``out``."""
    coupons = data.get("coupons", ())
    if isinstance(coupons, str) or not isinstance(coupons, Sequence):
        report.add("coupons", "expected a list of coupon codes", coupons)
    else:
        out["coupons"] = tuple(
            c for i, c in enumerate(coupons)
            if report.check(f"coupons[{i}]", check_text, c, max_length=COUPON_LENGTH)
        )  # fmt: skip
    if data.get("shipping") is not None:
        out["shipping"] = report.check("shipping", amount, data["shipping"])
    incoterm = data.get("incoterm", "DAP")
    if incoterm not in INCOTERMS:
        report.add("incoterm", "expected 'DAP' or 'DDP'", incoterm)
    else:
        out["incoterm"] = incoterm
    if data.get("payment") is not None:
        out["payment"] = _payment(data["payment"], report)


def _fail_mapping(value: Any, field: str) -> None:
    raise ValidationError(field, value, "expected an object (a mapping of fields)")


def _customer(value: Any, report: ProblemReport) -> CustomerInfo | None:
    value = _payload_of(value)
    if not isinstance(value, Mapping):
        report.check("customer", _fail_mapping, value)
        return None
    for key, _ in unknown_keys(value, CUSTOMER_KEYS):
        report.add(f"customer.{key}", f"unknown field; allowed: {', '.join(CUSTOMER_KEYS)}")
    email = report.check("customer.email", check_email, value.get("email"))
    name, customer_id, group = (_text(report, value, spec, "customer.") for spec in CUSTOMER_TEXT)
    exempt = None
    if value.get("tax_exempt") is not None:
        exempt = report.check("customer.tax_exempt", check_bool, value["tax_exempt"])
    vat = None
    if value.get("vat_id") is not None:
        vat = _text(report, value, VAT_ID, "customer.")
    if email is None:
        return None
    return CustomerInfo(email, name, customer_id, group, exempt, vat)


def _lines(value: Any, report: ProblemReport, field: str, required: bool = True,
           positions: list[int] | None = None) -> tuple[CaptureLine, ...]:  # fmt: skip
    """Every line that reads well; each position read goes to ``positions``."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        report.add(field, "expected a list of lines such as [{'sku': 'TEE-M', 'quantity': 1}]",
                   value)  # fmt: skip
        return ()
    if required and not value:
        report.add(field, "an order needs at least one line", [])
        return ()
    if len(value) > MAX_LINES:
        report.add(field, f"at most {MAX_LINES} lines per order", len(value))
        return ()
    lines = []
    for i, raw in enumerate(value):
        line = _line(_payload_of(raw), report, f"{field}[{i}]")
        if line is not None:
            lines.append(line)
            if positions is not None:
                positions.append(i)
    return tuple(lines)


def _line(raw: Any, report: ProblemReport, where: str) -> CaptureLine | None:
    """One line of a payload, or ``None`` (its problems reported under ``where``)."""
    if not isinstance(raw, Mapping):
        report.add(where, "expected {'sku': ..., 'quantity': ...}", raw)
        return None
    for key, _ in unknown_keys(raw, LINE_KEYS):
        report.add(f"{where}.{key}", f"unknown field; allowed: {', '.join(LINE_KEYS)}")
    sku = report.check(f"{where}.sku", check_sku, raw.get("sku"))
    qty = report.check(f"{where}.quantity", check_quantity, raw.get("quantity"),
                       maximum=MAX_QUANTITY)  # fmt: skip
    price = None
    if raw.get("unit_price") is not None:
        price = report.check(f"{where}.unit_price", amount, raw["unit_price"])
    if sku is None or qty is None:
        return None
    return CaptureLine(sku, qty, price)


def _payment(value: Any, report: ProblemReport) -> PaymentInfo | None:
    value = _payload_of(value)
    if not isinstance(value, Mapping):
        report.check("payment", _fail_mapping, value)
        return None
    for key, _ in unknown_keys(value, PAYMENT_KEYS):
        report.add(f"payment.{key}", f"unknown field; allowed: {', '.join(PAYMENT_KEYS)}")
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

    Checked on construction like a payload read by [`from_mapping`][] (the same
    errors, naming every bad field).

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

    def __attrs_post_init__(self) -> None:
        if _CHECKED.get():  # built by from_mapping from the fields it checked just now
            return
        add = [_payload_of(x) for x in self.add] if _is_list(self.add) else self.add
        payload: dict[str, Any] = {"add": add, "remove": self.remove}
        payload["quantities"] = self.quantities
        if self.ship_to is not None:
            payload["ship_to"] = self.ship_to
        for name, value in _read_edit(payload).items():
            if getattr(self, name) != value:
                object.__setattr__(self, name, value)

    @classmethod
    def from_mapping(cls, data: Any) -> EditOrder:
        """Build from ``{"add": [...], "remove": [...], "quantities": {...}, "ship_to": {...}}``.

        Raises:
            ValidationError: naming every bad field; also when nothing would change.
        """
        if isinstance(data, EditOrder):
            return data
        fields = _read_edit(data)
        token = _CHECKED.set(True)
        try:
            return cls(**fields)
        finally:
            _CHECKED.reset(token)


def _read_edit(data: Any) -> dict[str, Any]:
    """The fields of an edit payload, or raise naming every problem."""
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
    return {"add": add, "remove": tuple(remove), "quantities": quantities, "ship_to": ship_to}
