"""Quote requests from plain data: validated at the edge, every problem reported at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

import attrs

from omskit.customers.address import Address
from omskit.errors import ValidationError
from omskit.money import Money, as_money, check_currency, to_decimal
from omskit.validation import (
    MAX_QUANTITY,
    Problems,
    check_bool,
    check_quantity,
    check_sku,
    check_text,
    unknown_keys,
)

__all__ = ["INCOTERMS", "CustomerRef", "Incoterm", "QuoteLineInput", "QuoteRequest", "Specific"]


Incoterm = Literal["DAP", "DDP"]

#: Delivered at place (the buyer pays import charges) or delivered duty paid (the seller does).
INCOTERMS: tuple[Incoterm, ...] = ("DAP", "DDP")

_MAX_LINES = 1000


class Specific(Problems):
    """[`Problems`][] that keeps the specific error type.

    When exactly one check failed, [`raise_if_any`][] re-raises that check's own error
    (``InvalidQuantity``, ``UnknownCurrency``...); several failures are reported together
    as the kernel does: one error of the class they share, else a
    [`ValidationError`][].
    """

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[ValidationError] = []

    def add_error(self, error: ValidationError) -> None:
        """Record ``error`` (the kernel's `check` calls this) and keep it whole."""
        self.errors.append(error)
        super().add_error(error)

    def raise_if_any(self) -> None:
        """Raise the one specific error, or one error listing every problem."""
        if len(self.errors) == 1 and len(self.items) == len(self.errors[0].problems):
            raise self.errors[0]
        super().raise_if_any()


@attrs.frozen
class QuoteLineInput:
    """One requested line: ``quantity`` of ``sku``; ``unit_price`` if the channel sent one.

    ``price_includes_tax`` says whether that sent price is gross (``None``: in the basis of
    the price it replaces).
    """

    sku: str
    quantity: int
    unit_price: Decimal | None = None
    ref: str = ""
    price_includes_tax: bool | None = None


@attrs.frozen
class CustomerRef:
    """Who is buying, as far as pricing cares.

    ``tax_exempt`` and ``vat_id`` left ``None`` are taken from the stored customer when
    ``customer_id`` (or a registered ``email``) names one.
    """

    customer_id: str = ""
    email: str = ""
    group: str = ""
    tax_exempt: bool | None = None
    vat_id: str | None = None

    @property
    def key(self) -> str:
        """What per-customer coupon limits count by: the id, else the email."""
        if self.customer_id:
            return self.customer_id
        email = self.email
        lower = email.lower()
        return email if lower == email else lower  # share the string quotes keep


def _money_or_amount(value: Any, field: str) -> Money | Decimal:
    money = as_money(value, field)
    if money is not None:
        result: Money | Decimal = money
        amount = money.amount
    else:
        amount = to_decimal(value, field)
        result = amount
    if amount < 0:
        raise ValidationError(field, value, "must not be negative")
    return result


_LINE_KEYS = frozenset({"sku", "quantity", "unit_price", "ref", "price_includes_tax"})


def _line(value: Any, field: str) -> QuoteLineInput:
    if isinstance(value, QuoteLineInput):
        return value
    if type(value) is dict and value.keys() <= _LINE_KEYS:
        # fast path for the usual {"sku": "...", "quantity": n}: the same checks, without
        # collecting problems (a bad SKU alone raises what the full path would raise)
        qty = value.get("quantity")
        if (
            type(qty) is int
            and 1 <= qty <= MAX_QUANTITY
            and value.get("unit_price") is None
            and value.get("ref") is None
            and value.get("price_includes_tax") is None
        ):
            return QuoteLineInput(check_sku(value.get("sku"), f"{field}.sku"), qty)
    if not isinstance(value, Mapping):
        raise ValidationError(field, value, "expected {'sku': ..., 'quantity': ...}")
    problems = Specific()
    for key, _ in unknown_keys(value, _LINE_KEYS):
        problems.add(
            f"{field}.{key}",
            "unknown field; allowed: sku, quantity, unit_price, ref, price_includes_tax",
        )
    sku = problems.check(f"{field}.sku", check_sku, value.get("sku"))
    qty = problems.check(f"{field}.quantity", check_quantity, value.get("quantity"))
    price = None
    if value.get("unit_price") is not None:
        price = problems.check(f"{field}.unit_price", _money_or_amount, value["unit_price"])
    ref = problems.check(f"{field}.ref", check_text, value.get("ref"), required=False)
    basis = None
    if value.get("price_includes_tax") is not None:
        basis = problems.check(
            f"{field}.price_includes_tax", check_bool, value["price_includes_tax"]
        )
        if value.get("unit_price") is None:
            problems.add(
                f"{field}.price_includes_tax",
                f"got {value['price_includes_tax']!r}; only with a unit_price sent on the line",
                value["price_includes_tax"],
            )
    problems.raise_if_any()
    amount = price.amount if isinstance(price, Money) else price
    return QuoteLineInput(sku or "", qty or 0, amount, ref or "", basis)


def _customer(value: Any, field: str) -> CustomerRef | None:
    if value is None or isinstance(value, CustomerRef):
        return value
    if isinstance(value, str):
        return CustomerRef(customer_id=check_text(value, field, max_length=64))
    if not isinstance(value, Mapping):
        raise ValidationError(field, value, "expected a customer id or a mapping")
    problems = Specific()
    allowed = {"customer_id", "email", "group", "tax_exempt", "vat_id"}
    for key, _ in unknown_keys(value, allowed):
        problems.add(f"{field}.{key}", f"unknown field; allowed: {', '.join(sorted(allowed))}")
    text: dict[str, str] = {}
    for key in ("customer_id", "email", "group"):
        text[key] = (
            problems.check(f"{field}.{key}", check_text, value.get(key), max_length=254,
                           required=False) or ""
        )  # fmt: skip
    exempt = None
    if value.get("tax_exempt") is not None:
        exempt = problems.check(f"{field}.tax_exempt", check_bool, value["tax_exempt"])
    vat = None
    if value.get("vat_id") is not None:
        vat = problems.check(f"{field}.vat_id", check_text, value["vat_id"], required=False)
        vat = "".join(ch for ch in (vat or "") if ch.isalnum()).upper()
    problems.raise_if_any()
    return CustomerRef(tax_exempt=exempt, vat_id=vat, **text)


def _coupons(value: Any, field: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationError(field, value, "expected a list of coupon codes")
    codes = []
    for i, code in enumerate(value):
        codes.append(check_text(code, f"{field}[{i}]", max_length=64).upper())
    return tuple(dict.fromkeys(codes))


def _incoterm(value: Any, field: str) -> Incoterm:
    if value not in INCOTERMS:
        raise ValidationError(field, value, "expected 'DAP' or 'DDP'")
    result: Incoterm = value
    return result


def _moment(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValidationError(field, value, "expected a timezone-aware datetime")
    return value


@attrs.frozen
class QuoteRequest:
    """A validated request for a quote.

    Build it with [`from_mapping`][] (plain data, every problem reported at once).
    ``shipping`` is a bare amount in the quote's currency or a [`Money`][]; ``at``
    prices for another moment than now (re-pricing an order as it was).
    """

    channel: str
    lines: tuple[QuoteLineInput, ...]
    currency: str | None = None
    customer: CustomerRef | None = None
    ship_to: Address | None = None
    coupons: tuple[str, ...] = ()
    shipping: Money | Decimal | None = None
    incoterm: Incoterm = "DAP"
    at: dt.datetime | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | QuoteRequest) -> QuoteRequest:
        """Validate plain data (see [`PricingService.quote`][] for the keys).

        Raises:
            ValidationError: the specific error when one thing is wrong
                (``InvalidQuantity``, ``InvalidSku``...), else one listing all problems.
        """
        if isinstance(data, QuoteRequest):
            return data
        problems = Specific()
        allowed = {f.name for f in attrs.fields(cls)}
        for key, _ in unknown_keys(data, allowed):
            problems.add(key, f"unknown field; allowed: {', '.join(sorted(allowed))}")
        channel = problems.check("channel", check_text, data.get("channel"), max_length=64)
        currency = None
        if data.get("currency") is not None:
            currency = problems.check("currency", check_currency, data["currency"])
        raw_lines = data.get("lines")
        lines: list[QuoteLineInput] = []
        if (
            isinstance(raw_lines, str | bytes)
            or not isinstance(raw_lines, Sequence)
            or not (raw_lines)
        ):
            problems.add("lines", "expected a non-empty list of lines", raw_lines)
        elif len(raw_lines) > _MAX_LINES:
            problems.add("lines", f"at most {_MAX_LINES} lines per quote", len(raw_lines))
        else:
            for i, raw in enumerate(raw_lines):
                try:  # problems.check(...), inlined: this runs for every line
                    lines.append(_line(raw, f"lines[{i}]"))
                except ValidationError as exc:
                    problems.errors.append(exc)
                    problems.items.extend(exc.problems)
        customer = problems.check("customer", _customer, data.get("customer"))
        ship_to = None
        if data.get("ship_to") is not None:
            ship_to = problems.check("ship_to", Address.from_mapping, data["ship_to"])
        coupons = problems.check("coupons", _coupons, data.get("coupons") or ())
        shipping = None
        if data.get("shipping") is not None:
            shipping = problems.check("shipping", _money_or_amount, data["shipping"])
        incoterm = problems.check("incoterm", _incoterm, data.get("incoterm", "DAP"))
        at = None
        if data.get("at") is not None:
            at = problems.check("at", _moment, data["at"])
        problems.raise_if_any()
        return cls(
            channel=channel or "",
            lines=tuple(lines),
            currency=currency,
            customer=customer,
            ship_to=ship_to,
            coupons=coupons or (),
            shipping=shipping,
            incoterm=incoterm or "DAP",
            at=at,
        )
