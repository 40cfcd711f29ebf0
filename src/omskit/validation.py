"""Checks for plain-data input, shared by every capability.

Each ``check_*`` function returns the clean value or raises a
[`ValidationError`][] subclass naming the field, the value and what is
allowed. [`Problems`][] runs many checks and reports every failure at once, which is
what a channel connector sending a whole order payload needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

import babel
import email_validator
import phonenumbers

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
from omskit.money import coerce_locale, to_decimal

__all__ = [
    "MAX_ACTOR",
    "MAX_QUANTITY",
    "SKU_PATTERN",
    "Problems",
    "check_actor",
    "check_bool",
    "check_country",
    "check_decimal",
    "check_email",
    "check_locale",
    "check_mapping",
    "check_payment_method",
    "check_phone",
    "check_quantity",
    "check_sku",
    "check_text",
    "countries",
    "is_text",
    "looks_like_card_number",
    "unknown_keys",
]

T = TypeVar("T")

#: The longest actor name (a user, an API client, ``"system"``) accepted.
MAX_ACTOR = 100

#: The largest quantity accepted on one line or stock movement unless a caller says otherwise.
MAX_QUANTITY = 1_000_000

#: Two-letter territory codes babel knows that are no place a parcel can go: unknown
#: region, pseudo-locales, the European Union, the euro zone, the United Nations, Outlying
#: Oceania.
_NOT_COUNTRIES = frozenset({"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"})

#: What `check_sku` accepts (``fullmatch``).
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}")
_SKU = SKU_PATTERN


class Problems:
    """Collects [`Problem`][] items from many checks, raised together.

    ``value = problems.check("lines[0].quantity", check_quantity, raw)`` returns the clean
    value, or records the problem and returns ``None``; [`raise_if_any`][] raises one
    [`ValidationError`][] listing all of them. When every problem came
    from the same specific error (all [`InvalidQuantity`][], say), that
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
        """Record the problems of ``error``, remembering its class for [`raise_if_any`][]."""
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
        """Raise one [`ValidationError`][] with every problem recorded.

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


def check_actor(value: Any, field: str = "actor") -> str:
    """Who acts: non-empty text of at most `MAX_ACTOR` characters.

    Every service checks its ``actor`` with this; with access control on, the admin
    service also requires the name to be a registered principal.
    """
    return check_text(value, field, max_length=MAX_ACTOR)


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


#: An address longer than this cannot be used (RFC 5321 limits a path to 256 octets).
_MAX_EMAIL = 254
_EMAIL_EXAMPLE = "expected an address such as 'dana@example.com'"


@lru_cache(maxsize=4096)
def _normalised_email(text: str) -> tuple[str, str]:
    """``(normalised address, "")`` or ``("", why not)``; addresses repeat, so cached."""
    try:
        found = email_validator.validate_email(
            text, check_deliverability=False, test_environment=False
        )
    except email_validator.EmailNotValidError as exc:
        return "", str(exc)
    return str(found.normalized), ""


def check_email(value: Any, field: str = "email") -> str:
    """An email address, checked for syntax and normalised by ``email-validator``.

    The one place omskit checks email addresses. No network is used (deliverability is
    not checked). Internationalised addresses (``dörte@exämple.de``) are accepted; the
    domain comes back lower-cased and in Unicode normal form, the local part as given.
    """
    if not isinstance(value, str):
        raise InvalidEmail(field, value, _EMAIL_EXAMPLE)
    text = value.strip()
    if len(text) > _MAX_EMAIL:
        raise InvalidEmail(field, f"{text[:20]}...", f"at most {_MAX_EMAIL} characters")
    clean, why = _normalised_email(text)
    if not clean:
        raise InvalidEmail(field, value, f"{why.rstrip('.')}; {_EMAIL_EXAMPLE}")
    return clean


#: A phone number longer than this is no phone number (E.164 allows 15 digits).
_MAX_PHONE = 40
_PHONE_EXAMPLE = "expected a number such as '+49 30 901820'"


@lru_cache(maxsize=4096)
def _normalised_phone(text: str, region: str | None) -> tuple[str, str]:
    """``(E.164 form, "")`` or ``("", why not)``; numbers repeat, so cached."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        if text.startswith("+") and (
            exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE
        ):
            return "", "no country has this calling code"
        how = f"written as in {region} or" if region else "starting with"
        return "", f"{how} + and the country code"
    if not phonenumbers.is_valid_number(number):
        return "", "not a valid number for its country code"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def check_phone(value: Any, field: str = "phone", region: str | None = None) -> str:
    """A phone number checked with ``phonenumbers``, returned in E.164 (``+4930901820``).

    The one place omskit checks phone numbers. ``region`` (an ISO 3166 alpha-2 code, e.g.
    an address's country) reads numbers written without the international prefix;
    without it a number must start with ``+`` and its country calling code.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, value, _PHONE_EXAMPLE)
    text = value.strip()
    if len(text) > _MAX_PHONE:
        raise ValidationError(
            field, f"{text[:20]}...", f"at most {_MAX_PHONE} characters; {_PHONE_EXAMPLE}"
        )
    clean, why = _normalised_phone(text, region)
    if not clean:
        raise ValidationError(field, value, f"{_PHONE_EXAMPLE}; {why}")
    return clean


_CARD_SEPARATORS = str.maketrans("", "", " -")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def looks_like_card_number(value: str) -> bool:
    """Whether ``value`` reads as a payment card number: 13-19 digits passing Luhn.

    Spaces and dashes are ignored (``4242 4242 4242 4242``).
    """
    digits = value.translate(_CARD_SEPARATORS)
    if not 13 <= len(digits) <= 19 or not (digits.isascii() and digits.isdigit()):
        return False
    return _luhn_valid(digits)


def check_payment_method(
    value: Any, field: str = "payment.method", *, required: bool = True
) -> str:
    """A payment method token (``tok_visa``, ``invoice``): stripped text, never a card number.

    A value that looks like a card number is refused without echoing it: card numbers
    belong with the gateway, which hands out a token for them. Card fingerprints are
    checked the same way (``required=False`` lets them be empty).
    """
    text = check_text(value, field, max_length=200, required=required)
    if looks_like_card_number(text):
        message = (
            "looks like a card number, which omskit never accepts or stores; send the "
            "gateway's token for the card instead"
        )
        raise ValidationError(field, None, message, problems=[Problem(field, message)])
    return text


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


def check_locale(value: Any, field: str = "locale") -> str:
    """A locale babel knows, as its normalised identifier (``"de_DE"``, ``"he_IL"``).

    Accepts an identifier (``"de-DE"`` too) or a ``babel.Locale``; see
    [`coerce_locale`][omskit.money.coerce_locale].
    """
    return str(coerce_locale(value, field))


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
