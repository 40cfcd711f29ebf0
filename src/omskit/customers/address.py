"""Postal addresses: validated, normalised, and checked for completeness per destination."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from omskit.customers.geo import GeoPoint
from omskit.customers.subdivisions import check_subdivision
from omskit.errors import ValidationError
from omskit.validation import (
    Problems,
    check_country,
    check_email,
    check_mapping,
    check_phone,
    check_text,
    countries,
    is_text,
)

__all__ = [
    "POSTAL_CODE_PATTERNS",
    "REGION_REQUIRED",
    "Address",
    "fast_address",
    "uses_postal_codes",
]

#: Countries whose addresses carry no postal code (after the Universal Postal Union's list).
_NO_POSTAL_CODE = frozenset(
    [
        "AE",
        "AG",
        "AO",
        "AW",
        "BF",
        "BI",
        "BJ",
        "BO",
        "BS",
        "BW",
        "BZ",
        "CD",
        "CF",
        "CG",
        "CI",
        "CK",
        "CM",
        "DJ",
        "DM",
        "ER",
        "FJ",
        "GA",
        "GD",
        "GH",
        "GM",
        "GQ",
        "GY",
        "HK",
        "JM",
        "KI",
        "KM",
        "KN",
        "KP",
        "LC",
        "ML",
        "MO",
        "MR",
        "MW",
        "NR",
        "NU",
        "QA",
        "RW",
        "SB",
        "SC",
        "SL",
        "SO",
        "SR",
        "ST",
        "SY",
        "TD",
        "TF",
        "TG",
        "TK",
        "TL",
        "TO",
        "TT",
        "TV",
        "UG",
        "VU",
        "YE",
        "ZW",
    ]
)

#: Postal-code formats checked for the destinations omskit knows well; others are free text.
POSTAL_CODE_PATTERNS: Mapping[str, re.Pattern[str]] = {
    code: re.compile(pattern)
    for code, pattern in {
        "AT": r"\d{4}", "AU": r"\d{4}", "BE": r"\d{4}", "BR": r"\d{5}-?\d{3}",
        "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d", "CH": r"\d{4}", "DE": r"\d{5}", "DK": r"\d{4}",
        "ES": r"\d{5}", "FR": r"\d{5}", "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
        "IL": r"\d{7}", "IN": r"\d{6}", "IT": r"\d{5}", "JP": r"\d{3}-?\d{4}",
        "NL": r"\d{4} ?[A-Z]{2}", "PL": r"\d{2}-\d{3}", "SE": r"\d{3} ?\d{2}",
        "US": r"\d{5}(-\d{4})?",
    }.items()
}  # fmt: skip

#: Destinations where carriers need a state / province / region on the label.
REGION_REQUIRED = frozenset({"US", "CA", "AU", "BR", "IN", "MX"})


def uses_postal_codes(country: str) -> bool:
    """Whether addresses in ``country`` carry a postal code."""
    return country not in _NO_POSTAL_CODE


@attrs.frozen
class Address:
    """A postal address. ``country`` is an ISO 3166 alpha-2 code; ``point`` is optional.

    Built from plain data by `from_mapping`, ``region`` is the ISO 3166-2 code of
    the subdivision without the country (``"CA"`` for ``US-CA``) and ``phone`` is in
    E.164 form (``+4930901820``).
    """

    country: str
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    name: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""
    point: GeoPoint | None = None

    FIELDS: ClassVar[tuple[str, ...]] = (
        "country", "line1", "line2", "city", "region", "postal_code", "name", "company",
        "phone", "email", "lat", "lon",
    )  # fmt: skip

    @classmethod
    def from_mapping(cls, data: Any, field: str = "address") -> Address:
        """Build an address from plain data, reporting every problem at once.

        Accepts an ``Address`` unchanged. Unknown keys, an unknown country, a postal code
        in the wrong format for its country, a region that is no subdivision of the
        country, a phone number that is not valid there, half a coordinate pair: all are
        reported with their field path (``ship_to.postal_code``). The region becomes its
        ISO 3166-2 code (``"California"`` -> ``"CA"``), the phone its E.164 form.
        """
        if isinstance(data, Address):
            return data
        fast = fast_address(data)  # the one-pass reading of a well-formed address
        if fast is not None:
            return fast
        problems = Problems()
        mapping = problems.check(field, check_mapping, data)
        if mapping is None:
            problems.raise_if_any()
            raise AssertionError("unreachable")  # pragma: no cover
        for key in sorted(set(mapping) - set(cls.FIELDS)):
            problems.add(f"{field}.{key}", f"unknown field; allowed: {', '.join(cls.FIELDS)}")
        country = problems.check(f"{field}.country", check_country, mapping.get("country"))
        text: dict[str, str] = {}
        for key in ("line1", "line2", "city", "region", "postal_code", "name", "company", "phone"):
            value = problems.check(
                f"{field}.{key}", check_text, mapping.get(key), max_length=200, required=False
            )
            text[key] = value or ""
        if country and text["postal_code"]:
            text["postal_code"] = text["postal_code"].upper()
            pattern = POSTAL_CODE_PATTERNS.get(country)
            if pattern is not None and not pattern.fullmatch(text["postal_code"]):
                problems.add(
                    f"{field}.postal_code",
                    f"not a valid {country} postal code; expected the pattern {pattern.pattern}",
                    mapping.get("postal_code"),
                )
        if country and text["region"]:
            text["region"] = (
                problems.check(f"{field}.region", check_subdivision, text["region"], country) or ""
            )
        if text["phone"]:
            text["phone"] = (
                problems.check(f"{field}.phone", check_phone, text["phone"], country or None) or ""
            )
        email = ""
        if mapping.get("email"):
            email = problems.check(f"{field}.email", check_email, mapping["email"]) or ""
        point = None
        lat, lon = mapping.get("lat"), mapping.get("lon")
        if (lat is None) != (lon is None):
            problems.add(f"{field}.lat", "give both lat and lon, or neither", lat)
        elif lat is not None:
            point = problems.check(field, lambda _v, f: GeoPoint.of(lat, lon, f), None)
        problems.raise_if_any()
        return cls(country=country or "", email=email, point=point, **text)

    def shipping_problems(self, field: str = "ship_to") -> Problems:
        """What is missing before a parcel can be sent here.

        Street and city always; a postal code where the country uses them; a region where
        carriers need one on the label.
        """
        problems = Problems()
        for key in ("line1", "city"):
            if not getattr(self, key):
                problems.add(f"{field}.{key}", "required for shipping")
        if uses_postal_codes(self.country) and not self.postal_code:
            problems.add(f"{field}.postal_code", f"required for shipping to {self.country}")
        if self.country in REGION_REQUIRED and not self.region:
            problems.add(f"{field}.region", f"required for shipping to {self.country}")
        return problems

    def require_shippable(self, field: str = "ship_to") -> Address:
        """Return this address, or raise listing what is missing for shipping."""
        self.shipping_problems(field).raise_if_any()
        return self

    def one_line(self) -> str:
        """The address on one line, for logs and explanations."""
        parts = [
            self.line1,
            self.line2,
            f"{self.postal_code} {self.city}".strip(),
            self.region,
            self.country,
        ]
        return ", ".join(p for p in parts if p)


_FIELD_SET = frozenset(Address.FIELDS)
_TEXT_FIELDS = ("line1", "line2", "city", "region", "postal_code", "name", "company", "phone")


def fast_address(data: Any) -> Address | None:  # noqa: PLR0911 - one return per refusal
    """The address a well-formed ``dict`` describes, or ``None`` where anything is unusual.

    The one-pass check behind [`Address.from_mapping`][] (and capture's payload reader):
    it returns exactly what ``from_mapping`` would and leaves every problem, with its
    field path, to ``from_mapping``'s reporting path. Coordinates take that path too.
    """
    if type(data) is not dict or not data.keys() <= _FIELD_SET:
        return None
    get = data.get
    if get("lat") is not None or get("lon") is not None:
        return None
    country = get("country")
    if type(country) is not str:
        return None
    country = country.strip().upper()
    if country not in countries():
        return None
    text: list[str] = []
    for key in _TEXT_FIELDS:
        value = get(key)
        if value is None:
            text.append("")
        elif type(value) is not str:
            return None
        else:
            value = value.strip()
            if len(value) > 200 or not is_text(value):
                return None
            text.append(value)
    line1, line2, city, region, postal_code, name, company, phone = text
    if postal_code:
        postal_code = postal_code.upper()
        pattern = POSTAL_CODE_PATTERNS.get(country)
        if pattern is not None and not pattern.fullmatch(postal_code):
            return None
    try:
        if region:
            region = check_subdivision(region, "", country)
        if phone:
            phone = check_phone(phone, "", country)
        email = check_email(data["email"]) if get("email") else ""
    except ValidationError:
        return None
    return Address(country, line1, line2, city, region, postal_code, name, company, phone, email)
