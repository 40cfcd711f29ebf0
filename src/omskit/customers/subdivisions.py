"""Country subdivisions (states, provinces, regions) as ISO 3166-2 codes, from ``pycountry``.

An address's ``region`` and a tax jurisdiction's region are compared as codes, so they
are normalised where they enter omskit: ``"CA"``, ``"us-ca"`` and ``"California"`` all
become ``"CA"``, the part of the ISO 3166-2 code ``US-CA`` after the country. A name
that two subdivisions of one country share (Spain's community and province "La Rioja")
means the one at the top of the hierarchy. A country without ISO 3166-2 subdivisions
keeps whatever region text it is given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pycountry

from omskit.errors import ValidationError

__all__ = ["check_subdivision", "has_subdivisions", "subdivision_codes"]


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _names(name: str) -> list[str]:
    """``"Illes Balears [Islas Baleares]"`` -> both names."""
    main, _, rest = name.partition("[")
    return [n for n in (main.strip(), rest.rstrip("]").strip()) if n]


@lru_cache(maxsize=512)
def _index(country: str) -> Mapping[str, str]:
    """Every accepted spelling (case-folded) -> the code after the country prefix."""
    lookup: Any = pycountry.subdivisions.get  # untyped in pycountry's stubs
    found: list[Any] = list(lookup(country_code=country) or ())
    # top of the hierarchy first, so a shared name means the broader subdivision
    found.sort(key=lambda s: (getattr(s, "parent_code", None) is not None, s.code))
    index: dict[str, str] = {}
    for sub in found:
        short = sub.code.partition("-")[2]
        index[_key(short)] = short
        index[_key(sub.code)] = short
    for sub in found:
        short = sub.code.partition("-")[2]
        for name in _names(sub.name):
            for spelling in (_key(name), _key(_unaccented(name))):
                index.setdefault(spelling, short)
    return index


def has_subdivisions(country: str) -> bool:
    """Whether ISO 3166-2 (as ``pycountry`` ships it) lists subdivisions of ``country``."""
    return bool(_index(country))


def subdivision_codes(country: str) -> frozenset[str]:
    """The subdivision codes of ``country`` without the prefix (``{"CA", "NY", ...}``)."""
    return frozenset(_index(country).values())


def check_subdivision(value: Any, field: str, country: str) -> str:
    """``value`` as the ISO 3166-2 code of a subdivision of ``country``, without the prefix.

    Accepts the code (``"CA"``), the full code (``"US-CA"``) and the subdivision's name
    (``"California"``), in any case and with or without accents. A country without
    ISO 3166-2 subdivisions keeps the text as given (stripped).

    Raises:
        ValidationError: ``value`` names no subdivision of ``country``.
    """
    if not isinstance(value, str):
        raise ValidationError(field, value, "expected text such as 'CA' or 'California'")
    text = value.strip()
    index = _index(country)
    if not text or not index:
        return text
    code = index.get(_key(text)) or index.get(_key(_unaccented(text)))
    if code is None:
        codes = sorted(subdivision_codes(country))
        raise ValidationError(
            field,
            value,
            f"not a subdivision of {country}; give its ISO 3166-2 code with or without the "
            f"country ({codes[0]} or {country}-{codes[0]}, {', '.join(codes[1:4])}, ...) or "
            "its name",
        )
    return code
