"""What an adapter hands to the host's HTTP client, and what it gets back.

omskit forces no HTTP library on a host: every adapter builds an [`HttpRequest`][].
A service adapter (Stripe, EasyPost, the tax engine) passes it to a host-supplied
[`Transport`][] (any callable taking the request and returning an [`HttpResponse`][]),
which sends it with whatever the host uses (httpx, requests, urllib3) and returns the
status, headers and raw body; tests pass a fake. A channel adapter's outbound builders
return a request whose ``url`` is relative to the shop's API base (omskit does not know
it); [`HttpRequest.resolve`][] joins it to the base and adds the host's authentication.

Every JSON body is checked against its platform's documented schema before the request
exists ([`json_request`][]), so nothing a platform would refuse reaches a transport.

A transport that raises (a timeout, a lost connection) means the answer is unknown; the
adapter lets the exception through, so the caller's retry and reconciliation rules
apply (for payments: the same idempotency key is sent again).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Protocol

import attrs

from omskit.carriers.errors import WebhookSignatureInvalid
from omskit.carriers.webhooks import MAX_BODY_BYTES, decode_body
from omskit.errors import OmskitError, ValidationError
from omskit.integrations.schemas import validate_payload

__all__ = [
    "HttpRequest",
    "HttpResponse",
    "ServiceError",
    "SignatureInvalid",
    "Transport",
    "decode_json",
    "dumps_exact",
    "json_request",
]


@attrs.frozen
class HttpRequest:
    """One HTTP request an adapter wants sent.

    Attributes:
        method: ``"GET"``, ``"POST"``, ``"PUT"``...
        url: the absolute URL; for a channel adapter's outbound builders, the path below
            the shop's API base (``"fulfillments.json"``), made absolute by ``resolve``.
        headers: header name and value pairs, in order.
        body: the raw body (form-encoded or JSON, as ``headers`` say), empty for a GET.
        idempotency_key: the same update gives the same key; send it where the platform
            takes one, and use it to skip a request already sent (``""``: none).
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    idempotency_key: str = ""

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any letter case), or ``None``."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def payload(self) -> Mapping[str, Any] | None:
        """The JSON body as an object (fractions as exact ``Decimal``); ``None`` if empty.

        Raises:
            ValidationError: the body is not a JSON object (a form-encoded body, say).
        """
        return decode_json(self.body, "body") if self.body else None

    def resolve(self, base_url: str, headers: Iterable[tuple[str, str]] = ()) -> HttpRequest:
        """This request against ``base_url``, with ``headers`` (authentication) first.

        ``base_url`` is the shop's API root (``"https://shop.example/admin/api/2024-10"``);
        a URL that is already absolute is kept.
        """
        url = self.url
        if "://" not in url:
            url = f"{base_url.rstrip('/')}/{url.lstrip('/')}"
        return attrs.evolve(self, url=url, headers=(*headers, *self.headers))


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


def decode_json(body: bytes | str, field: str = "payload") -> Mapping[str, Any]:
    """The JSON object in ``body``; numbers with a fraction are read as ``Decimal``.

    Floats never appear: ``19.99`` in the text is ``Decimal("19.99")`` exactly. Use it
    for webhook bodies, polled payloads and answers alike.

    Raises:
        ValidationError: ``body`` is not a JSON object, or is larger than 1 MiB (naming
            ``field``).
    """
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise ValidationError(field, f"{len(raw):,} bytes", f"at most {MAX_BODY_BYTES:,} bytes")
    return decode_body(raw, field)


def json_request(method: str, url: str, body: Mapping[str, Any], *, schema: str,
                 idempotency_key: str = "",
                 headers: Iterable[tuple[str, str]] = ()) -> HttpRequest:  # fmt: skip
    """A JSON request, once ``body`` passes the platform's documented schema ``schema``.

    ``body`` is written with [`dumps_exact`][omskit.integrations.transport.dumps_exact]
    (a ``Decimal`` as the number it is).

    Raises:
        PayloadInvalid: ``body`` breaks the schema (naming the JSON path and the rule).
    """
    validate_payload(body, schema)
    sent = [*headers]
    sent.append(("Content-Type", "application/json"))
    return HttpRequest(method, url, tuple(sent), dumps_exact(body), idempotency_key)


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
