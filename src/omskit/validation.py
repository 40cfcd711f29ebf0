"""Checks for plain-data input, shared by every capability.

Each ``check_*`` function returns the clean value or raises a
:class:`~omskit.errors.ValidationError` subclass naming the field, the value and what is
allowed. :class:`Problems` runs many checks and reports every failure at once, which is
what a channel connector sending a whole order payload needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

import babel

from omskit.errors import (
    FloatNotAllowed,
    InvalidEmail,
    InvalidQuantity,
    InvalidSku,
    Problem,
    UnknownCountry,
    ValidationError,
    shown,
)
from omskit.money import to_decimal

__all__ = [
    "MAX_QUANTITY",
    "SKU_PATTERN",
    "Problems",
    "check_bool",
    "check_country",
    "check_decimal",
    "check_email",
    "check_locale",
    "check_mapping",
    "check_quantity",
    "check_sku",
    "check_text",
    "countries",
    "is_text",
    "unknown_keys",
]

T = TypeVar("T")

#: The largest quantity accepted on one line or stock movement unless a caller says otherwise.
MAX_QUANTITY = 1_000_000

#: Two-letter territory codes babel knows that are no place a parcel can go: unknown
#: region, pseudo-locales, the European Union, the euro zone, the United Nations, Outlying
#: Oceania.
_NOT_COUNTRIES = frozenset({"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"})

#: What :func:`check_sku` accepts (``fullmatch``).
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}")
_SKU = SKU_PATTERN
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+")


class Problems:
    """Collects :class:`~omskit.errors.Problem` items from many checks, raised together.

    ``value = problems.check("lines[0].quantity", check_quantity, raw)`` returns the clean
    value, or records the problem and returns ``None``; :meth:`raise_if_any` raises one
    :class:`~omskit.errors.ValidationError` listing all of them. When every problem came
    from the same specific error (all :class:`~omskit.errors.InvalidQuantity`, say), that
    error class is raised, so ``except FloatNotAllowed`` works on a whole payload too.
    """

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._kinds: dict[int, type[ValidationError]] = {}  # by id() of an item

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, field: str, message: str, value: Any = None) -> None:
        """Record one problem."""
        self.items.append(Problem(field, message, value))

    def extend(self, problems: Any) -> None:
        """Record problems reported elsewhere (e.g. by an ``omskit_validate_order`` hook)."""
        for p in problems:
            if not isinstance(p, Problem):
                raise TypeError(f"expected Problem, got {type(p).__name__}")
            self.items.append(p)

    def add_error(self, error: ValidationError) -> None:
        """Record the problems of ``error``, remembering its class for :meth:`raise_if_any`."""
        for p in error.problems:
            self.items.append(p)
            self._kinds[id(p)] = type(error)

    def check(
        self, field: str, fn: Callable[..., T], value: Any, *args: Any, **kw: Any
    ) -> T | None:
        """Run ``fn(value, field, *args, **kw)``; record its failure instead of raising."""
        try:
            return fn(value, field, *args, **kw)
        except ValidationError as exc:
            self.add_error(exc)
            return None

    def raise_if_any(self) -> None:
        """Raise one :class:`~omskit.errors.ValidationError` with every problem recorded.

        The error is of the specific class every problem shares, else ``ValidationError``.
        """
        if self.items:
            kinds = {self._kinds.get(id(p), ValidationError) for p in self.items}
            cls = kinds.pop() if len(kinds) == 1 else ValidationError
            raise cls.from_problems(self.items)


def is_text(value: str) -> bool:
    """Whether ``value`` is real Unicode text: it has no unpaired surrogate code point.

    A lone surrogate (a code point in U+D800-U+DFFF on its own, which ``json.loads`` makes
    of such an escape) cannot be written as UTF-8: no store, fingerprint or document takes it.
    """
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(value: Any, field: str, *, max_length: int = 200, required: bool = True) -> str:
    """A stripped, non-empty (when ``required``) string of at most ``max_length`` characters.

    Text with an unpaired surrogate code point is refused (see ``is_text``).
    """
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, value, "expected text")
    text = value.strip()
    if required and not text:
        raise ValidationError(field, value, "must not be empty")
    if len(text) > max_length:
        raise ValidationError(field, f"{text[:20]}...", f"at most {max_length} characters")
    if not is_text(text):
        raise ValidationError(
            field, value, "expected Unicode text; an unpaired surrogate (U+D800-U+DFFF) is not"
        )
    return text


def check_bool(value: Any, field: str) -> bool:
    """A real boolean (``1`` or ``"yes"`` are not accepted)."""
    if not isinstance(value, bool):
        raise ValidationError(field, value, "expected true or false")
    return value


def check_quantity(
    value: Any,
    field: str = "quantity",
    *,
    minimum: int = 1,
    maximum: int = MAX_QUANTITY,
) -> int:
    """A whole number of units between ``minimum`` and ``maximum``.

    Integral Decimals (``Decimal("2")``) are accepted; floats, fractions, booleans and
    numeric strings are not.
    """
    if isinstance(value, bool):
        raise InvalidQuantity(field, value, "expected a whole number, not a boolean")
    if isinstance(value, float):
        raise FloatNotAllowed(field, value, "expected a whole number of units such as 2")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidQuantity(field, value, "expected a whole number of units")
        # the bounds first: int(Decimal("1E+999999")) alone would take over a minute
        _bounded(value, field, minimum, maximum)
        if value != value.to_integral_value():
            raise InvalidQuantity(field, value, "expected a whole number of units")
        value = int(value)
    if not isinstance(value, int):
        raise InvalidQuantity(
            field, value, f"expected a whole number of units, not {type(value).__name__}"
        )
    _bounded(value, field, minimum, maximum)
    return value


def _bounded(value: int | Decimal, field: str, minimum: int, maximum: int) -> None:
    """Refuse a number outside ``minimum..maximum`` (a comparison: cheap at any magnitude)."""
    if value < minimum:
        what = "positive" if minimum == 1 else f"at least {minimum:,}"
        raise InvalidQuantity(field, value, f"must be {what}")
    if value > maximum:
        raise InvalidQuantity(field, value, f"must be at most {maximum:,}")


def check_sku(value: Any, field: str = "sku") -> str:
    """A SKU: 1-64 characters of letters, digits and ``. _ - /``, starting alphanumeric."""
    if not isinstance(value, str) or not _SKU.fullmatch(value):
        raise InvalidSku(
            field,
            value,
            "expected 1-64 letters, digits or '._-/', starting with a letter or digit",
        )
    return value


def check_email(value: Any, field: str = "email") -> str:
    """A deliverable-looking email address, returned with its domain lower-cased."""
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.fullmatch(value.strip()):
        raise InvalidEmail(field, value, "expected an address such as 'dana@example.com'")
    local, _, domain = value.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes that babel knows as territories."""
    names: Mapping[str, str] = babel.Locale("en").territories
    return frozenset(
        code for code in names if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def check_country(value: Any, field: str = "country") -> str:
    """An ISO 3166-1 alpha-2 country code, upper-cased (``"de"`` becomes ``"DE"``)."""
    code = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(code, str) or code not in countries():
        raise UnknownCountry(field, value, "expected an ISO 3166 alpha-2 code such as 'DE'")
    return code


@lru_cache(maxsize=256)
def _known_locale(name: str) -> str:
    return str(babel.Locale.parse(name))


def check_locale(value: Any, field: str = "locale") -> str:
    """A locale identifier babel knows (``"de_DE"``, ``"he_IL"``), normalised."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, value, "expected a locale such as 'en_US'")
    try:
        return _known_locale(value.strip().replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        raise ValidationError(field, value, "expected a locale such as 'en_US'") from None


def check_mapping(value: Any, field: str) -> Mapping[str, Any]:
    """A mapping (a JSON object) whose keys are all text."""
    if not isinstance(value, Mapping):
        raise ValidationError(field, value, "expected an object (a mapping of fields)")
    for key in value:
        if type(key) is not str:
            raise ValidationError(f"{field}[{shown(key)}]", key, "expected text as the key")
    return value


def unknown_keys(data: Mapping[Any, Any], allowed: Collection[str]) -> list[tuple[str, Any]]:
    """The keys of ``data`` that ``allowed`` does not list, as ``(name, key)`` pairs.

    Sorted by name, whatever the keys' types (``sorted()`` of mixed keys would raise); a
    key that is not text is named by its (shortened) ``repr``, so a report can show it.
    """
    found = [
        (key if type(key) is str else shown(key), key)
        for key in data
        if type(key) is not str or key not in allowed
    ]
    found.sort(key=lambda pair: pair[0])
    return found


def check_decimal(
    value: Any, field: str, *, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> Decimal:
    """A finite Decimal within the optional bounds (floats raise)."""
    number = to_decimal(value, field)
    if minimum is not None and number < minimum:
        raise ValidationError(field, value, f"must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ValidationError(field, value, f"must be at most {maximum}")
    return number
