"""EU VAT identification numbers, checked with ``python-stdnum`` (format and check digits).

omskit uses a VAT id for one decision, the EU reverse charge, so it checks ids that
carry an EU VAT prefix (the member states, ``EL`` for Greece, ``XI`` for Northern
Ireland). A valid check digit proves the number is well formed, not that it belongs to
the buyer or is registered today: hosts that must be sure look it up in VIES and keep
the result on the customer.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import attrs
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat

from omskit.customers.regions import EU_MEMBER_STATES
from omskit.errors import ValidationError
from omskit.validation import check_text

__all__ = ["EU_VAT_PREFIXES", "VatIdCheck", "check_vat_id", "clean_vat_id"]

#: Prefixes of EU VAT ids: each member state's code, but ``EL`` for Greece, and ``XI``.
EU_VAT_PREFIXES = frozenset({"EL" if c == "GR" else c for c in EU_MEMBER_STATES} | {"XI"})

_SEPARATORS = re.compile(r"[\s.\-/]")

#: What each of python-stdnum's errors means for a VAT id, in omskit's words.
_WHY: tuple[tuple[type[Exception], str], ...] = (
    (stdnum_errors.InvalidChecksum, "its check digits are wrong"),
    (stdnum_errors.InvalidLength, "it has the wrong number of characters"),
    (stdnum_errors.InvalidFormat, "it is not in the format of its country's VAT ids"),
    (stdnum_errors.InvalidComponent, "a part of it is not valid"),
)


@attrs.frozen
class VatIdCheck:
    """What a VAT id is worth for the reverse charge.

    Attributes:
        number: the id in compact form (``"DE123456788"``).
        country: the member state it belongs to when valid (``"GR"`` for ``EL...``;
            ``"XI"`` for Northern Ireland), else ``None``.
        problem: why it is not valid (``""`` when it is).
    """

    number: str
    country: str | None
    problem: str = ""

    @property
    def valid(self) -> bool:
        """Whether the id passed the format and check-digit test."""
        return not self.problem


def compact(value: str) -> str:
    """``value`` without spaces, dots, dashes and slashes, upper-cased."""
    return _SEPARATORS.sub("", value).upper()


@lru_cache(maxsize=1024)
def check_vat_id(vat_id: str) -> VatIdCheck:
    """Check an EU VAT id's format and check digits (``python-stdnum``'s ``eu.vat``)."""
    number = compact(vat_id)
    prefix = number[:2]
    if prefix not in EU_VAT_PREFIXES:
        return VatIdCheck(number, None, "it does not start with an EU member state's prefix")
    try:
        eu_vat.validate(number)
    except stdnum_errors.ValidationError as exc:
        why = next((text for kind, text in _WHY if isinstance(exc, kind)), "it is not valid")
        return VatIdCheck(number, None, why)
    return VatIdCheck(number, "GR" if prefix == "EL" else prefix)


def clean_vat_id(value: Any, field: str = "vat_id") -> str:
    """A customer's VAT id: compacted; refused when it has an EU prefix but is not valid.

    Ids without an EU prefix (a Swiss ``CHE...`` number, say) are kept as given, compacted:
    omskit uses VAT ids only for the EU reverse charge.
    """
    text = check_text(value, field, max_length=64, required=False)
    number = compact(text)
    if number[:2] in EU_VAT_PREFIXES:
        check = check_vat_id(number)
        if not check.valid:
            raise ValidationError(
                field,
                value,
                f"not a valid EU VAT id: {check.problem} (checked with python-stdnum); "
                "give the id as registered, e.g. 'DE123456788'",
            )
    return number
