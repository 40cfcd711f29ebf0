"""Customers: who buys, how to reach them, and what tax treatment they get."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from omskit.customers.address import Address
from omskit.customers.vatid import clean_vat_id
from omskit.errors import ValidationError, shown
from omskit.storage.ports import Aggregate, Collection
from omskit.validation import (
    Problems,
    check_bool,
    check_country,
    check_email,
    check_locale,
    check_phone,
    check_text,
)

__all__ = ["CUSTOMERS", "Customer", "check_phone", "clean_customer_fields"]


@attrs.define(eq=False)
class Customer(Aggregate):
    """A customer. ``email`` is unique across customers.

    A ``tax_exempt`` customer must carry the certificate that proves it; ``vat_id`` is a
    business's VAT number (used for EU reverse charge; an id with an EU prefix must pass
    its check digits); ``group`` selects group prices. ``email`` is stored as
    ``email-validator`` normalises it, ``phone`` in E.164 form.
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


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _home_country(data: Mapping[str, Any], current: Customer | None) -> str | None:
    """The country of the first address (given or on file): how a local number reads."""
    raw = data.get("addresses") if "addresses" in data else None
    if raw is None:
        return current.addresses[0].country if current and current.addresses else None
    first = raw[0] if _is_list(raw) and raw else None
    if isinstance(first, Address):
        return first.country
    if isinstance(first, Mapping):
        try:
            return check_country(first.get("country"))
        except ValidationError:
            return None
    return None


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
        region = _home_country(data, current)
        out["phone"] = problems.check("phone", check_phone, data["phone"], region)
    if "locale" in data:
        out["locale"] = problems.check("locale", check_locale, data["locale"])
    if "tax_exempt" in data:
        out["tax_exempt"] = problems.check("tax_exempt", check_bool, data["tax_exempt"])
    for key in ("tax_exempt_certificate", "group"):
        if key in data:
            out[key] = problems.check(key, check_text, data[key], max_length=64, required=False)
    if "vat_id" in data:
        out["vat_id"] = problems.check("vat_id", clean_vat_id, data["vat_id"])
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
