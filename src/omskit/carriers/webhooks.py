"""Signed webhooks: how a carrier's tracking webhook proves where it comes from.

The built-in carriers use one scheme (see docs/carriers.md, "Webhook signatures"),
each under its own header name. The sender signs ``f"{timestamp}.".encode() + body``
with HMAC-SHA256 and a secret shared with omskit, and sends::

    <Header-Name>: t=<unix seconds>,v1=<hex digest>[,v1=<hex digest>...]

omskit recomputes the digest over the raw body exactly as received, compares it in
constant time with every ``v1`` given (several allow a secret to be rotated), and
refuses a timestamp further than the tolerance from its clock either way, so a
captured delivery cannot be replayed later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from omskit.carriers.errors import WebhookSignatureInvalid
from omskit.errors import ValidationError, shown

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "MAX_BODY_BYTES",
    "WebhookDelivery",
    "decode_body",
    "header",
    "raw_body",
    "sign",
    "signature_header",
    "verify",
]

#: How far a signature's timestamp may be from omskit's clock, either way, by default.
DEFAULT_TOLERANCE_SECONDS = 300

#: The largest webhook body omskit reads (1 MiB); a carrier's scan batch is far smaller.
MAX_BODY_BYTES = 1 << 20


@attrs.frozen
class WebhookDelivery:
    """A webhook as it arrives over HTTP: the raw body and the headers.

    Pass both to ``handle_webhook``
    (``oms.carriers.handle_webhook("sandbox", d.body, d.headers)``).
    """

    body: bytes
    headers: Mapping[str, str]


def sign(body: bytes, secret: bytes, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}."`` + ``body`` under ``secret``."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret, signed, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secret: bytes, at: dt.datetime) -> str:
    """The signature header's value for ``body`` sent ``at`` (``t=...,v1=...``)."""
    timestamp = int(at.timestamp())
    return f"t={timestamp},v1={sign(body, secret, timestamp)}"


def header(headers: Any, name: str) -> str | None:
    """The value of header ``name`` in ``headers`` (any letter case), or ``None``."""
    if not isinstance(headers, Mapping):
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


def raw_body(carrier: str, body: Any) -> bytes:
    """``body`` as bytes; anything else cannot be verified and is refused.

    Raises:
        WebhookSignatureInvalid: ``body`` is not ``bytes`` (a parsed mapping or a
            decoded string is not what the carrier signed).
        ValidationError: the body is larger than ``MAX_BODY_BYTES``.
    """
    if isinstance(body, bytearray | memoryview):
        body = bytes(body)
    if not isinstance(body, bytes):
        raise WebhookSignatureInvalid(
            carrier,
            f"the body is {type(body).__name__}, not the raw bytes as received: "
            "a parsed or decoded body cannot be verified",
        )
    if len(body) > MAX_BODY_BYTES:
        raise ValidationError("body", f"{len(body):,} bytes", f"at most {MAX_BODY_BYTES:,} bytes")
    return body


def verify(
    carrier: str,
    body: bytes,
    headers: Any,
    *,
    header_name: str,
    secrets: Iterable[bytes],
    now: dt.datetime,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Check the signature header of a webhook; return quietly when it holds.

    Raises:
        WebhookSignatureInvalid: the header is missing or malformed, no ``v1`` digest
            matches under any of ``secrets``, or the timestamp is outside the window.
    """
    value = header(headers, header_name)
    if value is None:
        raise WebhookSignatureInvalid(carrier, f"no {header_name} header")
    timestamp: int | None = None
    digests: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isdigit() and len(item) <= 12:
            timestamp = int(item)
        elif key == "v1" and item and len(digests) < 8:
            digests.append(item)
    if timestamp is None or not digests:
        raise WebhookSignatureInvalid(
            carrier, f"{header_name} must read 't=<unix seconds>,v1=<hex HMAC-SHA256>'"
        )
    skew = abs(now.timestamp() - timestamp)
    if skew > tolerance_seconds:
        raise WebhookSignatureInvalid(
            carrier,
            f"signed at {timestamp}, {int(skew)} s from now; at most {tolerance_seconds} s "
            "either way is accepted (a replayed or delayed delivery)",
        )
    for secret in secrets:
        expected = sign(body, secret, timestamp)
        if any(hmac.compare_digest(expected, d) for d in digests):
            return
    raise WebhookSignatureInvalid(carrier, "the signature does not match the body")


def decode_body(body: bytes | str, field: str = "body") -> Mapping[str, Any]:
    """The JSON object in a verified ``body`` (numbers with a fraction as ``Decimal``).

    Raises:
        ValidationError: the body is not UTF-8 JSON, not an object, or nested too deep
            (naming ``field``).
    """
    try:
        payload = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ValidationError(field, shown(body[:40]), f"expected a JSON object ({exc})") from None
    if not isinstance(payload, dict):
        raise ValidationError(field, shown(payload), "expected a JSON object")
    return payload
