"""Customers: who buys, how to reach them, and what tax treatment they get."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from omskit.customers.address import Address
from omskit.errors import ValidationError, shown
from omskit.storage.ports import Aggregate, Collection
from omskit.validation import Problems, check_bool, check_email, check_locale, check_text

__all__ = ["CUSTOMERS", "Customer", "check_phone", "clean_customer_fields"]

_PHONE = re.compile(r"\+?[0-9]{6,15}")


def check_phone(value: Any, field: str = "phone") -> str:
    """A phone number of 6-15 digits, optionally starting with ``+``.

    Spaces, dots, dashes and brackets are removed.
    """
    digits = re.sub(r"[\s().\-]", "", value) if isinstance(value, str) else None
    if digits is None or not _PHONE.fullmatch(digits):
        raise ValidationError(field, value, "expected 6-15 digits, e.g. '+49 30 1234567'")
    return digits


@attrs.define(eq=False)
class Customer(Aggregate):
    """A customer. ``email`` is unique across customers.

    A ``tax_exempt`` customer must carry the certificate that proves it; ``vat_id`` is a
    business's VAT number (used for EU reverse charge); ``group`` selects group prices.
    """

    email: str
    name: str = ""
    phone: str = ""
    locale: str = "en_US"
    tax_exempt: bool = False
    tax_exempt_certificate: str = ""
    vat_id: str = ""
    group: str = ""
    addresses: tuple[Address, ...] = ()

    EDITABLE: ClassVar[tuple[str, ...]] = (
        "email", "name", "phone", "locale", "tax_exempt", "tax_exempt_certificate", "vat_id",
        "group", "addresses",
    )  # fmt: skip

    def clone(self) -> Customer:
        """A copy (every field is immutable)."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


def clean_customer_fields(
    data: Mapping[str, Any], *, partial: bool = False, current: Customer | None = None
) -> dict[str, Any]:
    """Validate customer fields from plain data, reporting every problem at once."""
    problems = Problems()
    for key in sorted(set(data) - set(Customer.EDITABLE)):
        problems.add(key, f"unknown field; allowed: {', '.join(Customer.EDITABLE)}")
    out: dict[str, Any] = {}
    if "email" in data or not partial:
        out["email"] = problems.check("email", check_email, data.get("email"))
    if "name" in data:
        out["name"] = problems.check("name", check_text, data["name"], required=False)
    if data.get("phone"):
        out["phone"] = problems.check("phone", check_phone, data["phone"])
    if "locale" in data:
        out["locale"] = problems.check("locale", check_locale, data["locale"])
    if "tax_exempt" in data:
        out["tax_exempt"] = problems.check("tax_exempt", check_bool, data["tax_exempt"])
    for key in ("tax_exempt_certificate", "vat_id", "group"):
        if key in data:
            out[key] = problems.check(key, check_text, data[key], max_length=64, required=False)
    if out.get("vat_id"):
        out["vat_id"] = re.sub(r"[\s.\-]", "", out["vat_id"]).upper()
    exempt = out.get("tax_exempt", current.tax_exempt if current else False)
    certificate = out.get(
        "tax_exempt_certificate", current.tax_exempt_certificate if current else ""
    )
    if exempt and not certificate:
        problems.add("tax_exempt_certificate", "a tax-exempt customer needs the certificate number")
    listed = data.get("addresses") or ()
    if isinstance(listed, str | bytes) or not isinstance(listed, Sequence):
        problems.add("addresses", f"got {shown(listed)}; expected a list of addresses", listed)
    elif "addresses" in data:
        addresses = []
        for i, raw in enumerate(listed):
            addr = problems.check(f"addresses[{i}]", Address.from_mapping, raw)
            if addr is not None:
                addresses.append(addr)
        out["addresses"] = tuple(addresses)
    problems.raise_if_any()
    return out


CUSTOMERS: Collection[Customer] = Collection(
    "customers", Customer, unique={"email": lambda c: c.email.lower()}, label="customer"
)
