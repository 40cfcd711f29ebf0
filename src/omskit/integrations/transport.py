"""What a service adapter hands to the host's HTTP client, and what it gets back.

omskit forces no HTTP library on a host: an adapter builds an [`HttpRequest`][] and
passes it to a host-supplied [`Transport`][] (any callable taking the request and
returning an [`HttpResponse`][]), which sends it with whatever the host uses (httpx,
requests, urllib3) and returns the status, headers and raw body. Tests pass a fake.

A transport that raises (a timeout, a lost connection) means the answer is unknown; the
adapter lets the exception through, so the caller's retry and reconciliation rules
apply (for payments: the same idempotency key is sent again).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Protocol

import attrs

from omskit.carriers.errors import WebhookSignatureInvalid
from omskit.errors import OmskitError, ValidationError, shown

__all__ = [
    "HttpRequest",
    "HttpResponse",
    "ServiceError",
    "SignatureInvalid",
    "Transport",
    "decode_json",
    "dumps_exact",
]


@attrs.frozen
class HttpRequest:
    """One HTTP request an adapter wants sent.

    Attributes:
        method: ``"GET"``, ``"POST"``, ``"PUT"``...
        url: the absolute URL.
        headers: header name and value pairs, in order.
        body: the raw body (form-encoded or JSON, as ``headers`` say), empty for a GET.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any letter case), or ``None``."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


@attrs.frozen
class HttpResponse:
    """What the service answered: the status, the headers and the raw body."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)

    def json(self, service: str) -> Mapping[str, Any]:
        """The body as a JSON object, numbers with a fraction as exact ``Decimal``.

        Raises:
            ServiceError: the body is not a JSON object.
        """
        try:
            return decode_json(self.body, "body")
        except ValidationError as exc:
            raise ServiceError(service, self.status, "invalid_response", str(exc)) from None


class Transport(Protocol):
    """Sends one request and returns the answer; supplied by the host."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; raise when no answer came (the outcome is then unknown)."""
        ...


def decode_json(body: bytes | str, field: str) -> Mapping[str, Any]:
    """The JSON object in ``body``; numbers with a fraction are read as ``Decimal``.

    Floats never appear: ``19.99`` in the text is ``Decimal("19.99")`` exactly.

    Raises:
        ValidationError: ``body`` is not a JSON object (naming ``field``).
    """
    try:
        payload = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ValidationError(field, shown(body[:60]), f"expected a JSON object ({exc})") from None
    if not isinstance(payload, dict):
        raise ValidationError(field, shown(payload), "expected a JSON object")
    return payload


class ServiceError(OmskitError):
    """A remote service refused a request in a way no retry fixes (bad key, bad request).

    Attributes:
        service: the adapter's name (``"stripe"``, ``"easypost"``).
        status: the HTTP status.
        code: the service's own error code.
        param: the request parameter the service named, if any.
    """

    def __init__(self, service: str, status: int, code: str, message: str, param: str = "") -> None:
        self.service = service
        self.status = status
        self.code = code
        self.param = param
        where = f" (parameter {param!r})" if param else ""
        super().__init__(f"{service} answered HTTP {status} {code}{where}: {message}")


class SignatureInvalid(WebhookSignatureInvalid):
    """A webhook from a service whose signature does not verify; it changes nothing.

    A [`WebhookSignatureInvalid`][omskit.carriers.errors.WebhookSignatureInvalid], so
    hosts catching that for carriers catch this too. ``carrier`` holds the service name.
    """

    def __init__(self, service: str, reason: str) -> None:
        self.carrier = service
        self.service = service
        self.reason = reason
        OmskitError.__init__(
            self, f"webhook from {service!r} refused: {reason}; nothing was applied"
        )


def dumps_exact(value: Any) -> bytes:
    """``value`` (dicts, lists, text, ints, bools, ``None``, ``Decimal``) as UTF-8 JSON.

    ``Decimal("19.90")`` is written ``19.90``: the ledger reads the number omskit computed.

    Raises:
        TypeError: a value of another type (a float included).
    """
    return "".join(_parts(value)).encode()


def _parts(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield ("," if i else "") + json.dumps(str(key)) + ":"
            yield from _parts(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from _parts(item)
        yield "]"
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"{value} has no JSON form")
        yield f"{value:f}"
    elif value is None or isinstance(value, bool | int | str):
        yield json.dumps(value)
    else:
        raise TypeError(f"{type(value).__name__} {value!r} is not written as exact JSON")
